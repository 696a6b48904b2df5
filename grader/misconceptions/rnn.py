"""Known-wrong variants of the ``rnn`` topic (RNN cell and loop, clipping, LSTM).

Each function has the signature of the learner function it imitates and makes one mistake
learners really make (see lessons/rnn.md, "Common mistakes"). Mistakes in ``lstm_gates``
propagate: a learner whose ``lstm_cell`` and ``lstm_forward`` call a wrong ``lstm_gates`` shows
the same mistake there, so the gate mistakes are catalogued for all three functions.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grader.misconceptions import mistake

Gates = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _sigmoid(v: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(v))
    return np.where(v >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _gates(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
    order: str = "ifgo",
    act_o: Callable[[np.ndarray], np.ndarray] = _sigmoid,
    act_g: Callable[[np.ndarray], np.ndarray] = np.tanh,
) -> Gates:
    """LSTM gates with the blocks read in ``order`` (correct: "ifgo") and chosen activations."""
    blocks = dict(zip(order, np.split(x_t @ W + h_prev @ U + b, 4, axis=-1), strict=True))
    return _sigmoid(blocks["i"]), _sigmoid(blocks["f"]), act_g(blocks["g"]), act_o(blocks["o"])


def _cell(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
    gates: Callable[..., Gates] = _gates,
    update: str = "correct",
) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step with a chosen gate function and cell/hidden update."""
    i, f, g, o = gates(x_t, h_prev, W, U, b)
    if update == "no_input_gate":
        c = f * c_prev + g
    elif update == "notes_typo":  # the transcribed notes: c_t = f_t + c_{t−1}·i_t + c̃_t
        c = f + c_prev * i + g
    else:
        c = f * c_prev + i * g
    h = o * c if update == "no_tanh" else o * np.tanh(c)
    return h, c


def _loop(
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
    cell: Callable[..., tuple[np.ndarray, np.ndarray]] = _cell,
    carry_c: bool = True,
    include_h0: bool = False,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """lstm_forward with a chosen cell, optionally forgetting c or stacking h0 first."""
    h, c = h0, c0
    states = [h0] if include_h0 else []
    for t in range(x.shape[1]):
        h, c = cell(x[:, t], h, c if carry_c else c0, W, U, b)
        states.append(h)
    states = states[: x.shape[1]]
    hs = np.stack(states, axis=1) if states else np.zeros((x.shape[0], 0, h0.shape[1]))
    return hs, (h, c)


# --- RNN cell and loop ---------------------------------------------------------------------------


@mistake(
    "rnn.rnn_cell",
    "sigmoid instead of tanh",
    hint="The vanilla RNN squashes with tanh, so the state lies in (−1, 1) and is centred on 0.",
)
def rnn_cell_sigmoid(
    x_t: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> np.ndarray:
    return _sigmoid(x_t @ Wx + h_prev @ Wh + b)


@mistake(
    "rnn.rnn_cell",
    "no activation",
    hint="After the two products and the bias comes a tanh; without it the RNN is linear.",
)
def rnn_cell_no_activation(
    x_t: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> np.ndarray:
    return x_t @ Wx + h_prev @ Wh + b


@mistake(
    "rnn.rnn_cell",
    "recurrent weight transposed",
    hint="The course layout multiplies on the right: h_prev @ Wh, with Wh of shape (H, H) "
    "mapping the old state to the new one (torch stores the transpose).",
)
def rnn_cell_recurrent_weight_transposed(
    x_t: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> np.ndarray:
    return np.tanh(x_t @ Wx + h_prev @ Wh.T + b)


def _rnn_steps(
    x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray, carry: bool
) -> list[np.ndarray]:
    h, states = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + (h if carry else h0) @ Wh + b)
        states.append(h)
    return states


@mistake(
    "rnn.rnn_forward",
    "h0 returned as the first state",
    hint="hs holds the states computed from the inputs, h_1 … h_T; the initial state h0 is not "
    "one of them.",
)
def rnn_forward_includes_h0(
    x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    states = [h0, *_rnn_steps(x, h0, Wx, Wh, b, carry=True)]
    return np.stack(states[: x.shape[1]], axis=1), states[-1]


@mistake(
    "rnn.rnn_forward",
    "state not carried between steps",
    hint="Each step must start from the state the previous step produced, not from h0 again.",
)
def rnn_forward_state_not_carried(
    x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    states = _rnn_steps(x, h0, Wx, Wh, b, carry=False)
    return np.stack(states, axis=1), states[-1]


@mistake(
    "rnn.rnn_forward",
    "states stacked time-first",
    hint="hs is batch-first, (N, T, H), like x: stack the states along axis 1.",
)
def rnn_forward_time_major(
    x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    states = _rnn_steps(x, h0, Wx, Wh, b, carry=True)
    return np.stack(states, axis=0), states[-1]


# --- gradient clipping ---------------------------------------------------------------------------


def _total_norm(grads: list[np.ndarray]) -> float:
    return float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))


@mistake(
    "rnn.clip_grad_norm",
    "each gradient clipped separately",
    hint="The norm is global: one norm over all the arrays together and one common factor, "
    "which keeps the direction of the whole update.",
)
def clip_grad_norm_per_array(grads: list[np.ndarray], max_norm: float) -> list[np.ndarray]:
    return [g * min(1.0, max_norm / (_total_norm([g]) + 1e-6)) for g in grads]


@mistake(
    "rnn.clip_grad_norm",
    "small gradients scaled up",
    hint="Clipping only ever shrinks: when the norm is already below max_norm the factor is 1.",
)
def clip_grad_norm_always_rescales(grads: list[np.ndarray], max_norm: float) -> list[np.ndarray]:
    coef = max_norm / (_total_norm(grads) + 1e-6)
    return [g * coef for g in grads]


@mistake(
    "rnn.clip_grad_norm",
    "squared norm (no square root)",
    hint="The L2 norm is the square root of the sum of squares.",
)
def clip_grad_norm_squared_norm(grads: list[np.ndarray], max_norm: float) -> list[np.ndarray]:
    coef = min(1.0, max_norm / (_total_norm(grads) ** 2 + 1e-6))
    return [g * coef for g in grads]


# --- LSTM ----------------------------------------------------------------------------------------

_ORDER_HINT = (
    "Cut z = x W + h U + b into four H-wide blocks in torch's order i, f, g, o "
    "(input, forget, candidate, output)."
)
_OUTPUT_TANH_HINT = "The output gate is a gate like i and f: a sigmoid in (0, 1), not a tanh."
_G_SIGMOID_HINT = "The candidate g uses tanh, so new content can be negative; only gates use σ."


@mistake("rnn.lstm_gates", "gate blocks in the order i, f, o, g", hint=_ORDER_HINT)
def lstm_gates_order_ifog(
    x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray
) -> Gates:
    return _gates(x_t, h_prev, W, U, b, order="ifog")


@mistake("rnn.lstm_gates", "gate blocks in the order i, g, f, o", hint=_ORDER_HINT)
def lstm_gates_order_igfo(
    x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray
) -> Gates:
    return _gates(x_t, h_prev, W, U, b, order="igfo")


@mistake("rnn.lstm_gates", "tanh for the output gate", hint=_OUTPUT_TANH_HINT)
def lstm_gates_output_tanh(
    x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray
) -> Gates:
    return _gates(x_t, h_prev, W, U, b, act_o=np.tanh)


@mistake("rnn.lstm_gates", "sigmoid for the candidate g", hint=_G_SIGMOID_HINT)
def lstm_gates_candidate_sigmoid(
    x_t: np.ndarray, h_prev: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray
) -> Gates:
    return _gates(x_t, h_prev, W, U, b, act_g=_sigmoid)


def _gates_ifog(*args: np.ndarray) -> Gates:
    return _gates(*args, order="ifog")


def _gates_output_tanh(*args: np.ndarray) -> Gates:
    return _gates(*args, act_o=np.tanh)


@mistake("rnn.lstm_cell", "gate blocks in the order i, f, o, g", hint=_ORDER_HINT)
def lstm_cell_order_ifog(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    return _cell(x_t, h_prev, c_prev, W, U, b, gates=_gates_ifog)


@mistake("rnn.lstm_cell", "tanh for the output gate", hint=_OUTPUT_TANH_HINT)
def lstm_cell_output_tanh(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    return _cell(x_t, h_prev, c_prev, W, U, b, gates=_gates_output_tanh)


@mistake(
    "rnn.lstm_cell",
    "candidate added without the input gate",
    hint="The input gate decides how much of the candidate is written: c = f·c_prev + i·g.",
)
def lstm_cell_no_input_gate(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    return _cell(x_t, h_prev, c_prev, W, U, b, update="no_input_gate")


@mistake(
    "rnn.lstm_cell",
    "cell update c = f + c_prev·i + g",
    hint="The forget gate multiplies the old memory and the input gate multiplies the "
    "candidate: c = f·c_prev + i·g.",
)
def lstm_cell_notes_typo(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    return _cell(x_t, h_prev, c_prev, W, U, b, update="notes_typo")


@mistake(
    "rnn.lstm_cell",
    "h = o·c (tanh missing)",
    hint="The hidden state exposes a squashed memory: h = o·tanh(c), so it stays in (−1, 1).",
)
def lstm_cell_missing_tanh(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    return _cell(x_t, h_prev, c_prev, W, U, b, update="no_tanh")


@mistake("rnn.lstm_forward", "gate blocks in the order i, f, o, g", hint=_ORDER_HINT)
def lstm_forward_order_ifog(
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    return _loop(x, h0, c0, W, U, b, cell=lstm_cell_order_ifog)


@mistake(
    "rnn.lstm_forward",
    "cell state not carried between steps",
    hint="Pass the new cell state c_t on to the next step together with h_t; it is the LSTM's "
    "long-term memory.",
)
def lstm_forward_cell_state_not_carried(
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    return _loop(x, h0, c0, W, U, b, carry_c=False)


@mistake(
    "rnn.lstm_forward",
    "h0 returned as the first state",
    hint="hs holds h_1 … h_T, the states computed from the inputs; h0 is not one of them.",
)
def lstm_forward_includes_h0(
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    return _loop(x, h0, c0, W, U, b, include_h0=True)


def _gates_figo(*args: np.ndarray) -> Gates:
    return _gates(*args, order="figo")


@mistake(
    "rnn.lstm_cell",
    "input and forget gates swapped (blocks read as f, i, g, o)",
    hint="torch's blocks are i, f, g, o: the first H columns of z are the input gate, the next H "
    "the forget gate, which multiplies c_prev.",
)
def lstm_cell_input_forget_swapped(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    return _cell(x_t, h_prev, c_prev, W, U, b, gates=_gates_figo)
