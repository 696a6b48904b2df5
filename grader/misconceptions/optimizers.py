"""Known-wrong variants of the ``optimizers`` functions (see ``grader/misconceptions/__init__``).

Each variant keeps the learner function's signature and makes one mistake learners make, so that
feedback can name it. The correct formulas are in ``solutions/optimizers.py``.
"""

from __future__ import annotations

import numpy as np

from grader.misconceptions import mistake

# ---------------------------------------------------------------- gd_step


@mistake(
    "optimizers.gd_step",
    "gradient ascent (wrong sign)",
    hint="The gradient points uphill; a descent step moves the weights against it, "
    "so the step is subtracted, not added.",
)
def gd_step_ascent(w: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
    return w + lr * grad


# ---------------------------------------------------------------- momentum_step


@mistake(
    "optimizers.momentum_step",
    "momentum without (1 − β)",
    hint="This course uses the exponentially weighted form: the new gradient enters the velocity "
    "with weight (1 − β), not 1. Without it the velocity grows to about 1/(1 − β) times the gradient.",
)
def momentum_without_one_minus_beta(
    w: np.ndarray, grad: np.ndarray, velocity: np.ndarray, lr: float, beta: float = 0.9
) -> tuple[np.ndarray, np.ndarray]:
    v = beta * velocity + grad
    return w - lr * v, v


@mistake(
    "optimizers.momentum_step",
    "momentum steps with the raw gradient",
    hint="The velocity is what moves the weights: update it first, then step along the new "
    "velocity rather than along this step's gradient.",
)
def momentum_steps_along_gradient(
    w: np.ndarray, grad: np.ndarray, velocity: np.ndarray, lr: float, beta: float = 0.9
) -> tuple[np.ndarray, np.ndarray]:
    v = beta * velocity + (1.0 - beta) * grad
    return w - lr * grad, v


# ---------------------------------------------------------------- adagrad_step


@mistake(
    "optimizers.adagrad_step",
    "Adagrad divides by the current gradient only",
    hint="Adagrad's denominator is the square root of the sum of ALL squared gradients so far "
    "(the updated sum_sq), not of this step's squared gradient.",
)
def adagrad_current_grad_only(
    w: np.ndarray, grad: np.ndarray, sum_sq: np.ndarray, lr: float, eps: float = 1e-10
) -> tuple[np.ndarray, np.ndarray]:
    sum_sq_new = sum_sq + grad**2
    return w - lr * grad / (np.sqrt(grad**2) + eps), sum_sq_new


@mistake(
    "optimizers.adagrad_step",
    "Adagrad divides by the old sum",
    hint="Add this step's squared gradient to the running sum before you divide by its root.",
)
def adagrad_uses_old_sum(
    w: np.ndarray, grad: np.ndarray, sum_sq: np.ndarray, lr: float, eps: float = 1e-10
) -> tuple[np.ndarray, np.ndarray]:
    return w - lr * grad / (np.sqrt(sum_sq) + eps), sum_sq + grad**2


# ---------------------------------------------------------------- rmsprop_step


@mistake(
    "optimizers.rmsprop_step",
    "RMSProp without the square root",
    hint="The step is divided by the ROOT of the mean square (the RMS), which has the units of "
    "the gradient; dividing by the mean square itself is wrong.",
)
def rmsprop_without_sqrt(
    w: np.ndarray,
    grad: np.ndarray,
    sq_avg: np.ndarray,
    lr: float,
    beta: float = 0.99,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray]:
    sq = beta * sq_avg + (1.0 - beta) * grad**2
    return w - lr * grad / (sq + eps), sq


@mistake(
    "optimizers.rmsprop_step",
    "RMSProp with β and 1 − β swapped",
    hint="β weighs the OLD average (it is close to 1, a long memory); the new squared gradient "
    "gets the small weight 1 − β.",
)
def rmsprop_weights_swapped(
    w: np.ndarray,
    grad: np.ndarray,
    sq_avg: np.ndarray,
    lr: float,
    beta: float = 0.99,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray]:
    sq = (1.0 - beta) * sq_avg + beta * grad**2
    return w - lr * grad / (np.sqrt(sq) + eps), sq


# ---------------------------------------------------------------- adadelta_step


@mistake(
    "optimizers.adadelta_step",
    "Adadelta without the RMS of past updates",
    hint="Adadelta's step is grad scaled by a RATIO: the root of the average squared update "
    "(delta_avg + eps) over the root of the average squared gradient. Without the numerator it "
    "is RMSProp.",
)
def adadelta_missing_delta_ratio(
    w: np.ndarray,
    grad: np.ndarray,
    sq_avg: np.ndarray,
    delta_avg: np.ndarray,
    lr: float = 1.0,
    rho: float = 0.9,
    eps: float = 1e-6,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sq = rho * sq_avg + (1.0 - rho) * grad**2
    delta = grad / np.sqrt(sq + eps)
    return w - lr * delta, sq, rho * delta_avg + (1.0 - rho) * delta**2


@mistake(
    "optimizers.adadelta_step",
    "Adadelta divides by the old gradient average",
    hint="Update the average of squared gradients with this step's gradient first, and use the "
    "updated average in the denominator.",
)
def adadelta_uses_old_sq_avg(
    w: np.ndarray,
    grad: np.ndarray,
    sq_avg: np.ndarray,
    delta_avg: np.ndarray,
    lr: float = 1.0,
    rho: float = 0.9,
    eps: float = 1e-6,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sq = rho * sq_avg + (1.0 - rho) * grad**2
    delta = np.sqrt(delta_avg + eps) / np.sqrt(sq_avg + eps) * grad
    return w - lr * delta, sq, rho * delta_avg + (1.0 - rho) * delta**2


# ---------------------------------------------------------------- adam_step


@mistake(
    "optimizers.adam_step",
    "Adam without bias correction",
    hint="m and v start at zero, so early on they are biased towards zero; divide them by "
    "1 − β1^t and 1 − β2^t before the update (the notes' form leaves this out).",
)
def adam_no_bias_correction(
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
    m_new = beta1 * m + (1.0 - beta1) * grad
    v_new = beta2 * v + (1.0 - beta2) * grad**2
    return w - lr * m_new / (np.sqrt(v_new) + eps), m_new, v_new


@mistake(
    "optimizers.adam_step",
    "Adam bias correction with the step count off by one",
    hint="t is the number of the current step and the first step is t = 1: correct with "
    "1 − β^t, not with the exponent of the next or previous step.",
)
def adam_bias_correction_off_by_one(
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
    m_new = beta1 * m + (1.0 - beta1) * grad
    v_new = beta2 * v + (1.0 - beta2) * grad**2
    m_hat = m_new / (1.0 - beta1 ** (t + 1))
    v_hat = v_new / (1.0 - beta2 ** (t + 1))
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new


@mistake(
    "optimizers.adam_step",
    "Adam with eps inside the square root",
    hint="torch.optim.Adam adds eps AFTER taking the square root of v_hat; inside the root it "
    "acts like a much larger eps when v_hat is small.",
)
def adam_eps_inside_sqrt(
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
    m_new = beta1 * m + (1.0 - beta1) * grad
    v_new = beta2 * v + (1.0 - beta2) * grad**2
    m_hat = m_new / (1.0 - beta1**t)
    v_hat = v_new / (1.0 - beta2**t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), m_new, v_new


@mistake(
    "optimizers.adam_step",
    "Adam returns the bias-corrected moments as state",
    hint="The correction is only for the update: the state you hand back must be the running "
    "averages m and v themselves, or the next step corrects them a second time.",
)
def adam_returns_corrected_state(
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
    m_hat = (beta1 * m + (1.0 - beta1) * grad) / (1.0 - beta1**t)
    v_hat = (beta2 * v + (1.0 - beta2) * grad**2) / (1.0 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat


@mistake(
    "optimizers.adam_step",
    "Adam corrects only the first moment",
    hint="Both running averages start at zero, so both need their bias correction: "
    "v by 1 − β2^t as well as m by 1 − β1^t.",
)
def adam_corrects_only_m(
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
    m_new = beta1 * m + (1.0 - beta1) * grad
    v_new = beta2 * v + (1.0 - beta2) * grad**2
    m_hat = m_new / (1.0 - beta1**t)
    return w - lr * m_hat / (np.sqrt(v_new) + eps), m_new, v_new


# ---------------------------------------------------------------- ewa


@mistake(
    "optimizers.ewa",
    "EWA started from 0",
    hint="The average starts AT the first value (V_1 = a_1); starting from V_0 = 0 pulls the "
    "early averages towards zero.",
)
def ewa_starting_from_zero(series: np.ndarray, beta: float) -> np.ndarray:
    a = np.asarray(series, dtype=float)
    out = np.empty_like(a)
    prev = np.zeros_like(a[0]) if len(a) else 0.0
    for t in range(len(a)):
        prev = beta * prev + (1.0 - beta) * a[t]
        out[t] = prev
    return out


@mistake(
    "optimizers.ewa",
    "EWA with β and 1 − β swapped",
    hint="β is the weight of the PAST average (0.95 means a long memory); the new value gets "
    "weight 1 − β.",
)
def ewa_weights_swapped(series: np.ndarray, beta: float) -> np.ndarray:
    a = np.asarray(series, dtype=float)
    out = np.empty_like(a)
    for t in range(len(a)):
        out[t] = a[0] if t == 0 else (1.0 - beta) * out[t - 1] + beta * a[t]
    return out


@mistake(
    "optimizers.momentum_step",
    "steps with the old velocity (updates in the wrong order)",
    hint="Blend the new gradient into the velocity first, then step with the new velocity: "
    "w_new = w − lr·velocity_new.",
)
def momentum_steps_with_old_velocity(
    w: np.ndarray, grad: np.ndarray, velocity: np.ndarray, lr: float, beta: float = 0.9
) -> tuple[np.ndarray, np.ndarray]:
    w_new = w - lr * velocity
    return w_new, beta * velocity + (1.0 - beta) * grad
