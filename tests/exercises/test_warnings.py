"""``exercises/tests/_warnings.py``: the warnings of one call are recorded whatever the caller's
NumPy error state and warning filters, and only the listed functions fail for them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from exercises.tests._warnings import (
    MAX_KEPT,
    WARNING_FREE,
    recording_warnings,
    warning_problem,
)


def test_an_overflow_is_recorded_even_where_the_caller_ignores_or_raises_numpy_errors():
    for outer in ("ignore", "raise"):
        with np.errstate(all=outer), warnings.catch_warnings():
            warnings.simplefilter("error")  # a test run's filterwarnings = error::RuntimeWarning
            with recording_warnings() as warned:
                out = np.exp(np.array([1000.0]))
            assert out[0] == np.inf
            assert warned == ["RuntimeWarning: overflow encountered in exp"]


def test_the_callers_state_is_back_after_the_block():
    with np.errstate(all="ignore"):
        with recording_warnings():
            pass
        assert np.geterr()["over"] == "ignore"


def test_at_most_max_kept_warnings_are_kept_each_cut_short():
    with recording_warnings() as warned:
        for i in range(MAX_KEPT + 3):
            warnings.warn(f"warning {i} " + "x" * 1000, RuntimeWarning, stacklevel=1)
    assert len(warned) == MAX_KEPT
    assert all(len(w) <= 300 for w in warned)
    assert warned[0].startswith("RuntimeWarning: warning 0 ")


@pytest.mark.parametrize("function", sorted(WARNING_FREE))
def test_a_listed_function_that_warned_fails_with_its_name_and_the_first_warning(function):
    problem = warning_problem(function, ["RuntimeWarning: overflow encountered in exp", "other"])
    assert problem is not None
    assert "overflow encountered in exp" in problem and "other" not in problem
    assert f"{function} must not overflow or warn" in problem


def test_an_unlisted_function_or_a_quiet_call_never_fails_for_warnings():
    assert warning_problem("activations.relu", ["RuntimeWarning: invalid value"]) is None
    assert warning_problem("activations.sigmoid", []) is None
