"""solutions.losses (NumPy) agrees with reference.losses (torch), stays finite without NumPy
warnings at probabilities 0 and 1, and never modifies its inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.strategies import (
    binary_pairs,
    extreme_arrays,
    one_hot_rows,
    regression_pairs,
    shapes,
    simplex_rows,
    tensors,
)
from reference import losses as ref
from solutions import losses as sol

TOL = {"rtol": 1e-10, "atol": 1e-12}
REDUCTIONS = ["mean", "sum", "none"]


def _call_quietly(fn, *args, **kwargs):
    """Call ``fn``; fail on NumPy overflow, division by zero or invalid (nan). Underflow is fine."""
    with (
        np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


def _same(got: object, expected: torch.Tensor, **tol: float) -> None:
    """A 0-d ``expected`` accepts a Python/NumPy float; otherwise a float64 array of its shape."""
    if expected.ndim == 0:
        assert isinstance(got, float | np.floating | np.ndarray), type(got)
        assert np.ndim(got) == 0
    else:
        assert isinstance(got, np.ndarray), type(got)
        assert got.dtype == np.float64 and got.shape == tuple(expected.shape)
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), expected.numpy(), **(tol or TOL))


def _check(name: str, y: np.ndarray, p: np.ndarray, **kwargs) -> None:
    """Solution and reference twin agree on (y, p); the inputs are left as they were."""
    copies = (y.copy(), p.copy())
    got = _call_quietly(getattr(sol, name), y, p, **kwargs)
    _same(got, getattr(ref, name)(tensors(y), tensors(p), **kwargs))
    np.testing.assert_array_equal(y, copies[0])
    np.testing.assert_array_equal(p, copies[1])


# ---------------------------------------------------------------- regression


@pytest.mark.parametrize("name", ["mse", "mae", "huber"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@settings(max_examples=25)
@given(pair=regression_pairs())
def test_regression_loss_agrees_with_reference(name, reduction, pair):
    _check(name, *pair, reduction=reduction)


@pytest.mark.parametrize("name", ["mse_grad", "mae_grad", "huber_grad"])
@given(pair=regression_pairs())
def test_regression_grad_agrees_with_reference(name, pair):
    _check(name, *pair)


@pytest.mark.parametrize("delta", [0.25, 3.0])
@given(pair=regression_pairs())
def test_huber_and_its_grad_agree_with_reference_for_other_deltas(delta, pair):
    _check("huber", *pair, delta=delta)
    _check("huber", *pair, delta=delta, reduction="none")
    _check("huber_grad", *pair, delta=delta)


@pytest.mark.parametrize("name", ["mse", "mae", "huber", "mse_grad", "mae_grad", "huber_grad"])
@given(y=extreme_arrays(shapes(min_dims=1, max_dims=2)))
def test_regression_functions_agree_on_inputs_up_to_1000(name, y):
    _check(name, y, np.flip(y, axis=0).copy())


# ---------------------------------------------------------------- cross-entropies


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(pair=binary_pairs(include_edges=True, soft=True))
def test_binary_cross_entropy_agrees_with_reference_including_0_and_1(reduction, pair):
    _check("binary_cross_entropy", *pair, reduction=reduction)


@given(pair=binary_pairs(include_edges=True), eps=st.sampled_from([1e-12, 1e-7, 1e-3]))
def test_binary_cross_entropy_grad_agrees_with_reference_including_0_and_1(pair, eps):
    _check("binary_cross_entropy_grad", *pair, eps=eps)
    _check("binary_cross_entropy", *pair, eps=eps)


@st.composite
def categorical_pairs(draw, edges: bool = False):
    p = draw(simplex_rows())
    n, c = p.shape
    y = draw(one_hot_rows(n, c))
    if edges:  # some rows are confident one-hots, right or wrong
        hard = draw(one_hot_rows(n, c))
        mask = draw(hnp.arrays(np.bool_, (n, 1)))
        p = np.where(mask, hard, p)
    return y, p


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(pair=categorical_pairs(edges=True))
def test_categorical_cross_entropy_agrees_with_reference(reduction, pair):
    _check("categorical_cross_entropy", *pair, reduction=reduction)


@given(pair=categorical_pairs(edges=True))
def test_categorical_cross_entropy_grad_agrees_with_reference(pair):
    _check("categorical_cross_entropy_grad", *pair)


# ---------------------------------------------------------------- one_hot


@given(labels=st.lists(st.integers(0, 7), min_size=1, max_size=12), extra=st.integers(0, 2))
def test_one_hot_agrees_with_reference(labels, extra):
    arr = np.array(labels, dtype=np.int64)
    copy = arr.copy()
    c = int(arr.max()) + 1 + extra
    got = sol.one_hot(arr, c)
    _same(got, ref.one_hot(torch.from_numpy(arr), c), rtol=0, atol=0)
    np.testing.assert_array_equal(arr, copy)


def test_one_hot_rejects_labels_out_of_range():
    with pytest.raises(ValueError):
        sol.one_hot(np.array([0, 3]), 3)


@pytest.mark.parametrize("name", ["mse", "mae", "huber", "binary_cross_entropy"])
def test_unknown_reduction_raises(name):
    p = np.full(3, 0.5)
    with pytest.raises(ValueError):
        getattr(sol, name)(p, p, reduction="average")
