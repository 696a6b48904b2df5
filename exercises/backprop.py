# Generated from solutions/backprop.py by `gradelab release`.
# Learners: replace each `raise NotImplementedError(...)` with your code.
# Instructors: edit solutions/backprop.py instead, then run `gradelab release`.
"""Backpropagation and the chain rule (topic ``backprop``).

Gradients by hand: the backward pass of a dense layer and of a whole MLP under a named loss,
the one-neuron-wide sigmoid chain that shows why gradients vanish, and a numerical gradient by
central differences to check all of them.

Lesson: lessons/backprop.md
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import activations, forward, losses


def dense_backward(
    x: np.ndarray, W: np.ndarray, grad_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of the dense layer y = x @ W + b, given grad_out = ∂L/∂y.

    ∂L/∂x = grad_out @ Wᵀ,  ∂L/∂W = xᵀ @ grad_out,  ∂L/∂b = grad_out summed over the batch.

    Args:
        x: the layer's input, shape (N, D_in).
        W: weights, shape (D_in, D_out).
        grad_out: ∂L/∂y, shape (N, D_out).

    Returns:
        (grad_x (N, D_in), grad_W (D_in, D_out), grad_b (D_out,)).
    """
    raise NotImplementedError(
        "backprop.dense_backward: each gradient is a matrix product whose shape must match what it differentiates"
    )


def mlp_backward(
    x: np.ndarray,
    layers: list[tuple[np.ndarray, np.ndarray, str]],
    y_true: np.ndarray,
    loss: str = "mse",
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Gradients of the mean loss with respect to every layer's W and b.

    Forward as in ``forward.mlp_forward``, keeping each layer's input a_{l−1} and
    pre-activation z_l. Backward: g = <loss>_grad(y_true, a_L); for l = L..1:
    δ = f_l′(z_l)·g (softmax: its vector-Jacobian product), ∂L/∂W_l = a_{l−1}ᵀ δ,
    ∂L/∂b_l = Σ_n δ, g = δ W_lᵀ.

    Args:
        x: inputs, shape (N, D_0).
        layers: list of (W_l (D_{l−1}, D_l), b_l (D_l,), activation name).
        y_true: targets, shape (N, D_L).
        loss: mse, mae, huber, binary_cross_entropy or categorical_cross_entropy.

    Returns:
        [(grad_W_l, grad_b_l) for each layer], first layer first.
    """
    raise NotImplementedError(
        "backprop.mlp_backward: store each layer's input and pre-activation going forward; walk back from the loss"
    )


def chain_forward(x: float, ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
    """Outputs of a chain of single sigmoid neurons: o_0 = x, o_k = σ(w_k·o_{k−1} + b_k).

    Args:
        x: the scalar input.
        ws: weights w_1..w_n, shape (n,).
        bs: biases b_1..b_n, shape (n,).

    Returns:
        [o_1, ..., o_n], shape (n,).
    """
    raise NotImplementedError(
        "backprop.chain_forward: one neuron after another; each output becomes the next neuron's input"
    )


def chain_backward(
    x: float, ws: np.ndarray, bs: np.ndarray, y: float
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of L = ½(y − o_n)² for the chain of ``chain_forward``.

    ∂L/∂b_k = (o_n − y)·σ′(z_n)·Π_{j=k}^{n−1} w_{j+1}·σ′(z_j),  ∂L/∂w_k = ∂L/∂b_k·o_{k−1},
    with σ′(z_k) = o_k(1 − o_k) ≤ 0.25: each step back multiplies by another small factor.

    Args:
        x: the scalar input o_0.
        ws, bs: shape (n,).
        y: the scalar target.

    Returns:
        (dL/dw, dL/db), each of shape (n,).
    """
    raise NotImplementedError(
        "backprop.chain_backward: ∂L/∂o_n = o_n − y; each step back multiplies by σ′ = o(1 − o) and by the weight"
    )


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Central-difference gradient of the scalar function f at x.

    ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / (2h); x itself is left unchanged.

    Args:
        f: maps an array shaped like x to a number.
        x: the point, any shape.
        h: the step size.

    Returns:
        the gradient estimate, shape of x.
    """
    raise NotImplementedError(
        "backprop.numerical_gradient: nudge one entry of a copy of x up and down by h; the slope between them"
    )
