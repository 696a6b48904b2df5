"""The recordings store (grader.engine.recordings): a stored recording changes how fast a grade
comes, never the grade; a damaged, foreign or exposed file is no recording."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from grader.engine import recordings, replay
from grader.engine.recordings import Draws, RecordingStore, identical
from grader.engine.run import run_hidden_tests
from grader.engine.sandbox import Sandbox
from grader.examples import plant_mistake, write_answers
from grader.misconceptions import catalogue
from grader.settings import GradeSettings
from reference import TOPICS
from tests.grader._recording_store import (  # noqa: F401 (the fixtures they define)
    as_a_fresh_process,
    fresh_process_fixture,
    store_fixture,
)


def _grade(folder: Path, topic: str, function: str, *, replay_on: bool = True) -> list[dict]:
    result = run_hidden_tests(
        folder,
        GradeSettings(topics=(topic,), max_examples=6),
        learner="l",
        content_hash="-",
        replay=replay_on,
        only_functions={function},
    )
    return [vars(o) for o in result.outcomes]


def _stored(store: RecordingStore) -> list[Path]:
    return sorted(store.folder.glob("*.rec"))


@pytest.mark.parametrize("topic", TOPICS)
def test_a_grade_replayed_from_the_store_equals_a_fresh_hypothesis_grade(
    tmp_path, store, monkeypatch, topic
):
    """A process that has recorded nothing finds the model answer's recordings in the store and
    replays them: a submission with a mistake gets exactly the outcomes, messages, diagnoses and
    shrunk inputs hypothesis alone gives it, and the model answer its full marks."""
    # the first catalogued function that is not a constant (a constant has no property test)
    mistake = next(
        m.key for f, ms in catalogue(topic).items() for m in ms if not f.split(".")[-1].isupper()
    )
    function = mistake.split("/")[0]
    good = write_answers(tmp_path / "good")
    bad = write_answers(tmp_path / "bad")
    plant_mistake(bad, mistake)
    fresh = _grade(bad, topic, function, replay_on=False)
    model = _grade(good, topic, function)  # draws, records, stores
    assert _stored(store), "nothing was stored"
    as_a_fresh_process()  # another process: nothing recorded in memory
    loaded: list[str] = []
    load = RecordingStore.load
    monkeypatch.setattr(
        RecordingStore,
        "load",
        lambda self, test, m: ((r := load(self, test, m)) is not None and loaded.append(test)) or r,
    )
    assert _grade(bad, topic, function) == fresh
    assert loaded, "the store was not read"
    as_a_fresh_process()
    assert _grade(good, topic, function) == model


def test_every_property_test_of_the_kit_is_stored(tmp_path, store):
    """Every value the hidden suites draw reads back identical (NumPy scalars, tuples, draws
    of ``st.data()`` included), so the model answers leave one file per property test."""
    good = write_answers(tmp_path / "good")
    run_hidden_tests(
        good, GradeSettings(topics=("rag", "conv"), max_examples=3), learner="l", content_hash="-"
    )
    stored = len(_stored(store))
    properties = sum(len(tests) for tests in replay._RECORDED.values())
    assert properties > 20
    assert stored == properties


def _example() -> dict:
    return {
        "x": np.arange(6, dtype=np.float32).reshape(2, 3),
        "scale": np.float32(0.5),
        "shape": (2, 3),
        "words": ["a", "b"],
        "flag": True,
        "eps": -0.0,
        "data": Draws([("integers(0, 3)", 2), ("floats()", float("nan"))]),
    }


def test_a_recording_reads_back_identical(tmp_path):
    """Arrays (dtype, shape, bits), NumPy scalars, tuples, -0.0, NaN and draws come back as they
    were stored, as :class:`Draws`, for exactly that test and max_examples."""
    store = RecordingStore(tmp_path, "kit")
    examples = [_example(), {"x": np.zeros((0, 4)), "data": Draws([])}]
    assert store.save("t.py::test_a@00", 6, examples)
    back = store.load("t.py::test_a@00", 6)
    assert back is not None and len(back) == 2
    assert isinstance(back[0]["data"], Draws) and isinstance(back[1]["data"], Draws)
    assert identical(recordings._comparable(back), recordings._comparable(examples))
    assert type(back[0]["scale"]) is np.float32
    assert store.load("t.py::test_a@00", 7) is None
    assert store.load("t.py::test_a@01", 6) is None  # the test's code changed: its digest


def test_a_value_that_would_not_read_back_identical_is_not_stored(tmp_path):
    """An object, a Fortran-ordered array (its strides) or a complex array is not stored: the
    test draws its inputs for real, as without a store."""
    store = RecordingStore(tmp_path, "kit")
    for value in (object(), np.asfortranarray(np.ones((2, 3))), np.ones(2, dtype=complex)):
        assert not store.save("t.py::test_b@00", 6, [{"x": value}])
    assert _stored(store) == []


@pytest.mark.parametrize(
    "a, b",
    [
        (0.0, -0.0),
        (float("nan"), -float("nan")),
        (1.0, np.float64(1.0)),
        (1, True),
        ((1, 2), [1, 2]),
        (np.float32(1), np.float64(1)),
        (np.ones(3, np.float32), np.ones(3, np.float64)),
        (np.ones((2, 3)), np.ones((3, 2))),
        (np.ones((2, 3)), np.asfortranarray(np.ones((2, 3)))),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
    ],
)
def test_identical_tells_apart_what_a_test_body_could(a, b):
    assert identical(a, a) and not identical(a, b)


def _saved_file(tmp_path: Path) -> tuple[RecordingStore, Path]:
    store = RecordingStore(tmp_path, "kit")
    assert store.save("t.py::test_a@00", 6, [_example()])
    (path,) = _stored(store)
    return store, path


def _replace(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data, f"the stored file no longer holds {old!r}: the damage would be none"
    path.write_bytes(data.replace(old, new))


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(p.read_bytes()[:-5]),  # truncated
        lambda p: p.write_bytes(b"\0" * 8 + b"junk"),  # not a frame
        lambda p: p.write_bytes(os.urandom(200)),  # noise
        lambda p: _replace(p, b"t.py::test_a", b"t.py::test_z"),
        lambda p: _replace(p, b'"format":1', b'"format":9'),
        lambda p: p.chmod(0o666),  # others may write it
    ],
    ids=["truncated", "not-a-frame", "noise", "another-test", "another-format", "exposed"],
)
def test_a_damaged_foreign_or_exposed_file_is_no_recording(tmp_path, damage):
    store, path = _saved_file(tmp_path)
    damage(path)
    assert store.load("t.py::test_a@00", 6) is None


def test_a_folder_others_may_write_is_neither_read_nor_written(tmp_path):
    store, _ = _saved_file(tmp_path)
    store.folder.chmod(0o777)
    assert store.load("t.py::test_a@00", 6) is None
    assert not store.save("t.py::test_c@00", 6, [_example()])


def test_a_store_that_cannot_be_written_leaves_the_grade_alone(tmp_path, monkeypatch):
    """A store under a regular file (never a folder) saves nothing and the grade is the same."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    broken = RecordingStore(blocker / "store", "kit")
    assert not broken.save("t.py::test_a@00", 6, [_example()])
    good = write_answers(tmp_path / "good")
    plain = _grade(good, "losses", "losses.mse", replay_on=False)
    monkeypatch.setattr(recordings, "for_settings", lambda settings: broken)
    assert _grade(good, "losses", "losses.mse") == plain


def test_grading_uses_a_store_only_under_bubblewrap_and_where_the_environment_says(
    tmp_path, monkeypatch
):
    """Without bubblewrap learner code could write the store's files for the learners graded
    after it: no store. ``GRADELAB_REPLAY_CACHE=off`` turns it off; a path chooses the folder,
    inside which each kit and Python version has its own."""
    boxed = GradeSettings(sandbox=Sandbox(bwrap="/usr/bin/bwrap"))
    monkeypatch.setenv(recordings.ENV, str(tmp_path))
    assert recordings.for_settings(GradeSettings(sandbox=Sandbox(bwrap=None))) is None
    store = recordings.for_settings(boxed)
    assert store is not None and store.folder.parent == tmp_path
    other = recordings.for_settings(GradeSettings(max_examples=7, sandbox=boxed.sandbox))
    assert other is not None and other.folder != store.folder
    monkeypatch.setenv(recordings.ENV, "off")
    assert recordings.for_settings(boxed) is None
    monkeypatch.delenv(recordings.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert recordings.default_root() == tmp_path / "xdg" / "gradelab" / "replay"


EDITED_SUITE = """
from pathlib import Path

import numpy as np
from hypothesis import given, strategies as st

from grader.engine.expect import expect_close, reference
from grader.suites import graded

SEEN = Path(__file__).with_name("seen.txt")
HIGH = {high}


@graded("relu", "matches the reference", points=1)
@given(v=st.floats(-HIGH, HIGH))
def test_relu(learner, v):
    with SEEN.open("a") as seen:
        seen.write(f"{{v!r}}\\n")
    x = np.array([v])
    expect_close(learner.activations.relu(x), reference("activations", "relu", x), learner)
"""


def test_a_suite_edited_under_a_running_process_never_meets_its_old_recordings(tmp_path, store):
    """A process keys its store once, at its start; a suite edited under it (a long-lived Dask
    worker) is imported anew. Its tests were told apart by the test function's source only, so
    an edited strategy bound beside an unchanged test replayed the inputs of the old bound. The
    whole file's digest is in every test id: the edited suite draws its own inputs."""
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    suite, seen = hidden / "test_activations.py", hidden / "seen.txt"
    good = write_answers(tmp_path / "good")
    settings = GradeSettings(topics=("activations",), max_examples=6, hidden_dir=hidden)

    def drawn(high: float) -> list[float]:
        suite.write_text(EDITED_SUITE.format(high=high))
        seen.unlink(missing_ok=True)
        result = run_hidden_tests(good, settings, learner="l", content_hash="-")
        assert [o.status.value for o in result.outcomes] == ["passed"], result.outcomes
        return [float(v) for v in seen.read_text().split()]

    assert max(abs(v) for v in drawn(1.0)) <= 1.0
    assert len(_stored(store)) == 1
    assert max(abs(v) for v in drawn(1000.0)) > 1.0, "the old bound's recording was replayed"
    assert len(_stored(store)) == 2
