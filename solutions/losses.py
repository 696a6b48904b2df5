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
    ### BEGIN SOLUTION
    # hint: square the residuals, then average, add up or keep them according to reduction
    sq = (np.asarray(y_pred, dtype=np.float64) - y_true) ** 2
    if reduction == "mean":
        return float(np.mean(sq))
    if reduction == "sum":
        return float(np.sum(sq))
    if reduction == "none":
        return sq
    raise ValueError(f"mse: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    ### END SOLUTION


def mse_grad(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Gradient of the mean squared error with respect to y_pred: 2·(y_pred − y_true) / M.

    M is the number of elements.

    Returns:
        Same shape as y_pred.
    """
    ### BEGIN SOLUTION
    # hint: differentiate the square (a factor 2) and remember the mean divides by every element
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return 2.0 * (y_pred - y_true) / y_pred.size
    ### END SOLUTION


def mae(y_true: np.ndarray, y_pred: np.ndarray, reduction: str = "mean") -> np.ndarray | float:
    """Mean absolute error: the average of |y_pred − y_true| over all elements.

    Args:
        y_true: targets, any shape.
        y_pred: predictions, same shape.
        reduction: "mean", "sum" or "none".

    Returns:
        A float ("mean", "sum") or the elementwise absolute errors ("none").
    """
    ### BEGIN SOLUTION
    # hint: absolute residuals, then the same three reductions as mse
    err = np.abs(np.asarray(y_pred, dtype=np.float64) - y_true)
    if reduction == "mean":
        return float(np.mean(err))
    if reduction == "sum":
        return float(np.sum(err))
    if reduction == "none":
        return err
    raise ValueError(f"mae: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    ### END SOLUTION


def mae_grad(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Gradient of the mean absolute error: sign(y_pred − y_true) / M (0 where they are equal).

    Returns:
        Same shape as y_pred.
    """
    ### BEGIN SOLUTION
    # hint: the derivative of |r| is the sign of r (np.sign gives 0 at 0); divide by the count
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return np.sign(y_pred - y_true) / y_pred.size
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    # hint: compute both pieces and pick per element with np.where on |r| <= delta
    r = np.asarray(y_pred, dtype=np.float64) - y_true
    a = np.abs(r)
    per = np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))
    if reduction == "mean":
        return float(np.mean(per))
    if reduction == "sum":
        return float(np.sum(per))
    if reduction == "none":
        return per
    raise ValueError(f"huber: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    ### END SOLUTION


def huber_grad(y_true: np.ndarray, y_pred: np.ndarray, delta: float = 1.0) -> np.ndarray:
    """Gradient of the mean Huber loss: r / M where |r| ≤ delta, delta·sign(r) / M elsewhere.

    Returns:
        Same shape as y_pred.
    """
    ### BEGIN SOLUTION
    # hint: the residual itself, clipped to [−delta, delta], then divided by the count
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return np.clip(y_pred - y_true, -delta, delta) / y_pred.size
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    # hint: clip the probabilities first (np.clip), then one log term for each possible label
    p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1.0 - eps)
    per = -(y_true * np.log(p) + (1.0 - y_true) * np.log(1.0 - p))
    if reduction == "mean":
        return float(np.mean(per))
    if reduction == "sum":
        return float(np.sum(per))
    if reduction == "none":
        return per
    raise ValueError(
        f"binary_cross_entropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}"
    )
    ### END SOLUTION


def binary_cross_entropy_grad(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12
) -> np.ndarray:
    """Gradient of the mean binary cross-entropy with respect to the probabilities y_pred:

    (−y / p + (1 − y) / (1 − p)) / M with p = clip(y_pred, eps, 1 − eps), M elements.

    Returns:
        Same shape as y_pred.
    """
    ### BEGIN SOLUTION
    # hint: differentiate each log term with respect to p (not the logit), at the clipped p
    y_pred = np.asarray(y_pred, dtype=np.float64)
    p = np.clip(y_pred, eps, 1.0 - eps)
    return (-y_true / p + (1.0 - y_true) / (1.0 - p)) / y_pred.size
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    # hint: sum −y·log(clipped p) across each row to get one loss per sample, then reduce
    p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1.0 - eps)
    per_sample = -np.sum(y_true * np.log(p), axis=1)
    if reduction == "mean":
        return float(np.mean(per_sample))
    if reduction == "sum":
        return float(np.sum(per_sample))
    if reduction == "none":
        return per_sample
    raise ValueError(
        f"categorical_cross_entropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}"
    )
    ### END SOLUTION


def categorical_cross_entropy_grad(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12
) -> np.ndarray:
    """Gradient of the mean categorical cross-entropy with respect to y_pred: −y / (N·p).

    p = clip(y_pred, eps, 1 − eps); N is the number of samples (rows).

    Returns:
        Shape (N, C).
    """
    ### BEGIN SOLUTION
    # hint: derivative of −y·log p with respect to p, divided by the number of rows
    y_pred = np.asarray(y_pred, dtype=np.float64)
    p = np.clip(y_pred, eps, 1.0 - eps)
    return -np.asarray(y_true, dtype=np.float64) / p / y_pred.shape[0]
    ### END SOLUTION


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """One-hot encoding: row i has a 1.0 in column labels[i] and 0.0 elsewhere.

    Args:
        labels: integer class indices in [0, num_classes), shape (N,).
        num_classes: C, the number of classes.

    Returns:
        Float array of shape (N, C).
    """
    ### BEGIN SOLUTION
    # hint: rows of an identity matrix, picked by the labels
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"one_hot: labels must lie in [0, {num_classes})")
    return np.eye(num_classes)[labels]
    ### END SOLUTION
