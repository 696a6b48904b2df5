"""The worker's purity checks (``grader/sandbox/worker.py``): what counts as an argument modified
in place, and as a result that is an argument or a view of one (not a new array).

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


@pytest.mark.parametrize(
    ("result", "named"),
    [
        (lambda x, w: x, ["#1"]),  # the argument itself
        (lambda x, w: x.reshape(-1), ["#1"]),  # a view
        (lambda x, w: (x.copy(), w[1:]), ["#2"]),  # inside a tuple, a slice of the second
        (lambda x, w: {"out": [x.T]}, ["#1"]),  # nested in a dict and a list
        (lambda x, w: x.copy(), []),  # a new array
        (lambda x, w: np.concatenate([x.ravel(), w]), []),  # new, from both
        (lambda x, w: 3.0, []),
    ],
    ids=["itself", "reshape", "tuple-slice", "nested-transpose", "copy", "new", "number"],
)
def test_a_result_sharing_an_arguments_memory_is_aliased(worker, result, named):
    x, w = np.arange(6.0).reshape(2, 3), np.ones(4)
    given = [("#1", x), ("#2", w)]
    assert worker._aliased(result(x, w), given) == named


def test_a_torch_tensor_viewing_an_argument_is_aliased(worker):
    torch = pytest.importorskip("torch")
    x = np.arange(4.0)
    assert worker._aliased(torch.from_numpy(x), [("x", x)]) == ["x"]
    assert worker._aliased(torch.from_numpy(x.copy()), [("x", x)]) == []
