"""``exercises/tests/_harness.py``: ``compare``'s fast path agrees with ``np.isclose`` exactly, and
its messages name what went wrong (items returned in the wrong order)."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from exercises.tests._harness import _all_close_and_finite, compare

#: every kind of float64 the fast path must hand over to np.isclose or decide the same way
_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-2.0, 2.0),
    st.sampled_from([0.0, -0.0, 1e-300, 5e-324, 1.7e308, -1.7e308]),
)
_TOLERANCES = st.sampled_from([(1e-6, 1e-8), (1e-4, 1e-5), (1e-2, 1e-3), (0.0, 0.0)])


@st.composite
def _pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    shape = draw(st.sampled_from([(), (1,), (3,), (2, 3)]))
    exp = draw(arrays(np.float64, shape, elements=_FLOATS))
    noise = draw(arrays(np.float64, shape, elements=st.sampled_from([0.0, 1e-12, 1e-7, 1e-3, 1.0])))
    other = draw(arrays(np.float64, shape, elements=_FLOATS))  # unrelated: infinities vs finite
    with np.errstate(all="ignore"):
        act = draw(st.sampled_from([exp + noise * exp, exp + noise, exp.copy(), other]))
    return act, exp


@settings(max_examples=400, deadline=None)
@given(_pairs(), _TOLERANCES)
def test_the_fast_path_says_all_close_exactly_when_np_isclose_does_on_finite_inputs(pair, tol):
    act, exp = pair
    rtol, atol = tol
    fast = _all_close_and_finite(act, exp, rtol, atol)
    with np.errstate(all="ignore"):  # np.isclose's own |a − b| overflows near ±1.8e308
        slow = bool(np.isclose(act, exp, rtol=rtol, atol=atol, equal_nan=True).all())
    if fast:
        assert slow
    finite = bool(np.isfinite(act).all() and np.isfinite(exp).all())
    if slow and finite:
        assert fast


@settings(max_examples=400, deadline=None)
@given(_pairs(), _TOLERANCES)
def test_compare_passes_exactly_the_arrays_np_isclose_passes(pair, tol):
    act, exp = pair
    rtol, atol = tol
    with np.errstate(all="ignore"):  # the oracle itself overflows on ±1e308 pairs
        slow = bool(np.isclose(act, exp, rtol=rtol, atol=atol, equal_nan=True).all())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # compare never warns, whatever the values
        assert (compare(act, exp, rtol, atol) is None) == slow


def test_infinities_and_nans_are_left_to_np_isclose():
    inf, nan = np.array([np.inf]), np.array([np.nan])
    assert not _all_close_and_finite(np.array([1.0]), inf, 1e-6, 1e-8)  # |1 − inf| ≤ inf
    assert not _all_close_and_finite(inf, inf, 1e-6, 1e-8)
    assert not _all_close_and_finite(nan, nan, 1e-6, 1e-8)
    assert not _all_close_and_finite(np.array([1.0]), np.array([1.0]), float("inf"), 0.0)
    assert compare(inf, inf, 1e-6, 1e-8) is None  # equal infinities and NaNs still match
    assert compare(nan, nan, 1e-6, 1e-8) is None
    assert compare(np.array([1.0]), inf, 1e-6, 1e-8) is not None


def test_a_mismatch_beside_matching_infinities_is_described_without_a_warning():
    """inf − inf in the error summary once raised a RuntimeWarning, an error under the grading
    run's warning filter: the check ended as "the grader could not run this check"."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        problem = compare(np.array([np.inf, 1.0]), np.array([np.inf, 0.0]), 1e-6, 1e-8)
    assert problem is not None and problem.startswith("output[1] = 1.0, expected 0.0")


def test_an_int_answer_takes_an_int_not_a_float_or_a_bool_that_equals_it():
    """ "An int" (a size, a count): 4.0, np.float64(4.0) and True are not the int they equal."""
    assert compare(4, 4, 1e-6, 1e-8) is None
    assert compare(np.int64(4), 4, 1e-6, 1e-8) is None
    for wrong in (4.0, np.float64(4.0)):
        assert "should be an int (4)" in compare(wrong, 4, 1e-6, 1e-8)
    assert compare(True, 1, 1e-6, 1e-8) is not None
    assert compare((3, 1.0), (3, 1), 1e-6, 1e-8) is not None  # inside a tuple too


def test_items_returned_in_another_order_are_named_as_such():
    """``momentum_step`` returning ``(velocity, w)``, an LSTM's ``(h, c)`` swapped inside its
    result, three states rotated: each item is right but stands where another should."""
    w, v = np.array([1.0, 2.0]), np.array([0.1, 0.2])
    assert compare((v, w), (w, v), 1e-9, 1e-11) == (
        "output holds the right values in the wrong order: output[0] is what output[1] should "
        "be, output[1] is what output[0] should be"
    )
    hs, h, c = np.ones((2, 3)), np.zeros(3), np.full(3, 2.0)
    said = compare((hs, (c, h)), (hs, (h, c)), 1e-9, 1e-11)
    assert said is not None and said.startswith("output[1] holds the right values in the wrong")
    a, b, d = np.array([1.0]), np.array([2.0]), np.array([3.0])
    said = compare([b, d, a], [a, b, d], 1e-9, 1e-11)
    assert said is not None and "output[0] is what output[1] should be" in said


def test_a_wrong_item_is_not_called_a_reordering():
    """Only a reordering of right items is one: a wrong value, a near miss, or an item that
    matches twice while another matches nowhere keeps the plain first-mismatch message."""
    w, v = np.array([1.0, 2.0]), np.array([0.1, 0.2])
    said = compare((v, w + 1e-3), (w, v), 1e-9, 1e-11)
    assert said is not None and said.startswith("output[0][0] = 0.1, expected 1.0")
    said = compare((w, w), (w, v), 1e-9, 1e-11)
    assert said is not None and said.startswith("output[1][0] = 1.0, expected 0.1")
    assert compare((w, v), (w, v), 1e-9, 1e-11) is None
