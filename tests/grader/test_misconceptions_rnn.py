"""The rnn misconception catalogue: every variant runs, keeps the learner signature, leaves its
inputs alone, and differs from the model solution on a small fixed input (so it can be told
apart from a correct answer)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from grader.misconceptions import Mistake, catalogue
from solutions import rnn as sol

_g = np.random.default_rng(11)
N, T, D, H = 2, 3, 3, 2  # N != T so a time-first stack has the wrong shape


def _r(*shape: int, scale: float = 0.8) -> np.ndarray:
    return _g.normal(size=shape) * scale


X, H0, C0 = _r(N, T, D, scale=1.0), _r(N, H), _r(N, H)
WX, WH, B = _r(D, H), _r(H, H), _r(H)
W, U, BL = _r(D, 4 * H), _r(H, 4 * H), _r(4 * H)

#: function → fixed argument tuples; a variant must run on all and differ on at least one.
CASES: dict[str, list[tuple[object, ...]]] = {
    "rnn_cell": [(X[:, 0], H0, WX, WH, B)],
    "rnn_forward": [(X, H0, WX, WH, B)],
    "clip_grad_norm": [
        ([np.array([3.0, 0.0]), np.array([[0.0, 4.0], [0.0, 0.0]])], 4.0),  # norm 5 > 4
        ([np.array([0.3]), np.array([0.4, 0.0])], 2.0),  # norm 0.5 < 2: unchanged
    ],
    "lstm_gates": [(X[:, 0], H0, W, U, BL)],
    "lstm_cell": [(X[:, 0], H0, C0, W, U, BL)],
    "lstm_forward": [(X, H0, C0, W, U, BL)],
}

MISTAKES: list[Mistake] = [m for ms in catalogue("rnn").values() for m in ms]


def _differs(a: object, b: object) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        if not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))) or len(a) != len(b):
            return True
        return any(_differs(x, y) for x, y in zip(a, b, strict=True))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9)


def _identical(a: object, b: object) -> bool:
    if isinstance(a, list):
        return len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b, strict=True))
    return np.array_equal(a, b)


def _copy(a: object) -> object:
    if isinstance(a, list):
        return [_copy(x) for x in a]
    return a.copy() if isinstance(a, np.ndarray) else a


def test_catalogue_has_at_least_six_rnn_mistakes_covering_the_issue_list():
    names = {m.key for m in MISTAKES}
    assert len(MISTAKES) >= 6
    for required in (
        "rnn.lstm_gates/lstm_gates_order_ifog",
        "rnn.lstm_gates/lstm_gates_output_tanh",
        "rnn.lstm_cell/lstm_cell_no_input_gate",
        "rnn.lstm_cell/lstm_cell_missing_tanh",
        "rnn.rnn_cell/rnn_cell_sigmoid",
        "rnn.clip_grad_norm/clip_grad_norm_per_array",
        "rnn.rnn_forward/rnn_forward_includes_h0",
    ):
        assert required in names


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_targets_a_solution_function_and_keeps_its_signature(m):
    assert m.topic == "rnn" and hasattr(sol, m.function)
    assert m.name and m.hint
    params = inspect.signature(m.impl).parameters
    expected = inspect.signature(getattr(sol, m.function)).parameters
    assert [(p.name, p.default) for p in params.values()] == [
        (p.name, p.default) for p in expected.values()
    ]


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_runs_leaves_inputs_alone_and_differs_from_the_solution(m):
    outcomes = []
    for args in CASES[m.function]:
        copies = [_copy(a) for a in args]
        got = m.impl(*args)
        for a, c in zip(args, copies, strict=True):
            assert _identical(a, c)  # inputs unchanged
        outcomes.append(_differs(got, getattr(sol, m.function)(*args)))
    assert any(outcomes), f"{m.key} agrees with the solution on every fixed case"


def test_fixed_lstm_input_separates_the_gate_order_variants_from_each_other():
    # i,f,o,g and i,g,f,o must not collapse into one another on the fixed input either
    by_name = {m.impl.__name__: m.impl for m in MISTAKES}
    a = by_name["lstm_gates_order_ifog"](*CASES["lstm_gates"][0])
    b = by_name["lstm_gates_order_igfo"](*CASES["lstm_gates"][0])
    assert _differs(a, b)
