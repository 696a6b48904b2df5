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
    ### BEGIN SOLUTION
    # hint: move against the gradient by a step of size lr, without changing w itself
    return w - lr * grad
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    # hint: first blend the old velocity with the new gradient (weights β and 1 − β), then step along the blend
    velocity_new = beta * velocity + (1.0 - beta) * grad
    return w - lr * velocity_new, velocity_new
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    # hint: add this step's squared gradient to the running total first, then divide the step by its square root plus eps
    sum_sq_new = sum_sq + np.square(grad)
    return w - lr * grad / (np.sqrt(sum_sq_new) + eps), sum_sq_new
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    # hint: an exponentially weighted average of grad², then divide the step by the root of that average (its RMS) plus eps
    sq_avg_new = beta * sq_avg + (1.0 - beta) * np.square(grad)
    return w - lr * grad / (np.sqrt(sq_avg_new) + eps), sq_avg_new
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    # hint: update the gradient average, scale grad by RMS(past updates) / RMS(gradients), then fold that update into its own average
    sq_avg_new = rho * sq_avg + (1.0 - rho) * grad**2
    delta = grad * np.sqrt((delta_avg + eps) / (sq_avg_new + eps))
    delta_avg_new = rho * delta_avg + (1.0 - rho) * delta**2
    return w - lr * delta, sq_avg_new, delta_avg_new
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    # hint: update both running averages, divide each by 1 − β^t (t counts from 1), and step by m_hat over (√v_hat + eps)
    m_new = beta1 * m + (1.0 - beta1) * grad
    v_new = beta2 * v + (1.0 - beta2) * grad * grad
    m_hat = m_new / (1.0 - beta1**t)
    v_hat = v_new / (1.0 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    # hint: the first average is the first value itself (not 0); each later one mixes the previous average with the new value
    a = np.asarray(series, dtype=float)
    averages = np.empty_like(a)
    for t, value in enumerate(a):
        averages[t] = value if t == 0 else beta * averages[t - 1] + (1.0 - beta) * value
    return averages
    ### END SOLUTION
