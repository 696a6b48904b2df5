"""Activation functions and their derivatives (topic ``activations``).

The non-linearities that sit between the layers of a network: sigmoid and tanh (smooth,
saturating), the ReLU family (ReLU, leaky ReLU, ELU, PReLU with a learned slope per channel) and
softmax (turns a vector of scores into probabilities). Each comes with its derivative, which the
backward pass multiplies into the upstream gradient; softmax mixes its inputs, so its backward
pass takes the upstream gradient itself.

Conventions: inputs are float64 arrays of any shape; nothing is modified in place. At the kink
x = 0 the ReLU family takes its left-hand slope: relu_grad(0) = 0, leaky_relu_grad(0) = alpha,
elu_grad(0) = alpha. Sigmoid, tanh and softmax must not overflow or warn for inputs in
[-1000, 1000].

Lesson: lessons/activations.md
"""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic sigmoid σ(x) = 1 / (1 + e^(−x)), elementwise.

    Args:
        x: array of any shape.

    Returns:
        σ(x), same shape, values in [0, 1]. No overflow warning for |x| up to 1000.
    """
    ### BEGIN SOLUTION
    # hint: split on the sign of x so exp only ever sees −|x|; σ(x) = e^x / (1 + e^x) for x < 0
    x = np.asarray(x, dtype=np.float64)
    z = np.exp(-np.abs(x))  # in (0, 1], never overflows
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    ### END SOLUTION


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of the sigmoid, σ′(x) = σ(x)·(1 − σ(x)), elementwise.

    Its largest value is σ′(0) = 0.25.

    Args:
        x: array of any shape (the input of the sigmoid, not its output).

    Returns:
        σ′(x), same shape, values in [0, 0.25].
    """
    ### BEGIN SOLUTION
    # hint: reuse your sigmoid; the derivative is a product of σ and one minus σ
    s = sigmoid(x)
    return s * (1.0 - s)
    ### END SOLUTION


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ), elementwise.

    Args:
        x: array of any shape.

    Returns:
        tanh(x), same shape, values in [−1, 1]. No overflow for |x| up to 1000.
    """
    ### BEGIN SOLUTION
    # hint: the textbook formula overflows for large |x|; NumPy's own tanh is stable
    return np.tanh(np.asarray(x, dtype=np.float64))
    ### END SOLUTION


def tanh_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of tanh, tanh′(x) = 1 − tanh(x)², elementwise.

    Args:
        x: array of any shape (the input of tanh).

    Returns:
        tanh′(x), same shape, values in [0, 1].
    """
    ### BEGIN SOLUTION
    # hint: one minus the square of tanh(x)
    t = tanh(x)
    return 1.0 - t * t
    ### END SOLUTION


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit relu(x) = max(0, x), elementwise.

    Args:
        x: array of any shape.

    Returns:
        relu(x), same shape.
    """
    ### BEGIN SOLUTION
    # hint: an elementwise maximum with 0 (np.max would reduce over an axis instead)
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0)
    ### END SOLUTION


def relu_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of ReLU: 1.0 where x > 0, else 0.0 (so relu_grad(0) = 0).

    Args:
        x: array of any shape.

    Returns:
        Float array of 0s and 1s, same shape.
    """
    ### BEGIN SOLUTION
    # hint: a float mask of where x is strictly positive
    return (np.asarray(x) > 0).astype(np.float64)
    ### END SOLUTION


def leaky_relu(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """Leaky ReLU: x where x > 0, else alpha·x, elementwise.

    Args:
        x: array of any shape.
        alpha: slope for x ≤ 0 (≥ 0).

    Returns:
        Same shape as x.
    """
    ### BEGIN SOLUTION
    # hint: choose between x and alpha·x depending on the sign of x
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, alpha * x)
    ### END SOLUTION


def leaky_relu_grad(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """Derivative of leaky ReLU: 1.0 where x > 0, else alpha (so the value at 0 is alpha).

    Args:
        x: array of any shape.
        alpha: slope for x ≤ 0.

    Returns:
        Same shape as x.
    """
    ### BEGIN SOLUTION
    # hint: 1 on the positive side, alpha everywhere else (zero included)
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, 1.0, alpha) * np.ones_like(x)
    ### END SOLUTION


def elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Exponential linear unit: x where x > 0, else alpha·(eˣ − 1), elementwise.

    Args:
        x: array of any shape.
        alpha: the negative saturation value is −alpha.

    Returns:
        Same shape as x. No overflow for x up to 1000.
    """
    ### BEGIN SOLUTION
    # hint: only take the exponential of the non-positive part of x (np.expm1 computes eˣ − 1)
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
    ### END SOLUTION


def elu_grad(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Derivative of ELU: 1.0 where x > 0, else alpha·eˣ (so elu_grad(0) = alpha).

    Args:
        x: array of any shape.
        alpha: as in ``elu``.

    Returns:
        Same shape as x.
    """
    ### BEGIN SOLUTION
    # hint: differentiate alpha·(eˣ − 1) for the non-positive side; keep exp away from large x
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))
    ### END SOLUTION


def prelu(x: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Parametric ReLU: x where x > 0, else alpha·x, with one learned slope per channel.

    The channel axis is the last axis: x[..., c] uses alpha[c].

    Args:
        x: array of shape (..., C).
        alpha: slopes, shape (C,) (or (1,) / a scalar for one shared slope).

    Returns:
        Same shape as x.
    """
    ### BEGIN SOLUTION
    # hint: like leaky ReLU, but broadcasting alpha along the last axis of x
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, np.asarray(alpha) * x)
    ### END SOLUTION


def prelu_grad(x: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Derivatives of PReLU with respect to x and to alpha.

    ∂/∂x is 1 where x > 0 else alpha_c (elementwise, alpha_c at 0). ∂/∂alpha_c is x where
    x ≤ 0 else 0, summed over every element of channel c, because each slope is shared by all
    of them (the gradient of the sum of the outputs).

    Args:
        x: array of shape (..., C).
        alpha: slopes, shape (C,) (or (1,) / a scalar).

    Returns:
        (grad_x with the shape of x, grad_alpha with the shape of alpha).
    """
    ### BEGIN SOLUTION
    # hint: the alpha gradient is x on the non-positive side, summed down to alpha's shape
    x = np.asarray(x, dtype=np.float64)
    alpha = np.asarray(alpha, dtype=np.float64)
    grad_x = np.where(x > 0, 1.0, alpha) * np.ones_like(x)
    per_element = np.where(x > 0, 0.0, x)
    per_channel = per_element.reshape(-1, x.shape[-1]).sum(axis=0)  # (C,)
    if per_channel.size != alpha.size:  # one slope shared by every channel
        per_channel = per_channel.sum()
    return grad_x, np.reshape(per_channel, alpha.shape)
    ### END SOLUTION


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``: s_i = e^(x_i) / Σ_j e^(x_j).

    Args:
        x: array with at least one dimension.
        axis: the axis that holds the scores of one distribution (default: last).

    Returns:
        Same shape as x; every slice along ``axis`` sums to 1. No overflow for |x| up to 1000.
    """
    ### BEGIN SOLUTION
    # hint: subtract the max along the axis first (keepdims=True): softmax does not change
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
    ### END SOLUTION


def softmax_backward(s: np.ndarray, grad_out: np.ndarray, axis: int = -1) -> np.ndarray:
    """Gradient with respect to softmax's input, given its output s and grad_out = ∂L/∂s.

    The Jacobian is diag(s) − s sᵀ, so ∂L/∂x_i = s_i·(g_i − Σ_j s_j g_j) along ``axis``.

    Args:
        s: softmax output.
        grad_out: ∂L/∂s, same shape as s.
        axis: the axis softmax was taken over.

    Returns:
        ∂L/∂x, same shape as s.
    """
    ### BEGIN SOLUTION
    # hint: no need to build the Jacobian; subtract the s-weighted sum of grad_out, then scale by s
    s = np.asarray(s, dtype=np.float64)
    g = np.asarray(grad_out, dtype=np.float64)
    return s * (g - np.sum(s * g, axis=axis, keepdims=True))
    ### END SOLUTION
