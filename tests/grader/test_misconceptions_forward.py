"""The forward misconception catalogue: every variant runs on small fixed inputs, keeps the
learner signature, leaves its inputs alone, and differs from the model solution on at least one of
them (so the grader can tell it apart from a correct answer)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from grader.misconceptions import Mistake, catalogue
from solutions import forward as sol

#: a batch of 2 samples with 3 features, square 3×3 weights (so the x @ Wᵀ and bias-first
#: variants run, as they would for a learner, and return wrong values)
X = np.array([[1.0, -2.0, 0.5], [0.0, 1.5, -1.0]])
W = np.array([[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.75, 0.25, 1.0]])
W2 = np.array([[1.0, -0.5, 0.0], [0.25, 0.75, -1.0], [-0.5, 0.5, 0.5]])
B = np.array([0.1, -0.2, 0.3])
B2 = np.array([-0.3, 0.0, 0.2])
#: perceptron inputs: two samples sit exactly on the boundary (weighted sum 0), one below
XP = np.array([[1.0, 1.0], [0.0, 0.0], [-1.0, 2.0], [2.0, -1.0]])
WP = np.array([1.0, -1.0])
#: the AND gate
AND_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
AND_Y = np.array([0.0, 0.0, 0.0, 1.0])

#: function → fixed argument tuples; a variant must run on all and differ on at least one.
CASES: dict[str, list[tuple[object, ...]]] = {
    "weighted_sum": [(X, W[:, 0], 0.5)],
    "step": [(np.array([-1.0, 0.0, 2.0]),), (np.array([[0.0, -0.0], [1e-9, -3.0]]),)],
    "perceptron_predict": [(XP, WP, 0.0)],
    "perceptron_train": [(AND_X, AND_Y), (AND_X, AND_Y, 0.5, 3)],
    "dense_forward": [(X, W, B)],
    "mlp_forward": [
        (X, [(W, B, "relu"), (W2, B2, "softmax")]),
        (X, [(W, B, "tanh"), (W2, B2, "sigmoid")]),
    ],
}

MISTAKES: list[Mistake] = [m for ms in catalogue("forward").values() for m in ms]


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


def test_catalogue_has_at_least_four_forward_mistakes_covering_the_issue_list():
    names = {m.key for m in MISTAKES}
    assert len(MISTAKES) >= 4
    for required in (
        "forward.step/step_fires_at_zero",
        "forward.weighted_sum/weighted_sum_without_bias",
        "forward.perceptron_train/perceptron_train_sign_flipped",
        "forward.dense_forward/dense_forward_bias_first",
        "forward.mlp_forward/mlp_forward_skips_last_activation",
        "forward.mlp_forward/mlp_forward_last_activation_twice",
    ):
        assert required in names


def test_every_function_with_a_variant_has_fixed_cases():
    assert {m.function for m in MISTAKES} <= set(CASES)


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_targets_a_solution_function_and_keeps_its_signature(m):
    assert m.topic == "forward" and hasattr(sol, m.function)
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


def test_square_only_variants_fail_on_non_square_weights_as_a_learner_would():
    """x @ Wᵀ and (x + b) @ W only line up when D_in = D_out: a (2, 3) @ (3, 4) layer breaks them."""
    W34, b4 = np.ones((3, 4)), np.zeros(4)
    assert sol.dense_forward(X, W34, b4).shape == (2, 4)
    for m in catalogue("forward")["forward.dense_forward"]:
        if m.impl.__name__ in ("dense_forward_transposed", "dense_forward_bias_first"):
            with pytest.raises(ValueError):
                m.impl(X, W34, b4)
