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
from grader.regrade import (
    CHANGED_KIT,
    CHANGED_SANDBOX,
    CHANGED_SETTINGS,
    CHANGED_SUBMISSION,
    KIT_FILES,
    NEW,
    Conditions,
    compare,
    planned,
    reason,
    regrade_csv,
)

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


SETTINGS = {"topics": ["activations"], "max_examples": 12, "shrink": True,
            "limits": {"call_timeout": 10.0}}  # fmt: skip


def _graded(settings: dict | None, layers: list[str], numpy: str = "2.4.6") -> Entry:
    result = {**_result(True, 5.0), "sandbox": layers, "versions": {"numpy": numpy}}
    return Entry("h1", "f1", {**result, **({"settings": settings} if settings else {})})


@pytest.mark.parametrize(
    ("previous", "why", "detail"),
    [
        (_graded(SETTINGS, ["bubblewrap"]), CHANGED_KIT, KIT_FILES),
        (_graded(SETTINGS, ["bubblewrap"], "2.3.0"), CHANGED_KIT, "numpy 2.3.0 → 2.4.6"),
        (_graded(SETTINGS, ["rlimits"]), CHANGED_SANDBOX, "sandbox: rlimits → bubblewrap"),
        (
            _graded({**SETTINGS, "topics": ["activations", "losses", "rag", "rnn"]}, ["rlimits"]),
            CHANGED_SETTINGS,  # the settings name the reason before the sandbox does
            "topics: 4 topics → activations",
        ),
        (
            _graded({**SETTINGS, "shrink": False, "limits": {"call_timeout": 5.0}}, ["bubblewrap"]),
            CHANGED_SETTINGS,
            "limits.call_timeout: 5.0 → 10.0; shrink: False → True",
        ),
        (_graded(None, ["bubblewrap"]), CHANGED_KIT, KIT_FILES),  # stored before settings were
    ],
)
def test_a_regrade_says_whether_the_settings_the_sandbox_or_the_kit_moved(previous, why, detail):
    """The same files graded again: a ``--topic`` run or another limit is "changed settings",
    other sandbox layers "changed sandbox", and only what is left is "changed kit" (with the
    library versions that moved, if any); the detail says what moved, old → new."""
    now = Conditions(SETTINGS, ("bubblewrap",), {"numpy": "2.4.6", "torch": "2.13.0"})
    step = planned("ann", "h1", previous, now)
    assert (step.why, step.detail, step.regrade) == (why, detail, True)
    assert planned("ann", "h2", previous, now).why == CHANGED_SUBMISSION
    assert planned("ann", "h1", None, now).why == NEW


def test_compare_lists_the_tests_only_one_side_has_a_whole_topic_as_one_entry():
    """A kit that renames a test, or a run over other topics, is in the comparison: tests only
    the earlier result has are "no longer graded", tests only the new one has "newly graded", and
    a topic gone whole is one entry, not every test's name."""
    old = _result(True, 5.0)
    new = {**old, "outcomes": [
        {**old["outcomes"][0], "check": "renamed check"},
        {**old["outcomes"][1], "topic": "losses", "function": "mse"},
    ]}  # fmt: skip
    change = compare(Entry("h", "old", old), new, "new", why=CHANGED_KIT, detail=KIT_FILES)
    assert change is not None
    assert change.gone == ("activations: all 2 tests",)
    assert change.added == ("activations.relu: renamed check", "losses.mse: matches the reference")
    assert "no longer graded: activations: all 2 tests" in change.describe()
    row = next(csv.DictReader(regrade_csv([change]).splitlines()))
    assert (row["why"], row["detail"]) == (CHANGED_KIT, KIT_FILES)
    assert row["no_longer_graded"] == "activations: all 2 tests"
    assert (
        row["newly_graded"] == "activations.relu: renamed check | losses.mse: matches the reference"
    )


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
    assert "regraded (the same files, graded differently): 3; outcomes changed for 3" in shown
    assert f"changed kit: 3 ({KIT_FILES})" in shown, shown
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


def test_another_topic_selection_is_a_changed_setting_not_a_changed_kit(
    klass: Path, tmp_path: Path
):
    """``--topic`` decides what is graded: a run over other topics than the learner's entry is
    planned, printed and written to regrade.csv as "changed settings" with the topics, old → new."""
    out = tmp_path / "out"
    _cli(klass, out)
    shown = _cli(klass, out, "--dry-run", "--topic", "losses")
    assert "ann: changed settings (graded under " in shown
    assert "topics: activations → activations, losses" in shown, shown
    shown = _cli(klass, out, "--topic", "losses")
    assert "changed settings: 3 (topics: activations → activations, losses)" in shown, shown
    rows = list(csv.DictReader((out / "regrade.csv").open()))
    assert all(r["why"] == CHANGED_SETTINGS for r in rows)
