"""Optimizers, one functional step at a time: the PyTorch ground truth.

Every function takes the parameters ``w``, their gradient ``grad`` and the optimizer's state,
and returns the new parameters followed by the new state, in the order the state was passed in.
Nothing is modified in place. The formulas are the ones ``torch.optim`` implements (checked
step by step against it in ``tests/reference/test_optimizers.py``), including where ``eps`` sits:

=============  ==========================================  ==============================
function       update                                      ``eps``
=============  ==========================================  ==============================
gd_step        w − lr·g                                    —
momentum_step  v = βv + (1−β)g;  w − lr·v                  —
adagrad_step   s = s + g²;  w − lr·g / (√s + eps)           outside the root
rmsprop_step   s = βs + (1−β)g²;  w − lr·g / (√s + eps)     outside the root
adadelta_step  see :func:`adadelta_step`                   inside both roots
adam_step      bias-corrected m̂, v̂;  w − lr·m̂ / (√v̂ + eps)  outside the root
=============  ==========================================  ==============================

State tensors have the shape of ``w`` and start at zeros; ``adam_step``'s step counter ``t``
starts at 1. Sums such as ``β·v + (1 − β)·g`` are written with ``torch.lerp``,
``torch.add(..., alpha=)``, ``torch.addcmul`` and ``torch.addcdiv`` (one pass over the data each,
as torch.optim does), so a step on a large tensor stays close to torch.optim's speed although
nothing happens in place.
"""

from __future__ import annotations

import torch

from reference._validate import expect, require_float, require_positive

__all__ = [
    "adadelta_step",
    "adagrad_step",
    "adam_step",
    "ewa",
    "gd_step",
    "momentum_step",
    "rmsprop_step",
]


def _check_like_w(fn: str, w: object, **others: object) -> None:
    """``w`` and every tensor in ``others``: float, one device, one dtype, ``w``'s shape."""
    w = require_float(fn, "w", w)
    spec = " ".join(f"d{i}" for i in range(w.ndim))  # every dimension must match w's
    expect(fn, w=(w, spec), **{name: (t, spec) for name, t in others.items()})
    for name, t in others.items():
        if t.dtype != w.dtype:  # type: ignore[union-attr]
            raise ValueError(
                f"{fn}: {name} has dtype {t.dtype}, expected w's dtype {w.dtype}"  # type: ignore[union-attr]
            )


def _require_unit(fn: str, name: str, value: float, *, include_one: bool) -> None:
    """Raise ``ValueError`` unless 0 ≤ value ≤ 1 (or < 1 when ``include_one`` is False)."""
    ok = 0.0 <= value <= 1.0 if include_one else 0.0 <= value < 1.0
    if not ok:
        bound = "[0, 1]" if include_one else "[0, 1)"
        raise ValueError(f"{fn}: {name} must be in {bound}, got {value!r}")


def gd_step(w: torch.Tensor, grad: torch.Tensor, lr: float) -> torch.Tensor:
    """One plain gradient-descent step: w_new = w − lr·grad.

    ``torch.optim.SGD`` with no momentum, no weight decay.

    Args:
        w: parameters, any shape.
        grad: ∂L/∂w, the shape of ``w``.
        lr: learning rate η ≥ 0.

    Returns:
        The new parameters, the shape of ``w``.
    """
    _check_like_w("gd_step", w, grad=grad)
    require_positive("gd_step", "lr", lr, allow_zero=True)
    return torch.add(w, grad, alpha=-lr)  # w − lr·grad in one pass


def momentum_step(
    w: torch.Tensor, grad: torch.Tensor, velocity: torch.Tensor, lr: float, beta: float = 0.9
) -> tuple[torch.Tensor, torch.Tensor]:
    """One step of SGD with momentum in exponentially-weighted form.

        v_new = β·v + (1 − β)·grad
        w_new = w − lr·v_new

    ``velocity`` starts at zeros. ``torch.optim.SGD(momentum=β, dampening=β)`` computes the same
    recursion from step 2 on, but seeds its buffer with the raw gradient on step 1 (v_1 = g_1,
    not (1 − β)·g_1).

    Args:
        w: parameters, any shape.
        grad: ∂L/∂w, the shape of ``w``.
        velocity: v, the running average of gradients, the shape of ``w``.
        lr: learning rate η ≥ 0.
        beta: β in [0, 1], the weight on the old velocity.

    Returns:
        (w_new, velocity_new), both the shape of ``w``.
    """
    _check_like_w("momentum_step", w, grad=grad, velocity=velocity)
    require_positive("momentum_step", "lr", lr, allow_zero=True)
    _require_unit("momentum_step", "beta", beta, include_one=True)
    v_new = torch.lerp(grad, velocity, beta)  # β·v + (1 − β)·grad, EWA: grad + β·(v − grad)
    return torch.add(w, v_new, alpha=-lr), v_new  # w − lr·v_new


def adagrad_step(
    w: torch.Tensor, grad: torch.Tensor, sum_sq: torch.Tensor, lr: float, eps: float = 1e-10
) -> tuple[torch.Tensor, torch.Tensor]:
    """One Adagrad step (Duchi et al., 2011), as ``torch.optim.Adagrad`` with lr_decay=0.

        sum_sq_new = sum_sq + grad²
        w_new = w − lr·grad / (√sum_sq_new + eps)

    ``eps`` is added after the square root, as torch does. ``sum_sq`` starts at zeros
    (torch's ``initial_accumulator_value=0``).

    Args:
        w: parameters, any shape.
        grad: ∂L/∂w, the shape of ``w``.
        sum_sq: the running sum of squared gradients, the shape of ``w``.
        lr: learning rate η ≥ 0.
        eps: ε ≥ 0, keeps the denominator away from zero.

    Returns:
        (w_new, sum_sq_new), both the shape of ``w``.
    """
    _check_like_w("adagrad_step", w, grad=grad, sum_sq=sum_sq)
    require_positive("adagrad_step", "lr", lr, allow_zero=True)
    require_positive("adagrad_step", "eps", eps, allow_zero=True)
    sum_sq_new = torch.addcmul(sum_sq, grad, grad)  # sum_sq + grad²
    std = torch.sqrt(sum_sq_new) + eps
    return torch.addcdiv(w, grad, std, value=-lr), sum_sq_new  # w − lr·grad / std


def rmsprop_step(
    w: torch.Tensor,
    grad: torch.Tensor,
    sq_avg: torch.Tensor,
    lr: float,
    beta: float = 0.99,
    eps: float = 1e-8,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One RMSProp step (Hinton's lecture 6e), as ``torch.optim.RMSprop(alpha=beta)``.

        sq_avg_new = β·sq_avg + (1 − β)·grad²
        w_new = w − lr·grad / (√sq_avg_new + eps)

    Not centred, no momentum; ``eps`` is added after the square root, as torch does.

    Args:
        w: parameters, any shape.
        grad: ∂L/∂w, the shape of ``w``.
        sq_avg: the running average of squared gradients, the shape of ``w``; starts at zeros.
        lr: learning rate η ≥ 0.
        beta: β in [0, 1], torch's ``alpha``.
        eps: ε ≥ 0.

    Returns:
        (w_new, sq_avg_new), both the shape of ``w``.
    """
    _check_like_w("rmsprop_step", w, grad=grad, sq_avg=sq_avg)
    require_positive("rmsprop_step", "lr", lr, allow_zero=True)
    _require_unit("rmsprop_step", "beta", beta, include_one=True)
    require_positive("rmsprop_step", "eps", eps, allow_zero=True)
    sq_avg_new = torch.addcmul(beta * sq_avg, grad, grad, value=1.0 - beta)  # β·s + (1 − β)·g²
    rms = torch.sqrt(sq_avg_new) + eps
    return torch.addcdiv(w, grad, rms, value=-lr), sq_avg_new  # w − lr·grad / rms


def adadelta_step(
    w: torch.Tensor,
    grad: torch.Tensor,
    sq_avg: torch.Tensor,
    delta_avg: torch.Tensor,
    lr: float = 1.0,
    rho: float = 0.9,
    eps: float = 1e-6,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One Adadelta step (Zeiler, 2012), as ``torch.optim.Adadelta``.

        sq_avg_new    = ρ·sq_avg + (1 − ρ)·grad²
        delta         = √(delta_avg + eps) / √(sq_avg_new + eps) · grad
        delta_avg_new = ρ·delta_avg + (1 − ρ)·delta²
        w_new         = w − lr·delta

    The ratio of the two root-mean-squares gives each weight its own step size in the units of
    ``w``; ``eps`` sits inside both roots. Both averages start at zeros.

    Args:
        w: parameters, any shape.
        grad: ∂L/∂w, the shape of ``w``.
        sq_avg: running average of squared gradients, the shape of ``w``.
        delta_avg: running average of squared updates, the shape of ``w``.
        lr: scale applied to the update, ≥ 0 (1.0 in the paper).
        rho: ρ in [0, 1], the decay of both averages.
        eps: ε ≥ 0.

    Returns:
        (w_new, sq_avg_new, delta_avg_new), each the shape of ``w``.
    """
    _check_like_w("adadelta_step", w, grad=grad, sq_avg=sq_avg, delta_avg=delta_avg)
    require_positive("adadelta_step", "lr", lr, allow_zero=True)
    _require_unit("adadelta_step", "rho", rho, include_one=True)
    require_positive("adadelta_step", "eps", eps, allow_zero=True)
    sq_avg_new = torch.addcmul(rho * sq_avg, grad, grad, value=1.0 - rho)  # ρ·s + (1 − ρ)·g²
    delta = torch.sqrt(delta_avg + eps) / torch.sqrt(sq_avg_new + eps) * grad
    delta_avg_new = torch.addcmul(
        rho * delta_avg, delta, delta, value=1.0 - rho
    )  # ρ·d + (1 − ρ)·δ²
    return torch.add(w, delta, alpha=-lr), sq_avg_new, delta_avg_new  # w − lr·delta


def adam_step(
    w: torch.Tensor,
    grad: torch.Tensor,
    m: torch.Tensor,
    v: torch.Tensor,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One Adam step (Kingma & Ba, 2015, Algorithm 1), as ``torch.optim.Adam``.

        m_new = β1·m + (1 − β1)·grad
        v_new = β2·v + (1 − β2)·grad²
        m_hat = m_new / (1 − β1^t)        (bias correction: m and v start at zero)
        v_hat = v_new / (1 − β2^t)
        w_new = w − lr·m_hat / (√v_hat + eps)

    ``t`` is the number of this step, starting at 1; ``eps`` is added after the square root.
    The returned state is the uncorrected m_new and v_new.

    Args:
        w: parameters, any shape.
        grad: ∂L/∂w, the shape of ``w``.
        m: first-moment running average, the shape of ``w``.
        v: second-moment running average, the shape of ``w``.
        t: step number, an int ≥ 1.
        lr: learning rate η ≥ 0.
        beta1, beta2: decays in [0, 1).
        eps: ε ≥ 0.

    Returns:
        (w_new, m_new, v_new), each the shape of ``w``.
    """
    _check_like_w("adam_step", w, grad=grad, m=m, v=v)
    if isinstance(t, bool) or not isinstance(t, int) or t < 1:
        raise ValueError(f"adam_step: t must be an int >= 1 (the first step is t=1), got {t!r}")
    require_positive("adam_step", "lr", lr, allow_zero=True)
    _require_unit("adam_step", "beta1", beta1, include_one=False)
    _require_unit("adam_step", "beta2", beta2, include_one=False)
    require_positive("adam_step", "eps", eps, allow_zero=True)
    m_new = torch.lerp(grad, m, beta1)  # β1·m + (1 − β1)·grad, as torch.optim.Adam's lerp_
    v_new = torch.addcmul(beta2 * v, grad, grad, value=1.0 - beta2)  # β2·v + (1 − β2)·grad²
    m_hat = m_new / (1.0 - beta1**t)  # Kingma & Ba, Algorithm 1
    v_hat = v_new / (1.0 - beta2**t)
    return torch.addcdiv(w, m_hat, torch.sqrt(v_hat) + eps, value=-lr), m_new, v_new


def ewa(series: torch.Tensor, beta: float) -> torch.Tensor:
    """Exponentially weighted average of a series, started at its first value.

        V_1 = a_1
        V_t = β·V_{t−1} + (1 − β)·a_t        for t = 2 … T

    (torch.optim.swa_utils' EMA averaging uses the same recursion.)

    Args:
        series: (T, ...) the values a_1 … a_T along the first axis; T may be 0.
        beta: β in [0, 1], the weight on the past.

    Returns:
        V, the shape of ``series``.
    """
    require_float("ewa", "series", series)
    if series.ndim < 1:
        raise ValueError(f"ewa: series has shape {tuple(series.shape)}, expected (T, ...)")
    _require_unit("ewa", "beta", beta, include_one=True)
    out = torch.empty_like(series)  # (T, ...)
    if series.shape[0] == 0:
        return out
    out[0] = series[0]
    for t in range(1, series.shape[0]):
        out[t] = beta * out[t - 1] + (1.0 - beta) * series[t]
    return out
