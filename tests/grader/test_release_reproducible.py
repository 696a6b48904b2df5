"""`gradelab release` is a fixed point: releasing twice gives the same bytes and leaves the
instructor's tree as committed, even though the reference's last bits vary with the CPU."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from exercises.tests._data import read_npz, write_npz
from grader.release.build import ROOT, _same_data, build_exercises

TOPICS = ["conv", "optimizers", "rnn", "activations"]  # the first three drifted by ~3.6e-15


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "exercises").rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the instructor's sources and released files."""
    for part in ("solutions", "exercises"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_release_twice_gives_identical_bytes_and_the_committed_files(tree: Path):
    before = _digests(tree)
    first = build_exercises(tree, TOPICS)
    after_first = _digests(tree)
    second = build_exercises(tree, TOPICS)
    assert _digests(tree) == after_first == before  # the tree a release leaves is the tree it got
    assert first.written == [] and second.written == []


def _perturb(path: Path, scale: float) -> None:
    """Change every float array of ``path`` by ``scale`` (relative), as another CPU would."""
    manifest, arrays = read_npz(path)
    changed = {
        k: a * (1 + scale) if np.issubdtype(a.dtype, np.floating) else a for k, a in arrays.items()
    }
    write_npz(path, manifest, changed)


def test_last_bit_differences_keep_the_existing_bytes(tree: Path):
    """Data computed on another machine (rounding ~1e-15) is not rewritten: the tree stays clean."""
    path = tree / "exercises" / "tests" / "data" / "conv.npz"
    _perturb(path, 4e-16)
    kept = path.read_bytes()
    report = build_exercises(tree, ["conv"])
    assert report.written == [] and path.read_bytes() == kept


def test_a_real_change_is_rewritten_and_check_reports_it(tree: Path):
    path = tree / "exercises" / "tests" / "data" / "conv.npz"
    reference = tree / "committed.npz"
    shutil.copyfile(path, reference)
    _perturb(path, 1e-6)
    assert build_exercises(tree, ["conv"], check=True).stale == ["exercises/tests/data/conv.npz"]
    report = build_exercises(tree, ["conv"])
    assert report.written == [path] and _same_data(path, reference)
