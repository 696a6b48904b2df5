"""The worker's in-place-mutation check (``grader/sandbox/worker.py``): what counts as modified.

The worker runs as a plain script inside the sandbox (its folder on ``sys.path``), so it is
imported here the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

SANDBOX = Path(__file__).resolve().parents[3] / "grader" / "sandbox"


@pytest.fixture(scope="module")
def worker():
    sys.path.insert(0, str(SANDBOX))
    try:
        import worker as module

        yield module
    finally:
        sys.path.remove(str(SANDBOX))


def test_an_untouched_argument_is_unchanged(worker):
    x = np.arange(6.0).reshape(2, 3)
    assert worker._unchanged(x.copy(), x)


def test_nans_in_the_same_places_are_unchanged_whatever_their_bits(worker):
    """NaN equals NaN (``array_equal(equal_nan=True)``), even when the bits differ."""
    old = np.array([1.0, np.nan])
    new = old.copy()
    new.view(np.uint64)[1] ^= 1  # another NaN payload: different bytes, still NaN
    assert np.isnan(new[1]) and old.tobytes() != new.tobytes()
    assert worker._unchanged(old, new)


def test_a_zero_written_over_a_negative_zero_is_unchanged(worker):
    """Values are compared, as before the byte fast path: -0.0 == 0.0."""
    assert worker._unchanged(np.array([-0.0, 1.0]), np.array([0.0, 1.0]))


@pytest.mark.parametrize(
    "change",
    [
        lambda x: x.__setitem__(0, 5.0),  # a value
        lambda x: x.resize(2, refcheck=False),  # the shape
        lambda x: setattr(x, "dtype", np.int64),  # the same bytes read as another type
    ],
    ids=["value", "shape", "dtype"],
)
def test_a_modified_argument_is_caught(worker, change):
    x = np.array([1.0, 2.0, 4.0, 8.0])
    old = x.copy()
    change(x)
    assert not worker._unchanged(old, x)


def test_an_argument_replaced_by_a_non_array_is_modified(worker):
    assert not worker._unchanged(np.zeros(2), [0.0, 0.0])
