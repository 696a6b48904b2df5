"""Backpropagation by the chain rule: the torch ground truth of the ``backprop`` topic.

Every function here computes derivatives by hand, layer by layer, from the local derivative of
each step (no autograd): the backward pass of a dense layer, of a whole MLP under a named loss,
of the notes' one-neuron-wide sigmoid chain (the vanishing-gradient example), and a
central-difference numerical gradient to check any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from reference import activations, losses
from reference._validate import expect, require_positive
from reference.forward import _check_layers, _same_dtype, dense_forward

__all__ = [
    "LOSS_NAMES",
    "chain_backward",
    "chain_forward",
    "dense_backward",
    "mlp_backward",
    "numerical_gradient",
]

#: Loss names ``mlp_backward`` accepts: functions of the ``losses`` topic (mean reduction).
LOSS_NAMES: tuple[str, ...] = (
    "mse",
    "mae",
    "huber",
    "binary_cross_entropy",
    "categorical_cross_entropy",
)

Layer = tuple[torch.Tensor, torch.Tensor, str]


def dense_backward(
    x: torch.Tensor, W: torch.Tensor, grad_out: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Backward pass of y = x @ W + b given g = ∂L/∂y.

    ∂L/∂x = g @ Wᵀ,   ∂L/∂W = xᵀ @ g,   ∂L/∂b = Σ_n g[n, :]   (the bias is shared by the batch).

    Args:
        x: the layer's input, shape (N, D_in).
        W: weights, shape (D_in, D_out).
        grad_out: ∂L/∂y, shape (N, D_out).

    Returns:
        (grad_x (N, D_in), grad_W (D_in, D_out), grad_b (D_out,)).
    """
    expect(
        "dense_backward",
        x=(x, "N D_in"),
        W=(W, "D_in D_out"),
        grad_out=(grad_out, "N D_out"),
    )
    _same_dtype("dense_backward", x=x, W=W, grad_out=grad_out)
    grad_x = grad_out @ W.T  # (N, D_in)
    grad_W = x.T @ grad_out  # (D_in, D_out): Σ_n x[n, d] g[n, k]
    grad_b = grad_out.sum(dim=0)  # (D_out,)
    return grad_x, grad_W, grad_b


def _activation_backward(
    name: str, z: torch.Tensor, a: torch.Tensor, grad_a: torch.Tensor
) -> torch.Tensor:
    """∂L/∂z from ∂L/∂a where a = f(z): elementwise f′(z)·g, or softmax's Jacobian-vector product."""
    if name == "linear":
        return grad_a
    if name == "softmax":
        return activations.softmax_backward(a, grad_a)  # (N, D): Jᵀg with J = diag(s) − s sᵀ
    derivative: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
        "relu": activations.relu_grad,
        "sigmoid": activations.sigmoid_grad,
        "tanh": activations.tanh_grad,
        "leaky_relu": activations.leaky_relu_grad,  # alpha 0.01, as in mlp_forward
        "elu": activations.elu_grad,  # alpha 1.0
    }
    return grad_a * derivative[name](z)


def _activation_forward(name: str, z: torch.Tensor) -> torch.Tensor:
    table: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
        "linear": lambda t: t,
        "relu": activations.relu,
        "sigmoid": activations.sigmoid,
        "tanh": activations.tanh,
        "leaky_relu": activations.leaky_relu,
        "elu": activations.elu,
        "softmax": activations.softmax,
    }
    return table[name](z)


def mlp_backward(
    x: torch.Tensor, layers: Sequence[Layer], y_true: torch.Tensor, loss: str = "mse"
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Gradients of a mean loss with respect to every weight and bias of an MLP.

    Forward: a_0 = x, z_l = a_{l−1} @ W_l + b_l, a_l = f_l(z_l) (as in ``forward.mlp_forward``).
    Backward: g_L = ∂L/∂a_L = <loss>_grad(y_true, a_L) (already carries the mean's 1/N), then
    for l = L..1: δ_l = ∂L/∂z_l = f_l′(z_l) ⊙ g_l (softmax: its Jacobian-vector product),
    ∂L/∂W_l = a_{l−1}ᵀ δ_l, ∂L/∂b_l = Σ_n δ_l, g_{l−1} = δ_l W_lᵀ.

    Args:
        x: inputs, shape (N, D_0).
        layers: list of (W_l (D_{l−1}, D_l), b_l (D_l,), activation name).
        y_true: targets, shape (N, D_L) (one-hot rows for categorical_cross_entropy).
        loss: one of mse, mae, huber, binary_cross_entropy, categorical_cross_entropy.

    Returns:
        [(grad_W_l (D_{l−1}, D_l), grad_b_l (D_l,)) for l = 1..L], in layer order.
    """
    expect("mlp_backward", x=(x, "N D"))
    _check_layers("mlp_backward", x, layers)
    if not isinstance(loss, str) or loss not in LOSS_NAMES:
        raise ValueError(
            f"mlp_backward: unknown loss {loss!r}; valid names: {', '.join(LOSS_NAMES)}"
        )
    width = layers[-1][0].shape[1] if layers else x.shape[1]
    expect("mlp_backward", x=(x, "N *"), y_true=(y_true, f"N {width}"))
    _same_dtype("mlp_backward", x=x, y_true=y_true)

    inputs, pre, post = [], [], []  # a_{l−1}, z_l, a_l for every layer
    a = x
    for W, b, name in layers:
        inputs.append(a)
        z = dense_forward(a, W, b)  # (N, D_l)
        a = _activation_forward(name, z)  # (N, D_l)
        pre.append(z)
        post.append(a)

    loss_grad = getattr(losses, f"{loss}_grad")
    g = loss_grad(y_true, a)  # (N, D_L) ∂(mean loss)/∂a_L
    grads: list[tuple[torch.Tensor, torch.Tensor]] = []
    for (W, _, name), a_prev, z, a_l in zip(
        reversed(layers), reversed(inputs), reversed(pre), reversed(post), strict=True
    ):
        delta = _activation_backward(name, z, a_l, g)  # (N, D_l) ∂L/∂z_l
        g, grad_W, grad_b = dense_backward(a_prev, W, delta)
        grads.append((grad_W, grad_b))
    return grads[::-1]


def _chain_inputs(
    fn: str, x: float | torch.Tensor, ws: torch.Tensor, bs: torch.Tensor
) -> tuple[torch.Tensor, int]:
    dims = expect(fn, ws=(ws, "n"), bs=(bs, "n"))
    _same_dtype(fn, ws=ws, bs=bs)
    if dims["n"] < 1:
        raise ValueError(f"{fn}: ws and bs need at least one layer, got n=0")
    if isinstance(x, torch.Tensor):
        expect(fn, ws=(ws, "n"), x=(x, ""))
        x = x.to(ws.dtype)
    elif isinstance(x, int | float) and not isinstance(x, bool):
        x = torch.tensor(float(x), dtype=ws.dtype, device=ws.device)
    else:
        raise ValueError(f"{fn}: x must be a number or a 0-d float tensor")
    return x, dims["n"]


def chain_forward(x: float | torch.Tensor, ws: torch.Tensor, bs: torch.Tensor) -> torch.Tensor:
    """Forward pass of a chain of n single sigmoid neurons.

    o_0 = x,   o_k = σ(w_k·o_{k−1} + b_k) for k = 1..n.

    Args:
        x: the scalar input o_0 (a number or a 0-d tensor).
        ws: weights w_1..w_n, shape (n,).
        bs: biases b_1..b_n, shape (n,).

    Returns:
        [o_1, ..., o_n], shape (n,).
    """
    o, n = _chain_inputs("chain_forward", x, ws, bs)
    outs = []
    for k in range(n):
        o = activations.sigmoid(ws[k] * o + bs[k])  # () o_{k+1}
        outs.append(o)
    return torch.stack(outs)  # (n,)


def chain_backward(
    x: float | torch.Tensor, ws: torch.Tensor, bs: torch.Tensor, y: float | torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradients of L = ½(y − o_n)² for the sigmoid chain of ``chain_forward``.

    With δ_k = ∂L/∂z_k (z_k = w_k·o_{k−1} + b_k):
        δ_n = (o_n − y)·σ′(z_n),   δ_k = δ_{k+1}·w_{k+1}·σ′(z_k),   σ′(z_k) = o_k(1 − o_k) ≤ ¼,
        ∂L/∂w_k = δ_k·o_{k−1},   ∂L/∂b_k = δ_k.
    Unrolled, ∂L/∂w_1 = (o_n − y)·Π_k σ′(z_k)·Π_{k≥2} w_k·x: the product of n factors ≤ ¼ is
    why the gradient of the early layers vanishes.

    Args:
        x: the scalar input o_0.
        ws, bs: shape (n,).
        y: the scalar target.

    Returns:
        (dL/dw (n,), dL/db (n,)).
    """
    x, n = _chain_inputs("chain_backward", x, ws, bs)
    y, _ = _chain_inputs("chain_backward", y, ws, bs)
    o = torch.cat([x.reshape(1), chain_forward(x, ws, bs)])  # (n + 1,) o_0..o_n
    grad_w = torch.empty_like(ws)
    grad_b = torch.empty_like(bs)
    upstream = o[n] - y  # ∂L/∂o_n
    for k in range(n, 0, -1):
        delta = upstream * o[k] * (1 - o[k])  # ∂L/∂z_k, σ′(z) = σ(z)(1 − σ(z))
        grad_w[k - 1] = delta * o[k - 1]
        grad_b[k - 1] = delta
        upstream = delta * ws[k - 1]  # ∂L/∂o_{k−1}
    return grad_w, grad_b


def numerical_gradient(
    f: Callable[[torch.Tensor], torch.Tensor | float], x: torch.Tensor, h: float = 1e-5
) -> torch.Tensor:
    """Central-difference estimate of ∇f at x, one coordinate at a time.

    ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / (2h), error O(h²) for smooth f.
    ``x`` itself is never modified (each probe works on a copy).

    Args:
        f: maps a tensor shaped like x to a scalar (0-d tensor or number).
        x: the point, any shape, float.
        h: the step, > 0.

    Returns:
        the gradient estimate, shape and dtype of x.
    """
    expect("numerical_gradient", x=(x, "..."))
    require_positive("numerical_gradient", "h", h)
    if not callable(f):
        raise ValueError("numerical_gradient: f must be callable")
    # Row-major (C-contiguous) buffers whatever x's strides: coordinate i is element i of
    # x.reshape(-1), and view(-1) works on them (a transposed x's clone keeps its strides).
    grad = torch.empty_like(x, memory_format=torch.contiguous_format)
    flat = grad.view(-1)
    for i in range(x.numel()):
        values = []
        for shift in (h, -h):
            probe = x.detach().clone(memory_format=torch.contiguous_format)
            probe.view(-1)[i] += shift
            out = torch.as_tensor(f(probe), dtype=x.dtype, device=x.device)
            if out.numel() != 1:
                raise ValueError(
                    f"numerical_gradient: f must return a scalar, got shape {tuple(out.shape)}"
                )
            values.append(out.reshape(()))
        flat[i] = (values[0] - values[1]) / (2 * h)
    return grad
