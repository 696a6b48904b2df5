"""Unique, stable names for the cases of a parametrized hidden test.

A hidden test is named ``<topic>.<function>: <check>`` (:attr:`TestOutcome.name`). A test
parametrized over more than the graded function (``test_clips_probabilities`` over three
``eps``) would give several outcomes that one name; each such outcome gets a *case* label made
from its parameters, the function's own parameter left out because the name already says it:
``losses.binary_cross_entropy: clips … any eps (eps=1e-12)``. Only names shared by several tests
get a label, so every other name stays as it was, and a label depends on the test's own
parameters, never on which tests, topics or functions a run selects. Values are written as
``repr`` for numbers, booleans and None and as themselves for strings; other values (arrays) are
left out, and a label that still collides gets ``#1``, ``#2``… in collection order.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

SCALARS = (bool, int, float, type(None))


def _value(value: Any) -> str | None:
    """A parameter value as the label shows it; None for values with no short readable form."""
    if isinstance(value, str):
        return value
    return repr(value) if isinstance(value, SCALARS) else None


def case_label(item: pytest.Item, function: str) -> str:
    """``name=value, …`` for the item's parameters but the graded function's own."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return ""
    shown = {
        k: _value(v)
        for k, v in callspec.params.items()
        if not (isinstance(v, str) and v == function)
    }
    return ", ".join(f"{k}={v}" for k, v in shown.items() if v is not None)


def case_labels(items: list[pytest.Item], name_of: dict[str, str]) -> dict[str, str]:
    """nodeid → case label, for the items whose name (``name_of[nodeid]``) others share."""
    shared = Counter(name_of[i.nodeid] for i in items if i.nodeid in name_of)
    labels: dict[str, str] = {}
    for item in items:
        name = name_of.get(item.nodeid)
        if name is None or shared[name] < 2:
            continue
        marker = item.get_closest_marker("graded")
        labels[item.nodeid] = case_label(item, marker.kwargs["function"] if marker else "")
    full = Counter((name_of[n], label) for n, label in labels.items())
    seen: Counter[tuple[str, str]] = Counter()
    for nodeid, label in labels.items():
        key = (name_of[nodeid], label)
        if full[key] > 1:  # parameters alone do not tell the cases apart
            seen[key] += 1
            labels[nodeid] = f"{label}, #{seen[key]}" if label else f"#{seen[key]}"
    return labels
