"""``exercises/tests/_widths.py``: the output widths the curriculum states — float64 unless a
docstring says otherwise, float32 where it does (embed, search), int64 indices where it does
(top_k, search) — and nothing else about widths."""

from __future__ import annotations

import numpy as np
import pytest

from exercises.tests._harness import compare
from exercises.tests._widths import STATED_FLOAT32, STATED_INT64, width_problem


def test_a_float64_answer_fails_a_narrower_float_and_a_narrower_answer_takes_any_float():
    """A float32 one-hot or optimizer step for float64 inputs fails; float32 inputs' answers may
    come back in either width."""
    expected = np.eye(3)[[0, 2]]  # float64, as one_hot's
    for narrow in (np.float32, np.float16):
        problem = width_problem(expected.astype(narrow), expected, "losses.one_hot")
        assert problem is not None and "should be a float64 array" in problem
        assert compare(expected.astype(narrow), expected, 1e-6, 1e-8) is None  # values: right
    step = (np.ones(2), np.zeros(2, dtype=np.float32))  # a tuple: its second item narrowed
    assert "output[1] should be a float64" in width_problem(step, (np.ones(2), np.zeros(2)), "x.y")
    assert width_problem(expected.copy(), expected, "losses.one_hot") is None
    expected32 = expected.astype(np.float32)
    assert width_problem(expected32.copy(), expected32, "losses.one_hot") is None
    assert width_problem(expected.copy(), expected32, "losses.one_hot") is None
    assert width_problem(np.float32(1.0), np.float64(1.0), "losses.mse") is None  # a number


@pytest.mark.parametrize("function", sorted(STATED_FLOAT32))
def test_a_function_stating_float32_returns_float32_whatever_the_inputs_width(function):
    """An audit's search returning float64 scores kept full marks: the docstring says float32."""
    for expected in (np.ones(3, dtype=np.float32), np.ones(3)):
        assert width_problem(np.ones(3, dtype=np.float32), expected, function) is None
        problem = width_problem(np.ones(3), expected, function)
        assert problem is not None and "should be a float32 array" in problem


@pytest.mark.parametrize("function", sorted(STATED_INT64))
def test_a_function_stating_int64_indices_returns_int64(function):
    """An audit's top_k and search returning int32 ids kept full marks: the docstrings say int64."""
    ids = np.array([[2, 0, 1]])
    answer = (ids, np.ones((1, 3), dtype=np.float32))
    got = (ids.astype(np.int32), np.ones((1, 3), dtype=np.float32))
    problem = width_problem(got, answer, function)
    assert problem is not None and "output[0] should be an int64 array" in problem
    assert width_problem(answer, answer, function) is None


def test_an_unstated_integer_width_is_left_alone():
    """Only stated widths are graded: "index outputs are integer arrays" says no width."""
    ids = np.arange(4)
    assert width_problem(ids.astype(np.int32), ids, "training.minibatch_indices") is None
