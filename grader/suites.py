"""The hidden suites' shared vocabulary: what every ``grader/hidden/test_<topic>.py`` is written from.

A hidden suite for a new topic is written from these helpers, not copied from another suite:

1. Name the functions and declare their points with :func:`params`, one ``pytest.param`` per
   function whose id is the function's name, so the test id reads ``test_x[<function>]`` and the
   Gradescope name ``<topic>.<function>: <check>``::

       @pytest.mark.parametrize("fn", params(["sigmoid", "relu"], "matches the reference"))
       @given(x=float_arrays(shapes()))
       def test_matches_reference(learner, fn, x):
           expect_close(getattr(learner.activations, fn)(x), reference(TOPIC, fn, x), learner)

2. Draw inputs from :mod:`grader.strategies` (one module per topic, shared building blocks in
   ``grader.strategies.common``); hypothesis runs derandomized, so a strategy's draws are part of
   every grade and must not change.
3. Compare with :func:`grader.engine.expect.expect_close`, which diagnoses a mismatch against the
   misconception catalogue. A property check that finds a catalogued mistake itself raises
   ``Mismatch(looks_like(problem, mistake), mistake)``, so every suite words the diagnosis the
   same way: ``"<problem> — looks like: <name>. Hint: <hint>"``.
4. A helper that converts nested inputs or outputs (lists, tuples, dicts of arrays) uses
   :func:`grader.engine.containers.map_leaves`, the one walk over nested containers.

Where this lives: here, not in ``grader/hidden/``, because the grader collects only
``hidden/test_<topic>.py`` files and this module ships with the ``grader`` package wherever the
suites run (the Gradescope zip carries the whole package, a Dask worker imports the installed kit).

Invariant: this module imports nothing from the engine (the engine's plugin and
:mod:`grader.engine.expect` import :func:`graded` and :func:`looks_like` from here), so it never
closes an import cycle; ``tests/grader/test_imports.py`` proves it.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from exercises.tests._harness import compare
from exercises.tests._observe import purity_problem
from grader.misconceptions import Mistake

#: who sees a test's outcome on Gradescope (its ``visibility`` field)
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def graded(
    function: str,
    check: str,
    *,
    points: float = 1.0,
    visibility: str = "after_due_date",
    core: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the function a hidden test grades, what it checks and how many points it is worth.

    A test that compares with the reference is one of the function's core checks, found from its
    code; ``core=True`` makes a property check core too, for functions that have no reference to
    agree with (dropout, shuffling). See :func:`grader.engine.plugin.gate_points`.
    """
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}")
    if points <= 0:
        raise ValueError("points must be > 0")
    return pytest.mark.graded(
        function=function, check=check, points=points, visibility=visibility, core=core
    )


def params(functions: Sequence[str], check: str, points: float = 2.0) -> list[Any]:
    """One ``pytest.param`` per function, id = the function's name, marked ``graded(fn, check,
    points=points)``: ``points`` each, so the suite's total is ``len(functions) * points``."""
    return [pytest.param(f, marks=graded(f, check, points=points), id=f) for f in functions]


def looks_like(problem: str, mistakes: Mistake | Sequence[Mistake] | None) -> str:
    """``problem`` followed by the diagnosis: ``" — looks like: <name>. Hint: <hint>"`` for the
    first mistake, then ``" (on this input it could also be: <a>; <b>)"`` when several fit.
    ``problem`` unchanged when no mistake matches."""
    matches = [mistakes] if isinstance(mistakes, Mistake) else list(mistakes or [])
    if not matches:
        return problem
    message = f"{problem} — looks like: {matches[0].name}. Hint: {matches[0].hint}"
    if len(matches) > 1:
        message += f" (on this input it could also be: {'; '.join(m.name for m in matches[1:])})"
    return message


#: the check of the curriculum's purity rule, one wording for every suite (:func:`assert_pure`)
PURE = "does not modify its inputs and returns new arrays"


def assert_pure(learner: Any) -> None:
    """The curriculum's rule "functions never modify their inputs, they return new arrays", for
    every call the test made: no argument changed in place (nested lists, tuples and dicts of
    arrays included), no returned array is an argument or a view of one (``return x``,
    ``x.reshape(...)``: the caller's later change to the output would change the input too), and
    no result reuses memory an earlier result had. Every call is made once more here, so a
    function filling one buffer it keeps between calls is seen doing it. (Every call of every
    graded test is held to the same rule as it returns: :class:`grader.engine.proxy.ImpureCall`;
    this check gives the rule its own points and line in the feedback.)"""
    for record in list(learner.session.calls):
        learner.repeat(record)
    problem = purity_problem(learner.mutated_inputs(), learner.aliased_inputs())
    assert problem is None, problem


#: the check of a docstring's stated errors, one wording for every suite (:func:`expect_raises`)
RAISES = "raises ValueError where its docstring says it does"


def expect_raises(call: Callable[[], Any], why: str, kind: str = "ValueError") -> None:
    """The learner's ``call()`` must raise ``kind`` (a stated error: bad sizes, an unknown name, a
    k out of range); ``why`` says what is wrong with the input, for the feedback. A call that
    returns fails, naming what it returned; one that raises another type fails, naming it. The
    learner's failure carries the raised type as ``kind`` (the engine's ``LearnerFailure``); a
    function left unimplemented raises on as itself (the test is "not implemented")."""
    try:
        result = call()
    except Exception as exc:
        raised = getattr(exc, "kind", None)
        if raised is None or getattr(exc, "fault", False):
            raise  # not the learner's exception (not implemented, a timeout, a crash)
        assert raised == kind, f"{why}: raised {raised}, expected {kind}"
        return
    shown = repr(result)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    raise AssertionError(f"{why}: returned {shown} instead of raising {kind}")


#: the check that a function draws its randomness from its ``rng``, one wording for every suite
#: (:func:`expect_seeds_differ`); ``tests/grader/test_independent_variants_b.py`` proves that
#: every curriculum function with an ``rng`` parameter is graded by it
SEEDS_DIFFER = "draws from its rng: different seeds, different results"


def expect_seeds_differ(run: Callable[[int], Any], seeds: Sequence[int] = (11, 12, 13)) -> None:
    """``run(seed)`` (the learner's call with a generator seeded ``seed``) answers differently for
    each of ``seeds``: a function that ignores its ``rng`` (a fixed seed of its own, a permutation
    cached in module state, no randomness at all, ``np.random.*``'s global state) gives two of them
    the same answer. The caller picks inputs on which two independent draws collide with
    astronomically small probability (a permutation of 40 indices, a mask of 200 units), so a
    correct learner never fails, whatever its way of drawing. Three seeds, all pairs compared: a
    function that keeps one bit of the rng's randomness also fails."""
    results = [(seed, run(seed)) for seed in seeds]
    for (a, first), (b, second) in itertools.combinations(results, 2):
        if compare(second, first, 0.0, 0.0) is None:
            raise AssertionError(
                f"generators seeded {a} and {b} gave exactly the same result: draw every random "
                "number from the rng argument (a seed of your own, a result kept from an earlier "
                "call or no randomness at all ignores it)"
            )


#: the check of a function's default arguments, one wording for every suite
DEFAULTS = "its defaults are the ones its signature states"


def stated_defaults(topic: str, function: str) -> tuple[int, dict[str, Any]]:
    """(number of required parameters, {parameter: default}) of ``topic.function`` as the learner
    is given it: the stub's signature in ``exercises/<topic>.py``."""
    stub = getattr(importlib.import_module(f"exercises.{topic}"), function)
    params = list(inspect.signature(stub).parameters.values())
    defaults = {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}
    return len(params) - len(defaults), defaults


@dataclass(frozen=True)
class DefaultCall:
    """One call of :func:`expect_stated_defaults`: the required arguments, the keyword
    arguments passed in both calls (the mode), and the stated defaults left to check."""

    given: list[Any]
    fixed: dict[str, Any]
    defaults: dict[str, Any]


def default_calls(
    topic: str, function: str, args: Sequence[Any] | list[Sequence[Any]]
) -> list[DefaultCall]:
    """A suite's ``DEFAULT_CALLS`` entry for ``topic.function`` as the calls it stands for: one
    tuple of arguments or a list of them, each maybe ending with a dict of keyword arguments."""
    required, stated = stated_defaults(topic, function)
    calls = []
    for one in args if isinstance(args, list) else [args]:
        fixed: dict[str, Any] = dict(one[-1]) if one and isinstance(one[-1], dict) else {}
        given = list(one[:-1] if fixed else one)[:required]
        defaults = {k: v for k, v in stated.items() if k not in fixed}
        calls.append(DefaultCall(given, fixed, defaults))
    return calls


def expect_stated_defaults(
    learner: Any, topic: str, function: str, args: Sequence[Any] | list[Sequence[Any]]
) -> None:
    """Called with its required arguments only (the first ones of ``args``), the learner's
    function answers exactly, bit for bit, as when every default its signature states is passed
    explicitly: a default of its own (``reduction="sum"``, Keras's ``eps=1e-7``, ``h=1e-2``)
    fails, whatever the values it computes with the stated ones. ``args`` are chosen so that each
    default changes the answer (probabilities of exactly 0 and 1 for an ``eps``, a batch of
    several for a ``reduction``, a 3-D input for an ``axis=-1``: on 2-D, ``axis=1`` is the same;
    ``test_default_calls_tell_every_stated_default_from_its_alternatives`` proves it for every
    suite). ``args`` may end with a dict of keyword arguments passed in both calls (a default
    that matters only in another mode: ``batch_size`` with ``method="minibatch"``), and may be a
    list of such calls, each checked."""
    call = getattr(getattr(learner, topic), function)
    for one in default_calls(topic, function, args):
        given, fixed, defaults = one.given, one.fixed, one.defaults
        explicit = call(*given, **defaults, **fixed)
        omitted = call(*given, **fixed)
        problem = compare(omitted, explicit, 0.0, 0.0)
        if problem is not None:
            shown = ", ".join(f"{k}={v!r}" for k, v in defaults.items())
            mode = ", ".join(f"{k}={v!r}" for k, v in fixed.items() if isinstance(v, str | int))
            mode = f"with {mode} and " if mode else ""
            raise AssertionError(
                f"called {mode}without {', '.join(defaults)} it answers differently than with "
                f"the defaults its signature states ({shown}): {problem}"
            )
