# Generated from solutions/rnn.py by `gradelab release`.
# Learners: replace each `raise NotImplementedError(...)` with your code.
# Instructors: edit solutions/rnn.py instead, then run `gradelab release`.
"""Recurrent networks and LSTM gates (topic ``rnn``).

A tanh RNN cell and its loop over a batch of sequences, gradient-norm clipping against exploding
gradients, and the LSTM: its four gates, one cell step and the whole sequence. Weights use the
course layout ``x @ W``; the LSTM's four gate blocks sit side by side in torch's order i, f, g, o.

Lesson: lessons/rnn.md
"""

from __future__ import annotations

import numpy as np


def rnn_cell(
    x_t: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """One step of a vanilla RNN: h_t = tanh(x_t Wx + h_prev Wh + b).

    Args:
        x_t: inputs at this step, shape (N, D).
        h_prev: previous hidden state, shape (N, H).
        Wx: input-to-hidden weights, shape (D, H).
        Wh: hidden-to-hidden weights, shape (H, H).
        b: bias, shape (H,).

    Returns:
        The new hidden state h_t, shape (N, H).
    """
    raise NotImplementedError(
        "rnn.rnn_cell: two matrix products (input and previous state), add the bias, squash with tanh"
    )


def rnn_forward(
    x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``rnn_cell`` over every time step, reusing the same weights at each step.

    h_t = tanh(x[:, t] Wx + h_{t−1} Wh + b) for t = 1 … T, starting from h0.

    Args:
        x: a batch of sequences, shape (N, T, D).
        h0: initial hidden state, shape (N, H).
        Wx: shape (D, H). Wh: shape (H, H). b: shape (H,).

    Returns:
        (hs, h_T): hs of shape (N, T, H) holds h_1 … h_T (not h0); h_T, shape (N, H), is the
        last state (a copy of h0 when T = 0).
    """
    raise NotImplementedError(
        "rnn.rnn_forward: loop over t, feed each new state into the next step, store it at hs[:, t]"
    )


def clip_grad_norm(grads: list[np.ndarray], max_norm: float) -> list[np.ndarray]:
    """Clip gradients by their global L2 norm, as ``torch.nn.utils.clip_grad_norm_``.

    total = √(Σ over every array g of Σ g²);  coef = min(1, max_norm / (total + 1e−6));
    every g is multiplied by the same coef, so the direction of the whole update is kept.

    Args:
        grads: list of gradient arrays of any shapes.
        max_norm: the largest allowed global norm, > 0.

    Returns:
        A new list of new arrays (same shapes), the clipped gradients. The inputs are not
        modified and the norm itself is not returned.
    """
    raise NotImplementedError(
        "rnn.clip_grad_norm: one norm over all arrays together, then one common factor that is never above 1"
    )


def lstm_gates(
    x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four LSTM gates for one time step.

    z = x_t W + h_prev U + b has width 4H; its blocks, in torch's order, are z_i | z_f | z_g | z_o:
        i = σ(z_i) input gate,  f = σ(z_f) forget gate,
        g = tanh(z_g) candidate,  o = σ(z_o) output gate,   σ(z) = 1 / (1 + e^(−z)).

    Args:
        x_t: inputs at this step, shape (N, D).
        h_prev: previous hidden state, shape (N, H).
        W: input weights of all four gates, shape (D, 4H).
        U: recurrent weights of all four gates, shape (H, 4H).
        b: biases of all four gates, shape (4H,).

    Returns:
        (i, f, g, o), each of shape (N, H); i, f, o lie in (0, 1) and g in (−1, 1).
    """
    raise NotImplementedError(
        "rnn.lstm_gates: one pre-activation of width 4H, cut into four H-wide blocks i, f, g, o; stable sigmoid"
    )


def lstm_cell(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step: c = f·c_prev + i·g, then h = o·tanh(c) (elementwise products).

    Args:
        x_t: inputs at this step, shape (N, D).
        h_prev: previous hidden state, shape (N, H).
        c_prev: previous cell state, shape (N, H).
        W: shape (D, 4H). U: shape (H, 4H). b: shape (4H,).

    Returns:
        (h, c): the new hidden state and cell state, each of shape (N, H).
    """
    raise NotImplementedError(
        "rnn.lstm_cell: get the gates, keep part of the old memory, add part of the candidate, expose tanh(c)"
    )


def lstm_forward(
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Run ``lstm_cell`` over every time step, as ``torch.nn.LSTM(batch_first=True)``.

    (h_t, c_t) = lstm_cell(x[:, t], h_{t−1}, c_{t−1}, W, U, b) for t = 1 … T, from (h0, c0).

    Args:
        x: a batch of sequences, shape (N, T, D).
        h0, c0: initial hidden and cell states, shape (N, H) each.
        W: shape (D, 4H). U: shape (H, 4H). b: shape (4H,).

    Returns:
        (hs, (h_T, c_T)): hs of shape (N, T, H) holds h_1 … h_T; h_T and c_T, shape (N, H), are
        the final states (copies of h0 and c0 when T = 0).
    """
    raise NotImplementedError(
        "rnn.lstm_forward: like rnn_forward, but carry both h and c from one step to the next; store only h"
    )
