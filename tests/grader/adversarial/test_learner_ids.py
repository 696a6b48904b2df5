"""Finding 4 of the trust-boundary review: a learner id chosen to look like another's
(``victim.`` next to ``victim``, a case or Unicode look-alike, a newline, a very long name) must
never write into the other's output folder. Graded end to end: every learner has its own folder,
and its results.json, its gradebook row and its grades.csv row agree on who it is and its score.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from grader import grading
from grader.engine.sandbox import Sandbox
from grader.grading import GradeOptions, grade
from grader.outputs.escape import csv_cell, folder_name
from grader.settings import GradeSettings

from ._support import GOOD, HALF, HIDDEN, LIMITS, stable_kit

#: id → source; only ``victim`` is right everywhere (7 points), every look-alike scores 4
LOOK_ALIKES = {
    "victim": GOOD,
    "victim.": HALF,
    "victim..": HALF,
    "Victim": HALF,
    "v\u0456ctim": HALF,  # Cyrillic і
    "victim\n": HALF,
    "victim ": HALF,
    ".victim": HALF,
    "victim--" + "0" * 12: HALF,  # shaped like a hashed folder
    "v" * 250: HALF,
    "v" * 251: HALF,
    "con": HALF,
}


@pytest.fixture(scope="module", autouse=True)
def _stable_fingerprint():
    with pytest.MonkeyPatch.context() as patch:
        stable_kit(patch)
        yield


def _class(root: Path, learners: dict[str, str]) -> tuple[Path, GradeOptions]:
    (root / "hidden").mkdir(parents=True)
    (root / "hidden" / "test_activations.py").write_text(HIDDEN)
    for learner, source in learners.items():
        (root / "class" / learner).mkdir(parents=True)
        (root / "class" / learner / "activations.py").write_text(source)
    options = GradeOptions(
        GradeSettings(
            topics=("activations",), hidden_dir=root / "hidden", limits=LIMITS, sandbox=Sandbox()
        ),
        out=root / "out",
        jobs=1,
    )
    return root / "class", options


def test_look_alike_ids_never_share_a_folder_and_every_output_agrees(tmp_path: Path):
    klass, options = _class(tmp_path, LOOK_ALIKES)
    report = grade([klass], options)
    scores = {r["learner"]: r["score"] for r in report.results}
    assert scores == {i: 7.0 if i == "victim" else 4.0 for i in LOOK_ALIKES}

    out = options.out
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == sorted(folder_name(i) for i in LOOK_ALIKES)
    assert len({f.lower() for f in folders}) == len(LOOK_ALIKES)  # case-insensitive too
    for learner, score in scores.items():
        doc = json.loads((out / folder_name(learner) / "results.json").read_text())
        assert doc["extra_data"]["gradelab"]["learner"] == learner
        assert doc["extra_data"]["gradelab"]["folder"] == folder_name(learner)
        assert doc["score"] == score
    assert json.loads((out / "victim" / "results.json").read_text())["score"] == 7

    with sqlite3.connect(out / "gradebook.sqlite") as db:
        book = dict(db.execute("SELECT learner, score FROM submissions").fetchall())
    assert book == scores
    rows = list(csv.DictReader((out / "grades.csv").open(newline="")))
    assert {r["learner"]: (float(r["total"]), r["folder"]) for r in rows} == {
        csv_cell(i): (s, folder_name(i)) for i, s in scores.items()
    }


def test_a_folder_does_not_depend_on_who_else_is_in_the_class(tmp_path: Path):
    klass, options = _class(tmp_path / "alone", {"victim.": HALF})
    grade([klass], options)
    assert [p.name for p in options.out.iterdir() if p.is_dir()] == [folder_name("victim.")]


def test_the_duplicate_check_compares_output_folders_not_raw_ids(tmp_path: Path, monkeypatch):
    """Two ids that would share a folder stop the run before anything is written."""
    klass, options = _class(tmp_path, {"ann": GOOD, "bob": HALF})
    monkeypatch.setattr(grading, "folder_name", lambda learner: "same")
    with pytest.raises(
        ValueError, match=r"share a learner id \(one output folder\): 'ann' \(.*\) and 'bob' \("
    ):
        grade([klass], options)
    assert not options.out.exists()
