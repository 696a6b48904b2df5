"""grader/grading.py end to end on a small hidden suite: outputs written and valid, regrading is
byte-identical, unchanged submissions are reused, a killed run resumes without duplicates."""

from __future__ import annotations

import csv
import json
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from grader.grading import GradeOptions, grade, safe_name
from grader.outputs import gradescope
from grader.outputs.gradebook import Gradebook
from grader.settings import GradeSettings

HIDDEN = textwrap.dedent(
    """
    import numpy as np
    from grader.engine.expect import expect_close, reference
    from grader.suites import graded

    @graded("relu", "matches the reference", points=2)
    def test_relu(learner):
        x = np.array([-1.0, 0.0, 2.0])
        expect_close(learner.activations.relu(x), reference("activations", "relu", x), learner)

    @graded("sigmoid", "matches the reference", points=3)
    def test_sigmoid(learner):
        x = np.array([-2.0, 0.0, 2.0])
        expect_close(learner.activations.sigmoid(x), reference("activations", "sigmoid", x), learner)
    """
)
GOOD = "import numpy as np\ndef relu(x): return np.maximum(x, 0.0)\ndef sigmoid(x): return 1 / (1 + np.exp(-x))\n"
HALF = "import numpy as np\ndef relu(x): return np.maximum(x, 0.0)\ndef sigmoid(x):\n    raise NotImplementedError('todo')\n"
WRONG = "import numpy as np\ndef relu(x): return np.abs(x)\ndef sigmoid(x): return np.exp(-x)\n"


@pytest.fixture
def setup(tmp_path: Path):
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_activations.py").write_text(HIDDEN)
    klass = tmp_path / "class"
    for name, src in {"ann": GOOD, "bob": HALF, "cid": WRONG}.items():
        (klass / name).mkdir(parents=True)
        (klass / name / "activations.py").write_text(src)
    options = GradeOptions(
        GradeSettings(topics=("activations",), hidden_dir=hidden), out=tmp_path / "out", jobs=1
    )
    return klass, options


def test_scores_and_outputs(setup):
    klass, options = setup
    report = grade([klass], options)
    scores = {r["learner"]: r["score"] for r in report.results}
    assert scores == {"ann": 5.0, "bob": 2.0, "cid": 0.0}
    out = options.out
    for learner in scores:
        doc = json.loads((out / learner / "results.json").read_text())
        assert gradescope.validate(doc) == []
        assert {t["name"] for t in doc["tests"]} == {
            "activations.relu: matches the reference",
            "activations.sigmoid: matches the reference",
        }
        assert (out / learner / "feedback.md").read_text().startswith(f"# Feedback for `{learner}`")
        assert "<html" in (out / learner / "feedback.html").read_text()
    bob = (out / "bob" / "feedback.md").read_text()
    assert "not implemented yet: activations.sigmoid" in bob
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [(r["learner"], r["activations"], r["total"]) for r in rows] == [
        ("ann", "5", "5"),
        ("bob", "2", "2"),
        ("cid", "0", "0"),
    ]


def test_regrading_is_byte_identical_and_reuses_unchanged_submissions(setup):
    klass, options = setup
    grade([klass], options)
    before = {
        p: p.read_bytes()
        for p in options.out.rglob("*")
        if p.is_file() and "gradebook" not in p.name
    }
    again = grade([klass], options)
    assert (again.graded, again.reused) == (0, 3)
    (options.out / "gradebook.sqlite").unlink()
    for extra in options.out.glob("gradebook.sqlite-*"):
        extra.unlink()
    fresh = grade([klass], options)
    assert fresh.graded == 3
    after = {
        p: p.read_bytes()
        for p in options.out.rglob("*")
        if p.is_file() and "gradebook" not in p.name
    }
    assert after == before


def test_no_shrink_gives_the_same_points_and_is_not_mistaken_for_a_shrinking_run(setup):
    """``--no-shrink`` changes the counterexamples shown, never the points; its grades are kept
    apart in the gradebook (another fingerprint), so switching regrades instead of reusing."""
    klass, options = setup
    shrunk = grade([klass], options)
    options.settings = replace(options.settings, shrink=False)
    found = grade([klass], options)
    assert (found.graded, found.reused) == (3, 0)
    assert [r["score"] for r in found.results] == [r["score"] for r in shrunk.results]
    assert [r["score"] for r in grade([klass], options).results] == [5.0, 2.0, 0.0]


def test_a_changed_submission_is_graded_again(setup):
    klass, options = setup
    grade([klass], options)
    (klass / "bob" / "activations.py").write_text(GOOD)
    report = grade([klass], options)
    assert (report.graded, report.reused) == (1, 2)
    assert {r["learner"]: r["score"] for r in report.results}["bob"] == 5.0


def test_a_run_killed_midway_resumes_without_losing_or_duplicating(setup, monkeypatch):
    klass, options = setup
    from grader.engine import run as engine

    real = engine.grade_submission
    calls = []

    def dies_on_second(*args, **kwargs):
        calls.append(args[0].learner)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the operator hits Ctrl-C, or the machine goes down
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "grade_submission", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        grade([klass], options)
    book = Gradebook(options.out / "gradebook.sqlite")
    assert book.counts() == (1, 2)  # the first learner, fully; nothing of the second
    book.close()
    monkeypatch.setattr(engine, "grade_submission", real)
    report = grade([klass], options)
    assert (report.graded, report.reused) == (2, 1)
    book = Gradebook(options.out / "gradebook.sqlite")
    assert book.counts() == (3, 6)
    book.close()


def test_a_missing_topic_scores_zero_with_a_clear_message(setup, tmp_path):
    klass, options = setup
    (klass / "dan").mkdir()
    (klass / "dan" / "losses.py").write_text("X = 1\n")
    report = grade([klass], options)
    dan = next(r for r in report.results if r["learner"] == "dan")
    assert dan["score"] == 0 and dan["missing_topics"] == ["activations"]
    assert all("no activations.py in the submission" in o["message"] for o in dan["outcomes"])


def test_duplicate_learner_ids_are_refused(setup, tmp_path):
    klass, options = setup
    other = tmp_path / "elsewhere" / "ann"
    other.mkdir(parents=True)
    (other / "activations.py").write_text(GOOD)
    with pytest.raises(ValueError, match="share a learner id") as refused:
        grade([klass, other], options)
    assert str(klass / "ann") in str(refused.value) and str(other) in str(refused.value)


def test_safe_name_keeps_learner_folders_inside_the_output():
    assert safe_name("../../etc") == "_.._etc" or "/" not in safe_name("../../etc")
    assert "/" not in safe_name("a/b") and safe_name("").startswith("learner--")


def test_a_learners_unencodable_exception_text_is_graded_and_the_class_run_goes_on(setup):
    """``raise ValueError("\\ud800")`` (a lone surrogate: no UTF-8 output can write it) once
    stopped the whole run at the gradebook write; every learner is graded and every file written."""
    klass, options = setup
    (klass / "dan").mkdir()
    (klass / "dan" / "activations.py").write_text(
        GOOD + '\n\ndef sigmoid(x):\n    raise ValueError("bad \\ud800 text")\n'
    )
    report = grade([klass], options)
    scores = {r["learner"]: r["score"] for r in report.results}
    assert set(scores) == {"ann", "bob", "cid", "dan"} and scores["ann"] == 5.0
    rows = list(csv.DictReader((options.out / "grades.csv").open(encoding="utf-8")))
    assert [r["learner"] for r in rows] == ["ann", "bob", "cid", "dan"]
    feedback = (options.out / "dan" / "feedback.md").read_text(encoding="utf-8")
    assert "bad \ufffd" in feedback


CTRL_C = """
import numpy as np
from grader.suites import graded

@graded("relu", "Ctrl-C while grading a relu that answers 42", points=1)
def test_ctrl_c(learner):
    if float(learner.activations.relu(np.array([5.0]))[0]) == 42.0:
        raise KeyboardInterrupt  # as a terminal's Ctrl-C reaches the grading process
"""
ANSWERS_42 = (
    "import numpy as np\ndef relu(x): return np.full_like(x, 42.0)\ndef sigmoid(x): return x\n"
)


@pytest.mark.parametrize("single", [False, True], ids=["jobs-1", "one-submission"])
def test_ctrl_c_in_process_stops_the_run_keeps_what_was_recorded_and_leaves_grades_csv(
    setup, single
):
    """``--jobs 1``, or one submission (always graded in this process): pytest caught the
    Ctrl-C, the learner became "not graded" and the run went on, then rewrote grades.csv from
    the partial run. It stops as a pool's run does: the interrupt reaches the caller."""
    klass, options = setup
    hidden = options.settings.hidden_dir
    (hidden / "test_activations.py").write_text(HIDDEN + CTRL_C)
    grade([klass / "ann"], options)
    before = (options.out / "grades.csv").read_bytes()
    (klass / "bob" / "activations.py").write_text(ANSWERS_42)
    with pytest.raises(KeyboardInterrupt):
        grade([klass / "bob"] if single else [klass], replace(options, jobs=1 if not single else 4))
    book = Gradebook(options.out / "gradebook.sqlite")
    assert sorted(book.current_entries()) == ["ann"]  # cid was never started
    book.close()
    assert (options.out / "grades.csv").read_bytes() == before
    assert not (options.out / "bob").exists() and not (options.out / "cid").exists()


LOSSES = """
from grader.suites import graded

@graded("mse", "is there", points=1)
def test_mse(learner):
    assert learner.losses.mse is not None
"""


def _rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((out / "grades.csv").open(encoding="utf-8")))


def test_a_late_submission_graded_into_the_class_out_adds_a_row_and_drops_nobody(setup, tmp_path):
    """grades.csv is the whole gradebook of --out: it once held only the late learner."""
    klass, options = setup
    grade([klass], options)
    late = tmp_path / "late" / "dan"
    late.mkdir(parents=True)
    (late / "activations.py").write_text(GOOD)
    report = grade([late], options)
    assert [r["learner"] for r in report.results] == ["dan"]  # this run's, for the console
    rows = _rows(options.out)
    assert [(r["learner"], r["total"]) for r in rows] == [
        ("ann", "5"),
        ("bob", "2"),
        ("cid", "0"),
        ("dan", "5"),
    ]


def test_fewer_topics_for_one_learner_leave_their_other_cells_empty_and_warn(setup):
    """Regrading one learner on fewer topics: their row shows the topics they were graded on
    (an empty cell, not a 0 they did not score), the others keep theirs, and the class is
    said not to compare (the class report's and the export's warning)."""
    from grader.report.load import read_class

    klass, options = setup
    (options.settings.hidden_dir / "test_losses.py").write_text(LOSSES)
    both = replace(options, settings=replace(options.settings, topics=("activations", "losses")))
    grade([klass], both)
    grade([klass / "ann"], options)  # activations only
    rows = {r["learner"]: r for r in _rows(options.out)}
    assert (rows["ann"]["activations"], rows["ann"]["losses"]) == ("5", "")
    assert rows["bob"]["losses"] == "0"  # graded on losses, with no losses.py
    warning = read_class(options.out).warning
    assert warning is not None and "different topics" in warning
    assert "activations (ann)" in warning and "activations, losses (2 learners)" in warning


KILLED_RUN = """
import os, sys
from pathlib import Path
from grader.outputs.gradebook import Gradebook
book = Gradebook(Path(sys.argv[1]))
book.record({"learner": "ann", "content_hash": sys.argv[2], "outcomes": [], "score": 0.0,
             "max_score": 0.0, "seconds": 0.0}, sys.argv[3])
os._exit(0)  # killed: the gradebook is left with its write-ahead log, never folded in
"""


def test_a_dry_run_after_a_killed_first_run_sees_what_it_recorded_and_writes_nothing(setup):
    """The dry run read the file alone (immutable): a killed first run's gradebook lives in its
    log, and the plan crashed on "no such table" (or called recorded learners new)."""
    import subprocess
    import sys

    from grader.class_folder import discover
    from grader.grade_key import expected_key
    from grader.grading import plan

    klass, options = setup
    found = discover([klass])
    ann = next(s for s in found if s.learner == "ann")
    path = options.out / "gradebook.sqlite"
    path.parent.mkdir(parents=True)
    key = expected_key(options.settings, options.settings.fingerprint())  # what the run looks up
    root = Path(__file__).resolve().parents[2]
    args = [sys.executable, "-c", KILLED_RUN, str(path), ann.content_hash, key]
    subprocess.run(args, cwd=root, check=True)
    assert path.with_name("gradebook.sqlite-wal").stat().st_size > 0
    files = {p.name: p.read_bytes() for p in options.out.iterdir()}
    planned = plan(found, options)
    assert [(p.learner, p.why) for p in planned] == [("bob", "new"), ("cid", "new")]
    assert {p.name: p.read_bytes() for p in options.out.iterdir()} == files
