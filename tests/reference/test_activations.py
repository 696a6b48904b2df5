"""reference/activations.py against torch's built-ins, autograd and the notes' worked example."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F  # noqa: N812
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.strategies import (
    extreme_arrays,
    float_arrays,
    float_dtypes,
    shapes,
    tensors,
    with_kinks,
)
from reference import activations as A  # noqa: N812

F64 = torch.float64

#: (reference forward, reference derivative, torch built-in)
ELEMENTWISE = {
    "sigmoid": (A.sigmoid, A.sigmoid_grad, torch.sigmoid),
    "tanh": (A.tanh, A.tanh_grad, torch.tanh),
    "relu": (A.relu, A.relu_grad, F.relu),
    "leaky_relu": (A.leaky_relu, A.leaky_relu_grad, F.leaky_relu),
    "leaky_relu_alpha_0.2": (
        lambda x: A.leaky_relu(x, alpha=0.2),
        lambda x: A.leaky_relu_grad(x, alpha=0.2),
        lambda x: F.leaky_relu(x, negative_slope=0.2),
    ),
    "elu": (A.elu, A.elu_grad, F.elu),
    "elu_alpha_1.7": (
        lambda x: A.elu(x, alpha=1.7),
        lambda x: A.elu_grad(x, alpha=1.7),
        lambda x: F.elu(x, alpha=1.7),
    ),
}
NAMES = list(ELEMENTWISE)


def _tol(dtype: torch.dtype) -> dict[str, float]:
    if dtype == torch.float64:
        return {"rtol": 1e-12, "atol": 1e-15}
    if dtype == torch.float32:
        return {"rtol": 1e-6, "atol": 1e-6}  # a few ulps of values of order 1
    return {"rtol": 2e-2, "atol": 1e-2}  # bfloat16: 8 bits of mantissa


def _autograd_derivative(f, x: torch.Tensor) -> torch.Tensor:
    """Elementwise f′(x) by autograd: the gradient of Σ f(x) (f is elementwise)."""
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(x).sum(), x)
    return g


def _x(bound: float = 20.0):
    """Arrays of any rank (0-d included) that hit the kink at 0 exactly."""
    return float_arrays(shapes(min_dims=0), elements=with_kinks(bound, (0.0,)))


# ---------------------------------------------------------------- values and derivatives


@pytest.mark.parametrize("name", NAMES)
@given(x=_x(), dtype=float_dtypes())
def test_elementwise_activation_matches_torch_builtin(name, x, dtype):
    ref, _, builtin = ELEMENTWISE[name]
    t = tensors(x, dtype)
    torch.testing.assert_close(ref(t), builtin(t), **_tol(dtype))


@pytest.mark.parametrize("name", NAMES)
@given(x=_x(), dtype=float_dtypes())
def test_elementwise_derivative_matches_autograd_of_torch_builtin(name, x, dtype):
    _, grad, builtin = ELEMENTWISE[name]
    t = tensors(x, dtype)
    torch.testing.assert_close(grad(t), _autograd_derivative(builtin, t), **_tol(dtype))


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=20)
@given(x=_x(bound=5.0))
def test_autograd_through_reference_equals_its_derivative_function(name, x):
    ref, grad, _ = ELEMENTWISE[name]
    t = tensors(x, F64)
    torch.testing.assert_close(_autograd_derivative(ref, t), grad(t), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "elu", "softmax"])
def test_smooth_reference_passes_gradcheck(name):
    x = torch.linspace(-4, 4, 12, dtype=F64).reshape(3, 4).requires_grad_(True)
    f = {"sigmoid": A.sigmoid, "tanh": A.tanh, "elu": A.elu, "softmax": A.softmax}[name]
    if name == "elu":
        x = (x + 0.17).detach().requires_grad_(True)  # keep off the kink at 0
    assert torch.autograd.gradcheck(f, (x,))


@pytest.mark.parametrize("name", NAMES)
@given(x=extreme_arrays(shapes(min_dims=1)), dtype=float_dtypes())
def test_activation_stable_and_exact_on_inputs_up_to_1000(name, x, dtype):
    ref, grad, builtin = ELEMENTWISE[name]
    t = tensors(x, dtype)
    out, d = ref(t), grad(t)
    assert torch.isfinite(out).all() and torch.isfinite(d).all()
    torch.testing.assert_close(out, builtin(t), **_tol(dtype))
    torch.testing.assert_close(d, _autograd_derivative(builtin, t), **_tol(dtype))
    assert torch.isfinite(_autograd_derivative(ref, t)).all(), "autograd through ref gave nan"


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=20)
@given(x=_x(bound=8.0))
def test_activation_in_bfloat16_matches_torch_loosely(name, x):
    ref, grad, builtin = ELEMENTWISE[name]
    t = tensors(x, torch.bfloat16)
    out = ref(t)
    assert out.dtype == torch.bfloat16 and grad(t).dtype == torch.bfloat16
    torch.testing.assert_close(out.double(), builtin(t.double()), rtol=2e-2, atol=2e-2)
    torch.testing.assert_close(
        grad(t).double(), _autograd_derivative(builtin, t.double()), rtol=2e-2, atol=2e-2
    )


@settings(max_examples=20)
@given(case=st.tuples(float_arrays(shapes(min_dims=1, max_dims=3), bound=8.0), st.booleans()))
def test_softmax_and_prelu_in_bfloat16_match_torch_loosely(case):
    x, shared = case
    t = tensors(x, torch.bfloat16)
    s = A.softmax(t)
    assert s.dtype == torch.bfloat16
    torch.testing.assert_close(s.double(), torch.softmax(t.double(), -1), rtol=2e-2, atol=1e-2)
    alpha = torch.full((1,) if shared else (t.shape[-1],), 0.25, dtype=torch.bfloat16)
    out = A.prelu(t, alpha)
    assert out.dtype == torch.bfloat16
    torch.testing.assert_close(out.double(), A.prelu(t.double(), alpha.double()))


def test_tanh_keeps_relative_precision_near_zero():
    x = torch.tensor([1e-300, -1e-20, 1e-10, 3e-8], dtype=F64)
    torch.testing.assert_close(A.tanh(x), torch.tanh(x), rtol=1e-15, atol=0.0)


def test_sigmoid_of_extremes_is_exactly_0_and_1_and_symmetric():
    x = torch.tensor([-1000.0, 1000.0, 0.0, -3.0, 3.0], dtype=F64)
    s = A.sigmoid(x)
    assert s[0] == 0.0 and s[1] == 1.0 and s[2] == 0.5
    torch.testing.assert_close(s[3], 1 - s[4], rtol=1e-13, atol=0.0)  # σ(−x) = 1 − σ(x)


# ---------------------------------------------------------------- kinks (CURRICULUM conventions)


def test_relu_grad_at_zero_is_zero():
    assert A.relu_grad(torch.tensor([0.0, -0.0], dtype=F64)).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("alpha", [0.01, 0.3, 0.0, 2.0])
def test_leaky_relu_grad_at_zero_is_alpha(alpha):
    assert A.leaky_relu_grad(torch.tensor([0.0], dtype=F64), alpha=alpha).item() == alpha


@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.5])
def test_elu_grad_at_zero_is_alpha(alpha):
    assert A.elu_grad(torch.tensor([0.0], dtype=F64), alpha=alpha).item() == alpha


def test_prelu_grad_at_zero_is_its_channel_slope():
    x = torch.zeros(2, 3, dtype=F64)
    alpha = torch.tensor([0.1, 0.2, 0.3], dtype=F64)
    grad_x, grad_alpha = A.prelu_grad(x, alpha)
    assert grad_x.tolist() == [[0.1, 0.2, 0.3]] * 2
    assert grad_alpha.tolist() == [0.0, 0.0, 0.0]


def test_default_slopes_are_those_of_the_curriculum():
    x = torch.tensor([-2.0], dtype=F64)
    assert A.leaky_relu(x).item() == pytest.approx(-0.02)
    assert A.elu(x).item() == pytest.approx(math.expm1(-2.0))


# ---------------------------------------------------------------- PReLU


@st.composite
def prelu_cases(draw):
    shape = draw(shapes(min_dims=1, max_dims=4))
    x = draw(float_arrays(shape, elements=with_kinks(10.0)))
    c = shape[-1]
    alpha_shape = draw(st.sampled_from([(c,), (1,), ()]))
    alpha = draw(float_arrays(alpha_shape, elements=st.floats(0.0, 1.0)))
    return x, alpha, draw(float_dtypes())


def _torch_prelu(x: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """F.prelu with the channel axis moved to where torch wants it (axis 1 for ndim ≥ 2)."""
    a = alpha.reshape(-1)
    if x.ndim == 1:
        return F.prelu(x.unsqueeze(0), a).squeeze(0) if a.numel() > 1 else F.prelu(x, a)
    return F.prelu(x.movedim(-1, 1), a).movedim(1, -1)


@given(case=prelu_cases())
def test_prelu_matches_torch_prelu_with_channels_last(case):
    x, alpha, dtype = case
    t, a = tensors(x, dtype), tensors(alpha, dtype)
    torch.testing.assert_close(A.prelu(t, a), _torch_prelu(t, a), **_tol(dtype))


@given(case=prelu_cases())
def test_prelu_grad_matches_autograd_of_torch_prelu(case):
    x, alpha, dtype = case
    t = tensors(x, dtype).requires_grad_(True)
    a = tensors(alpha, dtype).requires_grad_(True)
    gx, ga = torch.autograd.grad(_torch_prelu(t, a).sum(), (t, a))
    grad_x, grad_alpha = A.prelu_grad(t.detach(), a.detach())
    assert grad_alpha.shape == a.shape
    tol = _tol(dtype) if dtype == F64 else {"rtol": 1e-5, "atol": 1e-4}  # sums in float32
    torch.testing.assert_close(grad_x, gx, **_tol(dtype))
    torch.testing.assert_close(grad_alpha, ga, **tol)


def test_prelu_with_one_slope_equals_leaky_relu():
    x = torch.linspace(-3, 3, 13, dtype=F64).reshape(13, 1)
    torch.testing.assert_close(
        A.prelu(x, torch.tensor([0.25], dtype=F64)), A.leaky_relu(x, alpha=0.25)
    )


# ---------------------------------------------------------------- softmax


@st.composite
def softmax_cases(draw, extreme: bool = False):
    shape = draw(shapes(min_dims=1, max_dims=3))
    x = draw(extreme_arrays(shape) if extreme else float_arrays(shape, bound=30.0))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return x, axis, draw(float_dtypes())


@given(case=softmax_cases())
def test_softmax_matches_torch_softmax_on_any_axis(case):
    x, axis, dtype = case
    t = tensors(x, dtype)
    s = A.softmax(t, axis=axis)
    torch.testing.assert_close(s, torch.softmax(t, dim=axis), **_tol(dtype))
    sums = s.sum(dim=axis)
    torch.testing.assert_close(sums, torch.ones_like(sums), **_tol(dtype))


@given(case=softmax_cases(extreme=True))
def test_softmax_stable_for_inputs_up_to_1000(case):
    x, axis, dtype = case
    t = tensors(x, dtype)
    s = A.softmax(t, axis=axis)
    assert torch.isfinite(s).all()
    torch.testing.assert_close(s, torch.softmax(t, dim=axis), **_tol(dtype))


def test_softmax_of_large_equal_logits_is_uniform_not_nan():
    s = A.softmax(torch.full((2, 4), 1000.0, dtype=F64))
    torch.testing.assert_close(s, torch.full((2, 4), 0.25, dtype=F64))


@given(case=softmax_cases(), shift=st.floats(-500, 500))
def test_softmax_is_invariant_to_shifting_its_inputs(case, shift):
    x, axis, _ = case
    t = tensors(x, F64)
    torch.testing.assert_close(
        A.softmax(t + shift, axis), A.softmax(t, axis), rtol=1e-9, atol=1e-12
    )


@st.composite
def softmax_backward_cases(draw):
    x, axis, dtype = draw(softmax_cases())
    g = draw(float_arrays(x.shape, bound=5.0))
    return x, g, axis, dtype


@given(case=softmax_backward_cases())
def test_softmax_backward_matches_autograd_of_torch_softmax(case):
    x, g, axis, dtype = case
    t = tensors(x, dtype).requires_grad_(True)
    grad_out = tensors(g, dtype)
    s = torch.softmax(t, dim=axis)
    (expected,) = torch.autograd.grad((s * grad_out).sum(), t)
    got = A.softmax_backward(s.detach(), grad_out, axis=axis)
    tol = _tol(dtype) if dtype == F64 else {"rtol": 1e-5, "atol": 1e-5}
    torch.testing.assert_close(got, expected, **tol)


def test_softmax_backward_equals_the_explicit_jacobian_product():
    x = torch.tensor([[0.5, -1.0, 2.0]], dtype=F64)
    g = torch.tensor([[1.0, 0.0, -2.0]], dtype=F64)
    s = A.softmax(x)[0]
    jacobian = torch.diag(s) - torch.outer(s, s)  # J_ij = ∂s_i/∂x_j
    torch.testing.assert_close(A.softmax_backward(s[None], g)[0], jacobian.T @ g[0])


# ---------------------------------------------------------------- the notes' worked example


def test_sigmoid_derivative_peaks_at_a_quarter_at_zero():
    x = torch.arange(-2000, 2001, dtype=F64) / 100  # −20..20, includes 0 exactly
    d = A.sigmoid_grad(x)
    assert A.sigmoid_grad(torch.tensor(0.0, dtype=F64)).item() == 0.25
    assert d.max().item() == 0.25 and x[d.argmax()].item() == 0.0
    assert (d <= 0.25).all() and (d >= 0).all()


@settings(max_examples=25)
@given(
    n=st.integers(1, 8),
    data=st.data(),
)
def test_chain_of_n_sigmoids_scales_a_gradient_by_at_most_a_quarter_to_the_n(n, data):
    ws = data.draw(float_arrays((n,), elements=st.floats(-1.0, 1.0)))
    bs = data.draw(float_arrays((n,), bound=3.0))
    x0 = data.draw(st.floats(-3, 3))
    x = torch.tensor(x0, dtype=F64, requires_grad=True)
    o, local = x, []
    for w, b in zip(ws, bs, strict=True):
        z = float(w) * o + float(b)
        local.append(A.sigmoid_grad(z.detach()) * float(w))  # ∂o_k/∂o_{k-1}
        o = A.sigmoid(z)
    (dodx,) = torch.autograd.grad(o, x)
    torch.testing.assert_close(dodx, torch.stack(local).prod(), rtol=1e-10, atol=1e-300)
    assert abs(dodx.item()) <= 0.25**n


def test_chain_with_unit_weights_at_zero_starts_at_exactly_a_quarter():
    x = torch.tensor(0.0, dtype=F64, requires_grad=True)
    o = A.sigmoid(x)
    (d1,) = torch.autograd.grad(o, x)
    assert d1.item() == 0.25
    o2 = A.sigmoid(A.sigmoid(x))
    (d2,) = torch.autograd.grad(o2, x)
    assert 0 < d2.item() < 0.25**2 + 1e-15


# ---------------------------------------------------------------- bad input


ALL_UNARY = [
    A.sigmoid,
    A.sigmoid_grad,
    A.tanh,
    A.tanh_grad,
    A.relu,
    A.relu_grad,
    A.leaky_relu,
    A.leaky_relu_grad,
    A.elu,
    A.elu_grad,
    A.softmax,
]


@pytest.mark.parametrize("fn", ALL_UNARY, ids=lambda f: f.__name__)
def test_integer_input_is_rejected_naming_x(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: x must have a floating dtype"):
        fn(torch.arange(4))


@pytest.mark.parametrize(
    "fn", [A.leaky_relu, A.leaky_relu_grad, A.elu, A.elu_grad], ids=lambda f: f.__name__
)
@pytest.mark.parametrize("alpha", [-0.1, float("nan")])
def test_negative_or_nan_alpha_is_rejected(fn, alpha):
    with pytest.raises(ValueError, match="alpha"):
        fn(torch.ones(3, dtype=F64), alpha=alpha)


@pytest.mark.parametrize("fn", [A.prelu, A.prelu_grad], ids=lambda f: f.__name__)
def test_prelu_rejects_alpha_that_does_not_match_the_last_axis(fn):
    x = torch.ones(2, 3, dtype=F64)
    with pytest.raises(ValueError, match=r"alpha has shape \(2,\), expected \(C,\) with C=3"):
        fn(x, torch.ones(2, dtype=F64))
    with pytest.raises(ValueError, match=r"alpha has dtype torch\.float32"):
        fn(x, torch.ones(3, dtype=torch.float32))
    with pytest.raises(ValueError, match="x has shape"):
        fn(torch.tensor(1.0, dtype=F64), torch.ones(1, dtype=F64))


@pytest.mark.parametrize("fn", [A.softmax, A.softmax_backward], ids=lambda f: f.__name__)
def test_softmax_rejects_axis_out_of_range(fn):
    x = torch.ones(2, 3, dtype=F64)
    args = (x,) if fn is A.softmax else (x, x)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        fn(*args, axis=2)
    with pytest.raises(ValueError, match=r"(x|s) has shape"):
        fn(*((torch.tensor(1.0, dtype=F64),) * len(args)))


def test_softmax_backward_rejects_grad_of_another_shape():
    with pytest.raises(ValueError, match=r"grad_out has shape \(2, 4\)"):
        A.softmax_backward(torch.ones(2, 3, dtype=F64), torch.ones(2, 4, dtype=F64))


# ---------------------------------------------------------------- dtype and device


def _all_calls(x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every function of the module applied to x (N, C), flattening tuple results."""
    alpha = torch.full((x.shape[-1],), 0.2, dtype=x.dtype, device=x.device)
    s = A.softmax(x)
    grad_x, grad_alpha = A.prelu_grad(x, alpha)
    out = {f.__name__: f(x) for f in ALL_UNARY}
    out.update(
        prelu=A.prelu(x, alpha),
        prelu_grad_x=grad_x,
        prelu_grad_alpha=grad_alpha,
        softmax_backward=A.softmax_backward(s, x),
    )
    return out


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_every_function_returns_the_input_dtype(dtype):
    x = torch.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4)
    for name, out in _all_calls(x).items():
        assert out.dtype == dtype, name


def test_every_function_returns_on_the_input_device(device):
    x = torch.linspace(-3, 3, 12, dtype=torch.float32, device=device).reshape(3, 4)
    cpu = _all_calls(x.cpu())
    for name, out in _all_calls(x).items():
        assert out.device == x.device, name
        torch.testing.assert_close(out.cpu(), cpu[name])


def test_functions_do_not_modify_their_inputs():
    x = torch.linspace(-3, 3, 12, dtype=F64).reshape(3, 4)
    before = x.clone()
    _all_calls(x)
    assert torch.equal(x, before)


# --- softmax's hand-written backward -----------------------------------------------------------


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_passes_gradcheck_and_gradgradcheck_in_float64(axis):
    x = torch.randn(3, 4, 2, generator=torch.Generator().manual_seed(12), dtype=torch.float64)
    x.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda x: A.softmax(x, axis=axis), (x,))
    assert torch.autograd.gradgradcheck(lambda x: A.softmax(x, axis=axis), (x,))
