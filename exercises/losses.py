# Generated from solutions/losses.py by `gradelab release`.
# Learners: replace each `raise NotImplementedError(...)` with your code.
# Instructors: edit solutions/losses.py instead, then run `gradelab release`.
"""Loss functions and their gradients (topic ``losses``).

How far predictions are from targets: mean squared error, mean absolute error and the Huber loss
for regression; binary and categorical cross-entropy for classification; and one-hot encoding
of class labels. Each loss has a gradient with respect to the predictions, which is where the
backward pass starts.

Conventions:
- Arguments come in Keras order: ``(y_true, y_pred)``, two arrays of the same shape.
- ``reduction="mean"`` averages over every element ((N,) or (N, D) alike, N·D terms for the
  latter); ``"sum"`` adds them; ``"none"`` returns the per-element losses. Categorical
  cross-entropy has one loss per sample (row), so its mean divides by N.
- ``*_grad`` returns the gradient of the *mean* loss with respect to ``y_pred``.
- Cross-entropies clip probabilities to [eps, 1 − eps] before the log, and their gradients use
  the clipped probabilities. Binary and categorical cross-entropy must not overflow or warn:
  a NumPy RuntimeWarning (a log of 0, say) fails the check even when the values are right.
- Outputs are float arrays (``one_hot`` included), and no input is modified in place.

Lesson: lessons/losses.md
"""

from __future__ import annotations

import numpy as np


def mse(y_true: np.ndarray, y_pred: np.ndarray, reduction: str = "mean") -> np.ndarray | float:
    """Mean squared error: the average of (y_pred − y_true)² over all elements.

    Args:
        y_true: targets, any shape.
        y_pred: predictions, same shape.
        reduction: "mean", "sum" or "none".

    Returns:
        A float ("mean", "sum") or the elementwise squared errors ("none").
    """
    raise NotImplementedError(
        "losses.mse: square the residuals, then average, add up or keep them according to reduction"
    )


def mse_grad(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Gradient of the mean squared error with respect to y_pred: 2·(y_pred − y_true) / M.

    M is the number of elements.

    Returns:
        Same shape as y_pred.
    """
    raise NotImplementedError(
        "losses.mse_grad: differentiate the square (a factor 2) and remember the mean divides by every element"
    )


def mae(y_true: np.ndarray, y_pred: np.ndarray, reduction: str = "mean") -> np.ndarray | float:
    """Mean absolute error: the average of |y_pred − y_true| over all elements.

    Args:
        y_true: targets, any shape.
        y_pred: predictions, same shape.
        reduction: "mean", "sum" or "none".

    Returns:
        A float ("mean", "sum") or the elementwise absolute errors ("none").
    """
    raise NotImplementedError(
        "losses.mae: absolute residuals, then the same three reductions as mse"
    )


def mae_grad(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Gradient of the mean absolute error: sign(y_pred − y_true) / M (0 where they are equal).

    Returns:
        Same shape as y_pred.
    """
    raise NotImplementedError(
        "losses.mae_grad: the derivative of |r| is the sign of r (np.sign gives 0 at 0); divide by the count"
    )


def huber(
    y_true: np.ndarray, y_pred: np.ndarray, delta: float = 1.0, reduction: str = "mean"
) -> np.ndarray | float:
    """Huber loss: ½r² where |r| ≤ delta, delta·(|r| − ½·delta) elsewhere, r = y_pred − y_true.

    Quadratic near the target like MSE, linear far from it like MAE (robust to outliers); the
    two pieces meet smoothly at |r| = delta.

    Args:
        y_true: targets, any shape.
        y_pred: predictions, same shape.
        delta: where the loss turns from quadratic to linear (> 0).
        reduction: "mean", "sum" or "none".

    Returns:
        A float ("mean", "sum") or the elementwise losses ("none").
    """
    raise NotImplementedError(
        "losses.huber: compute both pieces and pick per element with np.where on |r| <= delta"
    )


def huber_grad(y_true: np.ndarray, y_pred: np.ndarray, delta: float = 1.0) -> np.ndarray:
    """Gradient of the mean Huber loss: r / M where |r| ≤ delta, delta·sign(r) / M elsewhere.

    Returns:
        Same shape as y_pred.
    """
    raise NotImplementedError(
        "losses.huber_grad: the residual itself, clipped to [−delta, delta], then divided by the count"
    )


def binary_cross_entropy(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12, reduction: str = "mean"
) -> np.ndarray | float:
    """Binary cross-entropy: −[y·log p + (1 − y)·log(1 − p)] per element, p = clip(y_pred).

    Args:
        y_true: targets, 0 or 1 (or any value in [0, 1]), any shape.
        y_pred: predicted probabilities, same shape.
        eps: predictions are clipped to [eps, 1 − eps] so the logs stay finite.
        reduction: "mean", "sum" or "none".

    Returns:
        A float ("mean", "sum") or the elementwise losses ("none").
    """
    raise NotImplementedError(
        "losses.binary_cross_entropy: clip the probabilities first (np.clip), then one log term for each possible label"
    )


def binary_cross_entropy_grad(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12
) -> np.ndarray:
    """Gradient of the mean binary cross-entropy with respect to the probabilities y_pred:

    (−y / p + (1 − y) / (1 − p)) / M with p = clip(y_pred, eps, 1 − eps), M elements.

    Returns:
        Same shape as y_pred.
    """
    raise NotImplementedError(
        "losses.binary_cross_entropy_grad: differentiate each log term with respect to p (not the logit), at the clipped p"
    )


def categorical_cross_entropy(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12, reduction: str = "mean"
) -> np.ndarray | float:
    """Categorical cross-entropy: per sample −Σ_j y_ij·log p_ij, p = clip(y_pred, eps, 1 − eps).

    Args:
        y_true: one-hot targets, shape (N, C).
        y_pred: predicted class probabilities (rows sum to 1), shape (N, C).
        eps: clipping bound for the probabilities.
        reduction: "mean" (over the N samples), "sum" or "none" (shape (N,)).

    Returns:
        A float ("mean", "sum") or the per-sample losses, shape (N,) ("none").
    """
    raise NotImplementedError(
        "losses.categorical_cross_entropy: sum −y·log(clipped p) across each row to get one loss per sample, then reduce"
    )


def categorical_cross_entropy_grad(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12
) -> np.ndarray:
    """Gradient of the mean categorical cross-entropy with respect to y_pred: −y / (N·p).

    p = clip(y_pred, eps, 1 − eps); N is the number of samples (rows).

    Returns:
        Shape (N, C).
    """
    raise NotImplementedError(
        "losses.categorical_cross_entropy_grad: derivative of −y·log p with respect to p, divided by the number of rows"
    )


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """One-hot encoding: row i has a 1.0 in column labels[i] and 0.0 elsewhere.

    Args:
        labels: integer class indices in [0, num_classes), shape (N,).
        num_classes: C, the number of classes.

    Returns:
        Float array of shape (N, C).
    """
    raise NotImplementedError("losses.one_hot: rows of an identity matrix, picked by the labels")
