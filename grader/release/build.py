"""Regenerate (or check) everything ``exercises/`` derives from the instructor's sources."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from exercises.tests._data import read_npz
from grader.release.freeze import freeze_topic
from grader.release.strip import strip_solutions
from grader.topics import check_topics
from reference import TOPICS

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ReleaseReport:
    """What a release wrote, or (with ``check``) what is out of date."""

    written: list[Path] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


def _topics(root: Path, topics: list[str] | None) -> list[str]:
    if topics:
        return check_topics(topics)
    return [t for t in TOPICS if (root / "solutions" / f"{t}.py").exists()]


def build_exercises(
    root: Path = ROOT, topics: list[str] | None = None, *, check: bool = False
) -> ReleaseReport:
    """Write ``exercises/<topic>.py`` and ``exercises/tests/data/<topic>.npz`` for each topic.

    A file is rewritten only when its content changes: stubs byte for byte, data beyond 1e-12
    relative (:func:`_same_data`). The reference's last bits depend on the CPU (torch and NumPy
    pick SIMD kernels at run time, AVX-512 and AVX2 round differently, ~1e-15), so a release on
    another machine would otherwise rewrite the data with no real change and dirty the tree;
    keeping the existing bytes makes the frozen data a fixed point: release twice, same bytes.

    With ``check`` nothing is written: the report lists every file a release would rewrite.
    """
    report = ReleaseReport()
    for topic in _topics(root, topics):
        source = (root / "solutions" / f"{topic}.py").read_text(encoding="utf-8")
        stub = strip_solutions(source, topic)
        stub_path = root / "exercises" / f"{topic}.py"
        if not stub_path.exists() or stub_path.read_text(encoding="utf-8") != stub:
            if check:
                report.stale.append(f"exercises/{topic}.py")
            else:
                stub_path.write_text(stub, encoding="utf-8")
                report.written.append(stub_path)
        data_path = root / "exercises" / "tests" / "data" / f"{topic}.npz"
        with tempfile.TemporaryDirectory() as tmp:
            fresh = freeze_topic(topic, Path(tmp))
            if fresh is None or _same_data(fresh, data_path):
                continue
            if check:
                report.stale.append(f"exercises/tests/data/{topic}.npz")
            else:
                data_path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(fresh, data_path)
                report.written.append(data_path)
    return report


def _same_data(fresh: Path, current: Path) -> bool:
    if not current.exists():
        return False
    new_manifest, new_arrays = read_npz(fresh)
    old_manifest, old_arrays = read_npz(current)
    if new_manifest != old_manifest or set(new_arrays) != set(old_arrays):
        return False
    for key, new in new_arrays.items():
        old = old_arrays[key]
        if new.shape != old.shape or new.dtype != old.dtype:
            return False
        if np.issubdtype(new.dtype, np.floating):
            if not _close_for_dtype(new, old):
                return False
        elif not np.array_equal(new, old):
            return False
    return True


def _close_for_dtype(new: np.ndarray, old: np.ndarray) -> bool:
    """Equal up to what the dtype's rounding explains: float64 within 1e-12 relative; a
    lower-precision array within 8 units of its last place, normwise (float32 kernels round
    differently on another CPU: the tiny embedder's float32 rows moved by one ulp on AVX-512).

    rtol = max(1e-12, 8·eps), atol = 1e-300 for float64, else rtol·max|old|."""
    eps = float(np.finfo(new.dtype).eps)
    rtol = max(1e-12, 8 * eps)
    atol = 1e-300 if eps < 1e-12 else rtol * float(np.max(np.abs(old), initial=0.0))
    return bool(np.allclose(new, old, rtol=rtol, atol=atol, equal_nan=True))
