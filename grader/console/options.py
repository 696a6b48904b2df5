"""The value types of the CLI's numeric options, one checker per kind of number.

Every command declares a numeric option with one of these as its typer ``parser``, so a value out
of range is refused where it is typed, naming the option (``Invalid value for '--jobs': must be a
whole number ≥ 1, got -3``, exit 2; :mod:`grader.console.errors` prints it as one line) instead of
being carried into the settings: a ``--test-budget -1`` once failed every test of the class with
the reason ``budget`` and exit 0.
"""

from __future__ import annotations

import math
from typing import Any

import typer


def _number(value: Any, wanted: str) -> float:
    """``value`` (the typed text, or a default) as a finite number; refused otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise typer.BadParameter(f"must be {wanted}, got {value!r}") from None
    if not math.isfinite(number):
        raise typer.BadParameter(f"must be {wanted}, got {value!r}")
    return number


def at_least_one(value: Any) -> int:
    """A count: a whole number ≥ 1 (``--jobs``, ``--max-examples``)."""
    wanted = "a whole number ≥ 1"
    number = _number(value, wanted)
    if number != int(number) or number < 1:
        raise typer.BadParameter(f"must be {wanted}, got {value}")
    return int(number)


def seconds(value: Any) -> float:
    """A duration: seconds > 0 (``--test-budget``, ``--submission-budget``, ``--cluster-timeout``)."""
    wanted = "a number of seconds > 0"
    number = _number(value, wanted)
    if number <= 0:
        raise typer.BadParameter(f"must be {wanted}, got {value}")
    return number


def share(value: Any) -> float:
    """A share of a whole: more than 0, at most 1 (``similarity --threshold``)."""
    wanted = "a share more than 0 and at most 1"
    number = _number(value, wanted)
    if not 0 < number <= 1:
        raise typer.BadParameter(f"must be {wanted}, got {value}")
    return number
