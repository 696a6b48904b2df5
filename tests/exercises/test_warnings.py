"""``exercises/tests/_warnings.py``: only the listed functions fail for the warnings a call
raised, with the function's name and the first warning in the message."""

from __future__ import annotations

import pytest

from exercises.tests._warnings import WARNING_FREE, warning_problem


@pytest.mark.parametrize("function", sorted(WARNING_FREE))
def test_a_listed_function_that_warned_fails_with_its_name_and_the_first_warning(function):
    problem = warning_problem(function, ["RuntimeWarning: overflow encountered in exp", "other"])
    assert problem is not None
    assert "overflow encountered in exp" in problem and "other" not in problem
    assert f"{function} must not overflow or warn" in problem


def test_an_unlisted_function_or_a_quiet_call_never_fails_for_warnings():
    assert warning_problem("activations.relu", ["RuntimeWarning: invalid value"]) is None
    assert warning_problem("activations.sigmoid", []) is None
