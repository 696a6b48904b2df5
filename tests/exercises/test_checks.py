"""``exercises/tests/_checks.py``: the public property checks fail what grading fails."""

from __future__ import annotations

import numpy as np

from exercises.tests._checks import check_partition


def test_a_partition_of_float_indices_fails_and_names_the_dtype():
    batches = [np.array([3, 0, 5, 1]), np.array([4, 2, 7, 6]), np.array([9, 8])]
    assert check_partition(batches, [10, 4], {}, None) is None
    floats = [b.astype(np.float64) for b in batches]
    assert check_partition(floats, [10, 4], {}, None) == (
        "batch 0 should be an integer index array, got float64"
    )
