"""What every benchmark section shares: timing, the median-and-spread format, and a result row.

A section is a module with ``rows(args) -> list[Row]``; ``python -m bench`` runs the sections,
prints each row as it comes, and writes ``bench/RESULTS.md``. Targets are checked here, in the
benchmark, and never in unit tests: the machine is shared and noisy, so figures that compare two
things (ratios) are measured side by side in the same run.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    """One line of the results table."""

    section: str  # e.g. "reference vs torch", "RAG"
    what: str  # what was measured, with its size
    value: str  # the figure: median (min–max), see ``spread``
    target: str = ""  # e.g. "≤ 2×"; empty when the row only informs
    met: bool | None = None  # None when there is no target

    def __post_init__(self) -> None:
        # a NumPy comparison gives np.bool_, which `met is True` (the summary's count) misses
        if self.met is not None:
            self.met = bool(self.met)

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


def timed(
    cmd: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    ok: tuple[int, ...] = (0,),
) -> float:
    """Wall-clock seconds of one command, which must exit with a code in ``ok`` (a crashed run
    is not a figure)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def with_store(store: Path | str) -> dict[str, str]:
    """The environment of a grading subprocess whose replay recordings live in ``store``
    (``"off"``: in memory only; :mod:`grader.engine.recordings`), so that whether a figure had
    recordings from an earlier process is the benchmark's choice, not the machine's history."""
    return {**os.environ, "GRADELAB_REPLAY_CACHE": str(store)}


def one_core(cmd: list[str]) -> list[str]:
    """``cmd`` pinned to the first core (when ``taskset`` exists), for per-core figures."""
    return ["taskset", "-c", "0", *cmd] if shutil.which("taskset") else cmd
