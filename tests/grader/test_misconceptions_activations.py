"""The activations misconception catalogue: every variant runs, keeps the learner signature,
leaves its inputs alone, and differs from the model solution on a small fixed input (so the grader
can tell it apart from a correct answer). Variants that overflow are told apart by their output
(nan), not by NumPy's warning: they run under ``np.errstate(all="ignore")`` as in the grader."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from grader.misconceptions import Mistake, catalogue
from solutions import activations as sol

#: a batch of 2 samples × 5 units with the kink value 0 in it
X = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0], [1.0, -1.0, 2.0, -3.0, 0.0]])
#: the stability range of the curriculum
X_EXTREME = np.array([[-1000.0, -1.0, 0.0, 1.0, 1000.0]])
ALPHA = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
S = sol.softmax(X)
G = np.array([[1.0, -2.0, 0.5, 0.0, 3.0], [0.0, 1.0, -1.0, 2.0, 0.5]])

#: function → fixed argument tuples; a variant must run on all and differ on at least one.
CASES: dict[str, list[tuple[object, ...]]] = {
    "sigmoid": [(X,), (X_EXTREME,)],
    "sigmoid_grad": [(X,), (X_EXTREME,)],
    "tanh": [(X,), (X_EXTREME,)],
    "tanh_grad": [(X,), (X_EXTREME,)],
    "relu": [(X,), (X_EXTREME,)],
    "relu_grad": [(X,)],
    "leaky_relu": [(X,), (X, 0.2)],
    "leaky_relu_grad": [(X,), (X, 0.2)],
    "elu": [(X,), (X, 1.5), (X_EXTREME,)],
    "elu_grad": [(X,), (X, 2.0), (X_EXTREME, 0.5)],
    "prelu": [(X, ALPHA), (X, np.array([0.25]))],
    "prelu_grad": [(X, ALPHA), (X, np.array([0.25]))],
    "softmax": [(X,), (X_EXTREME,), (X, 0)],
    "softmax_backward": [(S, G), (S.T.copy(), G.T.copy(), 0)],
}

MISTAKES: list[Mistake] = [m for ms in catalogue("activations").values() for m in ms]


def _differs(a: object, b: object) -> bool:
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        if not (isinstance(a, list | tuple) and isinstance(b, list | tuple)) or len(a) != len(b):
            return True
        return any(_differs(x, y) for x, y in zip(a, b, strict=True))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9)


def _finite(v: object) -> bool:
    if isinstance(v, list | tuple):
        return all(_finite(x) for x in v)
    return bool(np.isfinite(np.asarray(v, dtype=float)).all())


def test_catalogue_has_at_least_ten_activation_mistakes_covering_the_issue_list():
    names = {m.key for m in MISTAKES}
    assert len(MISTAKES) >= 10
    for required in (
        "activations.sigmoid_grad/sigmoid_grad_as_sigmoid",
        "activations.sigmoid_grad/sigmoid_grad_one_plus",
        "activations.sigmoid/sigmoid_exp_ratio_overflows",
        "activations.relu_grad/relu_grad_one_at_zero",
        "activations.leaky_relu_grad/leaky_relu_grad_sides_swapped",
        "activations.elu_grad/elu_grad_without_alpha",
        "activations.softmax/softmax_without_max_subtraction",
        "activations.softmax/softmax_over_axis_zero",
        "activations.tanh_grad/tanh_grad_without_square",
        "activations.softmax_backward/softmax_backward_elementwise",
    ):
        assert required in names


def test_every_function_with_a_variant_has_fixed_cases():
    assert {m.function for m in MISTAKES} <= set(CASES)


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_targets_a_solution_function_and_keeps_its_signature(m):
    assert m.topic == "activations" and hasattr(sol, m.function)
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
        copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        expected = getattr(sol, m.function)(*args)  # the solution itself never warns
        assert _finite(expected)
        with np.errstate(all="ignore"):
            got = m.impl(*args)
        for a, c in zip(args, copies, strict=True):
            np.testing.assert_array_equal(a, c)
        outcomes.append(_differs(got, expected))
    assert any(outcomes), f"{m.key} agrees with the solution on every fixed case"


@pytest.mark.parametrize(
    "key",
    [
        "activations.sigmoid/sigmoid_exp_ratio_overflows",
        "activations.sigmoid_grad/sigmoid_grad_exp_formula_overflows",
        "activations.tanh/tanh_exp_formula_overflows",
        "activations.softmax/softmax_without_max_subtraction",
    ],
)
def test_overflowing_variants_are_caught_by_nan_at_1000(key):
    (m,) = [m for m in MISTAKES if m.key == key]
    with np.errstate(all="ignore"):
        got = m.impl(X_EXTREME)
    assert np.isnan(got).any()
    assert np.isfinite(getattr(sol, m.function)(X_EXTREME)).all()
