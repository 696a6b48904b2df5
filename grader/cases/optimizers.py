"""Public cases for optimizers: one step of each update rule, from a fresh (all-zero) state and
from a state carried over from earlier steps, with non-default hyper-parameters, 1-d and 2-d
(non-square) parameters, Adam early (t = 1, 2) and late (t = 1000) and with gradients so small
that where eps goes matters, and the notes' exponentially weighted average with β = 0.95."""

import numpy as np

from grader.cases import case

W = np.array([1.0, -2.0, 0.5])
G = np.array([0.5, -1.0, 0.25])
ZEROS = np.zeros(3)

_gen = np.random.default_rng(7)
W2 = np.round(_gen.normal(size=(2, 3)), 2)  # a (2, 3) parameter matrix
G2 = np.round(_gen.normal(size=(2, 3)), 2)
STATE2 = np.round(_gen.uniform(0.1, 1.0, size=(2, 3)), 2)  # non-negative, e.g. sums of squares
VEL2 = np.round(_gen.normal(size=(2, 3)), 2)  # a velocity / first moment (any sign)

CASES = [
    # ---------------------------------------------------------------- gd_step
    case("gd_step", W, G, 0.1, note="w − lr·grad"),
    case("gd_step", W2, G2, 0.01, note="a (2, 3) parameter matrix"),
    case("gd_step", W, np.zeros(3), 0.5, note="a zero gradient leaves w where it is"),
    # ---------------------------------------------------------------- momentum_step
    case("momentum_step", W, G, ZEROS, 0.1, note="first step: velocity starts at zeros"),
    case(
        "momentum_step",
        W,
        G,
        np.array([0.2, -0.4, 1.0]),
        0.1,
        beta=0.95,
        note="β = 0.95: velocity_new = 0.95·velocity + 0.05·grad (the notes' form)",
    ),
    case("momentum_step", W2, G2, VEL2, 0.05, beta=0.5, note="(2, 3) parameters, β = 0.5"),
    # ---------------------------------------------------------------- adagrad_step
    case(
        "adagrad_step",
        W,
        G,
        ZEROS,
        0.1,
        note="first step from sum_sq = 0: each weight moves by about lr",
    ),
    case(
        "adagrad_step",
        W,
        G,
        np.array([4.0, 1.0, 0.0625]),
        0.1,
        note="sum_sq already holds earlier squared gradients",
    ),
    case("adagrad_step", W2, G2, STATE2, 0.5, eps=1e-3, note="(2, 3) parameters, eps = 1e-3"),
    # ---------------------------------------------------------------- rmsprop_step
    case("rmsprop_step", W, G, ZEROS, 0.01, note="first step from sq_avg = 0, β = 0.99"),
    case(
        "rmsprop_step",
        W2,
        G2,
        STATE2,
        0.01,
        beta=0.9,
        note="a running average carried over, β = 0.9",
    ),
    # ---------------------------------------------------------------- adadelta_step
    case("adadelta_step", W, G, ZEROS, ZEROS, note="first step: both averages start at zero"),
    case(
        "adadelta_step",
        W2,
        G2,
        STATE2,
        STATE2[::-1].copy(),
        lr=0.5,
        rho=0.95,
        note="both averages carried over, lr = 0.5, ρ = 0.95",
    ),
    # ---------------------------------------------------------------- adam_step
    case(
        "adam_step",
        W,
        G,
        ZEROS,
        ZEROS,
        1,
        lr=0.1,
        note="first step (t = 1) from zeros: bias correction makes each weight move by about lr",
    ),
    case(
        "adam_step",
        W2,
        G2,
        VEL2 * 0.1,
        STATE2 * 0.01,
        2,
        lr=0.01,
        note="second step (t = 2) with the state of a first one",
    ),
    case(
        "adam_step",
        W,
        G,
        np.array([0.3, -0.6, 0.1]),
        np.array([0.2, 0.9, 0.05]),
        1000,
        lr=0.01,
        beta1=0.8,
        beta2=0.99,
        note="a late step (t = 1000), β1 = 0.8, β2 = 0.99",
    ),
    case(
        "adam_step",
        W,
        G * 1e-6,
        ZEROS,
        ZEROS,
        1,
        lr=0.1,
        note="gradients of order 1e-6: eps = 1e-8 is added after the square root",
    ),
    # ---------------------------------------------------------------- ewa
    case(
        "ewa",
        np.array([10.0, 20.0, 15.0, 30.0, 25.0]),
        0.95,
        note="the notes' β = 0.95: V_1 = a_1, V_2 = 0.95·V_1 + 0.05·a_2",
    ),
    case(
        "ewa",
        np.array([[1.0, -1.0], [3.0, 0.0], [2.0, 4.0]]),
        0.5,
        note="a series of (2,) vectors along the first axis, β = 0.5",
    ),
    case(
        "ewa",
        np.array([4.0, 0.0, 8.0]),
        0.0,
        note="β = 0 keeps no memory: V equals the series",
    ),
    case("ewa", np.array([2.0, 5.0, -1.0]), 0.8, note="β = 0.8"),
]
