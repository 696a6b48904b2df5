"""Activation functions and their derivatives in PyTorch: the ground truth for ``activations``.

Every function is written from its formula with elementary tensor operations (``exp``, ``expm1``,
``where``, reductions), never by calling the torch built-in it is tested against
(``tests/reference/test_activations.py`` compares with ``torch.sigmoid``, ``torch.tanh``,
``F.relu``, ``F.leaky_relu``, ``F.elu``, ``F.prelu``, ``torch.softmax`` and with autograd).

Conventions (CURRICULUM.md):

- Elementwise functions accept any shape, including 0-d, and return the input's shape, dtype and
  device. ``*_grad(x)`` is the elementwise derivative f′(x) (not a vector-Jacobian product), except
  ``softmax_backward``, which takes an upstream gradient because softmax mixes its inputs.
- Values at kinks: ``relu_grad(0) == 0``, ``leaky_relu_grad(0) == alpha``,
  ``elu_grad(0) == alpha``, ``prelu_grad`` like ``leaky_relu_grad`` (x > 0 is the "positive" side).
- Stable for |x| ≤ 1000: ``exp`` only ever sees arguments ≤ 0, so nothing overflows; the
  branch that ``where`` discards is evaluated at a safe point so autograd through these functions
  never multiplies a zero by an infinity.
"""

from __future__ import annotations

import numbers

import torch

from reference._validate import expect, require_positive

__all__ = [
    "elu",
    "elu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "prelu",
    "prelu_grad",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_backward",
    "tanh",
    "tanh_grad",
]


def _slope(fn: str, alpha: float) -> float:
    """A slope hyper-parameter: a real number ≥ 0 (ValueError naming ``alpha`` otherwise)."""
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise ValueError(f"{fn}: alpha must be a real number, got {type(alpha).__name__}")
    require_positive(fn, "alpha", alpha, allow_zero=True)  # also rejects NaN
    return float(alpha)


def _axis(fn: str, x: torch.Tensor, axis: int) -> int:
    """``axis`` as a valid non-negative dimension of ``x`` (ValueError naming ``axis``)."""
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f"{fn}: axis must be an int, got {type(axis).__name__}")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"{fn}: axis {axis} is out of range for x of shape {tuple(x.shape)} "
            f"(valid: {-x.ndim}..{x.ndim - 1})"
        )
    return axis % x.ndim


def _sign_split(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(s, |x|) with s = +1 where x ≥ 0 else −1, and |x| = s·x (so d|x|/dx = s, = 1 at 0)."""
    one = torch.ones_like(x)
    s = torch.where(x >= 0, one, -one)  # (...)
    return s, s * x


# ---------------------------------------------------------------- sigmoid and tanh


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Logistic sigmoid, elementwise: σ(x) = 1 / (1 + e^(−x)).

    Stable form: with z = e^(−|x|) ∈ (0, 1], σ(x) = 1 / (1 + z) for x ≥ 0 and z / (1 + z) for
    x < 0 (the same value; e^(x) = z there), so the exponential never overflows.

    Args:
        x: any shape, floating dtype.

    Returns:
        σ(x), the shape of ``x``, values in [0, 1].
    """
    expect("sigmoid", x=(x, "..."))
    _, ax = _sign_split(x)  # (...) |x|
    z = torch.exp(-ax)  # (...) in (0, 1]
    return torch.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    """Derivative of the sigmoid, elementwise: σ′(x) = σ(x)·(1 − σ(x)).

    Its maximum is σ′(0) = ¼, which is why a chain of n sigmoids scales a gradient by at most ¼ⁿ
    (the vanishing-gradient example of the notes).

    Args:
        x: any shape, floating dtype.

    Returns:
        σ′(x), the shape of ``x``, values in [0, ¼].
    """
    expect("sigmoid_grad", x=(x, "..."))
    s = sigmoid(x)  # (...)
    return s * (1.0 - s)


def tanh(x: torch.Tensor) -> torch.Tensor:
    """Hyperbolic tangent, elementwise: tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ).

    Stable form: tanh is odd, and for a = |x|, tanh(a) = (1 − e^(−2a)) / (1 + e^(−2a))
    = −expm1(−2a) / (1 + e^(−2a)); ``expm1`` keeps full relative precision near 0.

    Args:
        x: any shape, floating dtype.

    Returns:
        tanh(x), the shape of ``x``, values in [−1, 1].
    """
    expect("tanh", x=(x, "..."))
    s, ax = _sign_split(x)  # (...), (...) |x|
    e = torch.exp(-2.0 * ax)  # (...) in (0, 1]
    return s * (-torch.expm1(-2.0 * ax) / (1.0 + e))


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """Derivative of tanh, elementwise: tanh′(x) = 1 − tanh(x)².

    Args:
        x: any shape, floating dtype.

    Returns:
        tanh′(x), the shape of ``x``, values in [0, 1] (1 at x = 0).
    """
    expect("tanh_grad", x=(x, "..."))
    t = tanh(x)  # (...)
    return 1.0 - t * t


# ---------------------------------------------------------------- the ReLU family


def relu(x: torch.Tensor) -> torch.Tensor:
    """Rectified linear unit, elementwise: relu(x) = max(0, x).

    Args:
        x: any shape, floating dtype.

    Returns:
        relu(x), the shape of ``x``.
    """
    expect("relu", x=(x, "..."))
    return torch.where(x > 0, x, torch.zeros_like(x))


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    """Derivative of ReLU, elementwise: 1 where x > 0, else 0 (so relu_grad(0) = 0).

    Args:
        x: any shape, floating dtype.

    Returns:
        The 0/1 mask, the shape and dtype of ``x``.
    """
    expect("relu_grad", x=(x, "..."))
    return (x > 0).to(x.dtype)


def leaky_relu(x: torch.Tensor, alpha: float = 0.01) -> torch.Tensor:
    """Leaky ReLU, elementwise: x where x > 0, else α·x (max(αx, x) for 0 ≤ α ≤ 1).

    ``F.leaky_relu(x, negative_slope=alpha)``.

    Args:
        x: any shape, floating dtype.
        alpha: the slope α ≥ 0 for x ≤ 0.

    Returns:
        leaky_relu(x), the shape of ``x``.
    """
    expect("leaky_relu", x=(x, "..."))
    alpha = _slope("leaky_relu", alpha)
    return torch.where(x > 0, x, alpha * x)


def leaky_relu_grad(x: torch.Tensor, alpha: float = 0.01) -> torch.Tensor:
    """Derivative of leaky ReLU, elementwise: 1 where x > 0, else α (so the value at 0 is α).

    Args:
        x: any shape, floating dtype.
        alpha: the slope α ≥ 0 for x ≤ 0.

    Returns:
        1 or α per element, the shape and dtype of ``x``.
    """
    expect("leaky_relu_grad", x=(x, "..."))
    alpha = _slope("leaky_relu_grad", alpha)
    one = torch.ones_like(x)
    return torch.where(x > 0, one, alpha * one)


def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Exponential linear unit (Clevert et al. 2016), elementwise:

        elu(x) = x            if x > 0
                 α·(eˣ − 1)   otherwise

    ``F.elu(x, alpha)``. eˣ − 1 is computed with ``expm1`` (exact near 0) on min(x, 0), so the
    discarded branch never overflows.

    Args:
        x: any shape, floating dtype.
        alpha: α ≥ 0, the negative saturation value is −α.

    Returns:
        elu(x), the shape of ``x``.
    """
    expect("elu", x=(x, "..."))
    alpha = _slope("elu", alpha)
    x_neg = torch.where(x > 0, torch.zeros_like(x), x)  # (...) min(x, 0)
    return torch.where(x > 0, x, alpha * torch.expm1(x_neg))


def elu_grad(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Derivative of ELU, elementwise: 1 where x > 0, else α·eˣ (so elu_grad(0) = α).

    Args:
        x: any shape, floating dtype.
        alpha: α ≥ 0.

    Returns:
        elu′(x), the shape of ``x``.
    """
    expect("elu_grad", x=(x, "..."))
    alpha = _slope("elu_grad", alpha)
    x_neg = torch.where(x > 0, torch.zeros_like(x), x)  # (...) min(x, 0)
    return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x_neg))


def _check_prelu(fn: str, x: torch.Tensor, alpha: torch.Tensor) -> None:
    """x (..., C); alpha (C,), (1,) or () of x's dtype and device."""
    expect(fn, x=(x, "... C"), alpha=(alpha, "..."))
    if alpha.ndim > 1 or alpha.numel() not in (1, x.shape[-1]):
        raise ValueError(
            f"{fn}: alpha has shape {tuple(alpha.shape)}, expected (C,) with C={x.shape[-1]} "
            "(from x's last axis), (1,) or ()"
        )
    if alpha.dtype != x.dtype:
        raise ValueError(f"{fn}: alpha has dtype {alpha.dtype}, expected x's dtype {x.dtype}")


def prelu(x: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """Parametric ReLU (He et al. 2015), elementwise with a learned slope per channel:

        prelu(x)[..., c] = x[..., c]          if x[..., c] > 0
                           α_c · x[..., c]    otherwise

    The channel axis is the last axis (``F.prelu`` uses axis 1; the two agree for (N, C)).

    Args:
        x: shape (..., C), floating dtype.
        alpha: the slopes, shape (C,), or (1,) / () for one shared slope; x's dtype.

    Returns:
        prelu(x), the shape of ``x``.
    """
    _check_prelu("prelu", x, alpha)
    return torch.where(x > 0, x, alpha * x)  # alpha broadcasts over the last axis


def prelu_grad(x: torch.Tensor, alpha: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Derivatives of PReLU with respect to its input and to its slopes.

        ∂prelu/∂x = 1 where x > 0, else α_c         (elementwise; α_c at 0)
        ∂/∂α_c    = Σ over every element of channel c of (0 where x > 0, else x)

    The second is the gradient of Σ prelu(x) with respect to α: each slope is shared by every
    element of its channel, so its per-element derivatives are summed to α's shape.

    Args:
        x: shape (..., C), floating dtype.
        alpha: shape (C,), (1,) or ().

    Returns:
        (grad_x, grad_alpha): grad_x the shape of ``x``, grad_alpha the shape of ``alpha``.
    """
    _check_prelu("prelu_grad", x, alpha)
    grad_x = torch.where(x > 0, torch.ones_like(x), alpha * torch.ones_like(x))  # (..., C)
    per_element = torch.where(x > 0, torch.zeros_like(x), x)  # (..., C) ∂prelu/∂α elementwise
    per_channel = per_element.reshape(-1, x.shape[-1]).sum(dim=0)  # (C,)
    if alpha.numel() == 1:
        return grad_x, per_channel.sum().reshape(alpha.shape)  # () or (1,)
    return grad_x, per_channel


# ---------------------------------------------------------------- softmax


def softmax(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """Softmax along ``axis``: s_i = e^(x_i) / Σ_j e^(x_j).

    Computed as e^(x_i − m) / Σ_j e^(x_j − m) with m = max_j x_j: the same value (softmax is
    invariant to shifting its inputs), but every exponent is ≤ 0, so nothing overflows and the
    denominator is ≥ 1. m is treated as a constant for autograd (the shift cancels exactly).

    Args:
        x: at least 1-D, floating dtype.
        axis: the axis to normalise over (default: the last).

    Returns:
        s, the shape of ``x``; slices along ``axis`` are probability vectors (sum 1).
    """
    expect("softmax", x=(x, "... *"))
    dim = _axis("softmax", x, axis)
    return _Softmax.apply(x, dim)


class _Softmax(torch.autograd.Function):
    """softmax's forward as above, and its backward from ``softmax_backward``'s formula
    (∂L/∂x)_i = s_i · (g_i − Σ_j s_j g_j): one autograd node instead of five (sub, exp, sum,
    div and the division's two inputs). The backward is built from differentiable operations on
    the saved output, so higher derivatives work as they did through autograd."""

    @staticmethod
    def forward(ctx, x, dim):  # type: ignore[override]
        m = x.amax(dim=dim, keepdim=True)  # (..., 1, ...) the max along axis
        e = (x - m).exp_()  # (...) in (0, 1]; one new tensor, updated in place from here on
        s = e.div_(e.sum(dim=dim, keepdim=True))
        ctx.save_for_backward(s)
        ctx.dim = dim
        return s

    @staticmethod
    def backward(ctx, grad_out):  # type: ignore[override]
        (s,) = ctx.saved_tensors
        if torch.is_grad_enabled():  # create_graph=True: out-of-place, so autograd can follow
            dot = (s * grad_out).sum(dim=ctx.dim, keepdim=True)  # (..., 1, ...) Σ_j s_j g_j
            return s * (grad_out - dot), None
        grad = s * grad_out  # the one new tensor: s ⊙ g, then s ⊙ (g − Σ_j s_j g_j) in place
        dot = grad.sum(dim=ctx.dim, keepdim=True)  # (..., 1, ...) Σ_j s_j g_j
        return torch.sub(grad_out, dot, out=grad).mul_(s), None


def softmax_backward(s: torch.Tensor, grad_out: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """Vector-Jacobian product of softmax: ∂L/∂x given s = softmax(x) and g = ∂L/∂s.

    The Jacobian along ``axis`` is J = diag(s) − s sᵀ (symmetric), so
        (∂L/∂x)_i = Σ_j J_ji g_j = s_i · (g_i − Σ_j s_j g_j),
    computed without forming J.

    Args:
        s: softmax output, at least 1-D.
        grad_out: g = ∂L/∂s, the shape of ``s``.
        axis: the axis softmax normalised over (default: the last).

    Returns:
        ∂L/∂x, the shape of ``s``.
    """
    spec = " ".join(f"d{i}" for i in range(s.ndim)) if isinstance(s, torch.Tensor) else "*"
    expect("softmax_backward", s=(s, "... *"))
    expect("softmax_backward", s=(s, spec), grad_out=(grad_out, spec))
    dim = _axis("softmax_backward", s, axis)
    dot = (s * grad_out).sum(dim=dim, keepdim=True)  # (..., 1, ...) Σ_j s_j g_j
    return s * (grad_out - dot)
