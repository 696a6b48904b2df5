"""reference.forward against torch's built-ins and the perceptron rule.

weighted_sum / dense_forward are checked against ``F.linear``, step against ``torch.heaviside``,
mlp_forward against an ``nn.Sequential`` holding the same weights, perceptron_train against a
plain-Python loop written here from the rule (on exact, dyadic data) and against the perceptron
convergence theorem on linearly separable data.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.strategies import (
    MLP_ACTIVATIONS,
    extreme_arrays,
    float_arrays,
    mlp_cases,
    perceptron_cases,
    separable_data,
    shapes,
    tensors,
    with_kinks,
)
from reference import forward

F64 = {"rtol": 1e-10, "atol": 1e-12}
F32 = {"rtol": 1e-5, "atol": 1e-5}


@st.composite
def neuron_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, float]:
    """(x (N, D), w (D,), b) in float64."""
    n, d = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    x = draw(float_arrays((n, d)))
    w = draw(float_arrays((d,)))
    return x, w, draw(st.floats(-10, 10))


@st.composite
def dense_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x (N, D_in), W (D_in, D_out), b (D_out,)) in float64."""
    n, d_in, d_out = (draw(st.integers(1, 6)) for _ in range(3))
    return (
        draw(float_arrays((n, d_in))),
        draw(float_arrays((d_in, d_out))),
        draw(float_arrays((d_out,))),
    )


def torch_module(name: str) -> torch.nn.Module:
    """The torch.nn activation module a layer name stands for."""
    return {
        "linear": torch.nn.Identity(),
        "relu": torch.nn.ReLU(),
        "sigmoid": torch.nn.Sigmoid(),
        "tanh": torch.nn.Tanh(),
        "leaky_relu": torch.nn.LeakyReLU(0.01),
        "elu": torch.nn.ELU(alpha=1.0),
        "softmax": torch.nn.Softmax(dim=-1),
    }[name]


def torch_sequential(layers: list[tuple[np.ndarray, np.ndarray, str]]) -> torch.nn.Sequential:
    """An nn.Sequential of Linear + activation holding the same (transposed) weights."""
    modules: list[torch.nn.Module] = []
    for W, b, name in layers:
        linear = torch.nn.Linear(W.shape[0], W.shape[1], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T))  # torch stores (D_out, D_in)
            linear.bias.copy_(torch.from_numpy(b))
        modules += [linear, torch_module(name)]
    return torch.nn.Sequential(*modules)


def as_torch(layers: list[tuple[np.ndarray, np.ndarray, str]], **kw: object) -> list:
    return [(tensors(W, **kw), tensors(b, **kw), name) for W, b, name in layers]


def perceptron_by_hand(x: np.ndarray, y: np.ndarray, lr: float, epochs: int):
    """The perceptron rule with Python floats and lists only (no NumPy, no torch)."""
    rows, labels = x.tolist(), y.tolist()
    w, b = [0.0] * len(rows[0]), 0.0
    for _ in range(epochs):
        for xi, yi in zip(rows, labels, strict=True):
            z = sum(wj * xj for wj, xj in zip(w, xi, strict=True)) + b
            err = yi - (1.0 if z > 0 else 0.0)
            w = [wj + lr * err * xj for wj, xj in zip(w, xi, strict=True)]
            b = b + lr * err
    return w, b


# ---------------------------------------------------------------- agreement with torch


@given(case=neuron_cases())
def test_weighted_sum_matches_f_linear_with_one_output(case):
    x, w, b = case
    xt, wt = tensors(x), tensors(w)
    expected = F.linear(xt, wt[None, :], torch.tensor([b], dtype=torch.float64))[:, 0]
    torch.testing.assert_close(forward.weighted_sum(xt, wt, b), expected, **F64)


@given(case=neuron_cases())
def test_weighted_sum_accepts_a_0d_tensor_bias(case):
    x, w, b = case
    xt, wt = tensors(x), tensors(w)
    torch.testing.assert_close(
        forward.weighted_sum(xt, wt, torch.tensor(b, dtype=torch.float64)),
        forward.weighted_sum(xt, wt, b),
        rtol=0,
        atol=0,
    )


@given(z=float_arrays(shapes(0, 3), elements=with_kinks(kinks=(0.0, -0.0, 1e-300, -1e-300))))
def test_step_matches_heaviside_with_zero_at_zero(z):
    zt = tensors(z)
    expected = torch.heaviside(zt, torch.zeros((), dtype=zt.dtype))
    torch.testing.assert_close(forward.step(zt), expected, rtol=0, atol=0)


def test_step_of_zero_is_zero_and_tiny_positive_is_one():
    z = torch.tensor([0.0, -0.0, 5e-324, -5e-324, 3.0, -3.0], dtype=torch.float64)
    assert forward.step(z).tolist() == [0.0, 0.0, 1.0, 0.0, 1.0, 0.0]


@given(case=neuron_cases())
def test_perceptron_predict_is_heaviside_of_the_linear_output(case):
    x, w, b = case
    xt, wt = tensors(x), tensors(w)
    z = F.linear(xt, wt[None, :], torch.tensor([b], dtype=torch.float64))[:, 0]
    expected = torch.heaviside(z, torch.zeros((), dtype=z.dtype))
    torch.testing.assert_close(forward.perceptron_predict(xt, wt, b), expected, rtol=0, atol=0)


@given(case=dense_cases())
def test_dense_forward_matches_f_linear_with_transposed_weights(case):
    x, W, b = (tensors(a) for a in case)
    torch.testing.assert_close(forward.dense_forward(x, W, b), F.linear(x, W.T, b), **F64)


@given(case=mlp_cases())
def test_mlp_forward_matches_nn_sequential_with_the_same_weights(case):
    x, layers = case
    with torch.no_grad():
        expected = torch_sequential(layers)(tensors(x))
    torch.testing.assert_close(forward.mlp_forward(tensors(x), as_torch(layers)), expected, **F64)


@pytest.mark.parametrize("name", MLP_ACTIVATIONS)
@settings(max_examples=15)
@given(data=st.data())
def test_mlp_forward_matches_nn_sequential_for_each_activation(name, data):
    x, layers = data.draw(mlp_cases(hidden=name, output=name, min_layers=2))
    with torch.no_grad():
        expected = torch_sequential(layers)(tensors(x))
    torch.testing.assert_close(forward.mlp_forward(tensors(x), as_torch(layers)), expected, **F64)


def test_mlp_forward_with_no_layers_returns_the_input():
    x = torch.arange(6.0).reshape(2, 3)
    torch.testing.assert_close(forward.mlp_forward(x, []), x)


@given(x=extreme_arrays((3, 4)))
def test_mlp_forward_stays_finite_for_inputs_in_plus_minus_1000(x):
    eye = torch.eye(4, dtype=torch.float64)
    zero = torch.zeros(4, dtype=torch.float64)
    for name in MLP_ACTIVATIONS:
        out = forward.mlp_forward(tensors(x), [(eye, zero, name), (eye, zero, "softmax")])
        assert torch.isfinite(out).all(), name


# ---------------------------------------------------------------- perceptron learning


@given(case=perceptron_cases())
def test_perceptron_train_matches_the_rule_written_with_python_floats(case):
    w, b = forward.perceptron_train(
        tensors(case["x"]), tensors(case["y"]), lr=case["lr"], epochs=case["epochs"]
    )
    w_hand, b_hand = perceptron_by_hand(case["x"], case["y"], case["lr"], case["epochs"])
    assert w.tolist() == w_hand  # dyadic data: exact arithmetic, bit-for-bit agreement
    assert b.item() == b_hand


@settings(max_examples=15)
@given(case=separable_data())
def test_perceptron_train_classifies_a_separable_set_after_the_convergence_bound(case):
    """Novikoff: at most (R/γ)² updates, so ⌊(R/γ)²⌋ + 1 epochs end on a mistake-free epoch."""
    x, y, epochs = case
    xt, yt = tensors(x), tensors(y)
    w, b = forward.perceptron_train(xt, yt, lr=0.1, epochs=epochs)
    torch.testing.assert_close(forward.perceptron_predict(xt, w, b), yt, rtol=0, atol=0)


def test_perceptron_train_learns_the_and_gate_with_default_settings():
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    y = torch.tensor([0.0, 0.0, 0.0, 1.0], dtype=torch.float64)
    w, b = forward.perceptron_train(x, y)
    assert forward.perceptron_predict(x, w, b).tolist() == [0.0, 0.0, 0.0, 1.0]


def test_perceptron_train_first_epoch_worked_by_hand():
    # AND gate, lr 0.5, one epoch. (0,0): z=0 → ŷ=0, right. (0,1): z=0 → right.
    # (1,0): z=0 → right. (1,1): z=0 → ŷ=0, y=1: w += 0.5·(1,1), b += 0.5.
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    y = torch.tensor([0.0, 0.0, 0.0, 1.0], dtype=torch.float64)
    w, b = forward.perceptron_train(x, y, lr=0.5, epochs=1)
    assert w.tolist() == [0.5, 0.5] and b.item() == 0.5
    # Second epoch: (0,0): z=0.5 → ŷ=1, y=0: w stays, b = 0. (0,1): z=0.5 → ŷ=1: w=(0.5,0),
    # b=-0.5. (1,0): z=0 → right. (1,1): z=0 → ŷ=0, y=1: w=(1, 0.5), b=0.
    w, b = forward.perceptron_train(x, y, lr=0.5, epochs=2)
    assert w.tolist() == [1.0, 0.5] and b.item() == 0.0


def test_perceptron_train_with_zero_epochs_returns_zeros():
    x = torch.ones(3, 2, dtype=torch.float64)
    w, b = forward.perceptron_train(x, torch.ones(3, dtype=torch.float64), epochs=0)
    assert w.tolist() == [0.0, 0.0] and b.item() == 0.0 and b.shape == ()


def test_perceptron_train_does_not_modify_its_inputs():
    x = torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0], dtype=torch.float64)
    x0, y0 = x.clone(), y.clone()
    forward.perceptron_train(x, y, lr=1.0, epochs=3)
    assert torch.equal(x, x0) and torch.equal(y, y0)


# ---------------------------------------------------------------- bad input


def _m(*shape: int) -> torch.Tensor:
    return torch.ones(*shape, dtype=torch.float64)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: forward.weighted_sum(_m(3), _m(3), 0.0), ["weighted_sum", "x", "(3,)"]),
        (lambda: forward.weighted_sum(_m(2, 3), _m(4), 0.0), ["w", "(4,)", "D=3"]),
        (lambda: forward.weighted_sum(_m(2, 3), _m(3), _m(1)), ["b", "(1,)"]),
        (lambda: forward.weighted_sum(_m(2, 3), _m(3), "1"), ["b", "str"]),
        (
            lambda: forward.weighted_sum(_m(2, 3), _m(3).float(), 0.0),
            ["w", "torch.float32", "torch.float64"],
        ),
        (
            lambda: forward.step(torch.tensor([1, 2])),
            ["step", "z", "floating dtype", "torch.int64"],
        ),
        (lambda: forward.perceptron_predict(_m(2, 3), _m(2), 0.0), ["w", "(2,)"]),
        (lambda: forward.perceptron_train(_m(2, 3), _m(3)), ["y", "(3,)", "N=2"]),
        (lambda: forward.perceptron_train(_m(2, 3), 2 * _m(2)), ["y", "0 and 1"]),
        (lambda: forward.perceptron_train(_m(2, 3), _m(2), lr=0.0), ["lr", "> 0"]),
        (lambda: forward.perceptron_train(_m(2, 3), _m(2), epochs=-1), ["epochs", ">= 0"]),
        (lambda: forward.perceptron_train(_m(2, 3), _m(2), epochs=2.5), ["epochs", "int"]),
        (lambda: forward.dense_forward(_m(2, 3), _m(4, 5), _m(5)), ["W", "(4, 5)", "D_in=3"]),
        (lambda: forward.dense_forward(_m(2, 3), _m(3, 5), _m(4)), ["b", "(4,)", "D_out=5"]),
        (lambda: forward.dense_forward(_m(3), _m(3, 5), _m(5)), ["dense_forward", "x"]),
        (
            lambda: forward.mlp_forward(
                _m(2, 3), [(_m(3, 4), _m(4), "relu"), (_m(5, 2), _m(2), "relu")]
            ),
            ["layers[1].W", "(5, 2)", "D_in=4"],
        ),
        (
            lambda: forward.mlp_forward(_m(2, 3), [(_m(3, 4), _m(3), "relu")]),
            ["layers[0].b", "(3,)"],
        ),
        (lambda: forward.mlp_forward(_m(2, 3), [(_m(3, 4), _m(4))]), ["layers[0]", "triple"]),
    ],
)
def test_bad_shapes_and_dtypes_raise_value_error_naming_the_argument(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_mlp_forward_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError) as info:
        forward.mlp_forward(_m(2, 3), [(_m(3, 4), _m(4), "swish")])
    message = str(info.value)
    assert "swish" in message
    for name in MLP_ACTIVATIONS:
        assert name in message


# ---------------------------------------------------------------- dtype and device


def _calls(x: torch.Tensor, w: torch.Tensor, W: torch.Tensor, b: torch.Tensor, y: torch.Tensor):
    layers = [(W, b, name) for name in ("relu", "tanh")]
    return {
        "weighted_sum": lambda: (forward.weighted_sum(x, w, 0.5),),
        "step": lambda: (forward.step(x),),
        "perceptron_predict": lambda: (forward.perceptron_predict(x, w, 0.5),),
        "perceptron_train": lambda: forward.perceptron_train(x, y, epochs=2),
        "dense_forward": lambda: (forward.dense_forward(x, W, b),),
        "mlp_forward": lambda: (forward.mlp_forward(x, layers),),
    }


def _inputs(dtype: torch.dtype, device: str = "cpu"):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(4, 3, generator=gen)
    W = torch.randn(3, 3, generator=gen)
    out = (x, W[:, 0].clone(), W, torch.randn(3, generator=gen), torch.tensor([0.0, 1, 1, 0]))
    return tuple(t.to(device=device, dtype=dtype) for t in out)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_forward_functions_return_the_input_dtype(dtype):
    for name, call in _calls(*_inputs(dtype)).items():
        for out in call():
            assert out.dtype == dtype, name


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_forward_functions_in_low_precision_agree_with_float64(dtype):
    tol = F32 if dtype == torch.float32 else {"rtol": 2e-2, "atol": 5e-2}
    low = _calls(*_inputs(dtype))
    high = _calls(*(t.double() for t in _inputs(dtype)))  # the same (rounded) values
    for name in ("weighted_sum", "dense_forward", "mlp_forward"):
        torch.testing.assert_close(low[name]()[0].double(), high[name]()[0], **tol)


def test_forward_functions_return_tensors_on_the_input_device(device):
    for name, call in _calls(*_inputs(torch.float32, device)).items():
        for out in call():
            assert out.device.type == torch.device(device).type, name
