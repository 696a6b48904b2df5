"""Recurrent networks in PyTorch: the ground truth for the ``rnn`` topic.

A vanilla (Elman) RNN cell, its unrolled forward pass, global-norm gradient clipping (the cure
for exploding gradients) and the LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of
Gers et al. 2000). Weights use the course's Keras layout, ``x @ W``: torch.nn.RNN / nn.LSTM store
the transposes (``weight_ih_l0 = W.T``, ``weight_hh_l0 = U.T``) and split the bias in two
(``b = bias_ih_l0 + bias_hh_l0``). ``tests/reference/test_rnn.py`` checks every function against
``nn.RNN``, ``nn.LSTM`` and ``torch.nn.utils.clip_grad_norm_``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from reference._validate import expect, require_positive

__all__ = [
    "clip_grad_norm",
    "lstm_cell",
    "lstm_forward",
    "lstm_gates",
    "rnn_cell",
    "rnn_forward",
]

#: Added to the global norm before dividing, as torch.nn.utils.clip_grad_norm_ does.
CLIP_EPS = 1e-6


def rnn_cell(
    x_t: torch.Tensor, h_prev: torch.Tensor, Wx: torch.Tensor, Wh: torch.Tensor, b: torch.Tensor
) -> torch.Tensor:
    """One step of a tanh RNN: h_t = tanh(x_t Wx + h_{t−1} Wh + b).

    Args: ``x_t`` (N, D); ``h_prev`` (N, H); ``Wx`` (D, H); ``Wh`` (H, H); ``b`` (H,).
    Returns: h_t (N, H).
    """
    expect(
        "rnn_cell",
        x_t=(x_t, "N D"),
        h_prev=(h_prev, "N H"),
        Wx=(Wx, "D H"),
        Wh=(Wh, "H H"),
        b=(b, "H"),
    )
    return torch.tanh(x_t @ Wx + h_prev @ Wh + b)  # (N, H), torch.nn.RNN nonlinearity="tanh"


def rnn_forward(
    x: torch.Tensor, h0: torch.Tensor, Wx: torch.Tensor, Wh: torch.Tensor, b: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Unroll ``rnn_cell`` over a batch-first sequence, sharing the weights across time.

    h_t = tanh(x_t Wx + h_{t−1} Wh + b) for t = 1..T, starting from h0.

    Args: ``x`` (N, T, D); ``h0`` (N, H); ``Wx`` (D, H); ``Wh`` (H, H); ``b`` (H,).
    Returns: (hs, h_T): hs (N, T, H) holds h_1..h_T (h0 is not included), h_T (N, H) is the
    last state (a copy of h0 when T = 0). Same as torch.nn.RNN(batch_first=True).
    """
    dims = expect(
        "rnn_forward",
        x=(x, "N T D"),
        h0=(h0, "N H"),
        Wx=(Wx, "D H"),
        Wh=(Wh, "H H"),
        b=(b, "H"),
    )
    h = h0
    states = []
    for t in range(dims["T"]):
        h = rnn_cell(x[:, t], h, Wx, Wh, b)  # (N, H)
        states.append(h)
    if not states:
        return x.new_zeros(dims["N"], 0, dims["H"]), h0.clone()
    return torch.stack(states, dim=1), h  # (N, T, H), (N, H)


def clip_grad_norm(grads: Sequence[torch.Tensor], max_norm: float) -> list[torch.Tensor]:
    """Rescale a list of gradients so that their global L2 norm is at most ``max_norm``.

    norm = sqrt(Σ_k ‖g_k‖²) over every element of every gradient;
    coef = min(1, max_norm / (norm + 1e-6)); each g_k becomes coef · g_k.
    This is torch.nn.utils.clip_grad_norm_ (norm_type=2): because of the 1e-6 the gradients are
    also scaled (by a factor within 1e-6/max_norm of 1) when norm lies just below max_norm.

    Args: ``grads`` a list of tensors of any shapes (one device); ``max_norm`` > 0.
    Returns: a new list of new tensors, same shapes and dtypes (the global norm is not returned).
    """
    fn = "clip_grad_norm"
    if isinstance(grads, torch.Tensor) or not isinstance(grads, Sequence):
        raise ValueError(f"{fn}: grads must be a list of tensors, got {type(grads).__name__}")
    require_positive(fn, "max_norm", max_norm)
    expect(fn, **{f"grads[{k}]": (g, "...") for k, g in enumerate(grads)})
    if not grads:
        return []
    norms = [torch.linalg.vector_norm(g) for g in grads]  # one 0-d norm per gradient
    total = torch.linalg.vector_norm(torch.stack(norms))  # sqrt(Σ ‖g_k‖²), 0-d
    coef = torch.clamp(max_norm / (total + CLIP_EPS), max=1.0)  # 0-d, ≤ 1
    return [g * coef.to(g.dtype) for g in grads]


def _lstm_dims(fn: str, **specs: tuple[torch.Tensor, str]) -> dict[str, int]:
    """``expect`` plus the LSTM constraint that the gate axis G of W, U, b is 4·H."""
    dims = expect(fn, **specs)
    if dims["G"] != 4 * dims["H"]:
        W = specs["W"][0]
        raise ValueError(
            f"{fn}: W has shape {tuple(W.shape)}, expected (D, 4·H) with H={dims['H']} "
            "(four gate blocks i, f, g, o)"
        )
    return dims


def lstm_gates(
    x_t: torch.Tensor, h_prev: torch.Tensor, W: torch.Tensor, U: torch.Tensor, b: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The four LSTM gate activations for one time step.

    z = x_t W + h_{t−1} U + b, split along the last axis into four H-wide blocks in torch's
    order [z_i | z_f | z_g | z_o] (torch.nn.LSTM docs: W_ii|W_if|W_ig|W_io);
    i = σ(z_i) input gate, f = σ(z_f) forget gate, g = tanh(z_g) candidate cell,
    o = σ(z_o) output gate.

    Args: ``x_t`` (N, D); ``h_prev`` (N, H); ``W`` (D, 4H); ``U`` (H, 4H); ``b`` (4H,).
    Returns: (i, f, g, o), each (N, H); i, f, o in (0, 1), g in (−1, 1).
    """
    _lstm_dims(
        "lstm_gates",
        x_t=(x_t, "N D"),
        h_prev=(h_prev, "N H"),
        W=(W, "D G"),
        U=(U, "H G"),
        b=(b, "G"),
    )
    return _gates(x_t @ W + h_prev @ U + b)  # z (N, 4H)


def _gates(
    z: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(i, f, g, o) from the pre-activations z (N, 4H), blocks in torch's order i, f, g, o."""
    z_i, z_f, z_g, z_o = z.chunk(4, dim=-1)  # four (N, H) blocks, torch's gate order
    return torch.sigmoid(z_i), torch.sigmoid(z_f), torch.tanh(z_g), torch.sigmoid(z_o)


def _cell(z: torch.Tensor, c_prev: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(h_t, c_t) from the pre-activations z (N, 4H) and c_{t−1} (N, H)."""
    i, f, g, o = _gates(z)  # each (N, H)
    c = f * c_prev + i * g  # (N, H) forget part of the old memory, write the new candidate
    h = o * torch.tanh(c)  # (N, H) expose a squashed view of the memory
    return h, c


def lstm_cell(
    x_t: torch.Tensor,
    h_prev: torch.Tensor,
    c_prev: torch.Tensor,
    W: torch.Tensor,
    U: torch.Tensor,
    b: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One LSTM step: c_t = f ⊙ c_{t−1} + i ⊙ g, h_t = o ⊙ tanh(c_t), gates from ``lstm_gates``.

    Args: ``x_t`` (N, D); ``h_prev``, ``c_prev`` (N, H); ``W`` (D, 4H); ``U`` (H, 4H); ``b`` (4H,).
    Returns: (h_t, c_t), each (N, H).
    """
    _lstm_dims(
        "lstm_cell",
        x_t=(x_t, "N D"),
        h_prev=(h_prev, "N H"),
        c_prev=(c_prev, "N H"),
        W=(W, "D G"),
        U=(U, "H G"),
        b=(b, "G"),
    )
    return _cell(x_t @ W + h_prev @ U + b, c_prev)  # z (N, 4H) as in lstm_gates


def lstm_forward(
    x: torch.Tensor,
    h0: torch.Tensor,
    c0: torch.Tensor,
    W: torch.Tensor,
    U: torch.Tensor,
    b: torch.Tensor,
) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """Unroll ``lstm_cell`` over a batch-first sequence (torch.nn.LSTM, batch_first=True).

    (h_t, c_t) = lstm_cell(x_t, h_{t−1}, c_{t−1}, W, U, b) for t = 1..T from (h0, c0).

    Args: ``x`` (N, T, D); ``h0``, ``c0`` (N, H); ``W`` (D, 4H); ``U`` (H, 4H); ``b`` (4H,).
    Returns: (hs, (h_T, c_T)): hs (N, T, H) holds h_1..h_T; h_T, c_T (N, H) are the final states
    (copies of h0, c0 when T = 0).
    """
    dims = _lstm_dims(
        "lstm_forward",
        x=(x, "N T D"),
        h0=(h0, "N H"),
        c0=(c0, "N H"),
        W=(W, "D G"),
        U=(U, "H G"),
        b=(b, "G"),
    )
    if dims["T"] == 0:
        return x.new_zeros(dims["N"], 0, dims["H"]), (h0.clone(), c0.clone())
    # The input term x_t W + b of every step in one product, before the loop (as ATen's CPU
    # LSTM does); only h_{t−1} U has to wait for the previous step.
    # unbind: one backward node for all T slices (indexing xw[:, t] would give each step a
    # backward that writes a full-size zero tensor, O(T²) work).
    xw = (x @ W + b).unbind(dim=1)  # T tensors (N, 4H)
    h, c = h0, c0
    states = []
    for xw_t in xw:
        h, c = _cell(xw_t + h @ U, c)  # z = x_t W + b + h_{t−1} U: lstm_cell's step
        states.append(h)
    return torch.stack(states, dim=1), (h, c)  # (N, T, H), ((N, H), (N, H))
