"""grader/autograder/run.py and scripts.py: the zip's run_autograder, run against a fake
/autograder tree (GRADELAB_AUTOGRADER_ROOT), grades /autograder/submission into
results/results.json with the score `gradelab grade` gives the same files, each topic's tests at
the configured visibility; an unreadable submission scores 0 with the reason and what kept an
upload from being graded is told to the learner; without a working bubblewrap nothing is graded
and no results.json is left."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.autograder.config import AutograderConfig
from grader.autograder.package import autograder_zip
from grader.engine.sandbox import detect
from grader.examples import mistake_source
from grader.grading import GradeOptions, grade
from grader.release.build import ROOT
from grader.settings import GradeSettings

TOPICS = ("activations", "losses")
VISIBILITY = {"*": "hidden", "activations": "visible"}


def here() -> str:
    """The sandbox setting that grades on this machine: bubblewrap required where it works."""
    return "bwrap" if detect().bwrap else "auto"


def planted_submission(folder: Path) -> Path:
    """The model answers for TOPICS, activations with a catalogued mistake: a partial score."""
    folder.mkdir(parents=True)
    _, _, source = mistake_source("activations.sigmoid_grad/sigmoid_grad_as_sigmoid")
    for topic in TOPICS:
        (folder / f"{topic}.py").write_text((ROOT / "solutions" / f"{topic}.py").read_text())
    with (folder / "activations.py").open("a") as fh:
        fh.write("\n\n" + source)
    (folder / "old").mkdir()  # an earlier draft, kept in a folder: not graded, and said so
    (folder / "old" / "Losses.py").write_text("def mse(a, b):\n    return 0\n")
    return folder


def fake_autograder(tmp: Path, config: AutograderConfig) -> Path:
    """/autograder as Gradescope lays it out: source/ (the zip), run_autograder, submission/."""
    root = tmp / "autograder"
    with zipfile.ZipFile(io.BytesIO(autograder_zip(config))) as zf:
        zf.extractall(root / "source")
    run = root / "run_autograder"
    run.write_bytes((root / "source" / "run_autograder").read_bytes())
    run.chmod(0o755)
    return root


def run_autograder(root: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GRADELAB_AUTOGRADER_ROOT": str(root),
        "GRADELAB_AUTOGRADER_PYTHON": sys.executable,  # gradelab is installed here already
    }
    return subprocess.run(
        [str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(results.json from run_autograder, results.json from `gradelab grade`) for one submission."""
    tmp = tmp_path_factory.mktemp("autograder")
    root = fake_autograder(
        tmp, AutograderConfig(TOPICS, VISIBILITY, max_examples=4, sandbox=here())
    )
    planted_submission(root / "submission")
    done = run_autograder(root)
    assert done.returncode == 0, done.stderr[-3000:]
    ours = json.loads((root / "results" / "results.json").read_text())
    grade(
        [root / "submission"],
        GradeOptions(GradeSettings(topics=TOPICS, max_examples=4), out=tmp / "grades", jobs=1),
    )
    theirs = json.loads((tmp / "grades" / "submission" / "results.json").read_text())
    return ours, theirs


def test_run_autograder_gives_the_score_gradelab_grade_gives(graded):
    ours, theirs = graded
    assert 0 < ours["score"] < ours["max_score"]  # the planted mistake costs points, not all
    assert (ours["score"], ours["max_score"]) == (theirs["score"], theirs["max_score"])
    strip = [{k: v for k, v in t.items() if k != "visibility"} for t in ours["tests"]]
    assert strip == [{k: v for k, v in t.items() if k != "visibility"} for t in theirs["tests"]]
    assert any(t["extra_data"]["diagnosis"] for t in ours["tests"])


def test_each_topics_tests_have_the_configured_visibility(graded):
    ours, theirs = graded
    shown = {(t["tags"][0], t["visibility"]) for t in ours["tests"]}
    assert shown == {("activations", "visible"), ("losses", "hidden")}
    assert {t["visibility"] for t in theirs["tests"]} == {"after_due_date"}  # grade: as declared


def test_an_unreadable_zip_scores_zero_with_the_reason(tmp_path):
    root = fake_autograder(tmp_path, AutograderConfig(("activations",), sandbox=here()))
    (root / "submission").mkdir()
    (root / "submission" / "upload.zip").write_bytes(b"PK\x03\x04 not a zip")
    done = run_autograder(root)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((root / "results" / "results.json").read_text())
    assert result["score"] == 0 and result["tests"] == []
    assert "could not be read" in result["output"] and "not a readable zip" in result["output"]


def test_setup_sh_installs_gradelab_pinned_from_the_shipped_tree(tmp_path):
    """A dry run (GRADELAB_SETUP_DRY_RUN) prints the commands setup.sh would run."""
    root = fake_autograder(tmp_path, AutograderConfig(("activations",)))
    source = root / "source"
    env = {**os.environ, "GRADELAB_AUTOGRADER_ROOT": str(root), "GRADELAB_SETUP_DRY_RUN": "1"}
    done = subprocess.run(
        ["bash", str(source / "setup.sh")], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "apt-get update"
    assert "bubblewrap" in lines[1].split()
    assert any(line.endswith(f"-m venv {root}/venv") for line in lines)
    pip = f"{root}/venv/bin/python -m pip install -c {source}/gradelab/requirements.lock -e {source}/gradelab"
    assert pip in lines
    torch = next(
        ln
        for ln in (ROOT / "requirements.lock").read_text().splitlines()
        if ln.startswith("torch==")
    )
    cpu = f"{root}/venv/bin/python -m pip install --index-url https://download.pytorch.org/whl/cpu {torch}"
    assert lines.index(cpu) < lines.index(pip)  # the CPU build first: PyPI's Linux torch is CUDA
    check = f"{root}/venv/bin/python -P -m grader.autograder.run --root {root} --check-sandbox"
    assert lines[-1] == check  # the build fails where the settings' sandbox cannot work
    assert (source / "gradelab" / "requirements.lock").read_bytes() == (
        ROOT / "requirements.lock"
    ).read_bytes()
    assert (source / "gradelab" / "grader" / "hidden" / "test_losses.py").is_file()


def test_the_top_output_states_the_score_only_while_every_test_is_visible(graded):
    """Gradescope hides the total while tests are after_due_date/after_published; the top-level
    output (always shown) said "37/55 points." above them."""
    from grader.autograder.summary import score_line

    ours, _ = graded
    assert "old/Losses.py was not graded: name it losses.py" in ours["output"]
    first = ours["output"].splitlines()[0]
    assert f"{ours['score']}/" not in first and "to instructors only" in first
    assert score_line(3, 5, ["visible", "visible"]) == "3/5 points."
    later = score_line(3, 5, ["visible", "after_published", "after_due_date"])
    assert "3/5" not in later and "after the due date; when grades are published" in later


def _failing_bwrap(tmp_path: Path) -> dict[str, str]:
    """PATH with a bwrap that fails as it does in a container without namespaces."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "bwrap"
    fake.write_text(
        "#!/bin/sh\necho 'bwrap: Creating new namespace failed: Operation not permitted' >&2\n"
        "exit 1\n"
    )
    fake.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


def test_without_working_bubblewrap_nothing_is_graded_and_no_results_json_survives(tmp_path):
    """Graded without bubblewrap, learner code runs as root on Gradescope: it wrote results.json
    itself, killed the grader, and Gradescope recorded its score (and it read the hidden tests
    into its feedback). With bubblewrap required the autograder refuses to grade there, says so
    in one line, and leaves no results.json behind: Gradescope shows an autograder error."""
    root = fake_autograder(tmp_path, AutograderConfig(("activations",), sandbox="bwrap"))
    (root / "submission").mkdir()
    (root / "submission" / "activations.py").write_text(
        (ROOT / "solutions" / "activations.py").read_text()
    )
    (root / "results").mkdir()
    (root / "results" / "results.json").write_text('{"score": 1000, "tests": []}')
    env = {
        **os.environ,
        "GRADELAB_AUTOGRADER_ROOT": str(root),
        "GRADELAB_AUTOGRADER_PYTHON": sys.executable,
        **_failing_bwrap(tmp_path),
    }
    done = subprocess.run(
        [str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert not (root / "results" / "results.json").exists()
    (line,) = done.stdout.splitlines()
    assert "Creating new namespace failed" in line and '"sandbox": "auto"' in line
    check = [sys.executable, "-P", "-m", "grader.autograder.run", "--root", str(root)]
    built = subprocess.run(
        [*check, "--check-sandbox"], env=env, capture_output=True, text=True, timeout=300
    )
    assert built.returncode == 1 and "cannot grade here" in built.stdout  # setup.sh fails


def test_a_zip_built_before_the_sandbox_setting_requires_bubblewrap():
    from grader.autograder.config import ConfigError

    old = json.loads(AutograderConfig(("activations",)).to_json())
    del old["sandbox"]
    assert AutograderConfig.from_json(json.dumps(old)).sandbox == "bwrap"
    with pytest.raises(ConfigError, match="sandbox 'none'"):
        AutograderConfig(("activations",), sandbox="none")


@pytest.mark.parametrize(
    ("upload", "says"),
    [
        ({"homework/activations.py": b"x = 1\n"}, "homework/activations.py was not graded: name"),
        ({"Activations.py": b"x = 1\n"}, "Activations.py was not graded: name it activations.py"),
        ({"activations.py": b"#" * (3 << 20)}, "activations.py is 3145728 bytes"),
        ({"a.zip": b"", "b.zip": b""}, "several zips (a.zip, b.zip): upload one"),
        ({}, "The upload is empty"),
    ],
)
def test_what_kept_an_upload_from_being_graded_is_told_to_the_learner(tmp_path, upload, says):
    """On Gradescope the learner can fix the upload and submit again, but results.json said only
    "Missing topic files": the reason (too big, misplaced, misnamed, two zips) went nowhere."""
    from grader.autograder.run import read_submission
    from grader.autograder.summary import top_output

    folder = tmp_path / "submission"
    folder.mkdir()
    for name, data in upload.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    sub = read_submission(folder)
    shown = top_output(sub, ("activations",), 0, 55, ["after_due_date"])
    assert says in shown
    assert "Hand in activations.py at the top of your upload" in shown


def test_a_symlinked_upload_is_named_and_never_followed(tmp_path):
    from grader.autograder.run import read_submission
    from grader.autograder.summary import top_output

    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "activations.py").symlink_to(ROOT / "reference" / "activations.py")
    sub = read_submission(folder)
    assert sub.files == {}
    assert "activations.py is a symbolic link: ignored" in top_output(
        sub, ("activations",), 0, 1, []
    )


def test_any_failure_reading_the_upload_is_a_zero_with_the_reason_not_a_grader_error(
    tmp_path, monkeypatch
):
    """Only SubmissionError was caught: an OSError on a learner's file (a name the file system
    refuses, a file unreadable to the grader) was a traceback and an autograder error."""
    from grader.autograder import run
    from grader.engine.sandbox import Sandbox

    def unreadable(folder, learner):
        raise PermissionError(13, "Permission denied", str(folder / "activations.py"))

    monkeypatch.setattr(run, "read_folder", unreadable)
    monkeypatch.setattr(run, "sandbox_for", lambda config: Sandbox())
    root = fake_autograder(tmp_path, AutograderConfig(("activations",)))
    (root / "submission").mkdir()
    assert run.main(["--root", str(root)]) == 0
    result = json.loads((root / "results" / "results.json").read_text())
    assert result["score"] == 0 and "PermissionError" in result["output"]


def test_a_missing_settings_file_is_one_line_for_the_operator(tmp_path, capsys):
    from grader.autograder import run

    assert run.main(["--root", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "gradelab-autograder.json is missing" in out
    assert "Traceback" not in out and not (tmp_path / "results" / "results.json").exists()


FORGER = """import os

def relu(x):
    tried = []
    for path, mode in ((KIT, "r"), (RESULTS, "w")):
        try:
            with open(path, mode) as fh:
                fh.write('{"score": 1000}') if mode == "w" else fh.read()
            tried.append("done")
        except OSError as exc:
            tried.append(type(exc).__name__)
    raise ValueError(" ".join(tried))
"""


def test_uid_mode_without_bubblewrap_closes_the_kit_before_learner_code_runs(tmp_path, monkeypatch):
    """The default ``uid``: where the container forbids bubblewrap's namespaces, learner code
    runs as the worker's unprivileged uid, and the autograder's kit folder is closed to it and
    the results folder kept the grader's before it runs: reading the kit (the hidden tests, the
    reference) and writing results.json both fail, and the grade is written as usual."""
    import grader.engine.sandbox as sandbox_module
    from grader.autograder import run
    from grader.autograder.config import CONFIG_NAME

    if os.geteuid() != 0:
        pytest.skip("the uid drop is for a root grader")
    monkeypatch.setattr(sandbox_module, "find_bwrap", lambda: None)
    monkeypatch.setattr(sandbox_module, "_probe_uid_drop", lambda base: None)  # see test_sandbox
    detect.cache_clear()
    try:
        root = fake_autograder(tmp_path, AutograderConfig(("activations",)))
        assert AutograderConfig.load(root / "source" / CONFIG_NAME).sandbox == "uid"
        (root / "results").mkdir(mode=0o777)  # as loose as an image may leave it
        forger = FORGER.replace("KIT", repr(str(root / "source" / CONFIG_NAME)))
        forger = forger.replace("RESULTS", repr(str(root / "results" / "results.json")))
        (root / "submission").mkdir()
        (root / "submission" / "activations.py").write_text(
            (ROOT / "solutions" / "activations.py").read_text() + "\n" + forger
        )
        document = json.loads(run.grade_root(root))
    finally:
        detect.cache_clear()
    relu = [t for t in document["tests"] if t["name"].startswith("activations.relu")]
    assert relu and "PermissionError PermissionError" in relu[0]["output"], relu[0]["output"]
    assert not (root / "results" / "results.json").exists()
    assert (root / "source").stat().st_mode & 0o777 == 0o700
    assert (root / "results").stat().st_mode & 0o777 == 0o755


def test_uid_mode_is_refused_where_neither_bubblewrap_nor_the_uid_drop_works(monkeypatch):
    """A Python the unprivileged uid cannot read (installed under /root) leaves learner code
    running as root: the ``uid`` setting refuses to grade, naming both failures; ``auto`` grades
    as it can."""
    from grader.autograder import run
    from grader.engine.sandbox import Sandbox

    def detect_here(mode: str = "auto") -> Sandbox:
        if mode == "bwrap":
            raise RuntimeError("bubblewrap sandbox requested but unavailable: no namespaces")
        return Sandbox(None, None)

    monkeypatch.setattr(run, "detect", detect_here)
    with pytest.raises(run.SetupError, match="no namespaces, and neither works here"):
        run.sandbox_for(AutograderConfig(("activations",), sandbox="uid"))
    assert run.sandbox_for(AutograderConfig(("activations",), sandbox="auto")).bwrap is None
