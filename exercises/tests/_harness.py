"""The machinery behind every public test: load the learner's module, call a function on a frozen
case, compare with the frozen expected output, and explain a mismatch in one line.

A mismatch is compared against the frozen outputs of the catalogued mistakes, so feedback can say
"looks like: Adam without bias correction" with a hint, as the grader does.
"""

from __future__ import annotations

import itertools
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pytest

from . import _loading
from ._checks import CHECKS
from ._data import DATA_DIR, decode, read_npz
from ._limits import CallTimeout, OutputHead, capture_output, time_limit, timeout_seconds
from ._loading import LoadError, describe_exception, load_topic, target
from ._observe import Arguments, Returned, purity_problem, recording
from ._warnings import warning_problem
from ._widths import width_problem

__all__ = ["LoadError", "load_topic", "target"]  # re-exported: callers load through the harness


@dataclass
class Case:
    """One frozen public test case of ``topic.function``."""

    topic: str
    id: str
    function: str
    note: str
    args: list[Any]
    kwargs: dict[str, Any]
    expected: Any
    rtol: float
    atol: float
    check: str | None
    mistakes: list[dict[str, Any]] = field(default_factory=list)
    arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def inputs(self) -> tuple[list[Any], dict[str, Any]]:
        """Fresh, live copies of the arguments (handles materialised)."""
        kwargs = {name: decode(value, self.arrays) for name, value in self.kwargs.items()}
        return decode(self.args, self.arrays), kwargs

    def __str__(self) -> str:
        return self.id


def load_cases(topic: str, data_dir: Path = DATA_DIR) -> list[Case]:
    """Every frozen case of ``topic`` (empty when the topic has no data yet)."""
    path = data_dir / f"{topic}.npz"
    if not path.is_file():
        return []
    manifest, arrays = read_npz(path)
    cases = []
    for raw in manifest["cases"]:
        cases.append(
            Case(
                topic=topic,
                id=raw["id"],
                function=raw["function"],
                note=raw.get("note", ""),
                args=raw["args"],
                kwargs=raw["kwargs"],
                expected=decode(raw["expected"], arrays, materialise=False),
                rtol=raw["rtol"],
                atol=raw["atol"],
                check=raw.get("check"),
                mistakes=[
                    {**m, "output": decode(m["output"], arrays, materialise=False)}
                    for m in raw.get("mistakes", [])
                ],
                arrays=arrays,
            )
        )
    return cases


# -- comparing ----------------------------------------------------------------------------------


def _as_array(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor: learners may return one
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _all_close_and_finite(act: np.ndarray, exp: np.ndarray, rtol: float, atol: float) -> bool:
    """True when every entry is finite and ``|act − exp| ≤ atol + rtol·|exp|``: then
    ``np.isclose(act, exp, rtol, atol, equal_nan=True).all()`` is True too (its first term,
    the same float64 expression, holds everywhere). False says nothing: ``np.isclose`` decides
    (infinities, NaNs, a mismatch). Almost every comparison passes, and this costs a fifth of
    ``np.isclose``'s general machinery."""
    if not (math.isfinite(rtol) and math.isfinite(atol)):
        return False
    with np.errstate(all="ignore"):
        return bool(
            np.isfinite(exp).all()
            and np.less_equal(np.abs(act - exp), atol + rtol * np.abs(exp)).all()
        )


#: the most items :func:`_reordered` tries every order of (6! = 720 comparisons at most)
MAX_REORDERED = 6


def _reordered(actual: Any, expected: Any, rtol: float, atol: float, path: str) -> str | None:
    """A sequence holding the expected items in another order (``momentum_step`` returning
    ``(velocity, w)``; ``(h, c)`` swapped), said as such, or None. Tried only once an item
    differs; every item must match the item it stands for."""
    n = len(expected)
    if not 2 <= n <= MAX_REORDERED:
        return None
    fits = [[compare(a, e, rtol, atol) is None for e in expected] for a in actual]
    for order in itertools.permutations(range(n)):  # order[i]: the expected item actual[i] is
        if all(fits[i][order[i]] for i in range(n)) and any(order[i] != i for i in range(n)):
            moved = ", ".join(
                f"{path}[{i}] is what {path}[{order[i]}] should be"
                for i in range(n)
                if order[i] != i
            )
            return f"{path} holds the right values in the wrong order: {moved}"
    return None


def compare(
    actual: Any, expected: Any, rtol: float, atol: float, path: str = "output"
) -> str | None:
    """None when ``actual`` matches ``expected``, else a one-line description of the first mismatch."""
    if isinstance(expected, tuple | list):
        if not isinstance(actual, tuple | list) and not (
            isinstance(actual, np.ndarray) and actual.ndim
        ):
            return f"{path} should be a {type(expected).__name__} of {len(expected)}, got {type(actual).__name__}"
        if len(actual) != len(expected):
            return f"{path} should have {len(expected)} items, got {len(actual)}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            problem = compare(a, e, rtol, atol, f"{path}[{i}]")
            if problem:
                return _reordered(actual, expected, rtol, atol, path) or problem
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(actual) != set(expected):
            return f"{path} should be a dict with keys {sorted(expected)}"
        for k in expected:
            problem = compare(actual[k], expected[k], rtol, atol, f"{path}[{k!r}]")
            if problem:
                return problem
        return None
    if isinstance(expected, str):
        if actual != expected:
            return f"{path} differs from the expected text:\n  got      {actual!r}\n  expected {expected!r}"
        return None
    if isinstance(expected, bool):
        try:
            ok = actual == expected and float(actual).is_integer()
        except (TypeError, ValueError):
            ok = False
        return None if ok else f"{path} should be {expected!r}, got {actual!r}"
    if isinstance(expected, int):  # "an int": a count or a size, not a float that equals one
        whole = isinstance(actual, int | np.integer) and not isinstance(actual, bool | np.bool_)
        if whole and actual == expected:
            return None
        if not whole and isinstance(actual, float | np.floating) and actual == expected:
            return f"{path} should be an int ({expected!r}), got the {type(actual).__name__} {actual!r}"
        return f"{path} should be {expected!r}, got {actual!r}"
    exp = np.asarray(expected)
    try:
        act = _as_array(actual)
    except Exception:
        return f"{path} should be an array, got {type(actual).__name__}"
    if act.dtype == object or (not np.issubdtype(act.dtype, np.number) and act.dtype != bool):
        return f"{path} should be a numeric array, got dtype {act.dtype}"
    if act.shape != exp.shape:
        return f"{path} has shape {act.shape}, expected {exp.shape}"
    problem = dtype_problem(act, exp, path)
    if problem:
        return problem
    act = act.astype(np.float64)
    exp = exp.astype(np.float64)
    if _all_close_and_finite(act, exp, rtol, atol):
        return None
    with np.errstate(all="ignore"):  # |1e308 − (−1e308)| overflows: a mismatch, not a warning
        close = np.isclose(act, exp, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    bad = np.argwhere(~close)[0]
    idx = tuple(int(i) for i in bad)
    with np.errstate(all="ignore"):  # inf − inf: the error is described, never a warning
        err = np.abs(act - exp)
    err = np.where(np.isnan(err), np.inf, err)
    where = f"{path}[{', '.join(map(str, idx))}]" if idx else path
    return (
        f"{where} = {float(act[idx])!r}, expected {float(exp[idx])!r} "
        f"(max abs error {float(np.max(err)):.3g}, {int((~close).sum())} of {close.size} entries differ)"
    )


def _said(change: float) -> str:
    if change == 0:
        return "did not move"
    return f"went {'up' if change > 0 else 'down'} by {abs(change):.6g}"


def describe_change(change: float, expected: float) -> str:
    """A change ``new − old`` said the way a learner reads it, never as a bare signed difference.

    ``describe_change(0.316223, 0.1)`` → ``"went up by 0.316223 where it should go up by 0.1"``;
    the direction is a word and every number is a magnitude, so "moved by −0.3" (did it go down,
    or is that old − new?) cannot be misread.
    """
    if expected == 0:
        should = "where it should stay put"
    else:
        should = f"where it should go {'up' if expected > 0 else 'down'} by {abs(expected):.6g}"
    return f"{_said(change)} {should}"


def dtype_problem(act: np.ndarray, exp: np.ndarray, path: str = "output") -> str | None:
    """The dtype rule of the curriculum, for arrays (a Python number is converted as it is):
    outputs are float arrays unless said (``one_hot`` included: an int64 one-hot fails), index
    outputs (``top_k``) integer arrays. Float widths are not compared here (``embed`` and
    ``search`` state float32, and their own checks grade it)."""
    if not act.ndim:
        return None
    if exp.dtype.kind == "f" and act.dtype.kind != "f":
        return f"{path} should be a float array ({exp.dtype}), got {act.dtype}"
    if exp.dtype.kind in "iu" and act.dtype.kind not in "iu":
        return f"{path} should be an integer array ({exp.dtype}), got {act.dtype}"
    return None


def diagnose(actual: Any, case: Case) -> str:
    """Name the catalogued mistake(s) ``actual`` matches (all of them when several give the same
    output on this case), or return "" when none does."""
    matches = [
        m for m in case.mistakes if compare(actual, m["output"], case.rtol, case.atol) is None
    ]
    if not matches:
        return ""
    first = f"looks like: {matches[0]['name']}. Hint: {matches[0]['hint']}"
    others = "; ".join(m["name"] for m in matches[1:])
    return first + (f" (on this case it could also be: {others})" if others else "")


# -- running one case ---------------------------------------------------------------------------


#: the arrays each function returned last (a function reusing them between calls is caught)
_RETURNED = Returned()
#: (where, topic.function) whose call ran past the time limit: later cases of it are skipped
_TIMED_OUT: set[tuple[str, str]] = set()
#: (where, topic) whose file did not load: reported by its first case, later ones are skipped
_LOAD_REPORTED: set[tuple[str, str]] = set()


def forget_reported() -> None:
    """Start a new run: report load failures and timeouts afresh (``gradelab check`` calls this)."""
    _TIMED_OUT.clear()
    _LOAD_REPORTED.clear()
    _loading.forget_failures()


def fail(message: str, kind: str = "failed", printed: OutputHead | None = None) -> NoReturn:
    """Fail the case with ``message`` (no traceback), then what the learner's code printed.

    The exception carries ``kind`` (``failed``, ``timeout``, ``load``), ``problem`` (the message
    alone) and ``printed`` (the output block) for ``gradelab check``'s table.
    """
    shown = printed.render() if printed is not None else ""
    lines = printed.total if printed is not None else 0
    text = message
    if shown:
        text += f"\n  your code printed {lines} line{'s' if lines != 1 else ''}:\n{shown}"
    exc = pytest.fail.Exception(text, pytrace=False)
    exc.kind, exc.problem, exc.printed = kind, message, shown  # type: ignore[attr-defined]
    raise exc from None  # no "During handling of the above exception" chain


def skip(reason: str, kind: str) -> NoReturn:
    """Skip the case: ``not_implemented`` (an untouched stub), or ``load``/``timeout`` (a problem
    already reported by an earlier case of the same file or function)."""
    exc = pytest.skip.Exception(reason, _use_item_location=True)
    exc.kind = kind  # type: ignore[attr-defined]
    raise exc from None


def _load(case: Case, where: str) -> Any:
    try:
        return load_topic(case.topic, where)
    except LoadError as exc:
        if (where, case.topic) in _LOAD_REPORTED:
            skip(f"{case.topic}.py does not load (reported once, above)", "load")
        _LOAD_REPORTED.add((where, case.topic))
        fail(f"cannot load {case.topic}: {exc}", "load")


def _note_output(qual: str, case: Case, printed: OutputHead) -> None:
    """A passing case's prints go, cut short, to stdout, which pytest shows with ``-s``/``-rP``."""
    if printed.total:
        sys.stdout.write(
            f"{qual} ({case.id}) printed {printed.total} line(s):\n{printed.render()}\n"
        )


def run_case(case: Case, where: str | None = None) -> None:
    """Run ``case`` against the learner's code; fail with one line on any problem, skip when the
    function is not implemented yet (or a problem was already reported for it)."""
    where = where or target()
    qual = f"{case.topic}.{case.function}"
    label = f"{qual} ({case.note or case.id})"
    module = _load(case, where)
    if not hasattr(module, case.function):
        fail(f"{qual} is missing: define it in {case.topic}.py")
    if (where, qual) in _TIMED_OUT:
        skip(f"{qual} did not return on an earlier case (reported once, above)", "timeout")
    fn = getattr(module, case.function)
    try:
        args, kwargs = case.inputs()
    except ModuleNotFoundError as exc:
        fail(f"{label}: {describe_exception(exc, 'this case')}")
    given = Arguments.take(args, kwargs)  # every array and list they hold, nested ones too
    printed = OutputHead()
    not_implemented = fn is None
    actual = fn
    warned: list[str] = []
    if callable(fn):  # else a module-level value the learner fills in (e.g. a filter)
        seconds = timeout_seconds()
        try:
            with capture_output(printed), time_limit(seconds), recording() as warned:
                actual = fn(*args, **kwargs)
        except NotImplementedError:
            not_implemented = True
        except CallTimeout:
            _TIMED_OUT.add((where, qual))
            fail(
                f"{qual} did not return within {seconds:g} s ({case.note or case.id}): an "
                "infinite loop? (allow more with --timeout or GRADELAB_TIMEOUT)",
                "timeout",
                printed,
            )
        except Exception as exc:  # the learner's error, reported in one line
            fail(f"{label}: {describe_exception(exc, 'the call')}", printed=printed)
        except (pytest.fail.Exception, pytest.skip.Exception, pytest.exit.Exception):
            raise
        except KeyboardInterrupt as exc:  # the learner's or a Ctrl-C: the collector decides,
            exc.printed = printed.render()  # type: ignore[attr-defined]  # with the prints
            raise
        except BaseException as exc:  # exit(), sys.exit, a learner's own BaseException
            fail(f"{label}: {describe_exception(exc, 'the call')}", printed=printed)
    if not_implemented:  # outside the except block: no chained traceback
        skip(f"not implemented yet: {qual}", "not_implemented")
    impure = purity_problem(
        given.mutated(), given.aliased(actual), callable(fn) and _RETURNED.reused(qual, actual)
    )
    if impure:
        fail(f"{qual} {impure}", printed=printed)
    if case.check:
        problem = CHECKS[case.check](actual, args, kwargs, case.expected)
    else:
        problem = compare(actual, case.expected, case.rtol, case.atol)
        problem = problem or width_problem(actual, case.expected, qual)
    if problem:
        diagnosis = diagnose(actual, case) if not case.check else ""
        detail = f" — {diagnosis}" if diagnosis else ""
        fail(f"{label}: {problem}{detail}", printed=printed)
    problem = warning_problem(qual, warned)  # as grading holds it (exercises/tests/_warnings.py)
    if problem:
        fail(f"{label}: {problem}", printed=printed)
    _note_output(qual, case, printed)


def topic_params(topic: str) -> list[Any]:
    """``pytest.param`` per case of ``topic``, id ``<function>-<n>``, for ``parametrize``."""
    return [pytest.param(c, id=c.id) for c in load_cases(topic)]
