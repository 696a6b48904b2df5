"""grader/autograder/run.py and scripts.py: the zip's run_autograder, run against a fake
/autograder tree (GRADELAB_AUTOGRADER_ROOT), grades /autograder/submission into
results/results.json with the score `gradelab grade` gives the same files, each topic's tests at
the configured visibility; an unreadable submission scores 0 with the reason."""

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
from grader.examples import mistake_source
from grader.grading import GradeOptions, grade
from grader.release.build import ROOT
from grader.settings import GradeSettings

TOPICS = ("activations", "losses")
VISIBILITY = {"*": "hidden", "activations": "visible"}


def planted_submission(folder: Path) -> Path:
    """The model answers for TOPICS, activations with a catalogued mistake: a partial score."""
    folder.mkdir(parents=True)
    _, _, source = mistake_source("activations.sigmoid_grad/sigmoid_grad_as_sigmoid")
    for topic in TOPICS:
        (folder / f"{topic}.py").write_text((ROOT / "solutions" / f"{topic}.py").read_text())
    with (folder / "activations.py").open("a") as fh:
        fh.write("\n\n" + source)
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
    root = fake_autograder(tmp, AutograderConfig(TOPICS, VISIBILITY, max_examples=4))
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
    root = fake_autograder(tmp_path, AutograderConfig(("activations",)))
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
    assert (source / "gradelab" / "requirements.lock").read_bytes() == (
        ROOT / "requirements.lock"
    ).read_bytes()
    assert (source / "gradelab" / "grader" / "hidden" / "test_losses.py").is_file()
