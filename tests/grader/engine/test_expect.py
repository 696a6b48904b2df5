"""A mismatch names its mistake only when the failure is reported (grader/engine/expect.py,
Mismatch): hypothesis raises one at every failing step of its shrinking, and matching the
catalogue and confirming a match on variant inputs (learner calls) there was wasted work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.engine import expect
from grader.engine.expect import Mismatch, expect_close
from grader.engine.proxy import CallRecord, Session
from grader.engine.run import run_hidden_tests
from grader.examples import plant_mistake, write_answers
from grader.misconceptions import catalogue
from grader.settings import GradeSettings
from grader.suites import looks_like

RELU = catalogue("activations")["activations.relu"][0]  # relu_reduces_with_max
#: gates in the wrong order: hypothesis shrinks its many-array failures for dozens of steps
LSTM_IFOG = next(
    m for m in catalogue("rnn")["rnn.lstm_cell"] if m.key == "rnn.lstm_cell/lstm_cell_order_ifog"
)


class _Learner:
    """What expect_close asks of the learner: its last call, and extra calls for confirmation
    (answered by ``impl``, as a learner who made that mistake would)."""

    def __init__(self, impl: Any, x: np.ndarray) -> None:
        self.impl = impl
        self.session = Session(calls=[CallRecord("activations", "relu", [x], {})])
        self.extra_calls = 0

    def try_call(self, topic: str, function: str, args: list[Any], kwargs: dict[str, Any]):
        self.extra_calls += 1
        return True, np.asarray(self.impl(*args, **kwargs))


def _failing(learner: _Learner, x: np.ndarray) -> Mismatch:
    with pytest.raises(Mismatch) as info:
        expect_close(np.asarray(learner.impl(x)), np.maximum(x, 0.0), learner)
    return info.value


def test_expect_close_names_the_mistake_only_when_the_failure_is_read():
    x = np.array([[-1.0, 2.0, -3.0], [4.0, -5.0, 0.5]])
    learner = _Learner(RELU.impl, x)
    exc = _failing(learner, x)
    assert learner.extra_calls == 0, "confirmation ran while the failure was raised"
    assert exc.diagnosis is RELU
    asked = learner.extra_calls
    assert asked > 0  # confirmed on variants through the learner
    assert "looks like: " + RELU.name in str(exc)
    assert exc.diagnosis is RELU and learner.extra_calls == asked  # found once


def test_expect_close_reads_as_before_a_deferred_diagnosis():
    """The message read later is the one made at once before: the problem, then the name."""
    x = np.array([[-1.0, 2.0, -3.0], [4.0, -5.0, 0.5]])
    learner = _Learner(RELU.impl, x)
    exc = _failing(learner, x)
    problem = expect.compare(np.asarray(RELU.impl(x)), np.maximum(x, 0.0), 1e-6, 1e-8)
    matches = expect.confirm(
        expect.diagnose_all(np.asarray(RELU.impl(x)), learner.session.calls[-1], 1e-6, 1e-8),
        learner.session.calls[-1],
        learner,
        1e-6,
        1e-8,
    )
    assert problem is not None and str(exc) == looks_like(problem, matches)


def test_a_wrong_answer_no_mistake_explains_has_no_name():
    x = np.array([[-1.0, 2.0], [4.0, -5.0]])
    learner = _Learner(lambda v: v * 3.0, x)
    exc = _failing(learner, x)
    assert exc.diagnosis is None
    assert "looks like" not in str(exc) and str(exc).startswith("output[")


def test_a_given_diagnosis_is_kept_and_nothing_is_looked_up():
    exc = Mismatch("output differs", RELU)
    assert exc.diagnosis is RELU and str(exc) == "output differs"


def test_a_diagnosis_that_fails_leaves_the_bare_problem():
    calls = []

    def broken() -> list:
        calls.append(1)
        raise RuntimeError("a bug in a catalogued mistake")

    exc = Mismatch("output[0] = 1.0, expected 2.0", diagnose=broken)
    assert str(exc) == "output[0] = 1.0, expected 2.0"
    assert exc.diagnosis is None and len(calls) == 1


def test_shrinking_a_named_mistake_confirms_it_about_once_not_at_every_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Graded with shrinking, a learner with a catalogued mistake is confirmed for the reported
    failure (and hypothesis's copy of it), not at each of the dozens of failing shrink steps,
    and the feedback still names the mistake."""
    confirmed = []
    real = expect.confirm
    monkeypatch.setattr(expect, "confirm", lambda *a, **k: confirmed.append(1) or real(*a, **k))
    folder = write_answers(tmp_path / "learner")
    plant_mistake(folder, LSTM_IFOG.key)
    result = run_hidden_tests(
        folder,
        GradeSettings(topics=("rnn",)),
        learner="x",
        content_hash="-",
        only_functions={"rnn.lstm_cell"},
    )
    named = [o for o in result.outcomes if o.diagnosis == LSTM_IFOG.key]
    assert named, [(o.check, o.status, o.message) for o in result.outcomes]
    failed = [o for o in result.outcomes if o.status != "passed"]
    assert len(confirmed) <= 2 * len(failed), (len(confirmed), len(failed))
