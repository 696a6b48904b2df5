"""What every benchmark section shares: timing, the median-and-spread format, and a result row.

A section is a module with ``rows(args) -> list[Row]``; ``python -m bench`` runs the sections,
prints each row as it comes, and writes ``bench/RESULTS.md``. Targets are checked here, in the
benchmark, and never in unit tests: the machine is shared and noisy, so figures that compare two
things (ratios) are measured side by side in the same run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class Row:
    """One line of the results table."""

    section: str  # e.g. "reference vs torch", "RAG"
    what: str  # what was measured, with its size
    value: str  # the figure: median (min–max), see ``spread``
    target: str = ""  # e.g. "≤ 2×"; empty when the row only informs
    met: bool | None = None  # None when there is no target

    @property
    def mark(self) -> str:
        return "" if self.met is None else ("✓" if self.met else "✗")


def timeit(fn: Callable[[], object], repeat: int, warmup: int = 1) -> list[float]:
    """Seconds per call of ``fn``, ``repeat`` times, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def spread(values: Sequence[float], unit: str = "s", digits: int = 2, scale: float = 1.0) -> str:
    """``median (min–max) unit``, each value multiplied by ``scale`` (1e3 for ms)."""
    v = [x * scale for x in values]
    return f"{statistics.median(v):.{digits}f} {unit} ({min(v):.{digits}f}–{max(v):.{digits}f})".replace(
        "  ", " "
    ).rstrip()


def ratio_spread(numerators: Sequence[float], denominators: Sequence[float]) -> tuple[float, str]:
    """Pairwise ratios of runs taken side by side: (median, ``median× (min–max)``)."""
    ratios = [a / b for a, b in zip(numerators, denominators, strict=True)]
    median = statistics.median(ratios)
    return median, f"{median:.2f}× ({min(ratios):.2f}–{max(ratios):.2f})"
