"""Known-wrong variants of the ``losses`` topic.

Each function has the signature of the learner function it imitates and makes one mistake
learners really make (see lessons/losses.md, "Common mistakes"). Variants that take logs of
unclipped probabilities warn and return inf/nan, as a learner's code would: the grader calls them
under ``np.errstate(all="ignore")``.

Not catalogued, because the output cannot tell them apart from a correct answer: swapping
``(y_true, y_pred)`` in ``mse``/``mae``/``huber`` (symmetric in the two), and a one-hot matrix of
integers instead of floats (same values; the grader converts).
"""

from __future__ import annotations

import numpy as np

from grader.misconceptions import mistake


def _reduce(per: np.ndarray, reduction: str) -> np.ndarray | float:
    """The correct reductions (grader side only, never released)."""
    if reduction == "mean":
        return float(np.mean(per))
    if reduction == "sum":
        return float(np.sum(per))
    return per


# --- MSE -------------------------------------------------------------------------------------


@mistake(
    "losses.mse",
    "sum instead of mean (missing 1/N)",
    hint='With reduction="mean" the squared errors are averaged: divide their sum by the number '
    "of elements.",
)
def mse_sum_for_mean(
    y_true: np.ndarray, y_pred: np.ndarray, reduction: str = "mean"
) -> np.ndarray | float:
    per = (np.asarray(y_pred, dtype=np.float64) - y_true) ** 2
    return float(np.sum(per)) if reduction == "mean" else _reduce(per, reduction)


@mistake(
    "losses.mse",
    "½ in front of the MSE",
    hint="The ½ belongs to the notes' cost ½Σ(y − ŷ)², which makes the derivative tidy; the mean "
    "squared error itself is the plain average of the squared residuals.",
)
def mse_with_half(
    y_true: np.ndarray, y_pred: np.ndarray, reduction: str = "mean"
) -> np.ndarray | float:
    per = 0.5 * (np.asarray(y_pred, dtype=np.float64) - y_true) ** 2
    return _reduce(per, reduction)


@mistake(
    "losses.mse",
    "averaged over samples only",
    hint="For (N, D) inputs the mean runs over all N·D elements, as in torch; summing over the "
    "features first and then averaging over the N samples gives D times too much.",
)
def mse_mean_over_rows_only(
    y_true: np.ndarray, y_pred: np.ndarray, reduction: str = "mean"
) -> np.ndarray | float:
    per = (np.asarray(y_pred, dtype=np.float64) - y_true) ** 2
    if reduction == "mean" and per.ndim > 1:
        return float(np.mean(per.reshape(per.shape[0], -1).sum(axis=1)))
    return _reduce(per, reduction)


@mistake(
    "losses.mse",
    "reduction argument ignored",
    hint='Honour reduction: "mean" averages, "sum" adds up, "none" returns one loss per element.',
)
def mse_ignores_reduction(
    y_true: np.ndarray, y_pred: np.ndarray, reduction: str = "mean"
) -> np.ndarray | float:
    return float(np.mean((np.asarray(y_pred, dtype=np.float64) - y_true) ** 2))


@mistake(
    "losses.mse_grad",
    "factor 2 missing",
    hint="The derivative of r² is 2r; the mean's 1/M stays as well.",
)
def mse_grad_without_two(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return (y_pred - y_true) / y_pred.size


@mistake(
    "losses.mse_grad",
    "1/N missing (gradient of the sum)",
    hint="mse_grad is the gradient of the mean loss: every element's contribution is divided by "
    "the number of elements.",
)
def mse_grad_without_mean(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return 2.0 * (np.asarray(y_pred, dtype=np.float64) - y_true)


@mistake(
    "losses.mse_grad",
    "sign flipped (y_true − y_pred)",
    hint="Differentiate with respect to the prediction: the residual is y_pred − y_true, so a "
    "prediction that is too large gets a positive gradient.",
)
def mse_grad_sign_flipped(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return 2.0 * (y_true - y_pred) / y_pred.size


# --- MAE -------------------------------------------------------------------------------------


@mistake(
    "losses.mae_grad",
    "MAE gradient without sign",
    hint="The derivative of |r| is the sign of r (±1, and 0 where r = 0), not r itself.",
)
def mae_grad_without_sign(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return (y_pred - y_true) / y_pred.size


@mistake(
    "losses.mae_grad",
    "1/N missing (gradient of the sum)",
    hint="mae_grad is the gradient of the mean loss: divide by the number of elements.",
)
def mae_grad_without_mean(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return np.sign(np.asarray(y_pred, dtype=np.float64) - y_true)


# --- Huber -----------------------------------------------------------------------------------


@mistake(
    "losses.huber",
    "Huber branches swapped",
    hint="The quadratic piece is for small residuals (|r| ≤ delta) and the linear piece for large "
    "ones; that is what makes Huber robust to outliers.",
)
def huber_branches_swapped(
    y_true: np.ndarray, y_pred: np.ndarray, delta: float = 1.0, reduction: str = "mean"
) -> np.ndarray | float:
    r = np.asarray(y_pred, dtype=np.float64) - y_true
    a = np.abs(r)
    per = np.where(a > delta, 0.5 * r**2, delta * (a - 0.5 * delta))
    return _reduce(per, reduction)


@mistake(
    "losses.huber",
    "linear branch without − ½δ²",
    hint="The linear piece is delta·|r| − ½delta²; without the constant the loss jumps at "
    "|r| = delta instead of joining the quadratic piece smoothly.",
)
def huber_missing_half_delta_squared(
    y_true: np.ndarray, y_pred: np.ndarray, delta: float = 1.0, reduction: str = "mean"
) -> np.ndarray | float:
    r = np.asarray(y_pred, dtype=np.float64) - y_true
    a = np.abs(r)
    per = np.where(a <= delta, 0.5 * r**2, delta * a)
    return _reduce(per, reduction)


@mistake(
    "losses.huber_grad",
    "Huber gradient not clipped",
    hint="Beyond |r| = delta the loss is linear, so its slope stays at ±delta: the gradient is "
    "the residual clipped to [−delta, delta].",
)
def huber_grad_unclipped(y_true: np.ndarray, y_pred: np.ndarray, delta: float = 1.0) -> np.ndarray:
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return (y_pred - y_true) / y_pred.size


# --- binary cross-entropy --------------------------------------------------------------------


@mistake(
    "losses.binary_cross_entropy",
    "log of unclipped probabilities",
    hint="log(0) is −inf, and 0·log(0) is nan: clip the predictions to [eps, 1 − eps] before "
    "taking logs.",
)
def binary_cross_entropy_unclipped(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12, reduction: str = "mean"
) -> np.ndarray | float:
    p = np.asarray(y_pred, dtype=np.float64)
    per = -(y_true * np.log(p) + (1.0 - y_true) * np.log(1.0 - p))
    return _reduce(per, reduction)


@mistake(
    "losses.binary_cross_entropy",
    "the two log terms swapped",
    hint="A target of 1 is scored by log p (the probability given to class 1) and a target of 0 "
    "by log(1 − p), not the other way round.",
)
def binary_cross_entropy_terms_swapped(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12, reduction: str = "mean"
) -> np.ndarray | float:
    p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1.0 - eps)
    per = -(y_true * np.log(1.0 - p) + (1.0 - y_true) * np.log(p))
    return _reduce(per, reduction)


@mistake(
    "losses.binary_cross_entropy",
    "minus sign missing",
    hint="Logs of probabilities are ≤ 0; the loss is their negative, so it is ≥ 0 and shrinks as "
    "predictions improve.",
)
def binary_cross_entropy_without_minus(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12, reduction: str = "mean"
) -> np.ndarray | float:
    p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1.0 - eps)
    per = y_true * np.log(p) + (1.0 - y_true) * np.log(1.0 - p)
    return _reduce(per, reduction)


@mistake(
    "losses.binary_cross_entropy_grad",
    "gradient with respect to the logit (p − y)",
    hint="(p − y)/M is the gradient with respect to the logit z when p = σ(z); this function "
    "differentiates with respect to the probability p, which adds a factor 1/(p(1 − p)).",
)
def binary_cross_entropy_grad_logit(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12
) -> np.ndarray:
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return (y_pred - y_true) / y_pred.size


@mistake(
    "losses.binary_cross_entropy_grad",
    "(1 − y) term missing",
    hint="Both log terms depend on p: differentiate (1 − y)·log(1 − p) too, which gives "
    "+(1 − y)/(1 − p).",
)
def binary_cross_entropy_grad_one_term(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12
) -> np.ndarray:
    y_pred = np.asarray(y_pred, dtype=np.float64)
    p = np.clip(y_pred, eps, 1.0 - eps)
    return -y_true / p / y_pred.size


# --- categorical cross-entropy ---------------------------------------------------------------


@mistake(
    "losses.categorical_cross_entropy",
    "sum over the batch instead of mean",
    hint='reduction="mean" averages the per-sample losses: divide by the number of samples N.',
)
def categorical_cross_entropy_sum_for_mean(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12, reduction: str = "mean"
) -> np.ndarray | float:
    p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1.0 - eps)
    per_sample = -np.sum(y_true * np.log(p), axis=1)
    return float(np.sum(per_sample)) if reduction == "mean" else _reduce(per_sample, reduction)


@mistake(
    "losses.categorical_cross_entropy",
    "mean over N·C entries",
    hint="Each sample has one loss, the sum over its C classes; average those N losses, not all "
    "N·C products (most of which are 0 for one-hot targets).",
)
def categorical_cross_entropy_mean_over_entries(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12, reduction: str = "mean"
) -> np.ndarray | float:
    p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1.0 - eps)
    per_entry = -(y_true * np.log(p))
    if reduction == "mean":
        return float(np.mean(per_entry))
    return _reduce(per_entry.sum(axis=1), reduction)


@mistake(
    "losses.categorical_cross_entropy_grad",
    "gradient with respect to the logits (p − y)",
    hint="(p − y)/N is the gradient of softmax followed by cross-entropy with respect to the "
    "logits; this function differentiates with respect to the probabilities: −y/(N·p).",
)
def categorical_cross_entropy_grad_logits(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12
) -> np.ndarray:
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return (y_pred - y_true) / y_pred.shape[0]


@mistake(
    "losses.categorical_cross_entropy_grad",
    "1/N missing (gradient of the sum)",
    hint="The gradient is of the mean over the N samples: divide by N.",
)
def categorical_cross_entropy_grad_without_mean(
    y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-12
) -> np.ndarray:
    p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1.0 - eps)
    return -np.asarray(y_true, dtype=np.float64) / p


# --- one_hot ---------------------------------------------------------------------------------


@mistake(
    "losses.one_hot",
    "off by one (labels treated as 1-based)",
    hint="Labels are 0-based: class 0 goes in column 0. Shifting by one moves every 1 a column "
    "left (and class 0 wraps around to the last column).",
)
def one_hot_off_by_one(labels: np.ndarray, num_classes: int) -> np.ndarray:
    return np.eye(num_classes)[np.asarray(labels) - 1]


@mistake(
    "losses.one_hot",
    "transposed (C, N)",
    hint="One row per label: the result has shape (N, num_classes).",
)
def one_hot_transposed(labels: np.ndarray, num_classes: int) -> np.ndarray:
    return np.eye(num_classes)[np.asarray(labels)].T


@mistake(
    "losses.mae",
    "sum instead of mean (missing 1/N)",
    hint='With reduction="mean" the absolute errors are averaged: divide their sum by the number '
    "of elements.",
)
def mae_sum_for_mean(
    y_true: np.ndarray, y_pred: np.ndarray, reduction: str = "mean"
) -> np.ndarray | float:
    per = np.abs(np.asarray(y_pred, dtype=np.float64) - y_true)
    return float(np.sum(per)) if reduction == "mean" else _reduce(per, reduction)
