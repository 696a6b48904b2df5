"""The finetuning misconception catalogue: every variant runs, keeps the learner signature, leaves
its inputs alone, and differs from the model solution on a small fixed input."""

from __future__ import annotations

import copy
import inspect

import numpy as np
import pytest

from grader.misconceptions import Mistake, catalogue
from solutions import finetuning as sol

_g = np.random.default_rng(5)

#: function → fixed argument tuples; a variant must run on all and differ on at least one.
CASES: dict[str, list[tuple[object, ...]]] = {
    "lora_forward": [
        # rank 2 and alpha 8: alpha, alpha/r, r/alpha and 1 are four different scales
        (
            _g.normal(size=(3, 4)),
            _g.normal(size=(4, 5)),
            _g.normal(size=(4, 2)),
            _g.normal(size=(2, 5)),
            8.0,
        ),
    ],
    "lora_num_params": [(4096, 4096, 8), (3, 5, 2)],
    "few_shot_prompt": [([("cat", "chat"), ("dog", "chien")], "bird"), ([], "x")],
}

MISTAKES: list[Mistake] = [m for ms in catalogue("finetuning").values() for m in ms]


def _differs(a: object, b: object) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a != b
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9)


def test_catalogue_has_the_finetuning_mistakes_from_the_issue_list():
    names = {m.key for m in MISTAKES}
    assert len(MISTAKES) >= 3
    for required in (
        "finetuning.lora_forward/lora_forward_scales_by_alpha",
        "finetuning.lora_forward/lora_forward_without_base",
        "finetuning.lora_num_params/lora_num_params_full_matrix",
    ):
        assert required in names


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_targets_a_solution_function_and_keeps_its_signature(m):
    assert m.topic == "finetuning" and hasattr(sol, m.function)
    assert m.name and m.hint
    params = inspect.signature(m.impl).parameters
    expected = inspect.signature(getattr(sol, m.function)).parameters
    assert [(p.name, p.default) for p in params.values()] == [
        (p.name, p.default) for p in expected.values()
    ]


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_runs_leaves_inputs_alone_and_differs_from_the_solution(m):
    differs = False
    for args in CASES[m.function]:
        before = copy.deepcopy(args)
        got = m.impl(*args)
        for b, a in zip(before, args, strict=True):
            if isinstance(a, np.ndarray):
                np.testing.assert_array_equal(a, b)
            else:
                assert a == b
        differs |= _differs(got, getattr(sol, m.function)(*args))
    assert differs, f"{m.key} agrees with the solution on every fixed case"


def test_base_path_variant_is_caught_by_the_zero_B_case():
    """With B = 0 the correct layer is exactly x W; the no-base variant returns zeros."""
    x, W, A, B, alpha = CASES["lora_forward"][0]
    zero = np.zeros_like(B)
    np.testing.assert_array_equal(sol.lora_forward(x, W, A, zero, alpha), x @ W)
    (no_base,) = [m for m in MISTAKES if m.key.endswith("/lora_forward_without_base")]
    assert not np.any(no_base.impl(x, W, A, zero, alpha))
