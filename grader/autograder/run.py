"""Inside Gradescope: grade ``ROOT/submission`` into ``ROOT/results/results.json``.

``python -m grader.autograder.run --root /autograder`` (what ``run_autograder`` runs). The
settings come from ``ROOT/source/gradelab-autograder.json``; the grade is the one
``gradelab grade`` gives the same files (:func:`grader.engine.run.grade_submission`, same hidden
tests, same derandomized examples), with the configured visibility per topic. A submission that
cannot be read (a broken zip) scores 0 with the reason in the output; a failure of the grader
itself writes no results and exits 1, so Gradescope shows an autograder error, never a 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.autograder.config import CONFIG_NAME, AutograderConfig
from grader.engine.run import GradingError, grade_submission
from grader.outputs import atomic_write, gradescope
from grader.outputs.escape import json_text, visible
from grader.results import SubmissionResult
from grader.settings import GradeSettings
from grader.submissions import Submission, SubmissionError, read_folder, read_zip

LEARNER = "submission"


def read_submission(folder: Path) -> Submission:
    """The learner's files: ``<topic>.py`` at the root or under ``exercises/`` (an upload or a
    repository), or a single uploaded ``.zip`` holding them."""
    submission = read_folder(folder, LEARNER)
    zips = sorted(p for p in folder.glob("*.zip") if p.is_file()) if folder.is_dir() else []
    if not submission.files and len(zips) == 1:
        return read_zip(zips[0], LEARNER)
    return submission


def unreadable(reason: str) -> dict[str, object]:
    """results.json for a submission that could not be read: 0 points and why."""
    return {
        "score": 0,
        "output": f"This submission could not be read: {visible(reason)}",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }


def grade_root(root: Path) -> str:
    """The results.json text for ``root/submission`` (raises GradingError on a grader failure)."""
    config = AutograderConfig.load(root / "source" / CONFIG_NAME)
    try:
        sub = read_submission(root / "submission")
    except SubmissionError as exc:
        return json_text(unreadable(str(exc)), indent=2) + "\n"
    settings = GradeSettings(config.topics, config.max_examples, config.shrink)
    result = grade_submission(sub, settings)
    return gradescope.render(SubmissionResult.from_dict(result), config.visibility)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    args = parser.parse_args(argv)
    try:
        text = grade_root(args.root)
    except GradingError as exc:
        print(f"gradelab: the grader failed, nothing written: {exc}", file=sys.stderr)
        return 1
    atomic_write(args.root / "results" / "results.json", text)
    print(f"gradelab: wrote {args.root / 'results' / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
