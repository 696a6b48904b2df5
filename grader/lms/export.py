"""The gradebook as an LMS grade-import CSV: Canvas's gradebook import, Moodle's CSV import.

Read from the gradebook (each learner's current graded submission, never graded again: the class
``grades.csv`` and ``class/`` show, with their warning when the grades do not compare) and
matched to the roster (:mod:`grader.lms.roster`). One column per topic, ``gradelab <topic>``, and
``gradelab total``, in points:

- **Canvas** (Grades → Import): ``Student,ID,SIS User ID,SIS Login ID,Section``, then the grade
  columns; the second row is ``Points Possible`` with each column's maximum (Canvas creates an
  assignment per new column, worth that). Canvas finds each student by ``ID``, ``SIS User ID``
  or ``SIS Login ID`` (the roster's ``canvas_id``, ``sis_id``, ``login``).
- **Moodle** (Grade administration → Import → CSV file): ``Full name,Email address,Username,
  ID number``, then the grade columns; on the import screen, "Identify user by" maps one of
  those columns to the user field of the same name and each grade column to a grade item.

Rows follow the roster's order. A learner in the roster but not graded gets empty grade cells
(an LMS leaves a blank unchanged, where 0 would be a grade); a learner graded but not in the
roster cannot be imported and is left out of the CSV. Both kinds are listed in
:attr:`Export.unmatched` (the console and the companion ``*.unmatched.csv``): nobody is dropped
in silence. Ids match exactly; one that differs from an id on the other side only in case,
surrounding blanks or Unicode form (:func:`grader.lms.roster.alike`) is listed with that id, so
the instructor can fix the roster. Every cell goes through :func:`grader.outputs.escape.csv_cell`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader.lms.roster import Member, alike, loose_key
from grader.outputs.csv_table import csv_table
from grader.outputs.escape import csv_cell, visible
from grader.results import SubmissionResult, topics_of

FORMATS = ("canvas", "moodle")
#: per LMS: its identity columns and the roster column each is filled from
IDENTITY = {
    "canvas": (
        ("Student", "name"),
        ("ID", "canvas_id"),
        ("SIS User ID", "sis_id"),
        ("SIS Login ID", "login"),
        ("Section", "section"),
    ),
    "moodle": (
        ("Full name", "name"),
        ("Email address", "email"),
        ("Username", "login"),
        ("ID number", "sis_id"),
    ),
}
NOT_IN_ROSTER = "graded, not in the roster: left out of the export"
NOT_GRADED = "in the roster, not graded: exported with empty grades"


@dataclass
class Export:
    """An export: the CSV text, the learners matched, and those found on one side only."""

    text: str
    exported: int
    graded: int
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (learner, why)
    warning: str | None = None  # the learners' grades do not compare (report.load.mixed_grading)

    def unmatched_csv(self) -> str:
        return _csv([["learner", "problem"], *map(list, self.unmatched)])


def number(x: float) -> str:
    """Points as an LMS reads them: ``3``, ``2.5``, ``0.3333`` (4 decimals at most)."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _csv(rows: list[list[str]]) -> str:
    """The header ``rows[0]`` and the other rows, every cell through ``csv_cell``."""
    return csv_table([csv_cell(c) for c in rows[0]], rows[1:])


def near_misses(graded: list[str], listed: list[str], found: str = "graded") -> dict[str, str]:
    """For each id found on one side only, the first id of the other side alike to it, said
    (``found``: what happened to the graded side's ids, "graded" or "handed in")."""
    only = {"graded": set(graded) - set(listed), "listed": set(listed) - set(graded)}
    by_key: dict[str, list[str]] = {}
    for learner in sorted(only["graded"] | only["listed"]):
        by_key.setdefault(loose_key(learner), []).append(learner)
    said: dict[str, str] = {}
    for side, other_side, shown in (
        ("graded", "listed", "the roster's '{}' differs only in {}"),
        ("listed", "graded", found + " as '{}', which differs only in {}"),
    ):
        for learner in sorted(only[side]):
            for other in by_key[loose_key(learner)]:
                how = alike(learner, other) if other in only[other_side] else None
                if how is not None and learner not in said:
                    said[learner] = shown.format(visible(other), how)
    return said


def build_export(results: Sequence[SubmissionResult], roster: Sequence[Member], lms: str) -> Export:
    """The ``lms`` import CSV of ``results`` for the learners of ``roster``."""
    if lms not in FORMATS:
        raise ValueError(f"unknown format {lms!r}: one of {', '.join(FORMATS)}")
    topics = topics_of(results)
    tops = {t: max(r.topic_scores().get(t, (0.0, 0.0))[1] for r in results) for t in topics}
    graded = {r.learner: r for r in results}
    header = [title for title, _ in IDENTITY[lms]]
    header += [f"gradelab {t}" for t in topics] + ["gradelab total"]
    rows = [header]
    if lms == "canvas":
        blanks = [""] * (len(IDENTITY[lms]) - 1)
        maxima = [*(number(tops[t]) for t in topics), number(sum(tops.values()))]
        rows.append(["Points Possible", *blanks, *maxima])
    unmatched = []
    for member in roster:
        identity = [member.get(column) for _, column in IDENTITY[lms]]
        result = graded.get(member.learner)
        if result is None:
            unmatched.append((member.learner, NOT_GRADED))
            rows.append(identity + [""] * (len(topics) + 1))
            continue
        scores = result.topic_scores()
        points = [number(scores[t][0]) if t in scores else "" for t in topics]
        rows.append(identity + points + [number(result.score)])
    listed = {m.learner for m in roster}
    unmatched += [(r.learner, NOT_IN_ROSTER) for r in results if r.learner not in listed]
    near = near_misses([r.learner for r in results], [m.learner for m in roster])
    unmatched = [(who, f"{why}; {near[who]}" if who in near else why) for who, why in unmatched]
    unmatched.sort(key=lambda item: (not item[1].startswith(NOT_IN_ROSTER), item[0]))
    return Export(
        text=_csv(rows),
        exported=sum(1 for m in roster if m.learner in graded),
        graded=len(results),
        unmatched=unmatched,
    )


def companion_path(to: Path) -> Path:
    """Where the learners found on one side only are listed: ``<to>.unmatched.csv``."""
    return to.with_name(f"{to.stem}.unmatched.csv")


#: how the files an export writes begin: an existing file that begins otherwise is not replaced
EXPORT_HEADERS = (
    *(",".join(title for title, _ in columns) + "," for columns in IDENTITY.values()),
    "learner,problem",
)


def _replaceable(path: Path) -> None:
    """Refuse to overwrite a file that is not an export written before (the instructor's own
    spreadsheet given as ``--to``): it would be lost."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8-sig", "replace")
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise ValueError(f"{path}: a folder is there, where a file is needed") from None
    except OSError:
        return  # unreadable: writing it says why, naming it
    if head.strip() and not head.startswith(EXPORT_HEADERS):  # an empty file holds nothing
        raise ValueError(
            f"{path}: a file is there that is not a gradelab export; it would be overwritten: "
            "give another --to, or move it away"
        )


def export_gradebook(
    out: Path, roster_path: Path, lms: str, to: Path | None = None
) -> tuple[Export, Path]:
    """Write ``OUT``'s gradebook as the ``lms`` import CSV (default ``OUT/export/<lms>.csv``)
    and its companion list; returns the export and the path written."""
    from grader.lms.roster import read_roster
    from grader.outputs import atomic_write
    from grader.report.load import read_class

    if lms not in FORMATS:
        raise ValueError(f"unknown format {lms!r}: one of {', '.join(FORMATS)}")
    roster = read_roster(roster_path, lms)
    graded = read_class(out)  # the class grades.csv and class/ show, and their warning
    result = build_export(graded.results, roster, lms)
    result.warning = graded.warning
    target = to or out / "export" / f"{lms}.csv"  # escape.KIT_FOLDERS: no learner's folder
    inputs = {roster_path.resolve(), (out / "gradebook.sqlite").resolve()}
    if {target.resolve(), companion_path(target).resolve()} & inputs:
        raise ValueError(f"--to {target} would overwrite the roster or the gradebook")
    for path in (target, companion_path(target)):
        _replaceable(path)
    atomic_write(target, result.text)
    atomic_write(companion_path(target), result.unmatched_csv())
    return result, target
