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
from torch.autograd.function import once_differentiable

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
    hs, h_T, c_T = _LSTMSequence.apply(x, h0, c0, W, U, b)
    return hs, (h_T, c_T)  # (N, T, H), ((N, H), (N, H))


class _LSTMSequence(torch.autograd.Function):
    """The whole unrolled LSTM as one autograd node, with backpropagation through time by hand.

    Forward: ``lstm_cell``'s step for t = 1..T, the input term x_t W + b of every step in one
    product before the loop (as ATen's CPU LSTM does); only h_{t−1} U waits for the previous step.
    Backward (BPTT), from t = T down to 1, with dh, dc the gradients reaching h_t, c_t:
        dc ← dc + dh ⊙ o ⊙ (1 − tanh²(c_t))
        dz = [dc ⊙ g ⊙ i(1 − i) | dc ⊙ c_{t−1} ⊙ f(1 − f) | dc ⊙ i ⊙ (1 − g²) | dh ⊙ tanh(c_t) ⊙ o(1 − o)]
        dh_{t−1} = dz Uᵀ (+ the output gradient of h_{t−1}),  dc_{t−1} = dc ⊙ f
    then, for all steps at once: dW = Σ_t x_tᵀ dz_t, dU = Σ_t h_{t−1}ᵀ dz_t, db = Σ_t Σ_n dz_t,
    dx_t = dz_t Wᵀ. One node instead of ~12 per step: the per-step Python and autograd overhead is
    what made the step-by-step version slow at course sizes. Differentiable once (no double
    backward); ``tests/reference/test_rnn.py`` checks it with gradcheck and against nn.LSTM.
    """

    @staticmethod
    def forward(ctx, x, h0, c0, W, U, b):  # type: ignore[override]
        N, T, _ = x.shape
        H = h0.shape[1]
        # z_t = x_t W + b for every step at once (time-major), then += h_{t−1} U step by step
        z = torch.addmm(b, x.transpose(0, 1).reshape(T * N, -1), W).view(T, N, 4 * H)
        acts = x.new_empty(T, N, 4, H)  # [i | f | g | o] of every step
        cs = x.new_empty(T + 1, N, H)  # c_0 .. c_T
        hs = x.new_empty(T + 1, N, H)  # h_0 .. h_T
        tanh_c = x.new_empty(T, N, H)  # tanh(c_1) .. tanh(c_T)
        cs[0], hs[0] = c0, h0
        # per-step views, taken once (indexing inside the loop would cost a call each)
        z_t, zg_t = z.unbind(0), z.view(T, N, 4, H)[:, :, 2].unbind(0)
        a_t = acts.view(T, N, 4 * H).unbind(0)
        c_t, h_t, th_t = cs.unbind(0), hs.unbind(0), tanh_c.unbind(0)
        i_t, f_t, g_t, o_t = (acts[:, :, k].unbind(0) for k in range(4))
        for t in range(T):
            z_t[t].addmm_(h_t[t], U)  # z = x_t W + b + h_{t−1} U
            torch.sigmoid(z_t[t], out=a_t[t])  # i, f, o (the g block is overwritten next)
            torch.tanh(zg_t[t], out=g_t[t])  # g
            torch.mul(f_t[t], c_t[t], out=c_t[t + 1]).addcmul_(i_t[t], g_t[t])  # f⊙c + i⊙g
            torch.tanh(c_t[t + 1], out=th_t[t])
            torch.mul(o_t[t], th_t[t], out=h_t[t + 1])  # h_t = o ⊙ tanh(c_t)
        ctx.save_for_backward(x, W, U, acts, cs, hs, tanh_c)
        return hs[1:].transpose(0, 1).contiguous(), hs[T].clone(), cs[T].clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, g_hs, g_hT, g_cT):  # type: ignore[override]
        x, W, U, acts, cs, hs, tanh_c = ctx.saved_tensors
        N, T, D = x.shape
        H = hs.shape[2]
        # everything that does not wait for the recursion, for all steps at once
        i, f, g, o = acts.unbind(2)  # each (T, N, H)
        d_act = acts * (1 - acts)  # σ' = σ(1 − σ) for i, f, o
        d_act[:, :, 2] = 1 - g * g  # tanh' = 1 − tanh² for g
        # dz_t = [dc ⊙ g ⊙ σ'_i | dc ⊙ c_{t−1} ⊙ σ'_f | dc ⊙ i ⊙ tanh'_g | dh ⊙ tanh(c_t) ⊙ σ'_o]
        by_dc = torch.stack((g, cs[:T], i), dim=2) * d_act[:, :, :3]  # (T, N, 3, H)
        by_dh = tanh_c * d_act[:, :, 3]  # (T, N, H)
        dc_by_dh = o * (1 - tanh_c * tanh_c)  # ∂c_t/∂h_t path: o ⊙ (1 − tanh²(c_t))
        dz = x.new_empty(T, N, 4, H)
        # per-step views, taken once; dc is kept as (N, 1, H) to broadcast over the 3 blocks
        dz_t, dz_c, dz_o = (
            dz.view(T, N, 4 * H).unbind(0),
            dz[:, :, :3].unbind(0),
            dz[:, :, 3].unbind(0),
        )
        f_t, dc_by_dh_t = f[:, :, None].unbind(0), dc_by_dh[:, :, None].unbind(0)
        by_dc_t, by_dh_t = by_dc.unbind(0), by_dh.unbind(0)
        # dh_t starts as the output gradient of h_t; dz_{t+1} Uᵀ is added to it in place
        dhs = g_hs.transpose(0, 1).clone()  # (T, N, H)
        dhs[T - 1] += g_hT  # ∂L/∂h_T
        dh_t, dh3_t = dhs.unbind(0), dhs[:, :, None].unbind(0)  # (N, H) and (N, 1, H) views
        U_T = U.T
        dc = g_cT[:, None]  # (N, 1, H) ∂L/∂c_T
        for t in range(T - 1, -1, -1):
            dc = torch.addcmul(dc, dh3_t[t], dc_by_dh_t[t])  # dc + dh ⊙ o ⊙ (1 − tanh²(c_t))
            torch.mul(dc, by_dc_t[t], out=dz_c[t])  # dz_i, dz_f, dz_g
            torch.mul(dh_t[t], by_dh_t[t], out=dz_o[t])  # dz_o
            if t:
                dh_t[t - 1].addmm_(dz_t[t], U_T)  # dh_{t−1} += dz_t Uᵀ
            dc = dc * f_t[t]  # dc_{t−1}
        dh = torch.mm(dz_t[0], U_T)  # ∂L/∂h_0
        dz_flat = dz.transpose(0, 1).reshape(N * T, 4 * H)  # rows in x's (n, t) order
        need = ctx.needs_input_grad
        dx = (dz_flat @ W.T).view(N, T, D) if need[0] else None
        dW = x.reshape(N * T, D).T @ dz_flat if need[3] else None
        dU = hs[:T].reshape(T * N, H).T @ dz.view(T * N, 4 * H) if need[4] else None
        db = dz_flat.sum(dim=0) if need[5] else None
        return dx, dh, dc[:, 0], dW, dU, db
