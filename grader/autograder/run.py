"""Inside Gradescope: grade ``ROOT/submission`` into ``ROOT/results/results.json``.

``python -m grader.autograder.run --root /autograder`` (what ``run_autograder`` runs). The
settings come from ``ROOT/source/gradelab-autograder.json``; the grade is the one
``gradelab grade`` gives the same files (:func:`grader.engine.run.grade_submission`, same hidden
tests, same derandomized examples), with the configured visibility per topic, and a top-level
output the learner can act on at once (:mod:`.summary`).

Whatever the learner uploads scores 0 with the reason at worst: any failure reading it is theirs
(a broken zip, an unreadable file). A failure of the grader itself (a broken kit, a missing
setting, bubblewrap not working where the settings require it) writes no results and exits 1,
so Gradescope shows an autograder error, never a 0, and stdout (shown to instructors only) says
what failed in one line. ``results.json`` is removed first and again on any failure: a file that
learner code managed to write (see :mod:`.config`, ``sandbox``) is never the one Gradescope reads
after a failed run. Without bubblewrap, learner code runs as an unprivileged uid and the kit's
folder is closed to it first (:func:`close_kit`).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import traceback
from pathlib import Path

from grader.autograder.config import CONFIG_NAME, AutograderConfig, ConfigError
from grader.autograder.summary import top_output
from grader.engine.run import GradingError, grade_submission
from grader.engine.sandbox import Sandbox, detect
from grader.outputs import atomic_write, gradescope
from grader.outputs.escape import json_text, visible
from grader.results import SubmissionResult
from grader.settings import GradeSettings
from grader.submissions import Submission, SubmissionError, read_folder, read_zip

LEARNER = "submission"


class SetupError(RuntimeError):
    """The autograder cannot grade here; the message says what the operator must fix."""


def read_submission(folder: Path) -> Submission:
    """The learner's files: ``<topic>.py`` at the root or under ``exercises/`` (an upload or a
    repository), or a single uploaded ``.zip`` holding them. Raises :class:`SubmissionError`
    for anything in the upload that cannot be read."""
    try:
        submission = read_folder(folder, LEARNER)
        zips = sorted(p for p in folder.glob("*.zip") if p.is_file()) if folder.is_dir() else []
        if submission.files or not zips:
            return submission
        if len(zips) == 1:
            return read_zip(zips[0], LEARNER)
    except SubmissionError:
        raise
    except Exception as exc:  # whatever the upload holds is the learner's problem alone
        raise SubmissionError(
            f"the upload could not be read ({type(exc).__name__}: {exc})"
        ) from None
    names = ", ".join(p.name for p in zips[:5])
    several = f"several zips ({names}): upload one, or the .py files themselves"
    return Submission(LEARNER, folder, {}, (*submission.problems, several))


def unreadable(reason: str) -> dict[str, object]:
    """results.json for a submission that could not be read: 0 points and why."""
    return {
        "score": 0,
        "output": f"This submission could not be read: {visible(reason)}",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }


def sandbox_for(config: AutograderConfig) -> Sandbox:
    """The sandbox learner code runs in under the settings' ``sandbox`` (:mod:`.config`);
    :class:`SetupError` where it does not work in this container."""
    if config.sandbox == "auto":
        return detect("auto")
    try:
        return detect("bwrap")
    except RuntimeError as exc:
        bwrap_failed = str(exc)
    found = detect("auto")
    if config.sandbox == "uid" and found.drop_uid is not None:
        return found  # no bubblewrap: the unprivileged uid, with the kit closed (close_kit)
    why = (
        "neither works here: the unprivileged uid cannot run this Python (install it where every "
        "user may read it, as the image's /usr/bin/python3 is)"
        if config.sandbox == "uid"
        else "it is required"
    )
    raise SetupError(
        f"{bwrap_failed}, and {why}. Learner code would run as this user (root on Gradescope): "
        "it could read the hidden tests and write its own results.json. Use an image where "
        f'bubblewrap works, or set "sandbox": "auto" in {CONFIG_NAME} to grade without it '
        "(formative use only)."
    ) from None


def close_kit(root: Path, sandbox: Sandbox) -> None:
    """Without bubblewrap the worker's unprivileged uid sees the container's files: close the
    autograder's copy of the kit (``ROOT/source``: the hidden tests, the reference) and keep the
    results folder the grader's alone, before any learner code runs. The worker loads every
    gradelab file it runs before it drops to that uid; a learner's ``import reference`` then
    fails. With bubblewrap nothing is needed (the kit is not in the sandbox); as root without
    the uid drop nothing helps (``auto`` only)."""
    if sandbox.bwrap or sandbox.drop_uid is None:
        return
    (root / "source").chmod(0o700)
    results = root / "results"
    results.mkdir(exist_ok=True)
    results.chmod(0o755)


def load_config(root: Path) -> AutograderConfig:
    path = root / "source" / CONFIG_NAME
    try:
        return AutograderConfig.load(path)
    except FileNotFoundError:
        raise SetupError(
            f"{path} is missing: upload the zip `gradelab gradescope` builds (Gradescope unpacks "
            "it into /autograder/source), or set GRADELAB_AUTOGRADER_ROOT to the tree it is in"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:  # JSON, ConfigError, a missing key
        raise SetupError(f"{path}: not gradelab autograder settings ({exc})") from None


def grade_root(root: Path) -> str:
    """The results.json text for ``root/submission`` (raises :class:`SetupError` or
    :class:`GradingError` when the grader cannot grade)."""
    config = load_config(root)
    sandbox = sandbox_for(config)
    close_kit(root, sandbox)
    try:
        sub = read_submission(root / "submission")
    except SubmissionError as exc:
        return json_text(unreadable(str(exc)), indent=2) + "\n"
    settings = GradeSettings(config.topics, config.max_examples, config.shrink, sandbox=sandbox)
    result = SubmissionResult.from_dict(grade_submission(sub, settings))
    document = gradescope.results_json(result, config.visibility)
    shown = [test["visibility"] for test in document["tests"]]
    document["output"] = top_output(sub, config.topics, result.score, result.max_score, shown)
    print(
        f"gradelab: {result.score:g}/{result.max_score:g} points; sandbox: {', '.join(sandbox.layers)}"
    )
    return json_text(document, indent=2, sort_keys=False) + "\n"


def check_sandbox(root: Path) -> int:
    """What ``setup.sh`` runs once the install is done: the build log (which the instructor
    reads when uploading the zip) says whether grading will work, rather than every learner's
    upload failing later; exit 1 where the settings require bubblewrap and it does not work."""
    try:
        sandbox = sandbox_for(load_config(root))
    except SetupError as exc:
        print(f"gradelab: this autograder cannot grade here: {exc}")
        return 1
    print(f"gradelab: sandbox layers that work here: {', '.join(sandbox.layers)}")
    if sandbox.warning:
        print(f"gradelab: warning: {sandbox.warning}")
    return 0


def _discard(path: Path) -> None:
    """Remove ``results.json`` (a folder in its place too: only learner code running
    unsandboxed could have made one)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    parser.add_argument(
        "--check-sandbox",
        action="store_true",
        help="only say which sandbox layers work here (setup.sh runs it when the image is built)",
    )
    args = parser.parse_args(argv)
    if args.check_sandbox:
        return check_sandbox(args.root)
    results = args.root / "results" / "results.json"
    _discard(results)
    try:
        text = grade_root(args.root)
    except (SetupError, GradingError, ConfigError) as exc:
        _discard(results)
        print(f"gradelab: the grader failed, nothing written: {exc}", file=sys.stdout)
        return 1
    except Exception:  # a bug of the grader: its traceback, for the instructor (stdout)
        _discard(results)
        print("gradelab: the grader failed, nothing written:", file=sys.stdout)
        traceback.print_exc(file=sys.stdout)
        return 1
    atomic_write(results, text)
    print(f"gradelab: wrote {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
