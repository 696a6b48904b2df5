"""Replay the inputs of a passing hypothesis run, so later submissions skip the generation.

Grading runs hypothesis derandomized: a test's seed comes from the test alone, and what it draws
does not depend on what the process loaded before (:mod:`grader.engine.isolation`). While every
example passes, what hypothesis generates next depends only on the seed and on the choices it
already made (its data tree and mutations), never on what the test body returned; so every
submission that passes a test is given the very same inputs, and drawing them again (most of the
cost of grading a good submission) is wasted work.

Invariant: a graded test's outcome, message and counterexample depend on the submission and the
kit alone, never on what this process graded before, in which order, on which worker. To that
end every property test runs in the same two passes, whether a recording exists or not:

1. The body is called on the inputs of a passing run, in order, up to the first failure. They
   are replayed when the process has recorded a passing run of the test, or finds one that a
   process of the same kit recorded in the run's :class:`~grader.engine.recordings.RecordingStore`
   (the inputs a passing run draws depend on the kit alone), else drawn by hypothesis and
   recorded (and stored); a drawing run is stopped at its first failure (before hypothesis
   shrinks anything). Either way the learner sees the very same calls, so even learner code
   that keeps state between calls cannot tell a first submission from a later one.
2. Every input passed → the test passes. A failure → without shrinking, or when the learner's
   worker faulted (timeout, crash, limit), it is reported as is (what hypothesis reports for
   it). Otherwise hypothesis runs the test from scratch, meets the same failure and shrinks it:
   the feedback (minimal input, diagnosis) is that of a run without replay. If hypothesis does
   not meet a failure at all (the learner answered the same call two ways), pass 1's failure
   stands, raised as hypothesis's ``FlakyFailure`` (as when it meets such a learner itself).

Interactive draws (``st.data()``) are recorded with the strategy they came from and replayed only
when the body asks for the same strategy again; anything unexpected (a different strategy, more
draws) makes the test draw its inputs for real; an input that cannot be copied is never
recorded. What it assumes: the hidden tests do not steer generation from the learner's outputs
(no ``assume``/``target`` on them). ``tests/grader/engine/test_replay.py`` grades mistakes of
every topic, and stateful learners, both ways and compares; ``tests/grader/test_determinism.py``
grades a class alone, in two orders and in a pool, and compares the files byte for byte.
"""

from __future__ import annotations

import copy
import functools
import struct
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import pytest
from hypothesis.errors import FlakyFailure, HypothesisException
from hypothesis.strategies import DataObject
from hypothesis.strategies._internal.lazy import LazyStrategy

from grader.engine.recordings import Draws, Example, RecordingStore

#: inner test function → {(node id, max_examples): recorded calls}
_RECORDED: WeakKeyDictionary[Callable[..., Any], dict[tuple[str, int], list[Example]]] = (
    WeakKeyDictionary()
)


class _Diverged(Exception):
    """The body asked for something the recording does not hold: let hypothesis decide."""


class _Stop(BaseException):
    """Ends a recording run at its first failure: hypothesis lets a ``BaseException`` through
    at once, without shrinking (pass 2 does that)."""

    def __init__(self, failure: BaseException) -> None:
        super().__init__()
        self.failure = failure


#: what a test body raises when it fails (``pytest.fail`` raises a ``BaseException``)
_FAILURES = (Exception, pytest.fail.Exception)


class _NoKey(Exception):
    pass


#: strategy key (:func:`_strategy_key`) → ``repr`` of the strategy; bounded (:func:`_strategy_repr`)
_REPRS: dict[Any, str] = {}
_PLAIN = (int, str, bool, type(None))


def _strategy_key(value: Any) -> Any:
    """What a lazily built strategy's ``repr`` is computed from: its function and arguments.

    Two strategies with the same key have the same ``repr`` (hypothesis builds it from exactly
    these with a deterministic pretty-printer); any value the key cannot stand for (a ``.map``
    or ``.filter``, an argument of another type) raises :class:`_NoKey`."""
    kind = type(value)
    if kind in _PLAIN:
        return (kind, value)
    if kind is float:
        return (float, struct.pack("<d", value))  # the bits: -0.0 ≠ 0.0, a NaN is its own
    if isinstance(value, np.dtype):
        return (np.dtype, repr(value))
    if kind is tuple:
        return (tuple, tuple(_strategy_key(v) for v in value))
    if kind is LazyStrategy and not value._transformations:
        args = value._LazyStrategy__args
        kwargs = value._LazyStrategy__kwargs
        return (
            value.function,
            tuple(_strategy_key(v) for v in args),
            tuple((k, _strategy_key(v)) for k, v in sorted(kwargs.items())),
        )
    raise _NoKey


def _strategy_repr(strategy: Any) -> str:
    """``repr(strategy)``, computed once per distinct strategy: a test that builds a strategy in
    its body (``st.integers(-x.ndim, x.ndim - 1)``) makes a new object, whose ``repr`` hypothesis
    pretty-prints afresh, at every draw of every replayed example."""
    try:
        key = _strategy_key(strategy)
        text = _REPRS.get(key)
    except (_NoKey, TypeError, AttributeError):  # TypeError: an unhashable function
        return repr(strategy)
    if text is not None:
        return text
    if len(_REPRS) >= 10_000:
        _REPRS.clear()
    text = _REPRS[key] = repr(strategy)
    return text


class _RecordingData:
    """Stands in for ``st.data()``'s object: draws for real and remembers what it drew."""

    def __init__(self, real: DataObject) -> None:
        self.real = real
        self.draws: list[tuple[str, Any]] = []

    def draw(self, strategy: Any, label: Any = None) -> Any:
        value = self.real.draw(strategy, label)
        self.draws.append((_strategy_repr(strategy), copy.deepcopy(value)))
        return value


class _ReplayData:
    """Hands back recorded draws, in order, for the same strategies."""

    def __init__(self, draws: list[tuple[str, Any]]) -> None:
        self.draws = iter(draws)

    def draw(self, strategy: Any, label: Any = None) -> Any:
        recorded = next(self.draws, None)
        if recorded is None or recorded[0] != _strategy_repr(strategy):
            raise _Diverged
        return copy.deepcopy(recorded[1])


def clear() -> None:
    """Forget every recording (tests use it to grade as a fresh process would)."""
    _RECORDED.clear()


def _materialise(example: dict[str, Any]) -> dict[str, Any]:
    return {
        k: _ReplayData(v) if isinstance(v, Draws) else copy.deepcopy(v) for k, v in example.items()
    }


def call(
    item: pytest.Function,
    max_examples: int,
    before_hypothesis: Callable[[], Callable[[], None] | None],
    *,
    shrink: bool = True,
    final: Callable[[BaseException], bool] = lambda exc: False,
    store: RecordingStore | None = None,
    suite_digest: str = "",
) -> None:
    """Run ``item``'s test function in the two passes the module docstring defines.

    ``suite_digest`` (the sha256 of the suite file the test was imported from, which
    :mod:`grader.engine.run` reads once a run) is part of every test id in ``store``: a process
    keys its store once, at its start, and a suite edited under a running process (a long-lived
    Dask worker) is imported anew, whose tests must not meet the old file's recordings. The whole
    file counts, not the test function's source (what hypothesis seeds a derandomized run from):
    an edited strategy or bound beside the test draws other inputs from the same function.

    ``before_hypothesis`` runs before pass 2 (to reset per-test state) and may return a function
    that puts back the state pass 1 left, called when pass 2 cannot reproduce pass 1's failure.
    ``shrink=False`` (hypothesis runs without its shrink phase): pass 1's failure is raised as
    is, exactly what hypothesis would report for it. So is a failure that ``final`` says ends
    the test whatever the input (the learner's worker timed out or crashed: hypothesis would
    meet it again at the same input, then every later call fails fast without reaching the
    learner, so it reports this very call, after a second wait for the timeout).
    """
    test = item.obj
    funcargs = {name: item.funcargs[name] for name in item._fixtureinfo.argnames}
    hyp = getattr(test, "hypothesis", None)
    if hyp is None:
        test(**funcargs)
        return
    stored = None if store is None else (store, f"{item.nodeid}@{suite_digest}")
    failure = _first_pass(item, test, funcargs, max_examples, before_hypothesis, stored)
    if failure is None:
        return  # every input a passing run is given passes
    if not shrink or final(failure):
        raise failure
    restore = before_hypothesis()
    test(**funcargs)  # pass 2: hypothesis from scratch meets the failure again and shrinks it
    if restore is not None:
        restore()
    # not reproduced: the learner answered one input two ways; pass 1's failure stands
    raise FlakyFailure("pass 1 failed, hypothesis's run did not", [failure])


def _first_pass(
    item: pytest.Function,
    test: Callable[..., Any],
    funcargs: dict[str, Any],
    max_examples: int,
    before_hypothesis: Callable[[], object],
    stored: tuple[RecordingStore, str] | None = None,
) -> BaseException | None:
    """Call the test body on a passing run's inputs, in order, up to the first failure (returned).
    ``stored``: the store other processes of the kit share, and the test's id in it.

    The inputs are replayed when a passing run was recorded in this process, else drawn by
    hypothesis and recorded (the run stopped at the first failure, before any shrinking)."""
    hyp = test.hypothesis  # type: ignore[attr-defined]
    inner = hyp.inner_test
    runs = _RECORDED.setdefault(inner, {})
    key = (item.nodeid, max_examples)
    if key not in runs and stored is not None:
        recording = stored[0].load(stored[1], max_examples)
        if recording is not None:
            runs[key] = recording
    if key in runs:
        try:
            for example in runs[key]:
                inner(**funcargs, **_materialise(example))
            return None
        except _Diverged:  # not the run that was recorded: draw this one for real
            before_hypothesis()
        except _FAILURES as exc:
            return exc
    calls: list[Example] = []
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
        try:
            result = inner(*args, **kwargs)
        except HypothesisException:  # assume(), reject(): hypothesis's own business
            raise
        except _FAILURES as exc:
            raise _Stop(exc) from None
        calls.append(
            {k: Draws(v.draws) if isinstance(v, _RecordingData) else v for k, v in drawn.items()}
        )
        return result

    hyp.inner_test = recording
    try:
        test(**funcargs)
    except _Stop as stop:
        return stop.failure
    finally:
        hyp.inner_test = inner
    if replayable and key not in runs:
        runs[key] = calls
        if stored is not None:
            stored[0].save(stored[1], max_examples, calls)
    return None
