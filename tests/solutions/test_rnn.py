"""solutions.rnn (NumPy) agrees with reference.rnn (torch) and never modifies its inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.strategies import extreme_arrays, gradient_lists, rnn_cases, tensors
from reference import rnn as ref
from solutions import rnn as sol

TOL = {"rtol": 1e-10, "atol": 1e-12}


def _same(got: object, expected: torch.Tensor) -> None:
    """``got`` is an ndarray with ``expected``'s shape and values."""
    assert isinstance(got, np.ndarray), type(got)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got, expected.detach().numpy(), **TOL)


def _call_both(name: str, case: dict[str, np.ndarray], *args: str) -> tuple[object, object]:
    """Run solution and reference on the same inputs; check the inputs were left unchanged."""
    arrays = [case[a] for a in args]
    copies = [a.copy() for a in arrays]
    got = getattr(sol, name)(*arrays)
    for a, c in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(a, c)
    return got, getattr(ref, name)(*(tensors(a) for a in arrays))


@given(case=rnn_cases())
def test_rnn_cell_agrees_with_reference(case):
    got, expected = _call_both("rnn_cell", case, "x_t", "h0", "Wx", "Wh", "b")
    _same(got, expected)


@given(case=rnn_cases(min_steps=0, max_steps=6))
def test_rnn_forward_agrees_with_reference(case):
    (hs, h_T), (e_hs, e_h) = _call_both("rnn_forward", case, "x", "h0", "Wx", "Wh", "b")
    _same(hs, e_hs)
    _same(h_T, e_h)
    assert not np.shares_memory(h_T, case["h0"])


@given(grads=gradient_lists(min_len=0), max_norm=st.floats(0.01, 60.0))
def test_clip_grad_norm_agrees_with_reference_and_returns_new_arrays(grads, max_norm):
    copies = [g.copy() for g in grads]
    got = sol.clip_grad_norm(grads, max_norm)
    expected = ref.clip_grad_norm([tensors(g) for g in grads], max_norm)
    assert isinstance(got, list) and len(got) == len(grads)
    for g, e, original, copy in zip(got, expected, grads, copies, strict=True):
        _same(g, e)
        assert not np.shares_memory(g, original)
        np.testing.assert_array_equal(original, copy)


def test_clip_grad_norm_keeps_float32():
    got = sol.clip_grad_norm([np.full(3, 10.0, dtype=np.float32)], 1.0)
    assert got[0].dtype == np.float32


@given(case=rnn_cases(lstm=True))
def test_lstm_gates_agree_with_reference(case):
    got, expected = _call_both("lstm_gates", case, "x_t", "h0", "W", "U", "b")
    assert len(got) == 4
    for g, e in zip(got, expected, strict=True):
        _same(g, e)


@given(case=rnn_cases(lstm=True), data=st.data())
def test_lstm_gates_are_stable_for_pre_activations_up_to_1000(case, data):
    # with W = U = 0 the pre-activations are the bias itself, drawn from [-1000, 1000]
    b = data.draw(extreme_arrays(case["b"].shape))
    case = {**case, "W": np.zeros_like(case["W"]), "U": np.zeros_like(case["U"]), "b": b}
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is fine
        got, expected = _call_both("lstm_gates", case, "x_t", "h0", "W", "U", "b")
    for g, e in zip(got, expected, strict=True):
        _same(g, e)


@given(case=rnn_cases(lstm=True))
def test_lstm_cell_agrees_with_reference(case):
    (h, c), (eh, ec) = _call_both("lstm_cell", case, "x_t", "h0", "c0", "W", "U", "b")
    _same(h, eh)
    _same(c, ec)


@given(case=rnn_cases(lstm=True, min_steps=0, max_steps=6))
def test_lstm_forward_agrees_with_reference(case):
    (hs, (h_T, c_T)), (e_hs, (e_h, e_c)) = _call_both(
        "lstm_forward", case, "x", "h0", "c0", "W", "U", "b"
    )
    _same(hs, e_hs)
    _same(h_T, e_h)
    _same(c_T, e_c)
    assert not np.shares_memory(c_T, case["c0"])


def test_worked_examples_from_the_lesson():
    # one-unit RNN: Wx = 0.5, Wh = 1, b = 0, h0 = 0, inputs (1, 1)
    hs, h_T = sol.rnn_forward(
        np.ones((1, 2, 1)), np.zeros((1, 1)), np.array([[0.5]]), np.array([[1.0]]), np.zeros(1)
    )
    np.testing.assert_allclose(hs[0, :, 0], [np.tanh(0.5), np.tanh(0.5 + np.tanh(0.5))])
    np.testing.assert_array_equal(h_T, hs[:, -1])
    # clipping (3,) and (4,) with max_norm 1: global norm 5
    a, b = sol.clip_grad_norm([np.array([3.0]), np.array([4.0])], 1.0)
    np.testing.assert_allclose([a[0], b[0]], [0.6, 0.8], rtol=1e-6)
    # one LSTM step, H = 1, pre-activations (0, 2, 1, 0) from the bias, c_prev = 1
    h, c = sol.lstm_cell(
        np.zeros((1, 1)), np.zeros((1, 1)), np.ones((1, 1)),
        np.zeros((1, 4)), np.zeros((1, 4)), np.array([0.0, 2.0, 1.0, 0.0]),
    )  # fmt: skip
    c_expected = 1 / (1 + np.exp(-2.0)) + 0.5 * np.tanh(1.0)
    np.testing.assert_allclose(c[0, 0], c_expected)
    np.testing.assert_allclose(h[0, 0], 0.5 * np.tanh(c_expected))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lstm_forward_keeps_the_input_dtype(dtype):
    g = np.random.default_rng(0)
    args = [
        g.normal(size=s).astype(dtype) for s in ((2, 3, 4), (2, 5), (2, 5), (4, 20), (5, 20), (20,))
    ]
    hs, (h_T, c_T) = sol.lstm_forward(*args)
    assert hs.dtype == h_T.dtype == c_T.dtype == dtype
