# Generated from solutions/forward.py by `gradelab release`.
# Learners: replace each `raise NotImplementedError(...)` with your code.
# Instructors: edit solutions/forward.py instead, then run `gradelab release`.
"""Perceptron and forward propagation (topic ``forward``).

From one neuron (a weighted sum plus a bias, then an activation) to a perceptron that learns
with Rosenblatt's rule, to dense layers and a multi-layer perceptron evaluated layer by layer.

Lesson: lessons/forward.md
"""

from __future__ import annotations

import numpy as np

from . import activations


def weighted_sum(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """Pre-activation of one neuron for every sample: z_n = Σ_d x[n, d]·w[d] + b.

    Args:
        x: inputs, shape (N, D).
        w: weights, shape (D,).
        b: bias, a number.

    Returns:
        z, shape (N,).
    """
    raise NotImplementedError(
        "forward.weighted_sum: one matrix-vector product gives every sample's dot product; then add the bias"
    )


def step(z: np.ndarray) -> np.ndarray:
    """Unit step, elementwise: 1.0 where z > 0, else 0.0 (so step(0) = 0).

    Args:
        z: any shape.

    Returns:
        0.0 / 1.0 values, shape of z, float.
    """
    raise NotImplementedError(
        "forward.step: compare with zero strictly (0 itself maps to 0) and turn the booleans into floats"
    )


def perceptron_predict(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """Perceptron labels ŷ = step(x·w + b).

    Args:
        x: inputs, shape (N, D).
        w: weights, shape (D,).
        b: bias, a number.

    Returns:
        labels in {0.0, 1.0}, shape (N,).
    """
    raise NotImplementedError(
        "forward.perceptron_predict: the step of the weighted sum; both are functions you already wrote"
    )


def perceptron_train(
    x: np.ndarray, y: np.ndarray, lr: float = 0.1, epochs: int = 10
) -> tuple[np.ndarray, float]:
    """Train a perceptron with the classic rule, one sample at a time, in the given order.

    w = 0 and b = 0 at the start; then, for every epoch and every sample i:
        ŷ_i = step(x_i·w + b),   w ← w + lr·(y_i − ŷ_i)·x_i,   b ← b + lr·(y_i − ŷ_i).

    Args:
        x: inputs, shape (N, D).
        y: targets in {0, 1}, shape (N,).
        lr: learning rate.
        epochs: passes over the data.

    Returns:
        (w, b): weights of shape (D,) and the bias as a float.
    """
    raise NotImplementedError(
        "forward.perceptron_train: for each epoch and sample in order, predict, then move w and b by lr·(y_i − ŷ_i)"
    )


def dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Fully connected layer without activation: y = x @ W + b.

    Args:
        x: inputs, shape (N, D_in).
        W: weights, shape (D_in, D_out) (one column per output unit).
        b: biases, shape (D_out,).

    Returns:
        y, shape (N, D_out).
    """
    raise NotImplementedError(
        "forward.dense_forward: multiply the batch by the weight matrix, then add the bias row to every sample"
    )


def mlp_forward(x: np.ndarray, layers: list[tuple[np.ndarray, np.ndarray, str]]) -> np.ndarray:
    """Forward pass of a multi-layer perceptron.

    a_0 = x,  a_l = f_l(a_{l−1} @ W_l + b_l),  returns a_L. Activation names: linear
    (identity), relu, sigmoid, tanh, leaky_relu (alpha 0.01), elu (alpha 1.0), softmax (over
    the last axis). An unknown name raises ValueError listing the valid ones.

    Args:
        x: inputs, shape (N, D_0).
        layers: list of (W_l (D_{l−1}, D_l), b_l (D_l,), activation name).

    Returns:
        a_L, shape (N, D_L).
    """
    raise NotImplementedError(
        "forward.mlp_forward: map each name to its activation; output of one layer is the input of the next"
    )
