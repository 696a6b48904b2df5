"""The class a report describes, read from the gradebook (never by grading again).

The class is every learner graded into that ``--out``, each at their current entry
(:meth:`grader.outputs.gradebook.Gradebook.current_entries`): what ``grades.csv``, the class
report and the LMS exports all show. When those entries were graded on different topics, or
under different kits or settings, their totals do not compare, and :func:`mixed_grading` says so
in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.outputs.escape import visible
from grader.outputs.gradebook import Entry, Gradebook
from grader.results import SubmissionResult, topics_of

NAMED = 3  # learners named per group in the warning; the rest are counted


class NoGradebookError(Exception):
    """There is no gradebook where the report should read one."""


@dataclass(frozen=True)
class GradedClass:
    """The class in a gradebook, and the warning when its learners' grades do not compare."""

    results: list[SubmissionResult]
    warning: str | None = None


def _open(out: Path) -> Gradebook:
    path = out / "gradebook.sqlite"
    if not path.is_file():
        raise NoGradebookError(
            f"no gradebook at {path}: grade the class first (gradelab grade CLASS --out {out})"
        )
    return Gradebook(path)


def read_class(out: Path) -> GradedClass:
    """Every learner's current result in ``out/gradebook.sqlite``, in learner order, and
    :func:`mixed_grading`'s warning."""
    book = _open(out)
    try:
        entries = book.current_entries()
    finally:
        book.close()
    results = [SubmissionResult.from_dict(e.result) for e in entries.values()]
    return GradedClass(results, mixed_grading(entries))


def load_class(out: Path, select: dict[str, str] | None = None) -> list[SubmissionResult]:
    """Each learner's current graded submission in ``out/gradebook.sqlite``, in learner order.

    ``select`` (learner → content hash) restricts the class to those submissions.
    """
    if select is None:
        return read_class(out).results
    book = _open(out)
    try:
        return [SubmissionResult.from_dict(r) for r in book.latest(select)]
    finally:
        book.close()


def _groups(entries: Mapping[str, Entry], label: Callable[[Entry], str]) -> list[str]:
    """``label (who)`` for each group of learners with one ``label(entry)``, largest first."""
    groups: dict[str, list[str]] = {}
    for learner, entry in entries.items():
        groups.setdefault(label(entry), []).append(learner)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[1]))
    return [f"{name} ({_who(who, i == 0)})" for i, (name, who) in enumerate(ordered)]


def _who(learners: list[str], first: bool) -> str:
    """The largest group counted; the others named (the first :data:`NAMED`), then counted.

    The names are printed to the instructor's terminal: their control and bidi characters are
    shown as escapes (:func:`grader.outputs.escape.visible`)."""
    if first or len(learners) > NAMED * 2:
        return f"{len(learners)} learner{'s' if len(learners) != 1 else ''}"
    shown = ", ".join(visible(learner) for learner in learners[:NAMED])
    more = len(learners) - NAMED
    return shown + (f" and {more} more" if more > 0 else "")


def mixed_grading(entries: Mapping[str, Entry]) -> str | None:
    """One warning line when the learners' current entries were graded on different topic
    sets, or (same topics) under different fingerprints (another kit, or other settings such
    as ``--max-examples``); None when they all compare."""

    def topics(entry: Entry) -> str:
        return ", ".join(topics_of([SubmissionResult.from_dict(entry.result)])) or "no topic"

    by_topics = _groups(entries, topics)
    by_kit = _groups(entries, lambda entry: entry.fingerprint)
    if len(by_topics) > 1:
        what = f"on different topics: {'; '.join(by_topics)}"
    elif len(by_kit) > 1:
        what = f"under {len(by_kit)} kits or settings (fingerprints {'; '.join(by_kit)})"
    else:
        return None
    return (
        f"WARNING: this gradebook's learners were graded {what}: their totals do not compare "
        "(grades.csv, class/, exports); regrade the whole class with the same options"
    )
