"""solutions.backprop (NumPy) agrees with reference.backprop (torch) and never modifies its inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.strategies import (
    MLP_ACTIVATIONS,
    chain_cases,
    float_arrays,
    mlp_cases,
    one_hot_rows,
    probabilities,
    shapes,
    tensors,
)
from reference import backprop as ref
from solutions import backprop as sol

TOL = {"rtol": 1e-10, "atol": 1e-12}

#: loss -> the output activation its targets need (None: any)
LOSS_OUTPUTS = {
    "mse": None,
    "mae": None,
    "huber": None,
    "binary_cross_entropy": "sigmoid",
    "categorical_cross_entropy": "softmax",
}


def _same(got: object, expected: torch.Tensor, **tol: float) -> None:
    assert isinstance(got, np.ndarray), type(got)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got, expected.numpy(), **(tol or TOL))


def _torch_layers(layers):
    return [(tensors(W), tensors(b), name) for W, b, name in layers]


def _arrays(x, layers, y):
    return (x, y, *(a for W, b, _ in layers for a in (W, b)))


def _check_mlp(x, layers, y, loss):
    before = [a.copy() for a in _arrays(x, layers, y)]
    got = sol.mlp_backward(x, layers, y, loss=loss)
    expected = ref.mlp_backward(tensors(x), _torch_layers(layers), tensors(y), loss=loss)
    assert len(got) == len(expected)
    for (gW, gb), (eW, eb) in zip(got, expected, strict=True):
        _same(gW, eW)
        _same(gb, eb)
    for a, c in zip(_arrays(x, layers, y), before, strict=True):
        np.testing.assert_array_equal(a, c)


@st.composite
def dense_backward_cases(draw: st.DrawFn):
    n, d_in, d_out = (draw(st.integers(1, 6)) for _ in range(3))
    return (
        draw(float_arrays((n, d_in))),
        draw(float_arrays((d_in, d_out))),
        draw(float_arrays((n, d_out))),
    )


@given(case=dense_backward_cases())
def test_dense_backward_matches_reference(case):
    before = [a.copy() for a in case]
    got = sol.dense_backward(*case)
    expected = ref.dense_backward(*(tensors(a) for a in case))
    for g, e in zip(got, expected, strict=True):
        _same(g, e)
    for a, c in zip(case, before, strict=True):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("name", MLP_ACTIVATIONS)
@settings(max_examples=10)
@given(data=st.data())
def test_mlp_backward_matches_reference_for_each_activation(name, data):
    x, layers = data.draw(mlp_cases(hidden=name, output=name, min_layers=2))
    y = data.draw(float_arrays((x.shape[0], layers[-1][0].shape[1]), bound=2.0))
    _check_mlp(x, layers, y, "mse")


@pytest.mark.parametrize("loss", list(LOSS_OUTPUTS))
@settings(max_examples=15)
@given(data=st.data())
def test_mlp_backward_matches_reference_for_each_loss(loss, data):
    x, layers = data.draw(mlp_cases(output=LOSS_OUTPUTS[loss]))
    n, c = x.shape[0], layers[-1][0].shape[1]
    if loss == "categorical_cross_entropy":
        y = data.draw(one_hot_rows(n, c))
    elif loss == "binary_cross_entropy":
        y = data.draw(probabilities((n, c)))
    else:
        y = data.draw(float_arrays((n, c), bound=2.0))
    _check_mlp(x, layers, y, loss)


def test_mlp_backward_unknown_loss_lists_the_valid_names():
    layers = [(np.ones((3, 2)), np.zeros(2), "relu")]
    with pytest.raises(ValueError) as info:
        sol.mlp_backward(np.ones((2, 3)), layers, np.ones((2, 2)), loss="hinge")
    for name in ("hinge", *LOSS_OUTPUTS):
        assert name in str(info.value)


@given(case=chain_cases())
def test_chain_forward_matches_reference(case):
    x, ws, bs, _ = case
    before = (ws.copy(), bs.copy())
    _same(sol.chain_forward(x, ws, bs), ref.chain_forward(x, tensors(ws), tensors(bs)))
    np.testing.assert_array_equal(ws, before[0])
    np.testing.assert_array_equal(bs, before[1])


@given(case=chain_cases())
def test_chain_backward_matches_reference(case):
    x, ws, bs, y = case
    before = (ws.copy(), bs.copy())
    got = sol.chain_backward(x, ws, bs, y)
    expected = ref.chain_backward(x, tensors(ws), tensors(bs), y)
    for g, e in zip(got, expected, strict=True):
        _same(g, e, rtol=1e-9, atol=1e-300)  # long products: relative agreement
    np.testing.assert_array_equal(ws, before[0])
    np.testing.assert_array_equal(bs, before[1])


@pytest.mark.parametrize("n", [1, 3, 8])
def test_chain_backward_quarter_power_worked_example(n):
    ws = np.ones(n)
    bs = np.full(n, -0.5)
    bs[0] = -2.0  # x = 2: every pre-activation is exactly 0, every σ′ is 0.25
    grad_w, grad_b = sol.chain_backward(2.0, ws, bs, 1.0)
    assert grad_w[0] == -(0.25**n)
    assert grad_b.tolist() == [-0.5 * 0.25 ** (n - k) for k in range(n)]


SMOOTH = {
    "sin_times_square": (
        lambda a: float(np.sum(np.sin(a) * a**2)),
        lambda t: (t.sin() * t**2).sum(),
    ),
    "logsumexp": (
        lambda a: float(np.log(np.sum(np.exp(a)))),
        lambda t: torch.logsumexp(t.reshape(-1), 0),
    ),
    "cubic_plus_cos_product": (
        lambda a: float(np.sum(a**3) / 3 + np.prod(np.cos(a))),
        lambda t: (t**3).sum() / 3 + torch.cos(t).prod(),
    ),
}


@pytest.mark.parametrize("name", list(SMOOTH))
@settings(max_examples=15)
@given(x=float_arrays(shapes(0, 3, max_side=4), bound=2.0))
def test_numerical_gradient_matches_reference(name, x):
    f_np, f_torch = SMOOTH[name]
    before = x.copy()
    got = sol.numerical_gradient(f_np, x)
    np.testing.assert_array_equal(x, before)
    # both are central differences of the same function: equal up to rounding in f
    _same(got, ref.numerical_gradient(f_torch, tensors(x)), rtol=1e-6, atol=1e-8)


@given(x=float_arrays(shapes(1, 2, max_side=5), bound=3.0))
def test_numerical_gradient_is_a_central_difference(x):
    h = 1e-2
    got = sol.numerical_gradient(lambda a: float(np.sum(a**3)), x, h=h)
    np.testing.assert_allclose(got, 3 * x**2 + h**2, rtol=1e-9, atol=1e-9)


def test_numerical_gradient_of_a_quadratic_leaves_x_unchanged():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    got = sol.numerical_gradient(lambda a: float(np.sum(a**2)), x)
    np.testing.assert_allclose(got, 2 * x, rtol=1e-8)
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
