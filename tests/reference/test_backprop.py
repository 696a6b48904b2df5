"""reference.backprop against torch autograd, finite differences and the vanishing-gradient bound.

Every hand-written backward pass (dense layer, MLP under each loss and each activation, the
sigmoid chain) must equal what autograd finds for the same forward pass built from torch's own
functions (``F.linear``, ``nn`` activations, ``F.mse_loss``/``l1_loss``/``huber_loss``/
``binary_cross_entropy``). numerical_gradient is checked against autograd on smooth functions
and pinned as a *central* difference by its exact error on a cubic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812
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
from reference import backprop

F64 = {"rtol": 1e-10, "atol": 1e-12}

#: loss name -> (torch built-in mean loss (y_pred, y_true), output activation it needs or None)
TORCH_LOSSES = {
    "mse": (lambda p, t: F.mse_loss(p, t), None),
    "mae": (lambda p, t: F.l1_loss(p, t), None),
    "huber": (lambda p, t: F.huber_loss(p, t, delta=1.0), None),
    "binary_cross_entropy": (lambda p, t: F.binary_cross_entropy(p, t), "sigmoid"),
    # mean over samples of −Σ_c t log p (torch's cross_entropy applied to probabilities)
    "categorical_cross_entropy": (lambda p, t: F.nll_loss(torch.log(p), t.argmax(1)), "softmax"),
}


def torch_activation(name: str, z: torch.Tensor) -> torch.Tensor:
    return {
        "linear": lambda t: t,
        "relu": F.relu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
        "elu": lambda t: F.elu(t, alpha=1.0),
        "softmax": lambda t: torch.softmax(t, dim=-1),
    }[name](z)


def autograd_mlp(x: np.ndarray, layers: list, y_true: np.ndarray, loss: str) -> list:
    """[(∂L/∂W_l, ∂L/∂b_l)] by autograd through F.linear, torch activations and torch's loss."""
    params = [
        (tensors(W).requires_grad_(), tensors(b).requires_grad_(), name) for W, b, name in layers
    ]
    a = tensors(x)
    for W, b, name in params:
        a = torch_activation(name, F.linear(a, W.T, b))
    TORCH_LOSSES[loss][0](a, tensors(y_true)).backward()
    return [(W.grad, b.grad) for W, b, _ in params]


def as_torch(layers: list) -> list:
    return [(tensors(W), tensors(b), name) for W, b, name in layers]


def assert_grads_close(ours: list, expected: list, **tol: float) -> None:
    assert len(ours) == len(expected)
    for (gW, gb), (eW, eb) in zip(ours, expected, strict=True):
        torch.testing.assert_close(gW, eW, **tol)
        torch.testing.assert_close(gb, eb, **tol)


def targets_for(loss: str, data: st.DataObject, n: int, c: int) -> np.ndarray:
    if loss == "categorical_cross_entropy":
        return data.draw(one_hot_rows(n, c))
    if loss == "binary_cross_entropy":
        return data.draw(probabilities((n, c)))
    return data.draw(float_arrays((n, c), bound=2.0))


def autograd_chain(x: float, ws: np.ndarray, bs: np.ndarray, y: float):
    wt, bt = tensors(ws).requires_grad_(), tensors(bs).requires_grad_()
    o = torch.tensor(x, dtype=torch.float64)
    for k in range(len(ws)):
        o = torch.sigmoid(wt[k] * o + bt[k])
    (0.5 * (y - o) ** 2).backward()
    return wt.grad, bt.grad


# ---------------------------------------------------------------- dense layer


@st.composite
def dense_backward_cases(draw: st.DrawFn):
    n, d_in, d_out = (draw(st.integers(1, 6)) for _ in range(3))
    return (
        draw(float_arrays((n, d_in))),
        draw(float_arrays((d_in, d_out))),
        draw(float_arrays((d_out,))),
        draw(float_arrays((n, d_out))),
    )


@given(case=dense_backward_cases())
def test_dense_backward_matches_autograd_through_f_linear(case):
    x, W, b, g = (tensors(a) for a in case)
    xr, Wr, br = (t.clone().requires_grad_() for t in (x, W, b))
    F.linear(xr, Wr.T, br).backward(g)
    grad_x, grad_W, grad_b = backprop.dense_backward(x, W, g)
    torch.testing.assert_close(grad_x, xr.grad, **F64)
    torch.testing.assert_close(grad_W, Wr.grad, **F64)
    torch.testing.assert_close(grad_b, br.grad, **F64)


def test_dense_backward_gradcheck_in_float64():
    gen = torch.Generator().manual_seed(3)
    x, W = torch.randn(4, 3, generator=gen, dtype=torch.float64), torch.randn(3, 2, generator=gen)
    W = W.double()
    g = torch.randn(4, 2, generator=gen, dtype=torch.float64)
    # grad_x is linear in (W, g), grad_W in (x, g): gradcheck the map as a whole
    assert torch.autograd.gradcheck(
        lambda *t: backprop.dense_backward(*t),
        (x.requires_grad_(), W.requires_grad_(), g.requires_grad_()),
    )


# ---------------------------------------------------------------- MLP


@pytest.mark.parametrize("name", MLP_ACTIVATIONS)
@settings(max_examples=15)
@given(data=st.data())
def test_mlp_backward_matches_autograd_for_each_activation_under_mse(name, data):
    x, layers = data.draw(mlp_cases(hidden=name, output=name, min_layers=2))
    y = data.draw(float_arrays((x.shape[0], layers[-1][0].shape[1]), bound=2.0))
    ours = backprop.mlp_backward(tensors(x), as_torch(layers), tensors(y), loss="mse")
    assert_grads_close(ours, autograd_mlp(x, layers, y, "mse"), **F64)


@pytest.mark.parametrize("loss", list(TORCH_LOSSES))
@settings(max_examples=20)
@given(data=st.data())
def test_mlp_backward_matches_autograd_for_each_loss(loss, data):
    x, layers = data.draw(mlp_cases(output=TORCH_LOSSES[loss][1]))
    y = targets_for(loss, data, x.shape[0], layers[-1][0].shape[1])
    ours = backprop.mlp_backward(tensors(x), as_torch(layers), tensors(y), loss=loss)
    assert_grads_close(ours, autograd_mlp(x, layers, y, loss), **F64)


def test_mlp_backward_default_loss_is_mse():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(3, 2, generator=gen, dtype=torch.float64)
    layers = [
        (torch.randn(2, 2, generator=gen, dtype=torch.float64), torch.zeros(2).double(), "tanh")
    ]
    y = torch.randn(3, 2, generator=gen, dtype=torch.float64)
    assert_grads_close(
        backprop.mlp_backward(x, layers, y),
        backprop.mlp_backward(x, layers, y, loss="mse"),
        rtol=0,
        atol=0,
    )


def test_mlp_backward_single_linear_layer_mse_worked_example():
    # y_pred = x·w with x = [[1], [2]], w = [[1]], targets [[0], [0]]:
    # L = ((1)² + (2)²)/2, ∂L/∂ŷ = 2ŷ/N = [[1], [2]], ∂L/∂w = xᵀ[[1],[2]] = 1 + 4 = 5, ∂L/∂b = 3.
    x = torch.tensor([[1.0], [2.0]], dtype=torch.float64)
    layers = [
        (torch.ones(1, 1, dtype=torch.float64), torch.zeros(1, dtype=torch.float64), "linear")
    ]
    [(gW, gb)] = backprop.mlp_backward(x, layers, torch.zeros(2, 1, dtype=torch.float64))
    assert gW.tolist() == [[5.0]] and gb.tolist() == [3.0]


# ---------------------------------------------------------------- sigmoid chain


@given(case=chain_cases())
def test_chain_forward_matches_repeated_torch_sigmoid(case):
    x, ws, bs, _ = case
    o, expected = torch.tensor(x, dtype=torch.float64), []
    for w, b in zip(ws, bs, strict=True):
        o = torch.sigmoid(w * o + b)
        expected.append(o)
    torch.testing.assert_close(
        backprop.chain_forward(x, tensors(ws), tensors(bs)), torch.stack(expected), **F64
    )


@given(case=chain_cases())
def test_chain_backward_matches_autograd(case):
    x, ws, bs, y = case
    grad_w, grad_b = backprop.chain_backward(x, tensors(ws), tensors(bs), y)
    expected_w, expected_b = autograd_chain(x, ws, bs, y)
    torch.testing.assert_close(grad_w, expected_w, **F64)
    torch.testing.assert_close(grad_b, expected_b, **F64)


@given(case=chain_cases())
def test_chain_accepts_0d_tensor_input_and_target(case):
    x, ws, bs, y = case
    xt, yt = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    for ours, floats in zip(
        backprop.chain_backward(xt, tensors(ws), tensors(bs), yt),
        backprop.chain_backward(x, tensors(ws), tensors(bs), y),
        strict=True,
    ):
        torch.testing.assert_close(ours, floats, rtol=0, atol=0)


@given(case=chain_cases(bound=1.0))
def test_chain_first_weight_gradient_is_bounded_by_a_quarter_to_the_n(case):
    """The vanishing-gradient bound, exactly as checked here.

    ∂L/∂w_1 = (o_n − y)·x·Π_{k=1..n} σ′(z_k)·Π_{k=2..n} w_k and σ′ ≤ ¼, so
        |∂L/∂w_1| ≤ |o_n − y|·|x|·0.25ⁿ·Π_{k=2..n} |w_k|                        (1)
    and, as drawn here (|x| ≤ 1, |w_k| ≤ 1, y ∈ [0, 1] so |o_n − y| ≤ 1),
        |∂L/∂w_1| ≤ 0.25ⁿ.                                                        (2)
    """
    x, ws, bs, y = case
    grad_w, _ = backprop.chain_backward(x, tensors(ws), tensors(bs), y)
    o_n = backprop.chain_forward(x, tensors(ws), tensors(bs))[-1].item()
    n = len(ws)
    bound = abs(o_n - y) * abs(x) * 0.25**n * float(np.prod(np.abs(ws[1:])))
    slack = 1 + 1e-12
    assert abs(grad_w[0].item()) <= bound * slack  # (1)
    assert abs(grad_w[0].item()) <= 0.25**n * slack  # (2)


@given(case=chain_cases(min_n=2, bound=1.0))
def test_chain_bias_gradient_shrinks_at_least_fourfold_per_layer_back(case):
    """∂L/∂b_k = ∂L/∂b_{k+1}·w_{k+1}·σ′(z_k), so |∂L/∂b_k| ≤ ¼·|w_{k+1}|·|∂L/∂b_{k+1}|."""
    x, ws, bs, y = case
    _, grad_b = backprop.chain_backward(x, tensors(ws), tensors(bs), y)
    g = grad_b.abs().tolist()
    for k in range(len(ws) - 1):
        assert g[k] <= 0.25 * abs(ws[k + 1]) * g[k + 1] * (1 + 1e-12) + 1e-300


@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_chain_gradient_equals_the_quarter_power_when_every_preactivation_is_zero(n):
    """Worked example: w_k = 1 and biases chosen so every z_k = 0 (σ′ = ¼, its maximum).

    x = 2, b_1 = −2, then o_k = ½ and b_k = −½ for k ≥ 2. With y = 1:
    ∂L/∂b_1 = (½ − 1)·0.25ⁿ and ∂L/∂w_1 = ∂L/∂b_1·x = −0.25ⁿ exactly (the bound is attained).
    """
    ws = torch.ones(n, dtype=torch.float64)
    bs = torch.full((n,), -0.5, dtype=torch.float64)
    bs[0] = -2.0
    o = backprop.chain_forward(2.0, ws, bs)
    assert o.tolist() == [0.5] * n
    grad_w, grad_b = backprop.chain_backward(2.0, ws, bs, 1.0)
    assert grad_b[0].item() == -0.5 * 0.25**n
    assert grad_w[0].item() == -(0.25**n)
    assert grad_b.tolist() == [-0.5 * 0.25 ** (n - k) for k in range(n)]


# ---------------------------------------------------------------- numerical gradient

SMOOTH = {
    "sin_times_square": lambda t: (torch.sin(t) * t**2).sum(),
    "logsumexp": lambda t: torch.logsumexp(t.reshape(-1), dim=0),
    "cubic_plus_cos_product": lambda t: (t**3).sum() / 3 + torch.cos(t).prod(),
    "tanh_of_quadratic_form": lambda t: torch.tanh((t.reshape(-1) ** 2).sum() / 10),
}


@pytest.mark.parametrize("name", list(SMOOTH))
@settings(max_examples=20)
@given(x=float_arrays(shapes(0, 3, max_side=4), bound=2.0))
def test_numerical_gradient_matches_autograd_on_smooth_functions(name, x):
    f = SMOOTH[name]
    xt = tensors(x).requires_grad_()
    (expected,) = torch.autograd.grad(f(xt), xt)
    ours = backprop.numerical_gradient(f, tensors(x))
    torch.testing.assert_close(ours, expected, rtol=1e-6, atol=1e-7)


@given(x=float_arrays(shapes(1, 2, max_side=5), bound=3.0))
def test_numerical_gradient_is_a_central_difference(x):
    """For f = Σ x³ the central difference is exactly 3x² + h² (a forward one: 3x² + 3xh + h²)."""
    h = 1e-2
    ours = backprop.numerical_gradient(lambda t: (t**3).sum(), tensors(x), h=h)
    torch.testing.assert_close(ours, tensors(3 * x**2 + h**2), rtol=1e-9, atol=1e-9)


@given(x=float_arrays(shapes(1, 2, max_side=5), bound=3.0))
def test_numerical_gradient_leaves_x_unchanged_and_keeps_its_shape_and_dtype(x):
    xt = tensors(x)
    before = xt.clone()
    out = backprop.numerical_gradient(lambda t: (t**2).sum(), xt)
    assert torch.equal(xt, before)
    assert out.shape == xt.shape and out.dtype == xt.dtype


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param(lambda t: t.reshape(3, 4).T, id="transposed"),
        pytest.param(lambda t: t.reshape(2, 3, 2).permute(2, 0, 1), id="permuted-3d"),
        pytest.param(lambda t: t.reshape(2, 6)[:, ::2], id="strided-slice"),
    ],
)
def test_numerical_gradient_of_a_non_contiguous_x_matches_autograd(layout):
    """A transposed or permuted x (e.g. from a Fortran-ordered array) gets the gradient of each
    element at that element's position; it used to raise in ``view(-1)``."""
    gen = torch.Generator().manual_seed(3)
    x = layout(torch.randn(12, generator=gen, dtype=torch.float64))
    assert not x.is_contiguous()
    weights = torch.randn(x.shape, generator=gen, dtype=torch.float64)

    def f(t: torch.Tensor) -> torch.Tensor:
        return (weights * torch.sin(t)).sum()

    xt = x.clone().requires_grad_()
    (expected,) = torch.autograd.grad(f(xt), xt)
    before = x.clone()
    got = backprop.numerical_gradient(f, x)
    assert got.shape == x.shape and got.dtype == x.dtype
    assert torch.equal(x, before)
    torch.testing.assert_close(got, expected, rtol=1e-7, atol=1e-9)


def test_numerical_gradient_accepts_f_returning_a_python_float():
    x = torch.tensor([1.0, -2.0], dtype=torch.float64)
    out = backprop.numerical_gradient(lambda t: float((t**2).sum()), x)
    torch.testing.assert_close(out, 2 * x, rtol=1e-8, atol=1e-8)


def test_numerical_gradient_agrees_with_mlp_backward():
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(3, 2, generator=gen, dtype=torch.float64)
    W1 = torch.randn(2, 3, generator=gen, dtype=torch.float64)
    b1 = torch.randn(3, generator=gen, dtype=torch.float64)
    W2 = torch.randn(3, 2, generator=gen, dtype=torch.float64)
    b2 = torch.randn(2, generator=gen, dtype=torch.float64)
    y = torch.randn(3, 2, generator=gen, dtype=torch.float64)

    def loss_of_W1(W: torch.Tensor) -> torch.Tensor:
        hidden = torch.tanh(x @ W + b1)
        return ((hidden @ W2 + b2 - y) ** 2).mean()

    [(gW1, _), _] = backprop.mlp_backward(x, [(W1, b1, "tanh"), (W2, b2, "linear")], y)
    torch.testing.assert_close(
        backprop.numerical_gradient(loss_of_W1, W1), gW1, rtol=1e-7, atol=1e-9
    )


# ---------------------------------------------------------------- bad input


def _m(*shape: int) -> torch.Tensor:
    return torch.ones(*shape, dtype=torch.float64)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: backprop.dense_backward(_m(2, 3), _m(4, 5), _m(2, 5)), ["W", "(4, 5)", "D_in=3"]),
        (lambda: backprop.dense_backward(_m(2, 3), _m(3, 5), _m(3, 5)), ["grad_out", "N=2"]),
        (lambda: backprop.dense_backward(_m(2, 3), _m(3, 5), _m(2, 4)), ["grad_out", "D_out=5"]),
        (
            lambda: backprop.dense_backward(_m(2, 3), _m(3, 5).float(), _m(2, 5)),
            ["W", "torch.float32"],
        ),
        (
            lambda: backprop.mlp_backward(_m(2, 3), [(_m(3, 4), _m(4), "relu")], _m(2, 3)),
            ["y_true", "(2, 3)"],
        ),
        (
            lambda: backprop.mlp_backward(_m(2, 3), [(_m(4, 4), _m(4), "relu")], _m(2, 4)),
            ["layers[0].W", "(4, 4)"],
        ),
        (
            lambda: backprop.mlp_backward(_m(2, 3), [(_m(3, 4), _m(4), "gelu")], _m(2, 4)),
            ["gelu", *MLP_ACTIVATIONS],
        ),
        (lambda: backprop.chain_forward(0.5, _m(3), _m(2)), ["bs", "(2,)", "n=3"]),
        (lambda: backprop.chain_forward(0.5, _m(0), _m(0)), ["at least one", "n=0"]),
        (lambda: backprop.chain_forward(_m(2), _m(3), _m(3)), ["x", "(2,)"]),
        (lambda: backprop.chain_backward(0.5, _m(3), _m(3), "1"), ["x must be a number"]),
        (lambda: backprop.numerical_gradient(lambda t: t.sum(), _m(3), h=0.0), ["h", "> 0"]),
        (lambda: backprop.numerical_gradient(lambda t: t, _m(3)), ["scalar", "(3,)"]),
        (
            lambda: backprop.numerical_gradient(
                lambda t: t.sum(), torch.ones(3, dtype=torch.int64)
            ),
            ["x", "floating"],
        ),
    ],
)
def test_bad_shapes_and_dtypes_raise_value_error_naming_the_argument(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_mlp_backward_unknown_loss_lists_the_valid_names():
    with pytest.raises(ValueError) as info:
        backprop.mlp_backward(_m(2, 3), [(_m(3, 4), _m(4), "relu")], _m(2, 4), loss="hinge")
    message = str(info.value)
    for name in ("hinge", *backprop.LOSS_NAMES):
        assert name in message
    assert set(backprop.LOSS_NAMES) == set(TORCH_LOSSES)


# ---------------------------------------------------------------- dtype and device


def _calls(dtype: torch.dtype, device: str = "cpu"):
    gen = torch.Generator().manual_seed(0)

    def r(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=gen).to(device=device, dtype=dtype)

    x, W, b, g, W2, b2, y = r(4, 3), r(3, 2), r(2), r(4, 2), r(2, 2), r(2), r(4, 2)
    ws, bs = r(3), r(3)
    layers = [(W, b, "sigmoid"), (W2, b2, "softmax")]
    y_cls = torch.eye(2, dtype=dtype, device=device)[[0, 1, 1, 0]]
    return {
        "dense_backward": lambda: backprop.dense_backward(x, W, g),
        "mlp_backward": lambda: [t for pair in backprop.mlp_backward(x, layers, y) for t in pair],
        "mlp_backward_cce": lambda: [
            t
            for pair in backprop.mlp_backward(x, layers, y_cls, "categorical_cross_entropy")
            for t in pair
        ],
        "chain_forward": lambda: (backprop.chain_forward(0.3, ws, bs),),
        "chain_backward": lambda: backprop.chain_backward(0.3, ws, bs, 0.7),
        "numerical_gradient": lambda: (backprop.numerical_gradient(lambda t: (t**2).sum(), ws),),
    }


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_backprop_functions_return_the_input_dtype(dtype):
    for name, call in _calls(dtype).items():
        for out in call():
            assert out.dtype == dtype, name


def test_backprop_in_float32_agrees_with_float64():
    low, high = _calls(torch.float32), _calls(torch.float64)
    for name in ("dense_backward", "mlp_backward", "mlp_backward_cce", "chain_backward"):
        for a, b in zip(low[name](), high[name](), strict=True):
            torch.testing.assert_close(a.double(), b, rtol=1e-4, atol=1e-5)


def test_backprop_functions_return_tensors_on_the_input_device(device):
    for name, call in _calls(torch.float32, device).items():
        for out in call():
            assert out.device.type == torch.device(device).type, name


def test_quarter_is_the_largest_sigmoid_slope_used_by_the_bound():
    z = torch.linspace(-10, 10, 20001, dtype=torch.float64)
    s = torch.sigmoid(z)
    assert math.isclose((s * (1 - s)).max().item(), 0.25, rel_tol=0, abs_tol=1e-15)
