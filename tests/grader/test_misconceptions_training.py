"""The training misconception catalogue: every variant runs, keeps the learner signature, leaves
its inputs alone, and differs from the model solution on a small fixed input (so the grader can
tell it apart from a correct answer). Random functions get a fresh generator with the same seed
for the variant and for the solution."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
import pytest

from grader.misconceptions import Mistake, catalogue
from solutions import training as sol

_g = np.random.default_rng(3)
X = _g.normal(size=(6, 2))
Y = X @ np.array([1.5, -0.5]) + 0.25 + 0.1 * _g.normal(size=6)
ACTS = np.array([[0.5, -1.0, 2.0, 0.25, 1.0], [3.0, -0.5, 0.75, 1.5, -2.0]])


def rng() -> np.random.Generator:
    return np.random.default_rng(11)


#: function → factories of fixed argument tuples (fresh rng each call); a variant must run on
#: all and differ from the solution on at least one.
CASES: dict[str, list[Callable[[], tuple[object, ...]]]] = {
    "num_iterations": [lambda: (10, 3, 2, False), lambda: (10, 3, 2, True), lambda: (9, 3, 2)],
    "minibatch_indices": [lambda: (10, 4, rng()), lambda: (12, 4, rng())],
    "train_linear_regression": [
        lambda: (X, Y, "gd", 0.05, 5),
        lambda: (X, Y, "sgd", 0.05, 3, 32, rng()),
        lambda: (X, Y, "minibatch", 0.05, 3, 4, rng()),
    ],
    "dropout": [lambda: (ACTS, 0.3, rng(), True), lambda: (ACTS, 0.3, rng(), False)],
    "early_stopping": [
        lambda: (np.array([1.0, 0.9, 0.8, 0.85, 0.86, 0.87]), 2, 0.0),
        lambda: (np.array([1.0, 0.875, 0.75, 0.625]), 2, 0.25),
        lambda: (np.array([1.0, 0.5, 0.9, 0.8, 0.7, 0.6]), 2, 0.0),
    ],
}

MISTAKES: list[Mistake] = [m for ms in catalogue("training").values() for m in ms]


def _differs(a: object, b: object) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        if not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))) or len(a) != len(b):
            return True
        return any(_differs(x, y) for x, y in zip(a, b, strict=True))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9)


def test_catalogue_has_the_known_training_mistakes():
    names = {m.key for m in MISTAKES}
    assert len(MISTAKES) >= 5
    for required in (
        "training.dropout/dropout_without_rescaling",
        "training.dropout/dropout_keeps_with_probability_p",
        "training.num_iterations/num_iterations_floor",
        "training.early_stopping/early_stopping_one_epoch_late",
        "training.early_stopping/early_stopping_one_based",
        "training.early_stopping/early_stopping_ignores_min_delta",
        "training.minibatch_indices/minibatch_drops_last_partial_batch",
    ):
        assert required in names


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_targets_a_solution_function_and_keeps_its_signature(m):
    assert m.topic == "training" and hasattr(sol, m.function)
    assert m.name and m.hint
    params = inspect.signature(m.impl).parameters
    expected = inspect.signature(getattr(sol, m.function)).parameters
    assert [(p.name, p.default) for p in params.values()] == [
        (p.name, p.default) for p in expected.values()
    ]


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_runs_leaves_inputs_alone_and_differs_from_the_solution(m):
    outcomes = []
    for make in CASES[m.function]:
        args = make()
        copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        got = m.impl(*args)
        for a, c in zip(args, copies, strict=True):
            if isinstance(a, np.ndarray):
                np.testing.assert_array_equal(a, c)
        outcomes.append(_differs(got, getattr(sol, m.function)(*make())))
    assert any(outcomes), f"{m.key} agrees with the solution on every fixed case"


def test_random_variants_draw_like_the_solution_so_only_the_mistake_differs():
    """Same seed, same draws: dropout without rescaling keeps exactly the solution's units."""
    (plain,) = [m for m in MISTAKES if m.impl.__name__ == "dropout_without_rescaling"]
    ok = sol.dropout(ACTS, 0.3, rng())
    bad = plain.impl(ACTS, 0.3, rng())
    np.testing.assert_array_equal(ok != 0, bad != 0)
    np.testing.assert_allclose(bad[bad != 0] / 0.7, ok[ok != 0])
    (unshuffled,) = [m for m in MISTAKES if m.impl.__name__ == "minibatch_not_shuffled"]
    np.testing.assert_array_equal(np.concatenate(unshuffled.impl(10, 4, rng())), np.arange(10))
