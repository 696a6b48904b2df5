"""Points only for functions that are right (grader/engine/plugin.py, gate_points): a property
check counts once every core check of its function passed; core checks are found from the test's
code (it reaches ``expect_close``) or declared with ``graded(..., core=True)``."""

from __future__ import annotations

import types

from grader.engine.plugin import _compares, gate_points
from grader.results import TestOutcome


def _outcome(function: str, kind: str, passed: bool, points: float = 1.0) -> TestOutcome:
    return TestOutcome(
        topic="t",
        function=function,
        check=f"{kind} check",
        points=points if passed else 0.0,
        max_points=points,
        status="passed" if passed else "failed",
        kind=kind,
    )


def test_property_points_are_withdrawn_when_a_core_check_of_the_function_fails():
    outcomes = [
        _outcome("softmax", "core", passed=False),
        _outcome("softmax", "core", passed=True),
        _outcome("softmax", "property", passed=True, points=0.5),
        _outcome("relu", "core", passed=True),
        _outcome("relu", "property", passed=True, points=0.5),
    ]
    gate_points(outcomes)
    assert [o.points for o in outcomes] == [0.0, 1.0, 0.0, 1.0, 0.5]
    assert outcomes[2].status == "failed" and "counts only once t.softmax" in outcomes[2].message
    assert outcomes[4].status == "passed"


def test_a_function_without_core_checks_keeps_its_property_points():
    outcomes = [_outcome("shuffle", "property", passed=True)]
    gate_points(outcomes)
    assert outcomes[0].points == 1.0


def test_a_test_compares_when_it_or_a_helper_it_calls_reaches_expect_close():
    module = types.ModuleType("hidden_fake")
    exec(
        "def expect_close(*a): pass\n"
        "def _helper(x): expect_close(x, x)\n"
        "def test_direct(learner): expect_close(1, 1)\n"
        "def test_through_helper(learner): [_helper(i) for i in range(2)]\n"
        "def test_property(learner): assert sum([1]) == 1\n",
        module.__dict__,
    )
    assert _compares(module, "test_direct")
    assert _compares(module, "test_through_helper")
    assert not _compares(module, "test_property")
