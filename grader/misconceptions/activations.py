"""Known-wrong variants of the ``activations`` topic.

Each function has the signature of the learner function it imitates and makes one mistake
learners really make (see lessons/activations.md, "Common mistakes"). The variants are written
the way a learner would write them, overflow warnings included: the grader calls them under
``np.errstate(all="ignore")``.

Not catalogued: ``sigmoid`` written as ``1 / (1 + np.exp(-x))``. For float64 inputs it returns
the right values everywhere (at x = −1000, exp overflows to inf and the result is 0.0, as it
should be); only NumPy's overflow warning gives it away, so it cannot be told apart by output.
The overflowing forms that do change the output are catalogued instead (``e^x / (1 + e^x)`` for
``sigmoid``, ``e^(−x) / (1 + e^(−x))²`` for ``sigmoid_grad``, the exponential formula for
``tanh``).
"""

from __future__ import annotations

import numpy as np

from grader.misconceptions import mistake


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """Correct, stable σ(x) (grader side only, never released)."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


# --- sigmoid ---------------------------------------------------------------------------------


@mistake(
    "activations.sigmoid",
    "sigmoid as eˣ / (1 + eˣ) overflows",
    hint="eˣ / (1 + eˣ) is σ(x) on paper, but for large positive x both eˣ overflow to inf and "
    "inf / inf is nan. Arrange the computation so exp only sees non-positive arguments.",
)
def sigmoid_exp_ratio_overflows(x: np.ndarray) -> np.ndarray:
    e = np.exp(x)
    return e / (1.0 + e)


@mistake(
    "activations.sigmoid",
    "sign of the exponent flipped",
    hint="σ(x) = 1 / (1 + e^(−x)) increases with x: σ(3) is close to 1. With e^(+x) in the "
    "denominator you computed σ(−x).",
)
def sigmoid_sign_flipped(x: np.ndarray) -> np.ndarray:
    return _sigmoid(-np.asarray(x, dtype=np.float64))


@mistake(
    "activations.sigmoid_grad",
    "σ′ written as σ",
    hint="The derivative of the sigmoid is not the sigmoid itself: it is σ(x)·(1 − σ(x)), whose "
    "largest value is 0.25 at x = 0.",
)
def sigmoid_grad_as_sigmoid(x: np.ndarray) -> np.ndarray:
    return _sigmoid(x)


@mistake(
    "activations.sigmoid_grad",
    "σ′ written as σ(1 + σ)",
    hint="Check the sign in the second factor: σ′ = σ·(1 − σ). It can never exceed 0.25.",
)
def sigmoid_grad_one_plus(x: np.ndarray) -> np.ndarray:
    s = _sigmoid(x)
    return s * (1.0 + s)


@mistake(
    "activations.sigmoid_grad",
    "x(1 − x) instead of σ(x)(1 − σ(x))",
    hint="sigmoid_grad receives the sigmoid's input x, not its output: apply σ to x first, then "
    "form σ·(1 − σ).",
)
def sigmoid_grad_of_input(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x * (1.0 - x)


@mistake(
    "activations.sigmoid_grad",
    "σ′ as e^(−x) / (1 + e^(−x))² overflows",
    hint="e^(−x) / (1 + e^(−x))² is σ′ on paper, but for x near −1000 the numerator and the "
    "denominator overflow to inf and their ratio is nan. Build σ′ from a stable σ instead.",
)
def sigmoid_grad_exp_formula_overflows(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.asarray(x, dtype=np.float64))
    return e / (1.0 + e) ** 2


# --- tanh ------------------------------------------------------------------------------------


@mistake(
    "activations.tanh",
    "tanh from the exponential formula overflows",
    hint="(eˣ − e⁻ˣ) / (eˣ + e⁻ˣ) overflows for |x| beyond about 710: inf / inf is nan. Use a "
    "form where exp never sees a large positive argument (or NumPy's own tanh).",
)
def tanh_exp_formula_overflows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


@mistake(
    "activations.tanh_grad",
    "tanh′ as 1 − tanh (square forgotten)",
    hint="The derivative of tanh is 1 − tanh(x)²: the tanh is squared, so the derivative is never "
    "negative and is 1 at x = 0.",
)
def tanh_grad_without_square(x: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(x)


@mistake(
    "activations.tanh_grad",
    "tanh′ as 1 − x² (tanh forgotten)",
    hint="tanh_grad receives the input x: square tanh(x), not x itself.",
)
def tanh_grad_of_input(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return 1.0 - x * x


# --- ReLU family ----------------------------------------------------------------------------


@mistake(
    "activations.relu",
    "np.max instead of np.maximum",
    hint="The reduction max(x, 0) collapses axis 0 (one value per column) instead of comparing "
    "every element with 0; ReLU is an elementwise maximum and keeps the shape of x.",
)
def relu_reduces_with_max(x: np.ndarray) -> np.ndarray:
    return np.max(x, 0)


@mistake(
    "activations.relu_grad",
    "relu_grad(0) = 1",
    hint="At x = 0 the convention of the course is the left-hand slope: relu_grad(0) = 0. Use a "
    "strict comparison.",
)
def relu_grad_one_at_zero(x: np.ndarray) -> np.ndarray:
    return (np.asarray(x) >= 0).astype(np.float64)


@mistake(
    "activations.leaky_relu",
    "slope hard-coded to 0.01",
    hint="leaky_relu takes the slope as its alpha argument; 0.01 is only its default.",
)
def leaky_relu_ignores_alpha(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, 0.01 * x)


@mistake(
    "activations.leaky_relu_grad",
    "alpha on the positive side",
    hint="The slope alpha belongs to the non-positive side; for x > 0 leaky ReLU is x itself, "
    "with derivative 1.",
)
def leaky_relu_grad_sides_swapped(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, alpha, 1.0)


@mistake(
    "activations.leaky_relu_grad",
    "leaky_relu_grad(0) = 1",
    hint="At x = 0 the convention is the left-hand slope: leaky_relu_grad(0) = alpha. Use a "
    "strict comparison.",
)
def leaky_relu_grad_one_at_zero(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.where(x >= 0, 1.0, alpha)


@mistake(
    "activations.elu",
    "ELU without the − 1",
    hint="For x ≤ 0, ELU is alpha·(eˣ − 1): without the − 1 it jumps from alpha to 0 at x = 0 "
    "instead of joining the line y = x.",
)
def elu_without_minus_one(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0.0)))


@mistake(
    "activations.elu_grad",
    "ELU derivative without alpha",
    hint="Differentiating alpha·(eˣ − 1) keeps the factor alpha: the derivative on the "
    "non-positive side is alpha·eˣ.",
)
def elu_grad_without_alpha(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0)))


# --- PReLU -----------------------------------------------------------------------------------


@mistake(
    "activations.prelu",
    "slope applied to the positive side",
    hint="PReLU keeps positive inputs unchanged and multiplies the non-positive ones by their "
    "channel's slope alpha.",
)
def prelu_slope_on_positive_side(x: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, np.asarray(alpha) * x, x)


@mistake(
    "activations.prelu_grad",
    "alpha gradient not summed",
    hint="Each slope is shared by every element of its channel, so its gradient is the sum of "
    "their contributions: reduce it to the shape of alpha.",
)
def prelu_grad_alpha_not_summed(x: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    grad_x = np.where(x > 0, 1.0, alpha) * np.ones_like(x)
    return grad_x, np.where(x > 0, 0.0, x)


@mistake(
    "activations.prelu_grad",
    "alpha gradient from the positive side",
    hint="alpha only multiplies the non-positive inputs, so only they contribute to its "
    "gradient (and they contribute x itself).",
)
def prelu_grad_alpha_positive_side(
    x: np.ndarray, alpha: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    alpha = np.asarray(alpha, dtype=np.float64)
    grad_x = np.where(x > 0, 1.0, alpha) * np.ones_like(x)
    per_channel = np.where(x > 0, x, 0.0).reshape(-1, x.shape[-1]).sum(axis=0)
    if per_channel.size != alpha.size:
        per_channel = per_channel.sum()
    return grad_x, np.reshape(per_channel, alpha.shape)


# --- softmax ---------------------------------------------------------------------------------


@mistake(
    "activations.softmax",
    "softmax without max-subtraction",
    hint="e^1000 overflows to inf and inf / inf is nan. Softmax does not change when you "
    "subtract the same number from every score, so subtract the largest one first.",
)
def softmax_without_max_subtraction(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(np.asarray(x, dtype=np.float64))
    return e / np.sum(e, axis=axis, keepdims=True)


@mistake(
    "activations.softmax",
    "normalised over the batch axis",
    hint="Each row holds the scores of one sample; normalise along the axis argument (the last "
    "axis by default), not along axis 0.",
)
def softmax_over_axis_zero(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


@mistake(
    "activations.softmax",
    "normalised over the whole array",
    hint="A sum without an axis adds up every entry of the batch; each slice along the axis must "
    "sum to 1 on its own (keep the summed axis so the division broadcasts).",
)
def softmax_over_whole_array(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


@mistake(
    "activations.softmax_backward",
    "s·grad_out only",
    hint="Every output of softmax depends on every input; the Jacobian diag(s) − s sᵀ adds a term "
    "that subtracts the s-weighted sum of grad_out.",
)
def softmax_backward_elementwise(s: np.ndarray, grad_out: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.asarray(s, dtype=np.float64) * grad_out


@mistake(
    "activations.softmax_backward",
    "diagonal of the Jacobian only, s(1 − s)",
    hint="s(1 − s) is only the diagonal of the softmax Jacobian; the off-diagonal entries −s_i s_j "
    "couple the classes and must be included.",
)
def softmax_backward_diagonal_only(
    s: np.ndarray, grad_out: np.ndarray, axis: int = -1
) -> np.ndarray:
    s = np.asarray(s, dtype=np.float64)
    return s * (1.0 - s) * grad_out


@mistake(
    "activations.softmax",
    "always normalised along the last axis (axis ignored)",
    hint="Use the axis you are given for the max, the exponentials' sum and keepdims; "
    "the last axis is only the default.",
)
def softmax_ignores_axis(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


@mistake(
    "activations.elu_grad",
    "the x > 0 branch taken at x = 0 (1 instead of alpha)",
    hint="At the kink the curriculum takes the left-hand slope: elu_grad(0) = alpha·e⁰ = alpha. "
    "Use x > 0 (not x >= 0) for the branch that returns 1.",
)
def elu_grad_one_at_zero(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))
