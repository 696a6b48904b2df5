"""solutions.activations (NumPy) agrees with reference.activations (torch), is stable at ±1000
without NumPy warnings, and never modifies its inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.strategies import extreme_arrays, float_arrays, shapes, tensors, with_kinks
from reference import activations as ref
from solutions import activations as sol

TOL = {"rtol": 1e-10, "atol": 1e-12}

#: the elementwise functions, called with their default hyper-parameters
ELEMENTWISE = [
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "elu",
    "elu_grad",
]
SLOPED = ["leaky_relu", "leaky_relu_grad", "elu", "elu_grad"]


def _same(got: object, expected, **tol: float) -> None:
    """``got`` is a float64 ndarray with ``expected``'s shape and values (NumPy ufuncs turn
    0-d arrays into scalars: a float64 scalar is accepted for a 0-d result)."""
    if expected.ndim == 0 and isinstance(got, np.float64):
        got = np.asarray(got)
    assert isinstance(got, np.ndarray), type(got)
    assert got.dtype == np.float64, got.dtype
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got, expected.numpy(), **(tol or TOL))


def _call_quietly(fn, *args, **kwargs):
    """Call ``fn`` and fail on NumPy overflow, division by zero or invalid (nan); underflow to 0 is fine."""
    with (
        np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


def _x(bound: float = 20.0):
    return float_arrays(shapes(min_dims=0), elements=with_kinks(bound, (0.0,)))


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(x=_x())
def test_elementwise_solution_agrees_with_reference(name, x):
    copy = x.copy()
    got = _call_quietly(getattr(sol, name), x)
    _same(got, getattr(ref, name)(tensors(x)))
    np.testing.assert_array_equal(x, copy)


@pytest.mark.parametrize("name", SLOPED)
@given(x=_x(), alpha=st.floats(0.0, 3.0))
def test_sloped_solution_agrees_with_reference_for_any_alpha(name, x, alpha):
    got = _call_quietly(getattr(sol, name), x, alpha=alpha)
    _same(got, getattr(ref, name)(tensors(x), alpha=alpha))


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(x=extreme_arrays(shapes(min_dims=1)))
def test_elementwise_solution_stable_without_warnings_up_to_1000(name, x):
    got = _call_quietly(getattr(sol, name), x)
    assert np.isfinite(got).all()
    _same(got, getattr(ref, name)(tensors(x)), rtol=1e-10, atol=1e-300)


def test_kink_values_follow_the_curriculum():
    zero = np.zeros(3)
    assert sol.relu_grad(zero).tolist() == [0.0] * 3
    assert sol.leaky_relu_grad(zero, alpha=0.3).tolist() == [0.3] * 3
    assert sol.elu_grad(zero, alpha=2.0).tolist() == [2.0] * 3
    assert sol.sigmoid_grad(np.array(0.0)) == 0.25


@st.composite
def prelu_cases(draw):
    shape = draw(shapes(min_dims=1, max_dims=4))
    x = draw(float_arrays(shape, elements=with_kinks(10.0)))
    alpha_shape = draw(st.sampled_from([(shape[-1],), (1,), ()]))
    alpha = draw(float_arrays(alpha_shape, elements=st.floats(0.0, 1.0)))
    return x, alpha


@given(case=prelu_cases())
def test_prelu_and_its_gradients_agree_with_reference(case):
    x, alpha = case
    copies = (x.copy(), alpha.copy())
    _same(_call_quietly(sol.prelu, x, alpha), ref.prelu(tensors(x), tensors(alpha)))
    grad_x, grad_alpha = _call_quietly(sol.prelu_grad, x, alpha)
    ref_x, ref_alpha = ref.prelu_grad(tensors(x), tensors(alpha))
    _same(grad_x, ref_x)
    _same(np.asarray(grad_alpha), ref_alpha)
    np.testing.assert_array_equal(x, copies[0])
    np.testing.assert_array_equal(alpha, copies[1])


@st.composite
def softmax_cases(draw, extreme: bool = False):
    shape = draw(shapes(min_dims=1, max_dims=3))
    x = draw(extreme_arrays(shape) if extreme else float_arrays(shape, bound=30.0))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return x, axis


@given(case=softmax_cases())
def test_softmax_agrees_with_reference_on_any_axis(case):
    x, axis = case
    copy = x.copy()
    _same(_call_quietly(sol.softmax, x, axis=axis), ref.softmax(tensors(x), axis=axis))
    np.testing.assert_array_equal(x, copy)


@given(case=softmax_cases(extreme=True))
def test_softmax_stable_without_warnings_up_to_1000(case):
    x, axis = case
    got = _call_quietly(sol.softmax, x, axis=axis)
    assert np.isfinite(got).all()
    _same(got, ref.softmax(tensors(x), axis=axis), rtol=1e-10, atol=1e-300)


@given(case=softmax_cases(), data=st.data())
def test_softmax_backward_agrees_with_reference(case, data):
    x, axis = case
    s = ref.softmax(tensors(x), axis=axis).numpy()
    g = data.draw(float_arrays(x.shape, bound=5.0))
    copies = (s.copy(), g.copy())
    got = _call_quietly(sol.softmax_backward, s, g, axis=axis)
    _same(got, ref.softmax_backward(tensors(s), tensors(g), axis=axis))
    np.testing.assert_array_equal(s, copies[0])
    np.testing.assert_array_equal(g, copies[1])


def test_default_axis_is_the_last():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(sol.softmax(x).sum(axis=-1), [1.0, 1.0])
    np.testing.assert_allclose(sol.softmax(x)[1], [1 / 3] * 3)


def test_results_are_new_arrays():
    x = np.array([0.5, 1.5])
    for name in ("relu", "leaky_relu", "elu", "tanh", "sigmoid"):
        assert not np.shares_memory(getattr(sol, name)(x), x), name
