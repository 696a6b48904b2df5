"""What hidden tests assert with: reference calls, dtype-aware comparison, named diagnoses.

``expect_close(actual, expected, learner)`` compares the learner's last result with the
reference's; on a mismatch it runs every catalogued mistake of that function on the same inputs
(in the trusted process: the catalogue is ours) and names the one that matches.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from exercises.tests._handles import build as build_handle
from exercises.tests._harness import compare

# WARNING_FREE is re-exported: grader/hidden/test_activations.py names it here in a comment
# inside a test function, whose source seeds hypothesis (editing it would draw other examples)
from exercises.tests._warnings import WARNING_FREE  # noqa: F401
from exercises.tests._warnings import warning_problem as stated_warning_problem
from exercises.tests._widths import width_problem
from grader.engine import answers
from grader.engine.containers import map_leaves
from grader.engine.proxy import CallRecord, LearnerProxy
from grader.misconceptions import Mistake, catalogue
from grader.sandbox.channel import HandleRef, RemoteRef
from grader.suites import looks_like

#: (rtol, atol) by the precision the reference computed in. float64 answers are held to float64
#: work: any float64 formula (another order of sums, ``expit``, torch) agrees with the reference
#: to ~1e-13, and an answer computed in float32 and cast back (right dtype, float32 digits: an
#: audit's ``weighted_sum``, ``adam_step``, ``conv2d`` kept full marks under 1e-6) is ~1e-7 off.
TOLERANCES: dict[np.dtype, tuple[float, float]] = {
    np.dtype(np.float64): (1e-9, 1e-11),
    np.dtype(np.float32): (1e-4, 1e-5),
    np.dtype(np.float16): (1e-2, 1e-3),
}


class Mismatch(AssertionError):
    """The learner's output differs from the reference; ``diagnosis`` names a known mistake.

    The diagnosis is given, or found on first use (``diagnose`` returns the matching mistakes,
    best first; :func:`expect_close` passes one): matching the catalogue costs every mistake's
    implementation and confirming a match costs learner calls, and hypothesis raises a Mismatch
    at every failing step of its shrinking, of which it reports only the last. Reading
    ``diagnosis`` or the message (``str``) finds it, once; if finding it fails, the message stays
    the bare problem and there is no diagnosis.
    """

    def __init__(
        self,
        message: str,
        diagnosis: Mistake | None = None,
        *,
        diagnose: Callable[[], list[Mistake]] | None = None,
    ) -> None:
        super().__init__(message)
        self._diagnosis = diagnosis
        self._diagnose = diagnose

    def _resolve(self) -> None:
        find, self._diagnose = self._diagnose, None
        if find is None:
            return
        try:
            matches = find()
        except Exception:  # a broken diagnosis never hides the mismatch itself
            return
        self._diagnosis = matches[0] if matches else None
        self.args = (looks_like(str(self.args[0]), matches),)

    @property
    def diagnosis(self) -> Mistake | None:
        self._resolve()
        return self._diagnosis

    def __str__(self) -> str:
        self._resolve()
        return super().__str__()


def to_numpy(value: Any) -> Any:
    """Reference outputs (tensors, nested) → NumPy/Python values."""
    return map_leaves(value, _leaf_to_numpy, same_type=True)


def _leaf_to_numpy(value: Any) -> Any:
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value


def to_torch(value: Any) -> Any:
    """Test inputs (NumPy, nested) → what the reference takes."""
    return map_leaves(value, _leaf_to_torch, same_type=True)


def _leaf_to_torch(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value, copy=True))
    return value


def reference(topic: str, function: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``reference.<topic>.<function>`` on NumPy inputs; the result as NumPy (computed once
    per process for each input: :mod:`grader.engine.answers`)."""

    def compute() -> Any:
        fn = getattr(importlib.import_module(f"reference.{topic}"), function)
        return to_numpy(fn(*to_torch(args), **to_torch(kwargs)))

    return answers.cached(topic, function, args, kwargs, compute)


def _dtype_of(value: Any) -> np.dtype:
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.dtype
    if isinstance(value, tuple | list) and value:
        return min((_dtype_of(v) for v in value), key=lambda d: d.itemsize)
    return np.dtype(np.float64)


def tolerance_for(expected: Any) -> tuple[float, float]:
    return TOLERANCES.get(_dtype_of(expected), TOLERANCES[np.dtype(np.float64)])


class _Unrebuildable(Exception):
    """An input that only exists in the worker (an object the learner's code returned)."""


def _rebuild(value: Any) -> Any:
    """A trusted-side copy of a recorded input: handles are built afresh (they are ours)."""
    return map_leaves(value, _rebuild_leaf)


def _rebuild_leaf(value: Any) -> Any:
    if isinstance(value, RemoteRef):
        raise _Unrebuildable
    if isinstance(value, HandleRef):
        return build_handle(value.name)
    return copy.deepcopy(value)


def _live_inputs(record: CallRecord) -> tuple[list[Any], dict[str, Any]] | None:
    """The recorded inputs as a mistake implementation can take them (None if it can't)."""
    try:
        return _rebuild(record.args), _rebuild(record.kwargs)
    except _Unrebuildable:
        return None


def diagnose(
    actual: Any,
    record: CallRecord,
    rtol: float,
    atol: float,
    learner: LearnerProxy | None = None,
) -> Mistake | None:
    """The first catalogued mistake of ``record``'s function whose output matches ``actual``
    (and, given the ``learner``, the learner's outputs on more inputs: see :func:`confirm`)."""
    matches = diagnose_all(actual, record, rtol, atol)
    if learner is not None:
        matches = confirm(matches, record, learner, rtol, atol)
    return matches[0] if matches else None


#: how :func:`variants` changes the failing input's float arrays: times a factor in [0.5, 1.5]
#: (zeros and signs kept), plus positive and minus positive noise (a zero moves off a kink to
#: either side), twice as many rows (batch-first arrays), twice as many columns (arrays sharing
#: the last axis)
VARIATIONS = ("scale", "up", "down", "grow", "widen")


def _vary(value: Any, how: str, rng: np.random.Generator, size: int | None, top: bool) -> Any:
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size:
        if how == "scale":
            return value * rng.uniform(0.5, 1.5, value.shape).astype(value.dtype)
        if how in ("up", "down"):
            step = np.abs(rng.normal(0.0, 0.5, value.shape)) + 0.05
            return value + (step if how == "up" else -step).astype(value.dtype)
        axis = 0 if how == "grow" else -1
        if top and value.ndim and value.shape[axis] == size:
            more = value * rng.uniform(0.5, 1.5, value.shape).astype(value.dtype)
            return np.concatenate([value, more], axis=axis)
        return value
    if isinstance(value, list | tuple):
        return type(value)(_vary(v, how, rng, size, False) for v in value)
    if isinstance(value, dict):
        return {k: _vary(v, how, rng, size, top) for k, v in value.items()}
    return value


def _floats(value: Any) -> list[np.ndarray]:
    if isinstance(value, np.ndarray):
        return [value] if value.dtype.kind == "f" and value.size else []
    if isinstance(value, list | tuple):
        return [a for v in value for a in _floats(v)]
    if isinstance(value, dict):
        return [a for v in value.values() for a in _floats(v)]
    return []


def _bump(value: Any, which: int, seen: list[int]) -> Any:
    """Integers (``which``: the one at that position, or every one (None)) + 1, texts with a word
    more, lists of texts with one item more; nested containers too."""
    if isinstance(value, int) and not isinstance(value, bool):
        seen.append(1)
        return value + 1 if which is None or len(seen) - 1 == which else value
    if isinstance(value, str):
        return value + " more" if which is None else value
    if isinstance(value, list | tuple):
        out = [_bump(v, which, seen) for v in value]
        if (
            which is None
            and isinstance(value, list)
            and value
            and all(isinstance(v, str) for v in value)
        ):
            out.append(value[0] + " again")
        return type(value)(out)
    return value


def variants(args: list[Any], kwargs: dict[str, Any]) -> list[tuple[list[Any], dict[str, Any]]]:
    """A few more inputs like the failing one (same seed every time: same grade, same feedback),
    on which a mistake that only agrees by accident with the learner's output stops agreeing.

    Float arrays are varied (:data:`VARIATIONS`); a call without any (sizes, texts, rankings)
    gets each of its first 6 integers + 1 in turn, then all of them and its texts a word more."""
    rng = np.random.default_rng(1234)
    values = [*args, *kwargs.values()]
    floats = _floats(values)
    if floats:
        top = [v for v in values if isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.ndim]
        sizes = {
            "grow": int(top[0].shape[0]) if top else None,
            "widen": int(top[0].shape[-1]) if top else None,
        }
        return [
            (
                [_vary(a, how, rng, sizes.get(how), True) for a in args],
                {k: _vary(v, how, rng, sizes.get(how), True) for k, v in kwargs.items()},
            )
            for how in VARIATIONS
        ]
    count: list[int] = []
    _bump(values, None, count)
    out = []
    for which in (*range(min(len(count), 6)), None):
        seen: list[int] = []
        new_args = [_bump(a, which, seen) for a in args]
        new = (new_args, {k: _bump(v, which, seen) for k, v in kwargs.items()})
        if repr(new) != repr((list(args), dict(kwargs))) and repr(new) not in map(repr, out):
            out.append(new)  # only inputs that differ from the failing one say anything
    return out


def confirm(
    matches: list[Mistake], record: CallRecord, learner: LearnerProxy, rtol: float, atol: float
) -> list[Mistake]:
    """The mistakes of ``matches`` that reproduce the learner's output on :func:`variants` of
    the failing input too (inputs drawn here, in the trusted process; the learner is asked
    through the sandbox). A small failing input makes different mistakes agree (on shape (1, 2)
    a softmax ignoring ``axis`` looks normalised over the whole array); a name is given only
    when the mistake keeps agreeing, and on at least one more input."""
    if not matches:
        return []
    if not record.args and not record.kwargs:  # a module-level value: one input, all of it seen
        return matches
    kept = {m.key: 0 for m in matches}
    for args, kwargs in variants(record.args, record.kwargs):
        ok, got = learner.try_call(record.topic, record.function, args, kwargs)
        for m in matches:
            if m.key not in kept:
                continue
            try:
                with np.errstate(all="ignore"):
                    theirs = to_numpy(m.impl(*_rebuild(args), **_rebuild(kwargs)))
                m_ok = True
            except Exception:
                m_ok = False
            if not ok and not m_ok:
                continue  # an input neither accepts says nothing
            if ok != m_ok or compare(got, theirs, rtol, atol) is not None:
                del kept[m.key]
            else:
                kept[m.key] += 1
    return [m for m in matches if kept.get(m.key, 0) > 0]


def diagnose_all(actual: Any, record: CallRecord, rtol: float, atol: float) -> list[Mistake]:
    """Every catalogued mistake of ``record``'s function whose output matches ``actual`` on the
    failing input (unconfirmed: :func:`confirm` checks them on more inputs)."""
    target = f"{record.topic}.{record.function}"
    matches = []
    for mistake in catalogue(record.topic).get(target, []):
        inputs = _live_inputs(record)
        if inputs is None:
            return []
        try:
            with np.errstate(all="ignore"):
                out = to_numpy(mistake.impl(*inputs[0], **inputs[1]))
        except Exception:
            continue
        if compare(actual, out, rtol, atol) is None:
            matches.append(mistake)
    return matches


def expect_close(
    actual: Any,
    expected: Any,
    learner: LearnerProxy,
    *,
    rtol: float | None = None,
    atol: float | None = None,
) -> None:
    """Assert the learner's last result ``actual`` matches the reference's ``expected``."""
    expected = to_numpy(expected)
    default_rtol, default_atol = tolerance_for(expected)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    problem = compare(actual, expected, rtol, atol)
    record = learner.session.calls[-1] if learner.session.calls else None
    if record is not None:
        narrow = width_problem(actual, expected, f"{record.topic}.{record.function}")
        if narrow is not None and (problem is None or _right_at_float32(actual, expected)):
            raise Mismatch(narrow)  # the right values in a narrower width: say so, not "differ"
    if problem is None:
        warned = warning_problem(record)
        if warned:
            raise Mismatch(warned)
        return
    if record is None:
        raise Mismatch(problem)

    def find() -> list[Mistake]:  # when the failure is reported (see Mismatch)
        matches = diagnose_all(actual, record, rtol, atol)
        return confirm(matches, record, learner, rtol, atol) if matches else []

    raise Mismatch(problem, diagnose=find)


def _right_at_float32(actual: Any, expected: Any) -> bool:
    """Do ``actual``'s values match ``expected`` at float32's tolerance (a float32 answer, or one
    computed in float32: its width, not its values, is what is wrong)?"""
    return compare(actual, expected, *TOLERANCES[np.dtype(np.float32)]) is None


def warning_problem(record: CallRecord | None) -> str | None:
    """Why the call fails for the warnings it raised (None when it may warn, or did not): the
    rule and message ``gradelab check`` uses (:mod:`exercises.tests._warnings`)."""
    if record is None:
        return None
    return stated_warning_problem(f"{record.topic}.{record.function}", record.warnings)


def describe(value: Any, limit: int = 24) -> str:
    """A short, readable rendering of an input for feedback."""
    if isinstance(value, np.ndarray):
        head = f"{value.dtype} array of shape {value.shape}"
        if value.size <= limit:
            return f"{head}: {np.array2string(value, precision=6, separator=', ', threshold=limit)}"
        finite = value[np.isfinite(value)] if value.dtype.kind == "f" else value
        span = f" in [{finite.min():.4g}, {finite.max():.4g}]" if finite.size else ""
        return head + span
    if isinstance(value, HandleRef):
        return f"<{value.name}>"
    if isinstance(value, RemoteRef):
        return "<object your code returned earlier>"
    if isinstance(value, list | tuple):
        inner = ", ".join(describe(v, limit) for v in value[:6])
        more = ", ..." if len(value) > 6 else ""
        return f"[{inner}{more}]" if isinstance(value, list) else f"({inner}{more})"
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def describe_call(record: CallRecord) -> str:
    parts = [describe(a) for a in record.args] + [
        f"{k}={describe(v)}" for k, v in record.kwargs.items()
    ]
    return f"{record.topic}.{record.function}(" + ", ".join(parts) + ")"
