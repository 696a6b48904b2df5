"""The losses misconception catalogue: every variant runs, keeps the learner signature, leaves its
inputs alone, and differs from the model solution on a small fixed input (so the grader can tell
it apart from a correct answer). Variants that take logs of 0 are told apart by their output
(inf/nan), not by NumPy's warning: they run under ``np.errstate(all="ignore")`` as in the
grader."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from grader.misconceptions import Mistake, catalogue
from solutions import losses as sol

#: regression targets and predictions (N, D) = (3, 2): residuals 0.5, 2, 0, −0.2, −2, 0 (exact
#: zeros for the MAE kink, |r| > 1 for Huber's linear branch)
Y = np.array([[0.0, 1.0], [2.0, -1.0], [0.5, 0.5]])
P = np.array([[0.5, 3.0], [2.0, -1.2], [-1.5, 0.5]])
#: binary targets and probabilities, without and with exact 0 / 1 predictions
YB = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
PB = np.array([[0.9, 0.2], [0.3, 0.6], [0.7, 0.1]])
PB_EDGE = np.array([[0.0, 0.2], [1.0, 0.6], [1.0, 0.0]])
#: one-hot targets and softmax-like rows (N, C) = (3, 3), one wrong class with probability 0
YC = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
PC = np.array([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5], [0.0, 0.6, 0.4]])
LABELS = np.array([0, 2, 1, 2])

#: function → fixed argument tuples; a variant must run on all and differ on at least one.
CASES: dict[str, list[tuple[object, ...]]] = {
    "mse": [(Y, P), (Y, P, "sum"), (Y, P, "none")],
    "mse_grad": [(Y, P)],
    "mae": [(Y, P), (Y, P, "sum")],
    "mae_grad": [(Y, P)],
    "huber": [(Y, P), (Y, P, 0.5, "none")],
    "huber_grad": [(Y, P), (Y, P, 0.5)],
    "binary_cross_entropy": [(YB, PB), (YB, PB_EDGE), (YB, PB, 1e-12, "none")],
    "binary_cross_entropy_grad": [(YB, PB), (YB, PB_EDGE)],
    "categorical_cross_entropy": [(YC, PC), (YC, PC, 1e-12, "sum"), (YC, PC, 1e-12, "none")],
    "categorical_cross_entropy_grad": [(YC, PC)],
    "one_hot": [(LABELS, 3), (LABELS, 4)],
}

MISTAKES: list[Mistake] = [m for ms in catalogue("losses").values() for m in ms]


def _differs(a: object, b: object) -> bool:
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        if not (isinstance(a, list | tuple) and isinstance(b, list | tuple)) or len(a) != len(b):
            return True
        return any(_differs(x, y) for x, y in zip(a, b, strict=True))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9)


def test_catalogue_has_at_least_nine_loss_mistakes_covering_the_issue_list():
    names = {m.key for m in MISTAKES}
    assert len(MISTAKES) >= 9
    for required in (
        "losses.mse/mse_sum_for_mean",
        "losses.mse/mse_with_half",
        "losses.mse_grad/mse_grad_without_two",
        "losses.mse_grad/mse_grad_without_mean",
        "losses.mae_grad/mae_grad_without_sign",
        "losses.huber/huber_branches_swapped",
        "losses.huber/huber_missing_half_delta_squared",
        "losses.binary_cross_entropy/binary_cross_entropy_unclipped",
        "losses.binary_cross_entropy/binary_cross_entropy_terms_swapped",
        "losses.categorical_cross_entropy/categorical_cross_entropy_sum_for_mean",
        "losses.one_hot/one_hot_off_by_one",
    ):
        assert required in names


def test_every_function_with_a_variant_has_fixed_cases():
    assert {m.function for m in MISTAKES} <= set(CASES)


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_targets_a_solution_function_and_keeps_its_signature(m):
    assert m.topic == "losses" and hasattr(sol, m.function)
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
        assert np.isfinite(np.asarray(expected, dtype=float)).all()
        with np.errstate(all="ignore"):
            got = m.impl(*args)
        for a, c in zip(args, copies, strict=True):
            np.testing.assert_array_equal(a, c)
        outcomes.append(_differs(got, expected))
    assert any(outcomes), f"{m.key} agrees with the solution on every fixed case"


def test_unclipped_cross_entropy_is_caught_by_inf_or_nan_at_probabilities_0_and_1():
    (m,) = [m for m in MISTAKES if m.impl.__name__ == "binary_cross_entropy_unclipped"]
    with np.errstate(all="ignore"):
        per = m.impl(YB, PB_EDGE, reduction="none")
        mean = m.impl(YB, PB_EDGE)
    assert np.isinf(per).any() and np.isnan(per).any()  # −1·log 0 = inf, 0·log 0 = nan
    assert not np.isfinite(mean)
    assert np.isfinite(sol.binary_cross_entropy(YB, PB_EDGE))
