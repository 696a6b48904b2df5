"""What hidden tests assert with: reference calls, dtype-aware comparison, named diagnoses.

``expect_close(actual, expected, learner)`` compares the learner's last result with the
reference's; on a mismatch it runs every catalogued mistake of that function on the same inputs
(in the trusted process: the catalogue is ours) and names the one that matches.
"""

from __future__ import annotations

import copy
import importlib
from typing import Any

import numpy as np
import torch

from exercises.tests._handles import build as build_handle
from exercises.tests._harness import compare
from grader.engine.proxy import CallRecord, LearnerProxy
from grader.misconceptions import Mistake, catalogue
from grader.sandbox.channel import HandleRef, RemoteRef

#: (rtol, atol) by the precision the reference computed in.
TOLERANCES: dict[np.dtype, tuple[float, float]] = {
    np.dtype(np.float64): (1e-6, 1e-8),
    np.dtype(np.float32): (1e-4, 1e-5),
    np.dtype(np.float16): (1e-2, 1e-3),
}


#: functions whose docstring or the curriculum says they must not overflow or warn for inputs in
#: [−1000, 1000]: a warning raised in such a call (the worker records them) fails the check even
#: when the values are right (``tests/grader/test_stated_requirements.py`` keeps this in step
#: with the docstrings)
WARNING_FREE: frozenset[str] = frozenset(
    {
        "activations.sigmoid",
        "activations.tanh",
        "activations.elu",
        "activations.softmax",
        "losses.binary_cross_entropy",
        "losses.categorical_cross_entropy",
    }
)


class Mismatch(AssertionError):
    """The learner's output differs from the reference; ``diagnosis`` names a known mistake."""

    def __init__(self, message: str, diagnosis: Mistake | None = None) -> None:
        super().__init__(message)
        self.diagnosis = diagnosis


def to_numpy(value: Any) -> Any:
    """Reference outputs (tensors, nested) → NumPy/Python values."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, tuple | list):
        return type(value)(to_numpy(v) for v in value)
    if isinstance(value, dict):
        return {k: to_numpy(v) for k, v in value.items()}
    return value


def to_torch(value: Any) -> Any:
    """Test inputs (NumPy, nested) → what the reference takes."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value, copy=True))
    if isinstance(value, tuple | list):
        return type(value)(to_torch(v) for v in value)
    if isinstance(value, dict):
        return {k: to_torch(v) for k, v in value.items()}
    return value


def reference(topic: str, function: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``reference.<topic>.<function>`` on NumPy inputs; the result as NumPy."""
    fn = getattr(importlib.import_module(f"reference.{topic}"), function)
    return to_numpy(fn(*to_torch(args), **to_torch(kwargs)))


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
    if isinstance(value, RemoteRef):
        raise _Unrebuildable
    if isinstance(value, HandleRef):
        return build_handle(value.name)
    if isinstance(value, list):
        return [_rebuild(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_rebuild(v) for v in value)
    if isinstance(value, dict):
        return {k: _rebuild(v) for k, v in value.items()}
    return copy.deepcopy(value)


def _live_inputs(record: CallRecord) -> tuple[list[Any], dict[str, Any]] | None:
    """The recorded inputs as a mistake implementation can take them (None if it can't)."""
    try:
        return _rebuild(record.args), _rebuild(record.kwargs)
    except _Unrebuildable:
        return None


def diagnose(actual: Any, record: CallRecord, rtol: float, atol: float) -> Mistake | None:
    """The first catalogued mistake of ``record``'s function whose output matches ``actual``."""
    matches = diagnose_all(actual, record, rtol, atol)
    return matches[0] if matches else None


def diagnose_all(actual: Any, record: CallRecord, rtol: float, atol: float) -> list[Mistake]:
    """Every catalogued mistake of ``record``'s function whose output matches ``actual``."""
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
    if problem is None:
        warned = warning_problem(record)
        if warned:
            raise Mismatch(warned)
        return
    matches = diagnose_all(actual, record, rtol, atol) if record else []
    message = problem
    if matches:
        message += f" — looks like: {matches[0].name}. Hint: {matches[0].hint}"
        if len(matches) > 1:
            message += (
                f" (on this input it could also be: {'; '.join(m.name for m in matches[1:])})"
            )
    raise Mismatch(message, matches[0] if matches else None)


def warning_problem(record: CallRecord | None) -> str | None:
    """Why the call fails for the warnings it raised (None when it may warn, or did not)."""
    if record is None or not record.warnings:
        return None
    if f"{record.topic}.{record.function}" not in WARNING_FREE:
        return None
    return (
        f"the values are right, but the call warned ({record.warnings[0]}): "
        f"{record.topic}.{record.function} must not overflow or warn for inputs in [-1000, 1000]"
    )


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
