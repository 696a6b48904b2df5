"""Regrades: a changed kit regrades the learners graded under it, says whose outcomes moved
(console and OUT/regrade.csv), keeps the earlier results, and ``--dry-run`` only says who and why."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader import grading
from grader.cli import app
from grader.outputs.gradebook import Entry, Gradebook
from grader.regrade import CHANGED_KIT, CHANGED_SUBMISSION, NEW, compare, reason, regrade_csv

from .test_grading import GOOD, HALF, HIDDEN, WRONG

#: the kit changes: relu is now checked against |x| (ann and bob flip to fail, cid to pass)
CHANGED = HIDDEN.replace(
    'expect_close(learner.activations.relu(x), reference("activations", "relu", x), learner)',
    'assert np.allclose(learner.activations.relu(x), np.abs(x)), "relu is not |x|"',
)
RELU = "activations.relu: matches the reference"


def _outcome(function: str, status: str, points: float) -> dict:
    return {"topic": "activations", "function": function, "check": "matches the reference",
            "status": status, "points": points, "case": ""}  # fmt: skip


def _result(relu: bool, score: float) -> dict:
    return {"learner": "ann", "score": score, "outcomes": [
        _outcome("relu", "passed" if relu else "failed", 2.0 if relu else 0.0),
        _outcome("sigmoid", "passed", 3.0)]}  # fmt: skip


def test_the_reason_is_new_changed_submission_or_changed_kit():
    entry = Entry("h1", "f1", {})
    assert reason("h1", None) == NEW
    assert reason("h2", entry) == CHANGED_SUBMISSION
    assert reason("h1", entry) == CHANGED_KIT


def test_compare_names_each_flipped_test_and_nothing_when_unchanged():
    before = Entry("h", "old", _result(True, 5.0))
    assert compare(before, _result(True, 5.0), "new") is None
    change = compare(before, _result(False, 3.0), "new")
    assert change is not None
    assert (change.old_score, change.new_score) == (5.0, 3.0)
    assert (change.pass_to_fail, change.fail_to_pass) == ((RELU,), ())
    assert change.describe() == f"ann: 5 → 3 (pass → fail: {RELU})"
    back = compare(Entry("h", "old", _result(False, 3.0)), _result(True, 5.0), "new")
    assert back is not None and back.fail_to_pass == (RELU,)


def test_regrade_csv_escapes_learner_ids():
    change = compare(Entry("h", "old", _result(True, 5.0)), _result(False, 3.0), "new")
    assert change is not None
    text = regrade_csv([replace(change, learner="=cmd()")])
    rows = list(csv.DictReader(text.splitlines()))
    assert rows[0]["learner"] == "'=cmd()" and rows[0]["pass_to_fail"] == RELU
    assert (rows[0]["old_fingerprint"], rows[0]["new_fingerprint"]) == ("old", "new")


@pytest.fixture
def klass(tmp_path: Path, monkeypatch) -> Path:
    """ann (right), bob (sigmoid missing), cid (wrong) graded by a small hidden suite that the
    CLI is pointed at (``hidden`` next to the class)."""
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_activations.py").write_text(HIDDEN)
    folder = tmp_path / "class"
    for name, src in {"ann": GOOD, "bob": HALF, "cid": WRONG}.items():
        (folder / name).mkdir(parents=True)
        (folder / name / "activations.py").write_text(src)
    real_grade, real_plan = grading.grade, grading.plan

    def small(options: grading.GradeOptions) -> grading.GradeOptions:
        return replace(options, settings=replace(options.settings, hidden_dir=hidden))

    monkeypatch.setattr(grading, "grade", lambda s, o, *a: real_grade(s, small(o), *a))
    monkeypatch.setattr(grading, "plan", lambda s, o: real_plan(s, small(o)))
    return folder


def _cli(klass: Path, out: Path, *extra: str) -> str:
    args = ["grade", str(klass), "--out", str(out), "--jobs", "1", "--topic", "activations"]
    run = CliRunner().invoke(app, [*args, *extra], terminal_width=200)
    assert run.exit_code == 0, run.output
    return run.output


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_dry_run_says_who_and_why_and_writes_nothing(klass: Path, tmp_path: Path):
    out = tmp_path / "out"
    shown = _cli(klass, out, "--dry-run")
    assert "would grade 3 of 3" in shown and "ann: new" in shown
    assert not out.exists()
    _cli(klass, out)
    (klass / "bob" / "activations.py").write_text(GOOD)
    (klass.parent / "hidden" / "test_activations.py").write_text(HIDDEN + "\n# edited\n")
    before = _files(out)
    shown = _cli(klass, out, "--dry-run")
    assert "would grade 3 of 3" in shown
    assert "bob: changed submission" in shown and "ann: changed kit (graded under " in shown
    assert _files(out) == before  # not graded, nothing written, gradebook untouched


def test_a_changed_kit_regrades_reports_the_flips_and_keeps_the_earlier_results(
    klass: Path, tmp_path: Path
):
    out = tmp_path / "out"
    _cli(klass, out)
    assert not (out / "regrade.csv").exists()  # a first run regrades no one
    old_results = (out / "ann" / "results.json").read_bytes()
    book = Gradebook(out / "gradebook.sqlite")
    old_fingerprint = book.latest_entry("ann").fingerprint  # type: ignore[union-attr]
    book.close()
    (klass.parent / "hidden" / "test_activations.py").write_text(CHANGED)
    shown = _cli(klass, out)
    assert "regraded under a changed kit: 3; outcomes changed for 3" in shown, shown
    assert f"ann: 5 → 3 (pass → fail: {RELU})" in shown
    assert f"cid: 0 → 2 (fail → pass: {RELU})" in shown
    rows = {r["learner"]: r for r in csv.DictReader((out / "regrade.csv").open())}
    assert sorted(rows) == ["ann", "bob", "cid"]
    assert (rows["ann"]["old_score"], rows["ann"]["new_score"]) == ("5", "3")
    assert rows["ann"]["old_fingerprint"] == old_fingerprint != rows["ann"]["new_fingerprint"]
    assert (out / "ann" / "previous" / old_fingerprint / "results.json").read_bytes() == old_results
    assert json.loads((out / "ann" / "results.json").read_text())["score"] == 3
    book = Gradebook(out / "gradebook.sqlite")
    assert book.counts()[0] == 6  # the earlier rows are kept beside the new ones
    book.close()
    again = _cli(klass, out)  # the same kit again: nothing regraded, nothing reported
    assert "0 graded, 3 unchanged" in again and "regraded" not in again
