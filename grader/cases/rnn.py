"""Public cases for rnn: the tanh RNN cell and its loop over a batch of sequences (batch size 1,
one step, several steps), global-norm gradient clipping (above, below and at the threshold), and
the LSTM's gates in torch's order i, f, g, o, one cell step and the whole sequence.
"""

from __future__ import annotations

import numpy as np

from grader.cases import case

_rng = np.random.default_rng(7)


def _r(*shape: int, scale: float = 1.0) -> np.ndarray:
    """Readable random values: normal draws rounded to one decimal."""
    return np.round(_rng.normal(scale=scale, size=shape), 1)


# Plain RNN: N = 2 sequences, T = 3 steps, D = 2 inputs, H = 3 hidden units.
X = _r(2, 3, 2)  # (N, T, D)
H0 = _r(2, 3, scale=0.5)  # (N, H)
WX = _r(2, 3, scale=0.8)  # (D, H)
WH = _r(3, 3, scale=0.8)  # (H, H), not symmetric
B = _r(3, scale=0.3)  # (H,)

# LSTM: N = 2, T = 3, D = 2, H = 2, so the gate axis has 4·H = 8 columns i i f f g g o o.
LX = _r(2, 3, 2)  # (N, T, D)
LH0 = _r(2, 2, scale=0.5)  # (N, H)
LC0 = _r(2, 2)  # (N, H)
LW = _r(2, 8, scale=0.8)  # (D, 4H)
LU = _r(2, 8, scale=0.8)  # (H, 4H)
LB = _r(8, scale=0.5)  # (4H,)

CASES = [
    # --- RNN cell and loop -------------------------------------------------------------------
    case("rnn_cell", X[:, 0], H0, WX, WH, B, note="one step, N=2, D=2, H=3"),
    case(
        "rnn_cell",
        np.array([[1.0, -1.0]]),
        np.array([[0.5, 0.0, -0.5]]),
        WX,
        WH,
        np.zeros(3),
        note="batch size 1, zero bias",
    ),
    case(
        "rnn_cell",
        np.array([[3.0, -3.0]]),
        np.array([[2.0, -2.0, 1.0]]),
        WX * 3,
        WH * 3,
        B,
        note="large pre-activations: tanh stays in (−1, 1)",
    ),
    case("rnn_forward", X, H0, WX, WH, B, note="N=2 sequences of T=3 steps"),
    case("rnn_forward", X[:1, :1], H0[:1], WX, WH, B, note="batch size 1, a single step"),
    case("rnn_forward", X[:, :2], np.zeros((2, 3)), WX, WH, B, note="T=2 from a zero state"),
    # --- gradient clipping -------------------------------------------------------------------
    case(
        "clip_grad_norm",
        [np.array([3.0, 0.0]), np.array([[0.0], [4.0]])],
        1.0,
        note="global norm 5 > max_norm 1: both arrays shrink by the same factor",
    ),
    case(
        "clip_grad_norm",
        [np.array([0.3, -0.4]), np.array([0.0])],
        2.0,
        note="global norm 0.5 < max_norm 2: left as it is",
    ),
    case(
        "clip_grad_norm",
        [np.array([[6.0, -8.0], [0.0, 0.0]]), np.array(0.5), np.array([1.0, 2.0, 2.0])],
        4.0,
        note="three arrays of different shapes (one 0-d), global norm above 4",
    ),
    case(
        "clip_grad_norm",
        [np.array([0.6]), np.array([0.8])],
        0.5,
        note="global norm 1 above 0.5",
    ),
    # --- LSTM --------------------------------------------------------------------------------
    case("lstm_gates", LX[:, 0], LH0, LW, LU, LB, note="N=2, D=2, H=2: blocks i, f, g, o"),
    case(
        "lstm_gates",
        np.array([[1.0, 0.0]]),
        np.zeros((1, 2)),
        np.eye(2, 8) * 2.0 - np.eye(2, 8, 5),
        np.zeros((2, 8)),
        np.arange(8.0) / 4 - 1,
        note="batch size 1, each gate block with its own bias",
    ),
    case("lstm_cell", LX[:, 0], LH0, LC0, LW, LU, LB, note="one step from (h0, c0)"),
    case(
        "lstm_cell",
        LX[:1, 1],
        np.zeros((1, 2)),
        np.array([[2.0, -3.0]]),
        LW,
        LU,
        LB,
        note="batch size 1, a large cell state",
    ),
    case("lstm_forward", LX, LH0, LC0, LW, LU, LB, note="N=2 sequences of T=3 steps"),
    case(
        "lstm_forward",
        LX[:1, :1],
        LH0[:1],
        LC0[:1],
        LW,
        LU,
        LB,
        note="batch size 1, a single step",
    ),
]
