"""The optimizers misconception catalogue: every variant runs, keeps the learner signature, leaves
its inputs alone, and differs from the model solution on a small fixed input (so the grader can
tell it apart from a correct answer)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from grader.misconceptions import Mistake, catalogue
from solutions import optimizers as sol

W = np.array([0.5, -1.0, 2.0])
G = np.array([0.3, -1e-6, 2.0])  # one tiny gradient: where eps placement shows
M = np.array([0.1, 0.0, -0.2])
V = np.array([0.01, 0.0, 0.04])

#: function → fixed argument tuples; a variant must run on all and differ on at least one.
CASES: dict[str, list[tuple[object, ...]]] = {
    "gd_step": [(W, G, 0.1)],
    "momentum_step": [(W, G, np.zeros(3), 0.1), (W, G, M, 0.1, 0.5)],
    "adagrad_step": [(W, G, np.zeros(3), 0.1), (W, G, V, 0.1)],
    "rmsprop_step": [(W, G, np.zeros(3), 0.01), (W, G, V, 0.01, 0.9)],
    "adadelta_step": [(W, G, np.zeros(3), np.zeros(3)), (W, G, V, V / 4, 1.0, 0.9)],
    "adam_step": [(W, G, np.zeros(3), np.zeros(3), 1, 0.01), (W, G, M, V, 3, 0.01)],
    "ewa": [(np.array([10.0, 20.0, 0.0]), 0.95), (np.array([[1.0, -2.0], [3.0, 4.0]]), 0.9)],
}

MISTAKES: list[Mistake] = [m for ms in catalogue("optimizers").values() for m in ms]


def _differs(a: object, b: object) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        if not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))) or len(a) != len(b):
            return True
        return any(_differs(x, y) for x, y in zip(a, b, strict=True))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9)


def test_catalogue_has_the_known_optimizer_mistakes():
    names = {m.key for m in MISTAKES}
    assert len(MISTAKES) >= 7
    for required in (
        "optimizers.adam_step/adam_no_bias_correction",
        "optimizers.adam_step/adam_bias_correction_off_by_one",
        "optimizers.adam_step/adam_eps_inside_sqrt",
        "optimizers.momentum_step/momentum_without_one_minus_beta",
        "optimizers.rmsprop_step/rmsprop_without_sqrt",
        "optimizers.adagrad_step/adagrad_current_grad_only",
        "optimizers.ewa/ewa_starting_from_zero",
        "optimizers.adadelta_step/adadelta_missing_delta_ratio",
    ):
        assert required in names


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_targets_a_solution_function_and_keeps_its_signature(m):
    assert m.topic == "optimizers" and hasattr(sol, m.function)
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
        copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        got = m.impl(*args)
        for a, c in zip(args, copies, strict=True):
            np.testing.assert_array_equal(a, c)
        outcomes.append(_differs(got, getattr(sol, m.function)(*args)))
    assert any(outcomes), f"{m.key} agrees with the solution on every fixed case"


def test_adam_without_bias_correction_misscales_step_one_by_one_minus_beta1_over_root():
    """On step 1 from zero state the uncorrected update is (1 − β1)/√(1 − β2) ≈ 3.16 times the
    corrected one (for |g| ≫ eps): with the default betas it overshoots."""
    g = np.array([1.0, -2.0])
    z = np.zeros(2)
    (wrong,) = [m for m in MISTAKES if m.impl.__name__ == "adam_no_bias_correction"]
    w_ok, _, _ = sol.adam_step(z, g, z, z, 1, lr=0.1)
    w_bad, _, _ = wrong.impl(z, g, z, z, 1, lr=0.1)
    np.testing.assert_allclose(w_bad / w_ok, 0.1 / np.sqrt(0.001), rtol=1e-6)
