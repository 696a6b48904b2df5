"""Replay the inputs of a passing hypothesis run, so later submissions skip the generation.

Grading runs hypothesis derandomized: a test's seed comes from the test alone. While every example
passes, what hypothesis generates next depends only on the seed and on the choices it already made
(its data tree and mutations), never on what the test body returned; so every submission that
passes a test is given the very same inputs, and drawing them again (most of the cost of grading a
good submission) is wasted work. The first passing run of a test in a grading process records the
inputs its body was called with; later submissions call the body on those inputs directly:

- every recorded input passes → the test passes, as hypothesis would have decided, since it would
  have generated exactly these inputs and stopped;
- a recorded input fails → the test is handed back to hypothesis, which regenerates the same
  sequence, meets the same failure and shrinks it, so the feedback (minimal input, diagnosis) is
  exactly that of a run without replay. Without shrinking, hypothesis would report that very
  input as found, so the replay's own failure is reported (and hypothesis is not run at all).

Interactive draws (``st.data()``) are recorded with the strategy they came from and replayed only
when the body asks for the same strategy again; anything unexpected (a different strategy, more
draws, an input that cannot be copied) hands the test to hypothesis as well, so replay can skip
work but never change an outcome. What it assumes: the hidden tests do not steer generation from
the learner's outputs (no ``assume``/``target`` on them), and learner code gives the same answer
when called twice with the same input (hidden code with a global counter could tell the replay
from the real run; it gains nothing by it, since a failure is always re-judged by hypothesis).
``tests/grader/engine/test_replay.py`` grades mistakes of every topic both ways and compares.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

import pytest
from hypothesis.strategies import DataObject

#: inner test function → {(node id, max_examples): recorded calls}
_RECORDED: WeakKeyDictionary[Callable[..., Any], dict[tuple[str, int], list[dict[str, Any]]]] = (
    WeakKeyDictionary()
)


class _Draws(list):
    """The recorded ``(strategy repr, value)`` draws of one ``st.data()`` argument."""


class _Diverged(Exception):
    """The body asked for something the recording does not hold: let hypothesis decide."""


class _RecordingData:
    """Stands in for ``st.data()``'s object: draws for real and remembers what it drew."""

    def __init__(self, real: DataObject) -> None:
        self.real = real
        self.draws: list[tuple[str, Any]] = []

    def draw(self, strategy: Any, label: Any = None) -> Any:
        value = self.real.draw(strategy, label)
        self.draws.append((repr(strategy), copy.deepcopy(value)))
        return value


class _ReplayData:
    """Hands back recorded draws, in order, for the same strategies."""

    def __init__(self, draws: list[tuple[str, Any]]) -> None:
        self.draws = iter(draws)

    def draw(self, strategy: Any, label: Any = None) -> Any:
        recorded = next(self.draws, None)
        if recorded is None or recorded[0] != repr(strategy):
            raise _Diverged
        return copy.deepcopy(recorded[1])


def clear() -> None:
    """Forget every recording (tests use it to grade as a fresh process would)."""
    _RECORDED.clear()


def _materialise(example: dict[str, Any]) -> dict[str, Any]:
    return {
        k: _ReplayData(v) if isinstance(v, _Draws) else copy.deepcopy(v) for k, v in example.items()
    }


def call(
    item: pytest.Function,
    max_examples: int,
    before_hypothesis: Callable[[], None],
    *,
    shrink: bool = True,
    final: Callable[[Exception], bool] = lambda exc: False,
) -> None:
    """Run ``item``'s test function: replayed when a passing run was recorded, else by hypothesis.

    ``before_hypothesis`` runs when a replay hands over to hypothesis (to reset per-test state).
    ``shrink=False`` (hypothesis runs without its shrink phase): a failing replayed input is
    raised as is, exactly what hypothesis would report for it. So is a failure that ``final``
    says ends the test whatever the input (the learner's worker timed out or crashed: hypothesis
    would meet it again at the same input, then every later call fails fast without reaching
    the learner, so it reports this very call, after a second wait for the timeout).
    """
    test = item.obj
    funcargs = {name: item.funcargs[name] for name in item._fixtureinfo.argnames}
    hyp = getattr(test, "hypothesis", None)
    if hyp is None:
        test(**funcargs)
        return
    inner = hyp.inner_test
    runs = _RECORDED.setdefault(inner, {})
    key = (item.nodeid, max_examples)
    if key in runs:
        try:
            for example in runs[key]:
                inner(**funcargs, **_materialise(example))
            return  # every input hypothesis would generate passes
        except _Diverged:
            before_hypothesis()
        except Exception as exc:  # re-judged by hypothesis below, or reported as found
            if not shrink or final(exc):
                raise
            before_hypothesis()
    calls: list[dict[str, Any]] = []
    replayable = True

    # hypothesis seeds a derandomized run from the digest of this function (source, signature):
    # wrapping it keeps that digest, so the recorded run draws exactly what an unwrapped run would
    @functools.wraps(inner)
    def recording(*args: Any, **kwargs: Any) -> Any:
        nonlocal replayable
        drawn: dict[str, Any] = {}
        try:
            if args:
                raise TypeError("positional arguments")
            for name, value in kwargs.items():
                if name in funcargs:
                    continue
                if isinstance(value, DataObject):
                    drawn[name] = kwargs[name] = _RecordingData(value)
                else:
                    drawn[name] = copy.deepcopy(value)
        except Exception:  # not copyable: this test is simply not replayed
            replayable = False
        result = inner(*args, **kwargs)
        calls.append(
            {k: _Draws(v.draws) if isinstance(v, _RecordingData) else v for k, v in drawn.items()}
        )
        return result

    hyp.inner_test = recording
    try:
        test(**funcargs)
    finally:
        hyp.inner_test = inner
    if replayable and key not in runs:
        runs[key] = calls
