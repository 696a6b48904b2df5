"""Freeze the public tests' expected outputs from the reference.

For every :class:`grader.cases.CaseSpec` of a topic, the reference (torch, float64, CPU) computes
the expected output and every catalogued mistake of that function computes its own; mistakes whose
output equals the expected one on that case are dropped (they cannot be told apart there).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np
import torch

from exercises.tests._data import (
    FORMAT_VERSION,
    HANDLES,
    Encoder,
    Handle,
    Index,
    Rng,
    decode,
    make_index,
    write_npz,
)
from exercises.tests._harness import compare
from grader.cases import CaseSpec, cases_for
from grader.misconceptions import catalogue


def to_reference(value: Any) -> Any:
    """NumPy-side case inputs → the reference's (tensors, torch generators, live handles)."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value, copy=True))
    if isinstance(value, Rng):
        return torch.Generator().manual_seed(value.seed)
    if isinstance(value, Handle):
        return HANDLES[value.name]()
    if isinstance(value, Index):
        return make_index(value.vectors)
    if isinstance(value, tuple):
        return tuple(to_reference(v) for v in value)
    if isinstance(value, list):
        return [to_reference(v) for v in value]
    if isinstance(value, dict):
        return {k: to_reference(v) for k, v in value.items()}
    return value


def from_reference(value: Any) -> Any:
    """Reference outputs → plain NumPy/Python values that can be stored."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, tuple):
        return tuple(from_reference(v) for v in value)
    if isinstance(value, list):
        return [from_reference(v) for v in value]
    if isinstance(value, dict):
        return {k: from_reference(v) for k, v in value.items()}
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, np.ndarray | np.generic):
        return value
    return None  # an object (e.g. a faiss index): only a property check can judge it


def _live(value: Any) -> Any:
    """What a learner's function receives for a stored input (fresh copies, live handles)."""
    enc = Encoder()
    return decode(enc(value), enc.arrays)


def freeze_case(topic: str, spec: CaseSpec, case_id: str, enc: Encoder) -> dict[str, Any]:
    """Run one case through the reference and the mistakes; return its manifest entry."""
    ref_fn = getattr(importlib.import_module(f"reference.{topic}"), spec.function)
    torch.manual_seed(0)
    if callable(ref_fn):
        expected = from_reference(ref_fn(*to_reference(spec.args), **to_reference(spec.kwargs)))
    else:  # a module-level value (e.g. HORIZONTAL_EDGE): the value itself is the expected output
        expected = from_reference(ref_fn)
    mistakes = []
    if spec.check is None:
        for m in catalogue(topic).get(f"{topic}.{spec.function}", []):
            try:
                with np.errstate(all="ignore"):
                    # a mistake about a module-level value is a zero-argument function
                    output = m.impl(*_live(spec.args), **_live(spec.kwargs))
            except Exception:
                continue
            output = from_reference(output)
            if compare(output, expected, spec.rtol, spec.atol) is not None:
                mistakes.append(
                    {"name": m.name, "hint": m.hint, "key": m.key, "output": enc(output)}
                )
    return {
        "id": case_id,
        "function": spec.function,
        "note": spec.note,
        "args": enc(list(spec.args)),
        "kwargs": {k: enc(v) for k, v in spec.kwargs.items()},
        "expected": enc(expected),
        "rtol": spec.rtol,
        "atol": spec.atol,
        "check": spec.check,
        "mistakes": mistakes,
    }


def freeze_topic(topic: str, data_dir: Path) -> Path | None:
    """Write ``data_dir/<topic>.npz``; return its path (None when the topic has no cases)."""
    specs = cases_for(topic)
    if not specs:
        return None
    enc = Encoder()
    counts: dict[str, int] = {}
    entries = []
    for spec in specs:
        n = counts.get(spec.function, 0)
        counts[spec.function] = n + 1
        entries.append(freeze_case(topic, spec, f"{spec.function}-{n}", enc))
    manifest = {"version": FORMAT_VERSION, "topic": topic, "cases": entries}
    path = data_dir / f"{topic}.npz"
    write_npz(path, manifest, enc.arrays)
    return path
