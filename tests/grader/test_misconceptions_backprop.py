"""The backprop misconception catalogue: every variant runs on small fixed inputs, keeps the
learner signature, leaves its inputs alone, and differs from the model solution on at least one of
them (so the grader can tell it apart from a correct answer)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from grader.misconceptions import Mistake, catalogue
from solutions import backprop as sol

X = np.array([[1.0, -2.0, 0.5], [0.0, 1.5, -1.0]])  # (N, D_in) = (2, 3)
W = np.array([[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.75, 0.25, 1.0]])  # (3, 3)
B = np.array([0.1, -0.2, 0.3])
W_OUT = np.array([[1.0, -0.5], [0.25, 0.75], [-0.5, 0.5]])  # (3, 2)
B_OUT = np.array([-0.3, 0.2])
G = np.array([[0.5, -1.0], [2.0, 0.25]])  # ∂L/∂y for a (3 → 2) dense layer
Y = np.array([[0.2, -0.4], [1.0, 0.5]])  # regression targets
YB = np.array([[1.0, 0.0], [0.0, 1.0]])  # binary / one-hot targets
SIGMOIDS = [(W, B, "sigmoid"), (W_OUT, B_OUT, "sigmoid")]
SOFTMAX = [(W, B, "tanh"), (W_OUT, B_OUT, "softmax")]
WS, BS = np.array([1.5, -2.0, 0.8]), np.array([0.1, 0.2, -0.3])
XN = np.array([[1.0, -2.0], [0.5, 3.0]])


def cube(a: np.ndarray) -> float:
    """f(x) = Σ x³: the one-sided difference is off by 3xh, the central one only by h²."""
    return float(np.sum(a**3))


#: function → fixed argument tuples; a variant must run on all and differ on at least one.
CASES: dict[str, list[tuple[object, ...]]] = {
    "dense_backward": [(X, W_OUT, G)],
    "mlp_backward": [
        (X, SIGMOIDS, Y, "mse"),
        (X, SIGMOIDS, YB, "binary_cross_entropy"),
        (X, SOFTMAX, YB, "categorical_cross_entropy"),
        (X, SOFTMAX, Y, "huber"),
    ],
    "chain_forward": [(0.5, WS, BS)],
    "chain_backward": [(0.5, WS, BS, 1.0)],
    "numerical_gradient": [(cube, XN), (cube, XN, 1e-2)],
}

MISTAKES: list[Mistake] = [m for ms in catalogue("backprop").values() for m in ms]


def _differs(a: object, b: object) -> bool:
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        if not (isinstance(a, list | tuple) and isinstance(b, list | tuple)) or len(a) != len(b):
            return True
        return any(_differs(x, y) for x, y in zip(a, b, strict=True))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9)


def _copies(args: tuple[object, ...]) -> list[object]:
    out: list[object] = []
    for a in args:
        if isinstance(a, np.ndarray):
            out.append(a.copy())
        elif isinstance(a, list):
            out.append([tuple(t.copy() if isinstance(t, np.ndarray) else t for t in x) for x in a])
        else:
            out.append(a)
    return out


def _assert_same(a: object, b: object) -> None:
    if isinstance(a, list | tuple):
        for x, y in zip(a, b, strict=True):  # type: ignore[arg-type]
            _assert_same(x, y)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


def test_catalogue_has_at_least_five_backprop_mistakes_covering_the_issue_list():
    names = {m.key for m in MISTAKES}
    assert len(MISTAKES) >= 5
    for required in (
        "backprop.dense_backward/dense_backward_grad_W_transposed",
        "backprop.dense_backward/dense_backward_grad_b_per_sample",
        "backprop.mlp_backward/mlp_backward_missing_mean",
        "backprop.mlp_backward/mlp_backward_sigmoid_grad_as_sigmoid",
        "backprop.chain_backward/chain_backward_sigma_for_slope",
        "backprop.chain_backward/chain_backward_without_slope",
        "backprop.numerical_gradient/numerical_gradient_forward_difference",
    ):
        assert required in names


def test_every_function_with_a_variant_has_fixed_cases():
    assert {m.function for m in MISTAKES} <= set(CASES)


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_targets_a_solution_function_and_keeps_its_signature(m):
    assert m.topic == "backprop" and hasattr(sol, m.function)
    assert m.name and m.hint and "np." not in m.hint  # the hint explains; it gives no code
    params = inspect.signature(m.impl).parameters
    expected = inspect.signature(getattr(sol, m.function)).parameters
    assert [(p.name, p.default) for p in params.values()] == [
        (p.name, p.default) for p in expected.values()
    ]


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_runs_leaves_inputs_alone_and_differs_from_the_solution(m):
    outcomes = []
    for args in CASES[m.function]:
        copies = _copies(args)
        expected = getattr(sol, m.function)(*args)
        got = m.impl(*args)
        _assert_same(list(args), copies)
        outcomes.append(_differs(got, expected))
    assert any(outcomes), f"{m.key} agrees with the solution on every fixed case"


def test_correct_mlp_backward_inside_the_catalogue_matches_the_solution():
    """The shared backward pass with no mistake switched on is the right answer, so each
    variant differs from the solution by its one mistake only."""
    from grader.misconceptions import backprop as variants

    for args in CASES["mlp_backward"]:
        assert not _differs(variants._mlp_backward(*args), sol.mlp_backward(*args))
    assert not _differs(
        variants._chain_backward(0.5, WS, BS, 1.0), sol.chain_backward(0.5, WS, BS, 1.0)
    )
