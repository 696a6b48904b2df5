"""Hidden tests: rnn. Agreement with the reference (and with torch.nn.LSTM itself) on generated
batches of sequences, also with cell states far past ±3 (nothing clips c), the LSTM's gate blocks
in torch's order i, f, g, o, gate ranges and finiteness for pre-activations up to ±1000,
global-norm clipping's properties (one common factor, never above 1, norm at most max_norm, a
list returned), and no input modified in place."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.engine import answers
from grader.engine.expect import expect_close, reference
from grader.strategies import gradient_lists, rnn_cases
from grader.suites import PURE, assert_pure, graded, params

TOPIC = "rnn"


def call(learner, fn, *args, **kwargs):
    """The learner's ``rnn.<fn>`` and the reference's on the same inputs: (actual, expected)."""
    return getattr(learner.rnn, fn)(*args, **kwargs), reference(TOPIC, fn, *args, **kwargs)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # σ(z), no overflow


# --- vanilla RNN ---------------------------------------------------------------------------------


@graded("rnn_cell", "matches tanh(x Wx + h Wh + b) on generated batches", points=2)
@given(case=rnn_cases())
def test_rnn_cell_matches_reference(learner, case):
    args = (case["x_t"], case["h0"], case["Wx"], case["Wh"], case["b"])
    expect_close(*call(learner, "rnn_cell", *args), learner)


@graded("rnn_cell", "stays finite and within [−1, 1] for large inputs", points=1)
@settings(max_examples=6)
@given(case=rnn_cases(bound=1000.0, weight_bound=3.0))
def test_rnn_cell_is_bounded(learner, case):
    h = np.asarray(
        learner.rnn.rnn_cell(case["x_t"], case["h0"], case["Wx"], case["Wh"], case["b"]),
        dtype=np.float64,
    )
    assert np.isfinite(h).all(), "the new state holds inf or nan"
    assert (np.abs(h) <= 1.0).all(), "tanh keeps every state value within [−1, 1]"


@graded("rnn_forward", "matches the reference over 1 to 5 time steps", points=3)
@given(case=rnn_cases(max_steps=5))
def test_rnn_forward_matches_reference(learner, case):
    args = (case["x"], case["h0"], case["Wx"], case["Wh"], case["b"])
    expect_close(*call(learner, "rnn_forward", *args), learner)


@graded("rnn_forward", "h_T is the last state in hs, and T = 0 gives no states and h0", points=1)
@settings(max_examples=6)
@given(case=rnn_cases(min_steps=0, max_steps=3))
def test_rnn_forward_last_state(learner, case):
    x, h0 = case["x"], case["h0"]
    hs, h_T = learner.rnn.rnn_forward(x, h0, case["Wx"], case["Wh"], case["b"])
    hs, h_T = np.asarray(hs, dtype=np.float64), np.asarray(h_T, dtype=np.float64)
    N, T, _ = x.shape
    assert hs.shape == (N, T, h0.shape[1]), f"hs should have shape {(N, T, h0.shape[1])}"
    last = hs[:, -1] if T else h0
    assert np.array_equal(h_T, last), "h_T must equal the last state hs[:, -1] (h0 when T = 0)"


# --- gradient clipping ---------------------------------------------------------------------------


@graded("clip_grad_norm", "matches torch.nn.utils.clip_grad_norm_ on lists of arrays", points=2)
@given(grads=gradient_lists(), max_norm=st.sampled_from([0.1, 1.0, 5.0, 25.0, 1000.0]))
def test_clip_grad_norm_matches_reference(learner, grads, max_norm):
    expect_close(*call(learner, "clip_grad_norm", grads, max_norm), learner)


CLIP_EXAMPLES = [
    ([np.array([3.0, 0.0]), np.array([[4.0]])], 1.0),  # global norm 5: both shrink by ~1/5
    ([np.array([0.3, 0.4]), np.array(-1.2)], 2.0),  # global norm 1.3 < 2: unchanged
    ([np.array([6.0, 8.0]), np.zeros((2, 2)), np.array([0.0])], 20.0),  # norm 10 < 20
]


@graded("clip_grad_norm", "one global norm, and gradients below max_norm stay as they are")
def test_clip_grad_norm_examples(learner):
    for grads, max_norm in CLIP_EXAMPLES:
        expect_close(*call(learner, "clip_grad_norm", grads, max_norm), learner)


@graded("clip_grad_norm", "returns a list, as its docstring says (not a tuple)", points=0.5)
def test_clip_grad_norm_returns_a_list(learner):
    """The docstring promises "a new list of new arrays". The comparisons with the reference take
    a tuple for a list on purpose (``compare`` reads any sequence item by item, as the public
    tests do), so this check holds the stated type."""
    for grads, max_norm in CLIP_EXAMPLES:
        out = learner.rnn.clip_grad_norm(grads, max_norm)
        assert isinstance(out, list), (
            f"returned a {type(out).__name__}; the docstring says a new list of arrays"
        )


@graded("clip_grad_norm", "the result has norm ≤ max_norm and is the input times one factor ≤ 1")
@settings(max_examples=8)
@given(grads=gradient_lists(min_len=2), max_norm=st.floats(0.1, 30.0))
def test_clip_grad_norm_properties(learner, grads, max_norm):
    out = [np.asarray(g, dtype=np.float64) for g in learner.rnn.clip_grad_norm(grads, max_norm)]
    assert len(out) == len(grads), f"returned {len(out)} arrays for {len(grads)} gradients"
    assert all(o.shape == g.shape for o, g in zip(out, grads, strict=True)), (
        "each clipped gradient must keep its array's shape"
    )
    flat_in = np.concatenate([g.ravel() for g in grads])
    flat_out = np.concatenate([o.ravel() for o in out])
    norm_out = np.sqrt(np.sum(flat_out**2))
    assert norm_out <= max_norm * (1 + 1e-9) + 1e-12, (
        f"the clipped global norm {norm_out:.6g} is above max_norm {max_norm:.6g}"
    )
    if flat_in.any():
        i = np.argmax(np.abs(flat_in))
        coef = flat_out[i] / flat_in[i]
        assert coef <= 1 + 1e-12, "clipping must never scale gradients up"
        assert np.allclose(flat_out, coef * flat_in, rtol=1e-9, atol=1e-12), (
            "every gradient must be scaled by the same factor (the direction is kept)"
        )


# --- LSTM ----------------------------------------------------------------------------------------


SMALL = {"max_batch": 2, "max_input": 3, "max_hidden": 3}  # LSTM problems: 4·H gate columns


def lstm_args(case, with_c=False):
    state = (case["h0"], case["c0"]) if with_c else (case["h0"],)
    return (case["x_t"], *state, case["W"], case["U"], case["b"])


@graded("lstm_gates", "matches the reference on generated batches", points=2)
@given(case=rnn_cases(lstm=True, **SMALL))
def test_lstm_gates_matches_reference(learner, case):
    expect_close(*call(learner, "lstm_gates", *lstm_args(case)), learner)


@graded("lstm_gates", "reads the blocks of z in torch's order i, f, g, o", points=2)
def test_lstm_gates_torch_order(learner):
    H = 3
    # zero weights: each gate is its activation of its own block of b, which are all different
    z = np.concatenate([np.linspace(-2.0, 2.0, H) + k for k in (-1.5, 0.5, -0.5, 1.5)])  # (4H,)
    x_t, h_prev = np.ones((2, 3)), np.ones((2, H))
    W, U = np.zeros((3, 4 * H)), np.zeros((H, 4 * H))
    z_i, z_f, z_g, z_o = np.split(np.broadcast_to(z, (2, 4 * H)), 4, axis=-1)
    expected = (_sigmoid(z_i), _sigmoid(z_f), np.tanh(z_g), _sigmoid(z_o))
    expect_close(learner.rnn.lstm_gates(x_t, h_prev, W, U, z), expected, learner)


@graded("lstm_gates", "i, f, o lie in [0, 1] and g in [−1, 1], finite for inputs up to ±1000")
@settings(max_examples=8)
@given(case=rnn_cases(lstm=True, bound=1000.0, weight_bound=2.0, **SMALL))
def test_lstm_gate_ranges(learner, case):
    gates = learner.rnn.lstm_gates(*lstm_args(case))
    assert len(gates) == 4, "lstm_gates returns four arrays (i, f, g, o)"
    for name, gate, low in zip("ifgo", gates, (0.0, 0.0, -1.0, 0.0), strict=True):
        gate = np.asarray(gate, dtype=np.float64)
        assert np.isfinite(gate).all(), f"gate {name} holds inf or nan"
        assert ((gate >= low) & (gate <= 1.0)).all(), (
            f"gate {name} must lie in [{low:g}, 1] ({'tanh' if name == 'g' else 'a sigmoid'})"
        )


@graded("lstm_cell", "matches the reference: c = f·c_prev + i·g, h = o·tanh(c)", points=3)
@given(case=rnn_cases(lstm=True, **SMALL))
def test_lstm_cell_matches_reference(learner, case):
    expect_close(*call(learner, "lstm_cell", *lstm_args(case, with_c=True)), learner)


#: cell-state sizes past any clipping bound (:func:`large_cell`)
LARGE_CELL = st.sampled_from([5.0, 10.0, 100.0])


@graded("lstm_cell", "h stays in [−1, 1] even when the cell state is large", points=1)
@settings(max_examples=6)
@given(case=rnn_cases(lstm=True, **SMALL), scale=st.sampled_from([10.0, 100.0]))
def test_lstm_cell_hidden_state_is_bounded(learner, case, scale):
    case = {**case, "c0": case["c0"] * scale}
    h, _ = learner.rnn.lstm_cell(*lstm_args(case, with_c=True))
    h = np.asarray(h, dtype=np.float64)
    assert np.isfinite(h).all() and (np.abs(h) <= 1.0).all(), (
        "h = o·tanh(c) must lie in [−1, 1] whatever the cell state"
    )


@graded(
    "lstm_cell",
    "matches the reference when the cell state is large: c = f·c_prev + i·g, unclipped",
    points=0.5,
)
@settings(max_examples=6)
@given(case=rnn_cases(lstm=True, **SMALL), scale=LARGE_CELL)
def test_lstm_cell_matches_reference_with_a_large_cell_state(learner, case, scale):
    """|c| beyond ``scale`` (:func:`large_cell`): a cell state clipped (to ±3, ±5, ...) changes c,
    and h through tanh(c); only the comparison with the reference sees it, |h| ≤ 1 holds either
    way."""
    case = large_cell(case, scale)
    expect_close(*call(learner, "lstm_cell", *lstm_args(case, with_c=True)), learner)


def large_cell(case: dict[str, np.ndarray], scale: float) -> dict[str, np.ndarray]:
    """``case`` with every |c0| entry at least ``scale``, the forget and input gates' biases raised
    by 4 (f and i near 1) and the candidate's by ±3 (g near ±1): the cell state keeps what it had
    and grows by about 1 a step, as an LSTM that counts or remembers does, far past ±3 or ±5."""
    b = case["b"].copy()
    H = b.shape[0] // 4
    b[: 2 * H] += 4.0
    b[2 * H : 3 * H] += np.where(np.arange(H) % 2 == 0, 3.0, -3.0)
    c0 = case["c0"]
    return {**case, "c0": scale * np.where(c0 >= 0, 1.0 + c0, c0 - 1.0), "b": b}


@graded(
    "lstm_forward",
    "matches the reference when the cell state grows large over the steps (no clipping)",
    points=0.5,
)
@settings(max_examples=6)
@given(case=rnn_cases(lstm=True, min_steps=3, max_steps=6, **SMALL), scale=LARGE_CELL)
def test_lstm_forward_matches_reference_with_a_large_cell_state(learner, case, scale):
    case = large_cell(case, scale)
    args = (case["x"], case["h0"], case["c0"], case["W"], case["U"], case["b"])
    expect_close(*call(learner, "lstm_forward", *args), learner)


@graded("lstm_forward", "matches the reference over 1 to 4 time steps", points=3)
@given(case=rnn_cases(lstm=True, max_steps=4, **SMALL))
def test_lstm_forward_matches_reference(learner, case):
    args = (case["x"], case["h0"], case["c0"], case["W"], case["U"], case["b"])
    expect_close(*call(learner, "lstm_forward", *args), learner)


_LSTMS: dict[tuple[int, int], torch.nn.LSTM] = {}
_LSTMS_LOCK = threading.Lock()


def torch_lstm(x, h0, c0, W, U, b):
    """torch.nn.LSTM(batch_first=True) with the course's weights (torch stores the transposes).

    Computed once per process for each input (:mod:`grader.engine.answers`), on one module per
    (D, H) whose weights are overwritten for each input: building one (its random initial
    weights) cost more than its forward pass, once per shrinking step of a failing learner."""

    def compute():
        D, H = W.shape[0], U.shape[0]
        with _LSTMS_LOCK, torch.no_grad():
            lstm = _LSTMS.get((D, H))
            if lstm is None:
                lstm = _LSTMS[D, H] = torch.nn.LSTM(D, H, batch_first=True).double()
            lstm.weight_ih_l0.copy_(torch.from_numpy(W.T.copy()))
            lstm.weight_hh_l0.copy_(torch.from_numpy(U.T.copy()))
            lstm.bias_ih_l0.copy_(torch.from_numpy(b))
            lstm.bias_hh_l0.zero_()
            hs, (h_T, c_T) = lstm(
                torch.from_numpy(x), (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None])
            )
        return hs.numpy(), (h_T[0].numpy(), c_T[0].numpy())

    return answers.cached(TOPIC, "torch.nn.LSTM", (x, h0, c0, W, U, b), {}, compute)


@graded("lstm_forward", "matches torch.nn.LSTM (gate order i, f, g, o)", points=2)
@settings(max_examples=6)
@given(case=rnn_cases(lstm=True, min_steps=2, max_steps=3, **SMALL))
def test_lstm_forward_matches_torch_lstm(learner, case):
    args = (case["x"], case["h0"], case["c0"], case["W"], case["U"], case["b"])
    expect_close(learner.rnn.lstm_forward(*args), torch_lstm(*args), learner)


# --- inputs are never modified -------------------------------------------------------------------

_rng = np.random.default_rng(5)
_X, _H, _C = _rng.normal(size=(2, 3, 2)), _rng.normal(size=(2, 2)), _rng.normal(size=(2, 2))
_Wx, _Wh, _b = _rng.normal(size=(2, 2)), _rng.normal(size=(2, 2)), _rng.normal(size=2)
_W, _U, _b4 = _rng.normal(size=(2, 8)), _rng.normal(size=(2, 8)), _rng.normal(size=8)
UNMODIFIED = {
    "rnn_cell": (_X[:, 0], _H, _Wx, _Wh, _b),
    "rnn_forward": (_X, _H, _Wx, _Wh, _b),
    "clip_grad_norm": ([_X * 10, _W], 1.0),
    "lstm_gates": (_X[:, 0], _H, _W, _U, _b4),
    "lstm_cell": (_X[:, 0], _H, _C, _W, _U, _b4),
    "lstm_forward": (_X, _H, _C, _W, _U, _b4),
}


@pytest.mark.parametrize("fn", params(list(UNMODIFIED), PURE, 0.5))
def test_does_not_modify_its_inputs(learner, fn):
    args = UNMODIFIED[fn]
    getattr(learner.rnn, fn)(*args)
    if fn in ("rnn_forward", "lstm_forward"):  # T = 0: the final state is h0 (c0) as a new array
        getattr(learner.rnn, fn)(args[0][:, :0], *args[1:])
    assert_pure(learner)
