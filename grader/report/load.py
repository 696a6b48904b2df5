"""The class a report describes, read from the gradebook (never by grading again)."""

from __future__ import annotations

from pathlib import Path

from grader.outputs.gradebook import Gradebook
from grader.results import SubmissionResult


class NoGradebookError(Exception):
    """There is no gradebook where the report should read one."""


def load_class(out: Path, select: dict[str, str] | None = None) -> list[SubmissionResult]:
    """Each learner's latest graded submission in ``out/gradebook.sqlite``, in learner order.

    ``select`` (learner → content hash) restricts the class to those submissions: what a
    ``gradelab grade`` run has just graded or reused.
    """
    path = out / "gradebook.sqlite"
    if not path.is_file():
        raise NoGradebookError(
            f"no gradebook at {path}: grade the class first (gradelab grade CLASS --out {out})"
        )
    book = Gradebook(path)
    try:
        return [SubmissionResult.from_dict(r) for r in book.latest(select)]
    finally:
        book.close()
