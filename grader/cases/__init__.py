"""Public test cases: a few fixed inputs per curriculum function, frozen at release time.

Each topic module ``grader/cases/<topic>.py`` defines ``CASES: list[CaseSpec]`` with :func:`case`.
``gradelab release`` runs every case through the reference (and through every catalogued mistake)
and stores inputs and outputs in ``exercises/tests/data/<topic>.npz`` for learners.

Inputs are NumPy arrays, Python scalars/strings/lists/tuples, or the markers from
``exercises.tests._data``: ``Rng(seed)`` for an ``rng`` argument, ``Handle(name)`` for an object
(the tiny embedder, a test function, an echoing ``generate``), ``Index(vectors)`` for a faiss index.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from exercises.tests._data import Handle, Index, Rng

__all__ = ["CaseSpec", "Handle", "Index", "Rng", "case", "cases_for"]


@dataclass(frozen=True)
class CaseSpec:
    """One public case: call ``function(*args, **kwargs)`` and compare with the reference."""

    function: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    rtol: float = 1e-6
    atol: float = 1e-9
    check: str | None = None  # a property check from exercises/tests/_checks.py


def case(
    function: str,
    *args: Any,
    note: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-9,
    check: str | None = None,
    **kwargs: Any,
) -> CaseSpec:
    """A public case for ``function``; ``note`` is shown to the learner when it fails."""
    return CaseSpec(function, args, kwargs, note, rtol, atol, check)


def cases_for(topic: str) -> list[CaseSpec]:
    """The cases of ``topic`` (empty when the topic has no case module yet)."""
    try:
        module = importlib.import_module(f"grader.cases.{topic}")
    except ModuleNotFoundError as exc:
        if exc.name == f"grader.cases.{topic}":
            return []
        raise
    return list(module.CASES)
