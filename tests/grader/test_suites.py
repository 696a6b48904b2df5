"""grader/suites.py: the hidden suites' shared vocabulary."""

from __future__ import annotations

import numpy as np
import pytest

from grader.misconceptions import Mistake
from grader.suites import expect_seeds_differ, looks_like, params


def _mistake(name: str, hint: str) -> Mistake:
    return Mistake(target="t.f", name=name, hint=hint, impl=lambda *a: None)


@pytest.fixture
def graded_marker(pytestconfig: pytest.Config) -> None:
    """The grading plugin registers ``graded`` when it runs; this suite runs with strict markers."""
    pytestconfig.addinivalue_line("markers", "graded: a hidden test's points")


@pytest.mark.usefixtures("graded_marker")
def test_params_ids_are_function_names_and_marks_carry_points() -> None:
    """Each function becomes one param with its own name as id and a graded mark of `points`."""
    got = params(["relu", "tanh"], "matches the reference", points=3.0)
    assert [p.id for p in got] == ["relu", "tanh"]
    assert [p.values for p in got] == [("relu",), ("tanh",)]
    marks = [m.mark for p in got for m in p.marks]
    assert [
        (m.name, m.kwargs["function"], m.kwargs["check"], m.kwargs["points"]) for m in marks
    ] == [
        ("graded", "relu", "matches the reference", 3.0),
        ("graded", "tanh", "matches the reference", 3.0),
    ]


def test_looks_like_names_first_mistake_and_lists_the_others() -> None:
    """One mistake: name and hint; several: the rest as 'could also be'; none: unchanged."""
    a, b, c = _mistake("A", "do a"), _mistake("B", "do b"), _mistake("C", "do c")
    assert looks_like("off", None) == "off"
    assert looks_like("off", []) == "off"
    assert looks_like("off", a) == "off — looks like: A. Hint: do a"
    assert looks_like("off", [a, b, c]) == (
        "off — looks like: A. Hint: do a (on this input it could also be: B; C)"
    )


def test_expect_seeds_differ_needs_three_different_answers() -> None:
    """Answers that differ for each seed pass; any two seeds answering alike fail, naming them, so
    a function keeping one bit of its rng's randomness (two possible answers) fails too."""
    expect_seeds_differ(lambda seed: np.random.default_rng(seed).permutation(40))
    with pytest.raises(AssertionError, match="seeded 11 and 12"):
        expect_seeds_differ(lambda seed: np.random.default_rng(0).permutation(40))
    with pytest.raises(AssertionError, match="exactly the same result"):
        expect_seeds_differ(lambda seed: [np.arange(3), float(seed % 2)])
