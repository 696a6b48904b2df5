"""The per-process answer cache (grader.engine.answers) changes how often the reference runs,
never a grade, and never hands one learner an answer another test spoiled."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader.engine import answers
from grader.engine.expect import reference
from grader.engine.run import run_hidden_tests
from grader.examples import plant_mistake, write_answers
from grader.misconceptions import catalogue
from grader.settings import GradeSettings
from tests.grader._recording_store import as_a_fresh_process


@pytest.fixture(autouse=True)
def fresh_process_state():
    answers.clear()
    as_a_fresh_process()
    yield
    answers.clear()
    as_a_fresh_process()


def _grade(folder: Path, topic: str) -> list[dict]:
    settings = GradeSettings(topics=(topic,), max_examples=6)
    result = run_hidden_tests(folder, settings, learner="l", content_hash="-", replay=True)
    return [vars(o) for o in result.outcomes]


def _class(tmp_path: Path, topic: str) -> list[Path]:
    """A good submission, one with a catalogued mistake, and the released stubs."""
    good = write_answers(tmp_path / "good")
    bad = write_answers(tmp_path / "bad")
    plant_mistake(bad, next(iter(catalogue(topic).values()))[0].key)
    stubs = write_answers(tmp_path / "stubs", source="exercises")
    return [good, bad, stubs]


@pytest.mark.parametrize("topic", ["activations", "losses"])
def test_a_class_graded_with_the_cache_equals_the_class_graded_without(
    tmp_path, monkeypatch, topic
):
    """Good, one-mistake and stub submissions get the same outcomes, messages and inputs with
    cached answers as with every answer computed afresh; the next passing learner computes no
    reference answer at all."""
    folders = _class(tmp_path, topic)
    monkeypatch.setattr(answers, "ENABLED", False)
    without = [_grade(f, topic) for f in folders]
    assert answers.stats()["entries"] == 0
    as_a_fresh_process()
    monkeypatch.setattr(answers, "ENABLED", True)
    with_cache = [_grade(f, topic) for f in folders]
    assert repr(with_cache) == repr(without)
    misses = answers.stats()["misses"]
    assert _grade(folders[0], topic) == with_cache[0]
    assert answers.stats()["misses"] == misses  # the next passing learner: answers reused only


def test_the_environment_variable_turns_the_cache_off(monkeypatch):
    """GRADELAB_ANSWER_CACHE=0 computes every answer afresh and caches nothing."""
    monkeypatch.setenv("GRADELAB_ANSWER_CACHE", "0")
    reference("activations", "relu", np.array([-1.0, 2.0]))
    assert answers.stats()["entries"] == 0


def test_a_test_writing_into_an_answer_does_not_spoil_the_next_one():
    """Every answer handed out is a copy of the cached one."""
    x = np.array([-1.0, 2.0])
    first = reference("activations", "relu", x)
    first[:] = 99.0
    again = reference("activations", "relu", x)
    assert np.array_equal(again, [0.0, 2.0])
    assert answers.stats() == {**answers.stats(), "hits": 1, "misses": 1}


def test_inputs_differing_in_sign_of_zero_dtype_or_type_have_different_digests():
    """Equal digests only for equal inputs: -0.0/0.0, float32/float64, True/1, list/tuple."""
    pairs = [
        ((0.0,), (-0.0,)),
        ((np.zeros(2),), (np.zeros(2, np.float32),)),
        ((np.zeros((1, 2)),), (np.zeros((2, 1)),)),
        ((True,), (1,)),
        (([1.0],), ((1.0,),)),
    ]
    for a, b in pairs:
        assert answers.digest(a, {}) != answers.digest(b, {})
    assert answers.digest((np.arange(3.0),), {"k": 1}) == answers.digest(
        (np.arange(3.0),), {"k": 1}
    )


def test_arguments_that_are_not_plain_data_are_never_cached():
    """A generator (or any object) as an argument: the answer is computed afresh every time."""
    assert answers.digest((np.random.default_rng(0),), {}) is None
    assert answers.digest((np.array([object()]),), {}) is None
    calls: list[int] = []
    for _ in range(2):
        answers.cached("t", "f", (object(),), {}, lambda: calls.append(1) or 1)
    assert calls == [1, 1]


def test_memory_stays_within_the_limit_dropping_the_oldest(monkeypatch):
    """Past LIMIT_BYTES the least recently used answers are dropped."""
    monkeypatch.setattr(answers, "LIMIT_BYTES", 3 * (800 + 112))
    for i in range(5):
        answers.cached("t", "f", (i,), {}, lambda: np.zeros(100))
    assert answers.stats()["entries"] == 3
    assert answers.stats()["bytes"] <= answers.LIMIT_BYTES
    calls: list[int] = []
    answers.cached("t", "f", (0,), {}, lambda: calls.append(1) or np.zeros(100))
    assert calls == [1]  # the oldest was dropped
