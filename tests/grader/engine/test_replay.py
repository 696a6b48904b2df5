"""Replaying recorded inputs (grader.engine.replay) changes how fast a grade comes, never the grade.

Each test grades in this process, so each starts from an empty recording (``replay.clear()``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import strategies as st

from grader.engine import memo, replay
from grader.engine.plugin import UNRELIABLE
from grader.engine.run import run_hidden_tests
from grader.examples import plant_mistake, write_answers
from grader.misconceptions import catalogue
from grader.settings import GradeSettings
from reference import TOPICS


@pytest.fixture(autouse=True)
def fresh_recordings():
    replay.clear()
    memo.MEMO.clear()
    yield
    replay.clear()
    memo.MEMO.clear()


def _submission(tmp_path: Path, name: str, mistake: str | None = None) -> Path:
    folder = write_answers(tmp_path / name)
    if mistake is not None:
        plant_mistake(folder, mistake)
    return folder


def _grade(
    folder: Path, topic: str, *, replay_on: bool, only: str | None = None, shrink: bool = True
) -> list[dict]:
    result = run_hidden_tests(
        folder,
        GradeSettings(topics=tuple([topic]), max_examples=6, shrink=shrink),
        learner="l",
        content_hash="-",
        replay=replay_on,
        only_functions={only} if only else None,
    )
    return [vars(o) for o in result.outcomes]


def _first_mistake(topic: str) -> str:
    entries = catalogue(topic)
    return next(iter(entries.values()))[0].key


@pytest.mark.parametrize("topic", TOPICS)
def test_a_replayed_grade_equals_a_fresh_hypothesis_grade(tmp_path, topic):
    """After the model answer records its passing inputs, a submission with a mistake gets exactly
    the outcomes, messages, diagnoses and shrunk inputs that hypothesis alone gives it."""
    mistake = _first_mistake(topic)
    function = mistake.split("/")[0]  # the mistaken function's tests only, to stay quick
    good, bad = _submission(tmp_path, "good"), _submission(tmp_path, "bad", mistake)
    fresh = _grade(bad, topic, replay_on=False, only=function)
    assert any(o["status"] != "passed" for o in fresh), f"{mistake} is not caught at all"
    model = _grade(good, topic, replay_on=True, only=function)  # records
    assert all(o["status"] == "passed" for o in model)
    assert _grade(bad, topic, replay_on=True, only=function) == fresh
    assert _grade(good, topic, replay_on=True, only=function) == model


@pytest.mark.parametrize("topic", ["rnn", "rag"])
def test_without_shrinking_a_replayed_failure_is_what_hypothesis_reports(tmp_path, topic):
    """With shrinking off, hypothesis reports the first failing input of its sequence: the replay
    reports that same input and message without running hypothesis."""
    mistake = _first_mistake(topic)
    function = mistake.split("/")[0]
    good, bad = _submission(tmp_path, "good"), _submission(tmp_path, "bad", mistake)
    fresh = _grade(bad, topic, replay_on=False, only=function, shrink=False)
    _grade(good, topic, replay_on=True, only=function, shrink=False)
    assert _grade(bad, topic, replay_on=True, only=function, shrink=False) == fresh


def test_shrinking_changes_the_counterexample_not_the_points(tmp_path):
    """The same submission scores the same with and without shrinking, test by test."""
    bad = _submission(tmp_path, "bad", _first_mistake("rnn"))
    shrunk = _grade(bad, "rnn", replay_on=False)
    found = _grade(bad, "rnn", replay_on=False, shrink=False)
    assert [(o["check"], o["points"], o["status"]) for o in shrunk] == [
        (o["check"], o["points"], o["status"]) for o in found
    ]
    assert any(o["status"] == "failed" for o in shrunk)


def test_the_second_passing_submission_is_replayed_not_regenerated(tmp_path, monkeypatch):
    """The first run records every property test's inputs; the next one replays them."""
    good = _submission(tmp_path, "good")
    replays: list[int] = []
    materialise = replay._materialise
    monkeypatch.setattr(replay, "_materialise", lambda ex: replays.append(1) or materialise(ex))
    _grade(good, "losses", replay_on=True)
    assert replays == []  # nothing recorded yet: hypothesis generated everything
    memo.MEMO.clear()  # else its conversations are known: answered without the test bodies
    _grade(good, "losses", replay_on=True)
    assert len(replays) > 20
    replays.clear()
    _grade(good, "losses", replay_on=False)
    assert replays == []


def test_interactive_draws_replay_only_for_the_same_strategy():
    """A recorded ``st.data()`` draw is handed back for the strategy it came from; a different
    strategy or one draw too many hands the test to hypothesis."""
    ints, floats = st.integers(0, 3), st.floats(0, 1)
    data = replay._ReplayData(replay.Draws([(repr(ints), 2)]))
    assert data.draw(ints) == 2
    with pytest.raises(replay._Diverged):
        data.draw(ints)
    with pytest.raises(replay._Diverged):
        replay._ReplayData(replay.Draws([(repr(ints), 2)])).draw(floats)


def test_a_strategy_built_in_the_body_is_matched_by_its_repr_computed_once():
    """Strategies built afresh at each draw are told apart exactly as their reprs tell them
    apart (bits of floats, types of numbers, dtypes, nested strategies), and one whose key
    cannot be formed (a ``.map``) still compares by its own repr."""
    import numpy as np
    from hypothesis.extra import numpy as hnp

    def arrays(bound: float, side: int = 3, dtype: type = np.float64) -> st.SearchStrategy:
        return hnp.arrays(
            np.dtype(dtype), hnp.array_shapes(max_side=side), elements=st.floats(-bound, bound)
        )

    variants = [
        lambda: st.integers(-2, 1),
        lambda: st.integers(-2, 2),
        lambda: st.floats(0.0, 1.0),
        lambda: st.floats(-0.0, 1.0),
        lambda: st.floats(0, 1),
        lambda: st.sampled_from([True, 1]),
        lambda: arrays(1.0),
        lambda: arrays(1.0, side=4),
        lambda: arrays(1.0, dtype=np.float32),
        lambda: arrays(2.0),
        lambda: st.integers(0, 3).map(lambda v: v + 1),
    ]
    for make in variants:
        assert replay._strategy_repr(make()) == repr(make())  # a fresh object each time
        assert replay._strategy_repr(make()) == repr(make())  # ... and from the memo
    reprs = [replay._strategy_repr(make()) for make in variants]
    assert len(set(reprs)) == len(variants)
    ints = replay._strategy_key(st.integers(-2, 1))
    assert ints == replay._strategy_key(st.integers(-2, 1))
    with pytest.raises(replay._NoKey):
        replay._strategy_key(st.integers(0, 3).map(lambda v: v + 1))


def test_replayed_inputs_are_copies_the_test_cannot_spoil():
    """A test body that writes into its input does not change what the next submission gets."""
    import numpy as np

    example = {"x": np.zeros(3)}
    first = replay._materialise(example)
    first["x"][:] = 7.0
    assert np.array_equal(replay._materialise(example)["x"], np.zeros(3))


def test_a_learner_that_hangs_is_judged_once_not_twice(tmp_path):
    """A replayed input that times out ends the test as hypothesis would end it (the same fault,
    message and input), without waiting for the timeout a second time in a hypothesis rerun."""
    from grader.engine.process import Limits

    good, bad = _submission(tmp_path, "good"), _submission(tmp_path, "bad")
    with (bad / "activations.py").open("a", encoding="utf-8") as fh:
        fh.write("\n\ndef relu(x):\n    while True:\n        pass\n")

    def grade(folder: Path, replay_on: bool):
        return run_hidden_tests(
            folder,
            GradeSettings(
                topics=tuple(["activations"]), max_examples=6, limits=Limits(call_timeout=1.0)
            ),
            learner="l",
            content_hash="-",
            replay=replay_on,
            only_functions={"activations.relu"},
        )

    fresh = grade(bad, replay_on=False)
    assert {o.status for o in fresh.outcomes} == {"fault"}
    grade(good, replay_on=True)  # records
    replayed = grade(bad, replay_on=True)
    assert [vars(o) for o in replayed.outcomes] == [vars(o) for o in fresh.outcomes]
    assert replayed.worker_starts == fresh.worker_starts  # one timeout per test, not two


@pytest.mark.parametrize("wrong_calls", ["== 3", "% 4 == 3"])
def test_a_learner_that_keeps_state_is_graded_the_same_with_or_without_a_recording(
    tmp_path, wrong_calls
):
    """relu counts its calls and answers wrong on some of them: what the learner is called with,
    and so its outcomes, messages and inputs, do not depend on whether this process recorded a
    passing run before (the first submission of a process) or not (every later one). A failure
    that the same call does not repeat still fails the test, and the feedback says why."""
    good, bad = _submission(tmp_path, "good"), _submission(tmp_path, "bad")
    with (bad / "activations.py").open("a", encoding="utf-8") as fh:
        fh.write(
            "\n\n_CALLS = [0]\n_relu = relu\n\n\ndef relu(x):\n    _CALLS[0] += 1\n"
            f"    return _relu(x) + (1.0 if _CALLS[0] {wrong_calls} else 0.0)\n"
        )
    first = _grade(bad, "activations", replay_on=True, only="activations.relu")
    failed = [o for o in first if o["status"] == "failed" and o["kind"] == "core"]
    assert failed and all(o["message"].endswith(UNRELIABLE) for o in failed)
    assert not any(re.search("0x[0-9a-f]{4}", o["message"]) for o in first)  # no address
    _grade(good, "activations", replay_on=True, only="activations.relu")  # records
    assert _grade(bad, "activations", replay_on=True, only="activations.relu") == first
