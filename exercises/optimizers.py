# Generated from solutions/optimizers.py by `gradelab release`.
# Learners: replace each `raise NotImplementedError(...)` with your code.
# Instructors: edit solutions/optimizers.py instead, then run `gradelab release`.
"""Optimizers, one step at a time (topic ``optimizers``).

Each function performs a single update of the parameters ``w`` given their gradient ``grad`` and
the optimizer's memory ("state"): plain gradient descent, momentum, Adagrad, RMSProp, Adadelta
and Adam, plus the exponentially weighted average that momentum and Adam are built on. Nothing is
updated in place: a step returns the new ``w`` followed by the new state, in the order the state
was passed in, and the caller feeds the state back into the next step. State arrays start as
zeros of ``w``'s shape; Adam's step counter ``t`` starts at 1. The formulas are exactly those of
``torch.optim``, including where ``eps`` goes.

Lesson: lessons/optimizers.md
"""

from __future__ import annotations

import numpy as np


def gd_step(w: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
    """One gradient-descent step: w_new = w − lr·grad.

    Args:
        w: parameters, any shape.
        grad: ∂L/∂w, the shape of ``w``.
        lr: learning rate η.

    Returns:
        The new parameters, the shape of ``w``.
    """
    raise NotImplementedError(
        "optimizers.gd_step: move against the gradient by a step of size lr, without changing w itself"
    )


def momentum_step(
    w: np.ndarray, grad: np.ndarray, velocity: np.ndarray, lr: float, beta: float = 0.9
) -> tuple[np.ndarray, np.ndarray]:
    """One step of gradient descent with momentum (exponentially weighted gradients).

        velocity_new = β·velocity + (1 − β)·grad
        w_new = w − lr·velocity_new

    ``velocity`` starts at zeros, so the first step moves by lr·(1 − β)·grad.

    Args:
        w: parameters, any shape.
        grad: ∂L/∂w, the shape of ``w``.
        velocity: the running average of past gradients, the shape of ``w``.
        lr: learning rate η.
        beta: β in [0, 1], how much of the old velocity is kept.

    Returns:
        (w_new, velocity_new).
    """
    raise NotImplementedError(
        "optimizers.momentum_step: first blend the old velocity with the new gradient (weights β and 1 − β), then step along the blend"
    )


def adagrad_step(
    w: np.ndarray, grad: np.ndarray, sum_sq: np.ndarray, lr: float, eps: float = 1e-10
) -> tuple[np.ndarray, np.ndarray]:
    """One Adagrad step: every weight's step shrinks as its squared gradients pile up.

        sum_sq_new = sum_sq + grad²
        w_new = w − lr·grad / (√sum_sq_new + eps)

    Note that ``eps`` is added after the square root (as in ``torch.optim.Adagrad``).

    Args:
        w: parameters, any shape.
        grad: ∂L/∂w, the shape of ``w``.
        sum_sq: the sum of all past squared gradients, the shape of ``w``.
        lr: learning rate η.
        eps: ε, keeps the division safe while sum_sq is still 0.

    Returns:
        (w_new, sum_sq_new).
    """
    raise NotImplementedError(
        "optimizers.adagrad_step: add this step's squared gradient to the running total first, then divide the step by its square root plus eps"
    )


def rmsprop_step(
    w: np.ndarray,
    grad: np.ndarray,
    sq_avg: np.ndarray,
    lr: float,
    beta: float = 0.99,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray]:
    """One RMSProp step: like Adagrad, but the squared gradients are averaged, not summed.

        sq_avg_new = β·sq_avg + (1 − β)·grad²
        w_new = w − lr·grad / (√sq_avg_new + eps)

    ``eps`` is added after the square root (as in ``torch.optim.RMSprop`` with alpha = β).

    Args:
        w: parameters, any shape.
        grad: ∂L/∂w, the shape of ``w``.
        sq_avg: running average of squared gradients, the shape of ``w``.
        lr: learning rate η.
        beta: β in [0, 1], the decay of the average.
        eps: ε.

    Returns:
        (w_new, sq_avg_new).
    """
    raise NotImplementedError(
        "optimizers.rmsprop_step: an exponentially weighted average of grad², then divide the step by the root of that average (its RMS) plus eps"
    )


def adadelta_step(
    w: np.ndarray,
    grad: np.ndarray,
    sq_avg: np.ndarray,
    delta_avg: np.ndarray,
    lr: float = 1.0,
    rho: float = 0.9,
    eps: float = 1e-6,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Adadelta step: the step size is a ratio of two running root-mean-squares.

        sq_avg_new    = ρ·sq_avg + (1 − ρ)·grad²
        delta         = √(delta_avg + eps) / √(sq_avg_new + eps) · grad
        delta_avg_new = ρ·delta_avg + (1 − ρ)·delta²
        w_new         = w − lr·delta

    Here ``eps`` sits inside both square roots (as in ``torch.optim.Adadelta``).

    Args:
        w: parameters, any shape.
        grad: ∂L/∂w, the shape of ``w``.
        sq_avg: running average of squared gradients, the shape of ``w``.
        delta_avg: running average of squared updates, the shape of ``w``.
        lr: a scale on the update (1.0 in the original method).
        rho: ρ in [0, 1], the decay of both averages.
        eps: ε.

    Returns:
        (w_new, sq_avg_new, delta_avg_new).
    """
    raise NotImplementedError(
        "optimizers.adadelta_step: update the gradient average, scale grad by RMS(past updates) / RMS(gradients), then fold that update into its own average"
    )


def adam_step(
    w: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Adam step: momentum on the gradient, RMSProp on its square, both bias-corrected.

        m_new = β1·m + (1 − β1)·grad
        v_new = β2·v + (1 − β2)·grad²
        m_hat = m_new / (1 − β1^t),   v_hat = v_new / (1 − β2^t)
        w_new = w − lr·m_hat / (√v_hat + eps)

    ``t`` is the number of this step, counting from 1. Because m and v start at zero they are
    biased towards zero early on; dividing by 1 − β^t removes that bias. The returned state is
    m_new and v_new (not the corrected m_hat, v_hat). ``eps`` is added after the square root.

    Args:
        w: parameters, any shape.
        grad: ∂L/∂w, the shape of ``w``.
        m: running average of gradients (first moment), the shape of ``w``.
        v: running average of squared gradients (second moment), the shape of ``w``.
        t: step number, 1 for the first step.
        lr: learning rate η.
        beta1, beta2: decays of m and v, in [0, 1).
        eps: ε.

    Returns:
        (w_new, m_new, v_new).
    """
    raise NotImplementedError(
        "optimizers.adam_step: update both running averages, divide each by 1 − β^t (t counts from 1), and step by m_hat over (√v_hat + eps)"
    )


def ewa(series: np.ndarray, beta: float) -> np.ndarray:
    """Exponentially weighted average of a series, started at its first value.

        V_1 = a_1
        V_t = β·V_{t−1} + (1 − β)·a_t   for t ≥ 2

    With β = 0.95: V_2 = 0.95·V_1 + 0.05·a_2. A larger β remembers longer and smooths more.

    Args:
        series: (T, ...) the values a_1 … a_T along the first axis.
        beta: β in [0, 1].

    Returns:
        V, the same shape as ``series``.
    """
    raise NotImplementedError(
        "optimizers.ewa: the first average is the first value itself (not 0); each later one mixes the previous average with the new value"
    )
