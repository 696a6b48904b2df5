# Generated from solutions/activations.py by `gradelab release`.
# Learners: replace each `raise NotImplementedError(...)` with your code.
# Instructors: edit solutions/activations.py instead, then run `gradelab release`.
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
    raise NotImplementedError(
        "activations.sigmoid: split on the sign of x so exp only ever sees −|x|; σ(x) = e^x / (1 + e^x) for x < 0"
    )


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of the sigmoid, σ′(x) = σ(x)·(1 − σ(x)), elementwise.

    Its largest value is σ′(0) = 0.25.

    Args:
        x: array of any shape (the input of the sigmoid, not its output).

    Returns:
        σ′(x), same shape, values in [0, 0.25].
    """
    raise NotImplementedError(
        "activations.sigmoid_grad: reuse your sigmoid; the derivative is a product of σ and one minus σ"
    )


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ), elementwise.

    Args:
        x: array of any shape.

    Returns:
        tanh(x), same shape, values in [−1, 1]. No overflow for |x| up to 1000.
    """
    raise NotImplementedError(
        "activations.tanh: the textbook formula overflows for large |x|; NumPy's own tanh is stable"
    )


def tanh_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of tanh, tanh′(x) = 1 − tanh(x)², elementwise.

    Args:
        x: array of any shape (the input of tanh).

    Returns:
        tanh′(x), same shape, values in [0, 1].
    """
    raise NotImplementedError("activations.tanh_grad: one minus the square of tanh(x)")


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit relu(x) = max(0, x), elementwise.

    Args:
        x: array of any shape.

    Returns:
        relu(x), same shape.
    """
    raise NotImplementedError(
        "activations.relu: an elementwise maximum with 0 (np.max would reduce over an axis instead)"
    )


def relu_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of ReLU: 1.0 where x > 0, else 0.0 (so relu_grad(0) = 0).

    Args:
        x: array of any shape.

    Returns:
        Float array of 0s and 1s, same shape.
    """
    raise NotImplementedError("activations.relu_grad: a float mask of where x is strictly positive")


def leaky_relu(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """Leaky ReLU: x where x > 0, else alpha·x, elementwise.

    Args:
        x: array of any shape.
        alpha: slope for x ≤ 0 (≥ 0).

    Returns:
        Same shape as x.
    """
    raise NotImplementedError(
        "activations.leaky_relu: choose between x and alpha·x depending on the sign of x"
    )


def leaky_relu_grad(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """Derivative of leaky ReLU: 1.0 where x > 0, else alpha (so the value at 0 is alpha).

    Args:
        x: array of any shape.
        alpha: slope for x ≤ 0.

    Returns:
        Same shape as x.
    """
    raise NotImplementedError(
        "activations.leaky_relu_grad: 1 on the positive side, alpha everywhere else (zero included)"
    )


def elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Exponential linear unit: x where x > 0, else alpha·(eˣ − 1), elementwise.

    Args:
        x: array of any shape.
        alpha: the negative saturation value is −alpha.

    Returns:
        Same shape as x. No overflow for x up to 1000.
    """
    raise NotImplementedError(
        "activations.elu: only take the exponential of the non-positive part of x (np.expm1 computes eˣ − 1)"
    )


def elu_grad(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Derivative of ELU: 1.0 where x > 0, else alpha·eˣ (so elu_grad(0) = alpha).

    Args:
        x: array of any shape.
        alpha: as in ``elu``.

    Returns:
        Same shape as x.
    """
    raise NotImplementedError(
        "activations.elu_grad: differentiate alpha·(eˣ − 1) for the non-positive side; keep exp away from large x"
    )


def prelu(x: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Parametric ReLU: x where x > 0, else alpha·x, with one learned slope per channel.

    The channel axis is the last axis: x[..., c] uses alpha[c].

    Args:
        x: array of shape (..., C).
        alpha: slopes, shape (C,) (or (1,) / a scalar for one shared slope).

    Returns:
        Same shape as x.
    """
    raise NotImplementedError(
        "activations.prelu: like leaky ReLU, but broadcasting alpha along the last axis of x"
    )


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
    raise NotImplementedError(
        "activations.prelu_grad: the alpha gradient is x on the non-positive side, summed down to alpha's shape"
    )


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``: s_i = e^(x_i) / Σ_j e^(x_j).

    Args:
        x: array with at least one dimension.
        axis: the axis that holds the scores of one distribution (default: last).

    Returns:
        Same shape as x; every slice along ``axis`` sums to 1. No overflow for |x| up to 1000.
    """
    raise NotImplementedError(
        "activations.softmax: subtract the max along the axis first (keepdims=True): softmax does not change"
    )


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
    raise NotImplementedError(
        "activations.softmax_backward: no need to build the Jacobian; subtract the s-weighted sum of grad_out, then scale by s"
    )
