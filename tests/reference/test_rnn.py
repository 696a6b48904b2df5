"""reference.rnn against torch.nn.RNN / RNNCell / LSTM / LSTMCell, clip_grad_norm_, autograd
and finite differences.

Layout mapping (course → torch): weight_ih = W.T, weight_hh = U.T, bias_ih + bias_hh = b; the
tests put all of b in bias_ih and zero bias_hh.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.strategies import gradient_lists, rnn_cases, tensors
from reference import rnn

F64 = {"rtol": 1e-10, "atol": 1e-12}


def _t(case: dict[str, np.ndarray], *names: str, grad: bool = False) -> list[torch.Tensor]:
    return [tensors(case[n]).requires_grad_(grad) for n in names]


def _load(module: torch.nn.Module, W: torch.Tensor, U: torch.Tensor, b: torch.Tensor) -> None:
    """Copy course-layout weights into a torch RNN/LSTM (cell) module."""
    sfx = "_l0" if hasattr(module, "weight_ih_l0") else ""
    with torch.no_grad():
        getattr(module, f"weight_ih{sfx}").copy_(W.T)
        getattr(module, f"weight_hh{sfx}").copy_(U.T)
        getattr(module, f"bias_ih{sfx}").copy_(b)
        getattr(module, f"bias_hh{sfx}").zero_()


def _lstm(case: dict[str, np.ndarray], cls: type = torch.nn.LSTM) -> torch.nn.Module:
    D, G = case["W"].shape
    kwargs = {"batch_first": True} if cls is torch.nn.LSTM else {}
    m = cls(D, G // 4, **kwargs).double()
    _load(m, *_t(case, "W", "U", "b"))
    return m


def _rnn(case: dict[str, np.ndarray], cls: type = torch.nn.RNN) -> torch.nn.Module:
    D, H = case["Wx"].shape
    kwargs = {"batch_first": True} if cls is torch.nn.RNN else {}
    m = cls(D, H, nonlinearity="tanh", **kwargs).double()
    _load(m, *_t(case, "Wx", "Wh", "b"))
    return m


# --- vanilla RNN -----------------------------------------------------------------------------


@given(case=rnn_cases())
def test_rnn_cell_matches_nn_RNNCell_tanh(case):
    x_t, h, Wx, Wh, b = _t(case, "x_t", "h0", "Wx", "Wh", "b")
    torch.testing.assert_close(
        rnn.rnn_cell(x_t, h, Wx, Wh, b), _rnn(case, torch.nn.RNNCell)(x_t, h), **F64
    )


@given(case=rnn_cases(max_steps=6))
def test_rnn_forward_matches_nn_RNN_batch_first(case):
    x, h0, Wx, Wh, b = _t(case, "x", "h0", "Wx", "Wh", "b")
    hs, h_T = rnn.rnn_forward(x, h0, Wx, Wh, b)
    out, h_n = _rnn(case)(x, h0[None])
    torch.testing.assert_close(hs, out, **F64)
    torch.testing.assert_close(h_T, h_n[0], **F64)
    torch.testing.assert_close(hs[:, -1], h_T, rtol=0, atol=0)


@given(case=rnn_cases(max_steps=5))
def test_rnn_forward_gradients_match_autograd_of_nn_RNN(case):
    x, h0, Wx, Wh, b = _t(case, "x", "h0", "Wx", "Wh", "b", grad=True)
    m = _rnn(case)
    hs, h_T = rnn.rnn_forward(x, h0, Wx, Wh, b)
    out, h_n = m(x, h0[None])
    loss = (hs * torch.cos(torch.arange(hs.numel(), dtype=hs.dtype)).reshape(hs.shape)).sum()
    ref_loss = (
        out * torch.cos(torch.arange(out.numel(), dtype=out.dtype)).reshape(out.shape)
    ).sum()
    ours = torch.autograd.grad(loss + h_T.sum(), (x, h0, Wx, Wh, b))
    theirs = torch.autograd.grad(
        ref_loss + h_n.sum(), (x, h0, m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0)
    )
    for name, a, e in zip(("x", "h0", "Wx", "Wh", "b"), ours, theirs, strict=True):
        torch.testing.assert_close(a, e.T if name in ("Wx", "Wh") else e, **F64, msg=name)


@settings(max_examples=6)
@given(case=rnn_cases(max_batch=2, max_steps=3, max_hidden=3, max_input=3))
def test_rnn_forward_passes_gradcheck_in_float64(case):
    inputs = _t(case, "x", "h0", "Wx", "Wh", "b", grad=True)
    assert torch.autograd.gradcheck(lambda *a: rnn.rnn_forward(*a), inputs)


def test_rnn_forward_with_zero_steps_returns_no_states_and_h0():
    h0 = torch.randn(2, 3, dtype=torch.float64)
    hs, h_T = rnn.rnn_forward(
        torch.zeros(2, 0, 4, dtype=torch.float64),
        h0,
        torch.zeros(4, 3, dtype=torch.float64),
        torch.zeros(3, 3, dtype=torch.float64),
        torch.zeros(3, dtype=torch.float64),
    )
    assert hs.shape == (2, 0, 3)
    assert torch.equal(h_T, h0)


def test_rnn_forward_with_zero_weights_outputs_tanh_of_the_bias_at_every_step():
    b = torch.tensor([0.5, -2.0], dtype=torch.float64)
    hs, _ = rnn.rnn_forward(
        torch.ones(1, 3, 2, dtype=torch.float64),
        torch.ones(1, 2, dtype=torch.float64),
        torch.zeros(2, 2, dtype=torch.float64),
        torch.zeros(2, 2, dtype=torch.float64),
        b,
    )
    torch.testing.assert_close(hs, torch.tanh(b).expand(1, 3, 2), **F64)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (((2, 3), (2, 4), (3, 5), (4, 4), (4,)), r"Wx has shape \(3, 5\)"),
        (((2, 3), (2, 4), (3, 4), (4, 3), (4,)), r"Wh has shape \(4, 3\)"),
        (((2, 3), (1, 4), (3, 4), (4, 4), (4,)), r"h_prev has shape \(1, 4\)"),
        (((2, 3), (2, 4), (3, 4), (4, 4), (3,)), r"b has shape \(3,\)"),
        (((3,), (2, 4), (3, 4), (4, 4), (4,)), r"x_t has shape \(3,\)"),
    ],
)
def test_rnn_cell_rejects_mismatched_shapes_naming_the_argument(args, match):
    with pytest.raises(ValueError, match=rf"rnn_cell: {match}"):
        rnn.rnn_cell(*(torch.zeros(s) for s in args))


def test_rnn_forward_rejects_a_2d_sequence_and_integer_dtype():
    w = (torch.zeros(3, 4), torch.zeros(4, 4), torch.zeros(4))
    with pytest.raises(ValueError, match=r"rnn_forward: x has shape \(2, 3\)"):
        rnn.rnn_forward(torch.zeros(2, 3), torch.zeros(2, 4), *w)
    with pytest.raises(ValueError, match="rnn_forward: x must have a floating dtype"):
        rnn.rnn_forward(torch.zeros(2, 5, 3, dtype=torch.int64), torch.zeros(2, 4), *w)


# --- gradient clipping -----------------------------------------------------------------------


@given(grads=gradient_lists(), max_norm=st.floats(0.01, 60.0))
def test_clip_grad_norm_matches_torch_clip_grad_norm_(grads, max_norm):
    ts = [tensors(g) for g in grads]
    params = [torch.zeros_like(t, requires_grad=True) for t in ts]
    for p, t in zip(params, ts, strict=True):
        p.grad = t.clone()
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    got = rnn.clip_grad_norm(ts, max_norm)
    assert isinstance(got, list) and len(got) == len(ts)
    for g, p in zip(got, params, strict=True):
        torch.testing.assert_close(g, p.grad, rtol=1e-12, atol=1e-14)


@given(grads=gradient_lists(), max_norm=st.floats(0.01, 60.0))
def test_clip_grad_norm_caps_the_global_norm_keeps_direction_and_inputs(grads, max_norm):
    ts = [tensors(g) for g in grads]
    before = [t.clone() for t in ts]
    got = rnn.clip_grad_norm(ts, max_norm)
    norm = torch.sqrt(sum((t**2).sum() for t in ts))
    new_norm = torch.sqrt(sum((g**2).sum() for g in got))
    assert new_norm <= max_norm * (1 + 1e-12)
    if norm <= max_norm / 2:  # well below the threshold: untouched up to the 1e-6 guard
        for g, t in zip(got, ts, strict=True):
            torch.testing.assert_close(g, t, rtol=1e-6, atol=0)
    ratio = (new_norm / norm) if norm > 0 else torch.tensor(1.0, dtype=torch.float64)
    for g, t, b in zip(got, ts, before, strict=True):
        assert g is not t
        assert torch.equal(t, b)  # inputs unchanged
        torch.testing.assert_close(g, t * ratio, rtol=1e-12, atol=1e-14)  # one common factor


def test_clip_grad_norm_uses_the_global_norm_over_all_gradients():
    # norms 3 and 4 → global norm 5; max_norm 1 scales both by 1/5, not each to norm 1
    a, b = torch.tensor([3.0], dtype=torch.float64), torch.tensor([0.0, 4.0], dtype=torch.float64)
    ca, cb = rnn.clip_grad_norm([a, b], 1.0)
    torch.testing.assert_close(ca, a / (5 + 1e-6), **F64)
    torch.testing.assert_close(cb, b / (5 + 1e-6), **F64)


def test_clip_grad_norm_of_an_empty_list_is_empty():
    assert rnn.clip_grad_norm([], 1.0) == []


@pytest.mark.parametrize(
    ("grads", "max_norm", "match"),
    [
        ([torch.ones(2)], 0.0, "max_norm must be > 0"),
        ([torch.ones(2)], -1.0, "max_norm must be > 0"),
        (torch.ones(2), 1.0, "grads must be a list"),
        (
            [torch.ones(2), torch.ones(2, dtype=torch.int64)],
            1.0,
            r"grads\[1\] must have a floating",
        ),
    ],
)
def test_clip_grad_norm_rejects_bad_input_naming_the_argument(grads, max_norm, match):
    with pytest.raises(ValueError, match=rf"clip_grad_norm: {match}"):
        rnn.clip_grad_norm(grads, max_norm)


# --- LSTM ------------------------------------------------------------------------------------


@given(case=rnn_cases(lstm=True))
def test_lstm_gates_match_torch_formula_with_weight_ih_split_in_order_i_f_g_o(case):
    x_t, h = _t(case, "x_t", "h0")
    cell = _lstm(case, torch.nn.LSTMCell)
    # torch.nn.LSTMCell docs: weight_ih = (W_ii | W_if | W_ig | W_io), likewise weight_hh, biases
    pre = [
        F.linear(x_t, wi, bi) + F.linear(h, wh, bh)
        for wi, wh, bi, bh in zip(
            cell.weight_ih.chunk(4),
            cell.weight_hh.chunk(4),
            cell.bias_ih.chunk(4),
            cell.bias_hh.chunk(4),
            strict=True,
        )
    ]
    expected = (pre[0].sigmoid(), pre[1].sigmoid(), pre[2].tanh(), pre[3].sigmoid())
    got = rnn.lstm_gates(x_t, h, *_t(case, "W", "U", "b"))
    for name, a, e in zip("ifgo", got, expected, strict=True):
        torch.testing.assert_close(a, e, **F64, msg=name)


@given(case=rnn_cases(lstm=True, bound=1000.0, weight_bound=1000.0))
def test_lstm_gates_stay_in_range_without_nan_for_inputs_up_to_1000(case):
    i, f, g, o = rnn.lstm_gates(*_t(case, "x_t", "h0", "W", "U", "b"))
    for gate in (i, f, o):
        assert ((gate >= 0) & (gate <= 1)).all()
    assert ((g >= -1) & (g <= 1)).all()


@given(case=rnn_cases(lstm=True, bound=1.0, weight_bound=0.5))
def test_lstm_gates_are_strictly_inside_their_ranges_for_moderate_inputs(case):
    i, f, g, o = rnn.lstm_gates(*_t(case, "x_t", "h0", "W", "U", "b"))
    for gate in (i, f, o):
        assert ((gate > 0) & (gate < 1)).all()
    assert ((g > -1) & (g < 1)).all()


def test_lstm_gates_read_the_bias_blocks_in_order_i_f_g_o():
    H = 2
    b = torch.cat([torch.full((H,), v) for v in (30.0, -30.0, -30.0, 30.0)]).double()
    zeros = torch.zeros
    i, f, g, o = rnn.lstm_gates(
        zeros(1, 3).double(), zeros(1, H).double(), zeros(3, 4 * H).double(),
        zeros(H, 4 * H).double(), b,
    )  # fmt: skip
    torch.testing.assert_close(i, torch.ones(1, H, dtype=torch.float64))  # σ(30) ≈ 1
    torch.testing.assert_close(f, torch.zeros(1, H, dtype=torch.float64))  # σ(−30) ≈ 0
    torch.testing.assert_close(g, -torch.ones(1, H, dtype=torch.float64))  # tanh(−30) ≈ −1
    torch.testing.assert_close(o, torch.ones(1, H, dtype=torch.float64))


@given(case=rnn_cases(lstm=True))
def test_lstm_cell_matches_nn_LSTMCell(case):
    x_t, h, c = _t(case, "x_t", "h0", "c0")
    h1, c1 = rnn.lstm_cell(x_t, h, c, *_t(case, "W", "U", "b"))
    eh, ec = _lstm(case, torch.nn.LSTMCell)(x_t, (h, c))
    torch.testing.assert_close(h1, eh, **F64)
    torch.testing.assert_close(c1, ec, **F64)


@given(case=rnn_cases(lstm=True, max_steps=6))
def test_lstm_forward_matches_nn_LSTM_batch_first(case):
    x, h0, c0 = _t(case, "x", "h0", "c0")
    hs, (h_T, c_T) = rnn.lstm_forward(x, h0, c0, *_t(case, "W", "U", "b"))
    out, (h_n, c_n) = _lstm(case)(x, (h0[None], c0[None]))
    torch.testing.assert_close(hs, out, **F64)
    torch.testing.assert_close(h_T, h_n[0], **F64)
    torch.testing.assert_close(c_T, c_n[0], **F64)


@given(case=rnn_cases(lstm=True, max_steps=5))
def test_lstm_forward_gradients_match_autograd_of_nn_LSTM(case):
    x, h0, c0, W, U, b = _t(case, "x", "h0", "c0", "W", "U", "b", grad=True)
    m = _lstm(case)
    hs, (h_T, c_T) = rnn.lstm_forward(x, h0, c0, W, U, b)
    out, (h_n, c_n) = m(x, (h0[None], c0[None]))
    weights = torch.sin(torch.arange(hs.numel(), dtype=hs.dtype)).reshape(hs.shape)
    ours = torch.autograd.grad(
        (hs * weights).sum() + c_T.sum() - 2 * h_T.sum(), (x, h0, c0, W, U, b)
    )
    theirs = torch.autograd.grad(
        (out * weights).sum() + c_n.sum() - 2 * h_n.sum(),
        (x, h0, c0, m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0),
    )
    for name, a, e in zip(("x", "h0", "c0", "W", "U", "b"), ours, theirs, strict=True):
        torch.testing.assert_close(a, e.T if name in ("W", "U") else e, **F64, msg=name)


@settings(max_examples=15)
@given(case=rnn_cases(lstm=True, max_steps=4))
def test_lstm_forward_on_fortran_ordered_inputs_matches_nn_LSTM_values_and_gradients(case):
    """Non-contiguous inputs (what ``torch.from_numpy`` makes of Fortran-ordered arrays) go
    through the one-node forward and the hand-written BPTT with the values and gradients of
    nn.LSTM on the contiguous copies."""
    names = ("x", "h0", "c0", "W", "U", "b")
    ours_in = [torch.from_numpy(np.asfortranarray(case[n])).requires_grad_(True) for n in names]
    x, h0, c0, *_ = _t(case, *names, grad=True)
    m = _lstm(case)
    hs, (h_T, c_T) = rnn.lstm_forward(*ours_in)
    out, (h_n, c_n) = m(x, (h0[None], c0[None]))
    for a, e in ((hs, out), (h_T, h_n[0]), (c_T, c_n[0])):
        torch.testing.assert_close(a, e, **F64)
    weights = torch.cos(torch.arange(hs.numel(), dtype=hs.dtype)).reshape(hs.shape)
    ours = torch.autograd.grad((hs * weights).sum() + 3 * c_T.sum() - h_T.sum(), ours_in)
    theirs = torch.autograd.grad(
        (out * weights).sum() + 3 * c_n.sum() - h_n.sum(),
        (x, h0, c0, m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0),
    )
    for name, a, e in zip(names, ours, theirs, strict=True):
        torch.testing.assert_close(a, e.T if name in ("W", "U") else e, **F64, msg=name)


@settings(max_examples=6)
@given(case=rnn_cases(lstm=True, max_batch=2, max_steps=3, max_hidden=2, max_input=2))
def test_lstm_forward_passes_gradcheck_in_float64(case):
    inputs = _t(case, "x", "h0", "c0", "W", "U", "b", grad=True)
    assert torch.autograd.gradcheck(lambda *a: rnn.lstm_forward(*a)[1], inputs)


def test_lstm_forward_with_zero_steps_returns_the_initial_states():
    h0, c0 = torch.randn(2, 3).double(), torch.randn(2, 3).double()
    hs, (h_T, c_T) = rnn.lstm_forward(
        torch.zeros(2, 0, 4).double(), h0, c0,
        torch.zeros(4, 12).double(), torch.zeros(3, 12).double(), torch.zeros(12).double(),
    )  # fmt: skip
    assert hs.shape == (2, 0, 3)
    assert torch.equal(h_T, h0) and torch.equal(c_T, c0)


@pytest.mark.parametrize("fn", ["lstm_gates", "lstm_cell"])
def test_lstm_rejects_a_gate_axis_that_is_not_4H_naming_W(fn):
    x, h = torch.zeros(2, 3), torch.zeros(2, 4)
    W, U, b = torch.zeros(3, 12), torch.zeros(4, 12), torch.zeros(12)
    args = (x, h, W, U, b) if fn == "lstm_gates" else (x, h, h, W, U, b)
    with pytest.raises(ValueError, match=rf"{fn}: W has shape \(3, 12\), expected \(D, 4·H\)"):
        getattr(rnn, fn)(*args)


@pytest.mark.parametrize(
    ("shapes", "match"),
    [
        (((2, 5, 3), (2, 4), (2, 4), (3, 16), (5, 16), (16,)), r"U has shape \(5, 16\)"),
        (((2, 5, 3), (2, 4), (1, 4), (3, 16), (4, 16), (16,)), r"c0 has shape \(1, 4\)"),
        (((2, 5, 3), (2, 4), (2, 4), (3, 16), (4, 16), (4,)), r"b has shape \(4,\)"),
        (((2, 3), (2, 4), (2, 4), (3, 16), (4, 16), (16,)), r"x has shape \(2, 3\)"),
    ],
)
def test_lstm_forward_rejects_mismatched_shapes_naming_the_argument(shapes, match):
    with pytest.raises(ValueError, match=rf"lstm_forward: {match}"):
        rnn.lstm_forward(*(torch.zeros(s) for s in shapes))


# --- devices and dtypes ----------------------------------------------------------------------


def test_every_function_keeps_the_input_device(device):
    g = torch.Generator().manual_seed(0)
    N, T, D, H = 2, 3, 4, 5

    def r(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g, dtype=torch.float64).to(device)

    x, h0, c0 = r(N, T, D), r(N, H), r(N, H)
    Wx, Wh, b = r(D, H), r(H, H), r(H)
    W, U, bl = r(D, 4 * H), r(H, 4 * H), r(4 * H)
    m = torch.nn.LSTM(D, H, batch_first=True).double().to(device)
    _load(m, W, U, bl)
    out, (h_n, c_n) = m(x, (h0[None], c0[None]))
    hs, (h_T, c_T) = rnn.lstm_forward(x, h0, c0, W, U, bl)
    torch.testing.assert_close(hs, out, rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(h_T, h_n[0], rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(c_T, c_n[0], rtol=1e-9, atol=1e-9)
    outputs = [
        hs, h_T, c_T,
        rnn.rnn_cell(x[:, 0], h0, Wx, Wh, b),
        *rnn.rnn_forward(x, h0, Wx, Wh, b),
        *rnn.lstm_gates(x[:, 0], h0, W, U, bl),
        *rnn.lstm_cell(x[:, 0], h0, c0, W, U, bl),
        *rnn.clip_grad_norm([Wx, Wh, b], 0.5),
    ]  # fmt: skip
    for t in outputs:
        assert t.device == x.device


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_every_function_returns_the_input_dtype(dtype):
    g = torch.Generator().manual_seed(1)
    N, T, D, H = 2, 3, 4, 5

    def r(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g).to(dtype)

    x, h0, c0 = r(N, T, D), r(N, H), r(N, H)
    W, U, bl = r(D, 4 * H), r(H, 4 * H), r(4 * H)
    m = torch.nn.LSTM(D, H, batch_first=True).to(dtype)
    _load(m, W, U, bl)
    out, _ = m(x, (h0[None], c0[None]))
    hs, (h_T, c_T) = rnn.lstm_forward(x, h0, c0, W, U, bl)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == torch.float32 else F64
    torch.testing.assert_close(hs, out, **tol)
    outputs = [
        hs, h_T, c_T,
        *rnn.rnn_forward(x, h0, r(D, H), r(H, H), r(H)),
        *rnn.lstm_gates(x[:, 0], h0, W, U, bl),
        *rnn.clip_grad_norm([W, U, bl], 0.1),
    ]  # fmt: skip
    for t in outputs:
        assert t.dtype == dtype


def test_lstm_forward_runs_in_bfloat16_close_to_float32():
    g = torch.Generator().manual_seed(2)
    args = [
        torch.randn(*s, generator=g) * 0.5
        for s in ((2, 4, 3), (2, 2), (2, 2), (3, 8), (2, 8), (8,))
    ]
    hs32, _ = rnn.lstm_forward(*args)
    hs16, (h16, c16) = rnn.lstm_forward(*(a.to(torch.bfloat16) for a in args))
    assert hs16.dtype == h16.dtype == c16.dtype == torch.bfloat16
    torch.testing.assert_close(hs16.float(), hs32, rtol=0.05, atol=0.03)


# --- lstm_forward's hand-written backpropagation through time ---------------------------------


@settings(max_examples=6)
@given(case=rnn_cases(lstm=True, max_batch=2, max_steps=4, max_hidden=2, max_input=2))
def test_lstm_forward_bptt_passes_gradcheck_on_all_outputs_in_float64(case):
    inputs = _t(case, "x", "h0", "c0", "W", "U", "b", grad=True)

    def all_outputs(*a: torch.Tensor) -> tuple[torch.Tensor, ...]:
        hs, (h_T, c_T) = rnn.lstm_forward(*a)
        return hs, h_T, c_T

    assert torch.autograd.gradcheck(all_outputs, inputs)


@given(case=rnn_cases(lstm=True, max_steps=6))
def test_lstm_forward_bptt_gradients_equal_autograd_through_unrolled_lstm_cell(case):
    x, h0, c0, W, U, b = _t(case, "x", "h0", "c0", "W", "U", "b", grad=True)
    hs, (_, c_T) = rnn.lstm_forward(x, h0, c0, W, U, b)
    h, c, states = h0, c0, []
    for t in range(x.shape[1]):  # autograd through the one-step cell, step by step
        h, c = rnn.lstm_cell(x[:, t], h, c, W, U, b)
        states.append(h)
    weights = torch.cos(torch.arange(hs.numel(), dtype=hs.dtype)).reshape(hs.shape)
    ours = torch.autograd.grad((hs * weights).sum() + 3 * c_T.sum(), (x, h0, c0, W, U, b))
    unrolled = torch.autograd.grad(
        (torch.stack(states, dim=1) * weights).sum() + 3 * c.sum(), (x, h0, c0, W, U, b)
    )
    for name, a, e in zip(("x", "h0", "c0", "W", "U", "b"), ours, unrolled, strict=True):
        torch.testing.assert_close(a, e, **F64, msg=name)


def test_lstm_forward_bptt_gives_gradients_only_to_inputs_that_require_them():
    g = torch.Generator().manual_seed(5)
    x, h0, c0 = (
        torch.randn(*s, generator=g, dtype=torch.float64) for s in [(2, 3, 2), (2, 3), (2, 3)]
    )
    W = torch.randn(2, 12, generator=g, dtype=torch.float64, requires_grad=True)
    U = torch.randn(3, 12, generator=g, dtype=torch.float64)
    b = torch.zeros(12, dtype=torch.float64)
    hs, (h_T, _) = rnn.lstm_forward(x, h0, c0, W, U, b)
    (h_T.sum() + hs.sum()).backward()
    m = torch.nn.LSTM(2, 3, batch_first=True).double()
    _load(m, W.detach(), U, b)
    out, (h_n, _) = m(x, (h0[None], c0[None]))
    (h_n.sum() + out.sum()).backward()
    assert x.grad is None and U.grad is None
    torch.testing.assert_close(W.grad, m.weight_ih_l0.grad.T, **F64)


def test_lstm_forward_under_no_grad_matches_nn_LSTM():
    g = torch.Generator().manual_seed(6)
    x = torch.randn(3, 4, 2, generator=g, dtype=torch.float64)
    h0, c0 = torch.zeros(3, 5, dtype=torch.float64), torch.zeros(3, 5, dtype=torch.float64)
    W, U = torch.randn(2, 20, generator=g).double(), torch.randn(5, 20, generator=g).double()
    b = torch.randn(20, generator=g).double()
    m = torch.nn.LSTM(2, 5, batch_first=True).double()
    _load(m, W, U, b)
    with torch.no_grad():
        hs, (h_T, c_T) = rnn.lstm_forward(x, h0, c0, W, U, b)
        out, (h_n, c_n) = m(x, (h0[None], c0[None]))
    assert not hs.requires_grad
    for a, e in ((hs, out), (h_T, h_n[0]), (c_T, c_n[0])):
        torch.testing.assert_close(a, e, **F64)
