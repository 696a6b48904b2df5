"""Submission intake: what each learner handed in, checked against the roster before grading.

For every submission the instructor learns, before any points are given:

- ``no-code``: nothing gradable (an empty folder, or only files such as ``notes.txt``);
- ``misplaced``: a file that would have been graded under another path, with that path
  (``sub/activations.py`` → ``activations.py``, ``Activations.py`` → ``activations.py``,
  ``activation.ipynb`` → ``activations.ipynb``: a name within
  :data:`grader.layout.NEAR` of a topic name);
- ``unreadable``: a topic file where grading looks that could not be read (too large, not a
  regular file, permission denied), with the reason;
- ``unknown``: a file that is neither a topic, a helper module, nor near a topic name (a zip
  inside a submission, as Moodle's download holds them, is said not to be opened);
- ``not-in-roster`` / ``no-submission``: the class folder and the roster disagree.

Every learner-controlled name here is data: it is shown through the escaping helpers only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.class_folder import stray
from grader.layout import (
    UNOPENED_ZIP,
    in_place,
    nothing_gradable,
    release_file,
    shortened,
    would_work_as,
)
from grader.submissions import Submission, helper_of, listed
from reference import TOPICS

COLUMNS = ("learner", "status", "file", "would_work_as")


@dataclass(frozen=True)
class Finding:
    """One line of ``submissions.csv``: a learner, what is wrong, and the fix when there is one."""

    learner: str
    status: str  # no-code | misplaced | unreadable | unknown | not-in-roster | no-submission
    file: str = ""
    would_work_as: str = ""
    why: str = ""  # the console's explanation (not a column of submissions.csv)


def survey(submission: Submission) -> list[Finding]:
    """What is wrong with one submission's files (empty when everything is in place)."""
    if stray(submission):  # a lone file in a class folder: the file, and what to do
        name = PurePosixPath(submission.origin.name).as_posix()
        return [Finding(submission.learner, "no-code", name, "", submission.problems[0])]
    names = listed(submission.origin)  # no link followed, no OS junk (.DS_Store)
    names = [n for n in names if PurePosixPath(n).parts]  # "." or "": no file at all
    if submission.origin.is_file() and names:
        prefix = PurePosixPath(names[0]).parts[0]
        if all(PurePosixPath(n).parts[0] == prefix and "/" in n for n in names):
            names = [n.split("/", 1)[1] for n in names]  # a zip of one folder
    findings: list[Finding] = []
    for name in names:
        if in_place(name):
            if PurePosixPath(name).stem not in submission.files:  # too large, a FIFO, ...
                why = next((p for p in submission.problems if name in p), "")
                findings.append(Finding(submission.learner, "unreadable", shortened(name), "", why))
            continue
        if release_file(name):
            continue  # the release folder handed in whole: its README, lessons, public tests
        target = would_work_as(name)
        if target is None and helper_of(name) is not None:
            continue  # the learner's own module, carried beside the topic files
        status = "misplaced" if target else "unknown"
        why = UNOPENED_ZIP if name.lower().endswith(".zip") else ""
        findings.append(Finding(submission.learner, status, shortened(name), target or "", why))
    if not any(topic in submission.files for topic in TOPICS):
        found = ", ".join(shortened(n) for n in names[:10])
        # nothing listed, yet a reason (a corrupt zip, too many entries, a FIFO): said, not
        # "found: nothing" alone (the "nothing gradable" note itself is no reason)
        reasons = [p for p in submission.problems if p != nothing_gradable([])]
        why = reasons[0] if not names and reasons else ""
        findings.insert(0, Finding(submission.learner, "no-code", found, "", why))
    return findings


def check_class(submissions: Iterable[Submission], roster: Iterable[str] | None) -> list[Finding]:
    """Every finding for the class, then the roster comparison (when a roster is given)."""
    subs = list(submissions)
    findings = [f for s in subs for f in survey(s)]
    if roster is not None:
        from grader.lms.export import near_misses

        expected, present = list(roster), {s.learner for s in subs}
        # "Zoë" decomposed (NFD, a macOS file name) against the roster's composed "Zoë"
        near = near_misses([s.learner for s in subs], expected, "handed in")
        findings += [
            Finding(s.learner, "not-in-roster", why=near.get(s.learner, ""))
            for s in subs
            if s.learner not in expected
        ]
        findings += [
            Finding(m, "no-submission", why=near.get(m, "")) for m in expected if m not in present
        ]
    return findings


def to_csv(findings: list[Finding]) -> str:
    """``submissions.csv``: one row per finding (ids and names escaped against formulas)."""
    from grader.outputs.escape import csv_cell

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in findings:
        writer.writerow([csv_cell(v) for v in (f.learner, f.status, f.file, f.would_work_as)])
    return buf.getvalue()


def console_lines(findings: list[Finding], csv_path: Path | None) -> list[str]:
    """What ``grade`` prints before grading: one line per learner with findings, then where
    the full list is (each learner's files beyond the first three are counted, not listed);
    ``csv_path`` None: none is written (``--dry-run``)."""
    lines = []
    by_learner: dict[str, list[Finding]] = {}
    for f in findings:
        by_learner.setdefault(f.learner, []).append(f)
    for learner, own in by_learner.items():
        parts = []
        for f in own[:3]:
            if f.status == "no-code":
                parts.append(f"no gradable code (found: {f.file or 'nothing'})")
                if f.why:
                    parts.append(f.why)
            elif f.status == "misplaced":
                parts.append(f"{f.file} would be graded as {f.would_work_as}")
            elif f.status == "unreadable":
                parts.append(f.why or f"{f.file} could not be read (see its feedback)")
            elif f.status == "unknown":
                parts.append(f"unknown file {f.file}" + (f" ({f.why})" if f.why else ""))
            else:
                gap = {"not-in-roster": "not in the roster", "no-submission": "no submission"}
                parts.append(gap[f.status] + (f" ({f.why})" if f.why else ""))
        more = f" (+{len(own) - 3} more)" if len(own) > 3 else ""
        lines.append(f"{learner}: {'; '.join(parts)}{more}")
    if lines:
        where = f"see {csv_path}" if csv_path is not None else "not written (--dry-run)"
        lines.append(f"{len(by_learner)} learner(s) with submission problems: {where}")
    return lines
