"""The top of a Gradescope results page: what the learner reads first, at once, after uploading.

Gradescope shows the top-level ``output`` of ``results.json`` whatever the tests' visibility, so
it says only what a learner may know before the due date, and what they can still fix by
uploading again:

- the score, only when every test is ``visible``: Gradescope hides the total while tests are
  ``after_due_date`` or ``after_published``, and "37/55 points." above them gave it away (tests
  ``hidden`` with points are a course's own choice: Gradescope's documentation says they do not
  hide the total, so this line does not state it either);
- the topics with no file (0 points), the problems met reading the upload (a file over the size
  limit, a symbolic link, an unreadable notebook, several zips), and each file that was not
  graded but would have been under another name or place (``homework/activations.py``,
  ``Activations.py``): ``gradelab grade`` lists these for the instructor
  (:mod:`grader.intake`); on Gradescope the learner is the one who can act on them.

Every name here comes from the learner: it is shown through :func:`grader.outputs.escape.visible`.
"""

from __future__ import annotations

from collections.abc import Iterable

from grader.intake import survey
from grader.outputs.escape import visible
from grader.outputs.gradescope import score_line
from grader.submissions import Submission, listed


def upload_notes(submission: Submission, graded: tuple[str, ...]) -> list[str]:
    """What the learner can fix in the upload itself, one line each (empty when nothing)."""
    notes = [visible(p) for p in submission.problems]
    for finding in survey(submission):
        if finding.status == "misplaced" and finding.would_work_as.split(".")[0] in graded:
            notes.append(
                f"{visible(finding.file)} was not graded: name it {finding.would_work_as} "
                "at the top of your upload (or under exercises/)."
            )
    if not any(topic in submission.files for topic in graded):
        names = listed(submission.origin)  # never a symbolic link's target
        found = ", ".join(visible(n) for n in names[:10]) + (", ..." if len(names) > 10 else "")
        notes.append(
            f"Nothing in the upload could be graded (it holds: {found})."
            if names
            else "The upload is empty: no files were found."
        )
        files = ", ".join(f"{t}.py" for t in graded)
        notes.append(f"Hand in {files} at the top of your upload, or under exercises/.")
    return notes


def top_output(
    submission: Submission,
    graded: tuple[str, ...],
    score: float,
    max_score: float,
    visibilities: Iterable[str],
) -> str:
    """The top-level ``output`` of results.json."""
    lines = [score_line(score, max_score, visibilities)]
    missing = [t for t in graded if t not in submission.files]
    if missing:
        lines.append(f"Missing topic files (0 points): {', '.join(missing)}.")
    lines += upload_notes(submission, graded)
    return "\n".join(lines)
