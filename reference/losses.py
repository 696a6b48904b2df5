"""Loss functions and their gradients in PyTorch: the ground truth for the ``losses`` topic.

Every loss takes ``(y_true, y_pred)`` (Keras order) and ``reduction``:

- ``"none"``: the per-element loss, the shape of the inputs (``categorical_cross_entropy``:
  one loss per sample, shape (N,));
- ``"mean"`` (default): the mean over **all** elements, as ``torch.nn.functional`` does
  (``mse``, ``mae``, ``huber``, ``binary_cross_entropy`` on (N, D) divide by N·D;
  ``categorical_cross_entropy`` divides the sum of its N per-sample losses by N);
- ``"sum"``: the sum of the same terms.
``"mean"`` and ``"sum"`` return 0-d tensors.

Every ``*_grad(y_true, y_pred, ...)`` returns ∂(mean loss)/∂y_pred, the shape of ``y_pred``: the
1/(number of terms) of the mean is already in it.

Cross-entropies clip the predicted probabilities to [eps, 1 − eps] before taking logs, so a
prediction of exactly 0 or 1 gives a large but finite loss. Their ``*_grad`` is the analytic
derivative evaluated at the clipped probabilities (for example −y/p for the categorical loss):
inside [eps, 1 − eps] that is exactly the derivative of the loss; at a clipped prediction it is the
derivative at the clip point rather than the zero that autograd through a clamp gives, so a
confidently wrong prediction still gets a (large) gradient. In float32, 1 − 1e-12 rounds to 1, so
clipping cannot keep 1 − p away from 0: where 1 − p comes out exactly 0 it is replaced by eps, and
``log(1 − p)`` stays finite in every float dtype. In float64 that never happens, and the result is
exactly the usual clip-then-log that a NumPy implementation computes. In float16 an eps below its
smallest normal number (6.1e-5; the default 1e-12 would round to 0 and give log 0 = −∞) is raised
to that number; in float32, bfloat16 and float64 eps is used as given.

``tests/reference/test_losses.py`` checks every function against ``F.mse_loss``, ``F.l1_loss``,
``F.huber_loss``, ``F.binary_cross_entropy``, ``F.cross_entropy`` / ``F.nll_loss``,
``F.one_hot`` and autograd.
"""

from __future__ import annotations

import numbers
import operator

import torch
from torch.autograd.function import once_differentiable

from reference._validate import expect, require_positive

__all__ = [
    "REDUCTIONS",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "categorical_cross_entropy",
    "categorical_cross_entropy_grad",
    "huber",
    "huber_grad",
    "mae",
    "mae_grad",
    "mse",
    "mse_grad",
    "one_hot",
]

#: Accepted values of ``reduction``.
REDUCTIONS: tuple[str, ...] = ("mean", "sum", "none")


def _check_pair(fn: str, y_true: torch.Tensor, y_pred: torch.Tensor) -> None:
    """y_true and y_pred: floating, one device, one dtype, the same shape, non-empty."""
    expect(fn, y_true=(y_true, "..."), y_pred=(y_pred, "..."))
    spec = " ".join(f"d{i}" for i in range(y_pred.ndim))  # every dimension must match
    expect(fn, y_pred=(y_pred, spec), y_true=(y_true, spec))
    if y_true.dtype != y_pred.dtype:
        raise ValueError(
            f"{fn}: y_true has dtype {y_true.dtype}, expected y_pred's dtype {y_pred.dtype}"
        )
    if y_pred.numel() == 0:
        raise ValueError(
            f"{fn}: y_pred has shape {tuple(y_pred.shape)}, expected at least 1 element"
        )


def _check_reduction(fn: str, reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{fn}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    """Apply ``reduction`` to a tensor of per-term losses."""
    if reduction == "mean":
        return loss.mean()  # Σ / (number of terms)
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_eps(fn: str, eps: float) -> float:
    """eps must be a real number in (0, 0.5): clipping to [eps, 1 − eps] needs eps < 1 − eps."""
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0.0 < eps < 0.5:
        raise ValueError(f"{fn}: eps must be a real number in (0, 0.5), got {eps!r}")
    return float(eps)


def _eps_in(eps: float, dtype: torch.dtype) -> float:
    """eps raised to the smallest normal number of ``dtype`` where it is below it: only float16
    (tiny = 6.1e-5) can round an eps in (0, 0.5) such as 1e-12 to 0, which would clip nothing."""
    return max(eps, torch.finfo(dtype).tiny)


def _check_delta(fn: str, delta: float) -> float:
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real):
        raise ValueError(f"{fn}: delta must be a real number, got {type(delta).__name__}")
    require_positive(fn, "delta", delta)
    return float(delta)


# ---------------------------------------------------------------- regression losses


def mse(y_true: torch.Tensor, y_pred: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Mean squared error: L = (1/M) Σ_i (ŷ_i − y_i)², M = number of elements.

    ``F.mse_loss(y_pred, y_true, reduction=...)``.

    Args:
        y_true: targets y, any shape with at least one element.
        y_pred: predictions ŷ, the shape of ``y_true``.
        reduction: "mean", "sum" or "none" (elementwise (ŷ − y)²).

    Returns:
        A 0-d tensor ("mean", "sum") or the elementwise losses ("none").
    """
    _check_pair("mse", y_true, y_pred)
    _check_reduction("mse", reduction)
    r = y_pred - y_true  # (...) residuals
    return _reduce(r * r, reduction)


def mse_grad(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    """Gradient of the mean squared error: ∂L/∂ŷ_i = 2 (ŷ_i − y_i) / M, M = number of elements.

    Returns:
        ∂L/∂y_pred, the shape of ``y_pred``.
    """
    _check_pair("mse_grad", y_true, y_pred)
    return 2.0 * (y_pred - y_true) / y_pred.numel()


def mae(y_true: torch.Tensor, y_pred: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Mean absolute error: L = (1/M) Σ_i |ŷ_i − y_i|, M = number of elements.

    ``F.l1_loss(y_pred, y_true, reduction=...)``.

    Args:
        y_true: targets y, any shape with at least one element.
        y_pred: predictions ŷ, the shape of ``y_true``.
        reduction: "mean", "sum" or "none" (elementwise |ŷ − y|).

    Returns:
        A 0-d tensor ("mean", "sum") or the elementwise losses ("none").
    """
    _check_pair("mae", y_true, y_pred)
    _check_reduction("mae", reduction)
    return _reduce((y_pred - y_true).abs(), reduction)


def mae_grad(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    """Gradient of the mean absolute error: ∂L/∂ŷ_i = sign(ŷ_i − y_i) / M.

    sign(0) = 0: the gradient is 0 where the prediction equals the target (CURRICULUM.md).

    Returns:
        ∂L/∂y_pred, the shape of ``y_pred``.
    """
    _check_pair("mae_grad", y_true, y_pred)
    return torch.sign(y_pred - y_true) / y_pred.numel()


def huber(
    y_true: torch.Tensor, y_pred: torch.Tensor, delta: float = 1.0, reduction: str = "mean"
) -> torch.Tensor:
    """Huber loss (Huber 1964): quadratic for small residuals, linear for large ones.

    With r = ŷ − y, per element
        ℓ(r) = ½ r²              if |r| ≤ δ
               δ (|r| − ½ δ)     otherwise          (= δ|r| − ½δ², continuous at |r| = δ)
    and L = (1/M) Σ ℓ(r_i). ``F.huber_loss(y_pred, y_true, delta=delta)``.

    Args:
        y_true: targets y, any shape with at least one element.
        y_pred: predictions ŷ, the shape of ``y_true``.
        delta: δ > 0, where the quadratic part turns linear.
        reduction: "mean", "sum" or "none".

    Returns:
        A 0-d tensor ("mean", "sum") or the elementwise losses ("none").
    """
    _check_pair("huber", y_true, y_pred)
    delta = _check_delta("huber", delta)
    _check_reduction("huber", reduction)
    r = y_pred - y_true  # (...)
    a = r.abs()
    loss = torch.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))  # (...)
    return _reduce(loss, reduction)


def huber_grad(y_true: torch.Tensor, y_pred: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """Gradient of the mean Huber loss: ∂L/∂ŷ_i = clip(r_i, −δ, δ) / M with r = ŷ − y.

    That is r / M where |r| ≤ δ and δ·sign(r) / M elsewhere (the two agree at |r| = δ).

    Returns:
        ∂L/∂y_pred, the shape of ``y_pred``.
    """
    _check_pair("huber_grad", y_true, y_pred)
    delta = _check_delta("huber_grad", delta)
    r = y_pred - y_true  # (...)
    return torch.clamp(r, -delta, delta) / y_pred.numel()


# ---------------------------------------------------------------- cross-entropies


def _clipped(p: torch.Tensor, eps: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(p, 1 − p) after clipping p to [eps, 1 − eps]. Where 1 − p is exactly 0 (possible only
    in float32 / bfloat16 / float16, where 1 − eps may round to 1) it is replaced by eps."""
    p_c = torch.clamp(p, eps, 1.0 - eps)  # (...)
    q = 1.0 - p_c  # (...)
    q_c = torch.where(q > 0, q, torch.full_like(q, eps))  # (...)
    return p_c, q_c


def binary_cross_entropy(
    y_true: torch.Tensor, y_pred: torch.Tensor, eps: float = 1e-12, reduction: str = "mean"
) -> torch.Tensor:
    """Binary cross-entropy of predicted probabilities.

    With p = clip(ŷ, eps, 1 − eps), per element
        ℓ = −[ y log p + (1 − y) log(1 − p) ]
    and L = (1/M) Σ ℓ_i. ``F.binary_cross_entropy(y_pred, y_true)`` away from the clipped region
    (torch clamps the log at −100 instead of clipping p).

    Args:
        y_true: targets in [0, 1] (usually 0/1), any shape with at least one element.
        y_pred: predicted probabilities ŷ, the shape of ``y_true``.
        eps: clipping bound, 0 < eps < 0.5.
        reduction: "mean", "sum" or "none".

    Returns:
        A 0-d tensor ("mean", "sum") or the elementwise losses ("none").
    """
    _check_pair("binary_cross_entropy", y_true, y_pred)
    eps = _eps_in(_check_eps("binary_cross_entropy", eps), y_pred.dtype)
    _check_reduction("binary_cross_entropy", reduction)
    p, q = _clipped(y_pred, eps)  # (...), (...) p and 1 − p
    loss = -(y_true * torch.log(p) + (1.0 - y_true) * torch.log(q))  # (...)
    return _reduce(loss, reduction)


def binary_cross_entropy_grad(
    y_true: torch.Tensor, y_pred: torch.Tensor, eps: float = 1e-12
) -> torch.Tensor:
    """Gradient of the mean binary cross-entropy with respect to the probabilities:

        ∂L/∂ŷ_i = ( −y_i / p_i + (1 − y_i) / (1 − p_i) ) / M,   p = clip(ŷ, eps, 1 − eps)

    (= (p − y) / (p (1 − p) M); it is not the (p − y) of the gradient with respect to logits).

    Returns:
        ∂L/∂y_pred, the shape of ``y_pred``.
    """
    _check_pair("binary_cross_entropy_grad", y_true, y_pred)
    eps = _eps_in(_check_eps("binary_cross_entropy_grad", eps), y_pred.dtype)
    p, q = _clipped(y_pred, eps)  # (...)
    return (-y_true / p + (1.0 - y_true) / q) / y_pred.numel()


def categorical_cross_entropy(
    y_true: torch.Tensor, y_pred: torch.Tensor, eps: float = 1e-12, reduction: str = "mean"
) -> torch.Tensor:
    """Categorical cross-entropy of predicted class distributions against one-hot targets.

    With p = clip(ŷ, eps, 1 − eps), the loss of sample i is
        ℓ_i = −Σ_j y_ij log p_ij
    and L = (1/N) Σ_i ℓ_i (mean over samples, not over N·C entries). For one-hot y and p =
    softmax(z) this is ``F.cross_entropy(z, labels)`` = ``F.nll_loss(log p, labels)``.

    Args:
        y_true: one-hot (or soft) targets, shape (N, C).
        y_pred: predicted probabilities (rows summing to 1), shape (N, C).
        eps: clipping bound, 0 < eps < 0.5.
        reduction: "mean", "sum" or "none" (per-sample losses, shape (N,)).

    Returns:
        A 0-d tensor ("mean", "sum") or the per-sample losses, shape (N,) ("none").
    """
    fn = "categorical_cross_entropy"
    expect(fn, y_pred=(y_pred, "N C"), y_true=(y_true, "N C"))
    _check_pair(fn, y_true, y_pred)
    eps = _eps_in(_check_eps(fn, eps), y_pred.dtype)
    _check_reduction(fn, reduction)
    per_sample = _CategoricalCrossEntropy.apply(y_true, y_pred, eps)  # (N,)
    return _reduce(per_sample, reduction)


class _CategoricalCrossEntropy(torch.autograd.Function):
    """Per-sample ℓ_i = −Σ_j y_ij log p_ij, p = clip(ŷ, eps, 1 − eps), with the backward of
    ``categorical_cross_entropy_grad`` (times the incoming gradient of each ℓ_i):
        ∂ℓ_i/∂ŷ_ij = −y_ij / p_ij where eps ≤ ŷ_ij ≤ 1 − eps, 0 where the clip is active
        (as torch.clamp's gradient: p = ŷ exactly there), and ∂ℓ_i/∂y_ij = −log p_ij.
    One autograd node instead of five (clamp, log, mul, sum, neg). Differentiable once.
    """

    @staticmethod
    def forward(ctx, y_true, y_pred, eps):  # type: ignore[override]
        ctx.save_for_backward(y_true, y_pred)
        ctx.eps = eps
        p = torch.clamp(y_pred, eps, 1.0 - eps)  # (N, C), as in _clipped (1 − p is not needed)
        terms = p.log_().mul_(y_true)  # (N, C) y log p, in place (one new tensor in all)
        return terms.sum(dim=1).neg_()  # (N,)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):  # type: ignore[override]
        y_true, y_pred = ctx.saved_tensors
        p = torch.clamp(y_pred, ctx.eps, 1.0 - ctx.eps)  # (N, C) recomputed, not stored
        g = grad_out[:, None]  # (N, 1) ∂L/∂ℓ_i
        d_true = d_pred = None
        if ctx.needs_input_grad[0]:
            d_true = torch.log(p).mul_(-g)  # (N, C) −log p · g
        if ctx.needs_input_grad[1]:
            clipped = p != y_pred  # the clip is active (or ŷ is NaN): no gradient there
            d_pred = torch.div(y_true, p, out=p).mul_(-g)  # (N, C) −y/p · g, in p's memory
            d_pred.masked_fill_(clipped, 0.0)
        return d_true, d_pred, None


def categorical_cross_entropy_grad(
    y_true: torch.Tensor, y_pred: torch.Tensor, eps: float = 1e-12
) -> torch.Tensor:
    """Gradient of the mean categorical cross-entropy with respect to the probabilities:

        ∂L/∂ŷ_ij = −y_ij / (N p_ij),   p = clip(ŷ, eps, 1 − eps)

    (with respect to the probabilities, not the logits: that would be (p − y)/N).

    Returns:
        ∂L/∂y_pred, shape (N, C).
    """
    fn = "categorical_cross_entropy_grad"
    expect(fn, y_pred=(y_pred, "N C"), y_true=(y_true, "N C"))
    _check_pair(fn, y_true, y_pred)
    eps = _eps_in(_check_eps(fn, eps), y_pred.dtype)
    p = torch.clamp(y_pred, eps, 1.0 - eps)  # (N, C), as in _clipped (1 − p is not needed)
    return -y_true / p / y_pred.shape[0]


# ---------------------------------------------------------------- targets


def one_hot(
    labels: torch.Tensor, num_classes: int, *, dtype: torch.dtype = torch.float64
) -> torch.Tensor:
    """One-hot encoding: out[..., c] = 1 if labels[...] == c else 0.

    Like ``F.one_hot(labels, num_classes)``, but returns floats (ready for
    ``categorical_cross_entropy``): float64 by default, as NumPy's ``np.eye(C)[labels]``.

    Args:
        labels: integer class indices in [0, num_classes), any shape (usually (N,)).
        num_classes: C ≥ 1.
        dtype: keyword-only, the floating dtype of the result.

    Returns:
        Shape labels.shape + (C,), on labels' device.
    """
    fn = "one_hot"
    expect(fn, floating=False, labels=(labels, "..."))
    if labels.dtype.is_floating_point or labels.dtype.is_complex or labels.dtype == torch.bool:
        raise ValueError(f"{fn}: labels must have an integer dtype, got {labels.dtype}")
    if isinstance(num_classes, bool):
        raise ValueError(f"{fn}: num_classes must be an integer, got {num_classes!r}")
    try:
        num_classes = operator.index(num_classes)  # ints and NumPy integers, not floats
    except TypeError:
        raise ValueError(
            f"{fn}: num_classes must be an integer, got {type(num_classes).__name__}"
        ) from None
    require_positive(fn, "num_classes", num_classes)
    if dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        raise ValueError(f"{fn}: dtype must be a floating dtype, got {dtype}")
    if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= num_classes):
        raise ValueError(
            f"{fn}: labels must lie in [0, {num_classes}), got values in "
            f"[{int(labels.min())}, {int(labels.max())}]"
        )
    classes = torch.arange(num_classes, device=labels.device)  # (C,)
    return (labels.unsqueeze(-1) == classes).to(dtype)  # (..., C)
