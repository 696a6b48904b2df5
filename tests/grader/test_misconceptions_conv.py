"""The conv misconception catalogue: every variant runs, keeps the learner signature, leaves its
inputs alone, and differs from the model solution on a small fixed input (so it can be told
apart from a correct answer)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from grader.misconceptions import Mistake, catalogue
from solutions import conv as sol

_g = np.random.default_rng(7)

#: function → fixed argument tuples; a variant must run on all and differ on at least one.
CASES: dict[str, list[tuple[object, ...]]] = {
    "conv_output_size": [(7, 3, 1, 1), (6, 3), (9, 3, 2, 2)],
    "pool_output_size": [(6, 2, 2), (5, 3, 1)],
    "pad2d": [(_g.normal(size=(1, 2, 3, 3)), 1, "edge"), (_g.normal(size=(2, 3, 4)), 2)],
    "conv2d": [(_g.normal(size=(5, 5)), _g.normal(size=(3, 3)), 2, 1)],
    "conv2d_multi": [
        (_g.normal(size=(2, 2, 5, 5)), _g.normal(size=(2, 2, 3, 3)), _g.normal(size=2), 1, 1)
    ],
    "max_pool2d": [(_g.normal(size=(1, 2, 4, 4)), 2, None)],
    "avg_pool2d": [(_g.normal(size=(1, 2, 4, 4)), 2, None)],
    "flatten": [(_g.normal(size=(2, 3, 2, 2)),)],
    "HORIZONTAL_EDGE": [()],
    "VERTICAL_EDGE": [()],
}

MISTAKES: list[Mistake] = [m for ms in catalogue("conv").values() for m in ms]


def _differs(a: object, b: object) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        if not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))) or len(a) != len(b):
            return True
        return any(_differs(x, y) for x, y in zip(a, b, strict=True))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9)


def _solution(function: str, args: tuple[object, ...]) -> object:
    value = getattr(sol, function)
    return value if function.isupper() else value(*args)


def test_catalogue_has_at_least_six_conv_mistakes_covering_the_issue_list():
    names = {m.key for m in MISTAKES}
    assert len(MISTAKES) >= 6
    for required in (
        "conv.conv_output_size/conv_output_size_without_plus_one",
        "conv.conv2d/conv2d_flipped_kernel",
        "conv.max_pool2d/max_pool2d_stride_one",
        "conv.avg_pool2d/avg_pool2d_takes_max",
        "conv.pad2d/pad2d_one_side_only",
        "conv.conv2d_multi/conv2d_multi_without_bias",
        "conv.HORIZONTAL_EDGE/horizontal_edge_transposed",
    ):
        assert required in names


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_targets_a_solution_function_and_keeps_its_signature(m):
    assert m.topic == "conv" and hasattr(sol, m.function)
    assert m.name and m.hint
    params = inspect.signature(m.impl).parameters
    if m.function.isupper():
        assert not params  # a module-level value: the variant is a function of no arguments
        return
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
        outcomes.append(_differs(got, _solution(m.function, args)))
    assert any(outcomes), f"{m.key} agrees with the solution on every fixed case"
