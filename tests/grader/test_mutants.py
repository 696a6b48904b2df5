"""grader/mutants: the operators make the single-point mutants they say, a mutant is graded as a
learner's version of its function, and every listed equivalent is a mutant of today's answers."""

from __future__ import annotations

import ast

from grader.mutants.equivalent import EQUIVALENT
from grader.mutants.operators import mutants
from grader.mutants.run import Graded, all_mutants, grade_mutant, report
from reference import TOPICS

TOY = '''
def f(x, axis=-1):
    """Docstring constants 1 and 2.0 are never mutated."""
    y = np.where(x > 0, x, 0.5 * x)
    return np.sum(y.T, axis=axis) - 1
'''


def _keys(source: str) -> dict[str, str]:
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    return {m.key.split(": ", 1)[1]: m.operator for m in mutants("toy", function)}


def test_each_operator_makes_its_mutant_and_the_docstring_is_left_alone():
    keys = _keys(TOY)
    expected = {
        "y = np.where(x > 0, x, 0.5 * x) → y = np.where(x >= 0, x, 0.5 * x)": "comparison",
        "y = np.where(x > 0, x, 0.5 * x) → y = np.where(x > 0, 0.5 * x, x)": "branches",
        "y = np.where(x > 0, x, 0.5 * x) → y = np.where(x > 0, x, 0.5 / x)": "operator",
        "y = np.where(x > 0, x, 0.5 * x) → y = np.where(x > 0, x, 1.5 * x)": "constant",
        "return np.sum(y.T, axis=axis) - 1 → return np.sum(y, axis=axis) - 1": "transpose",
        "return np.sum(y.T, axis=axis) - 1 → return np.mean(y.T, axis=axis) - 1": "numpy",
        "return np.sum(y.T, axis=axis) - 1 → return np.sum(y.T) - 1": "keyword",
        "return np.sum(y.T, axis=axis) - 1 → return 1 - np.sum(y.T, axis=axis)": "operands",
        "def f(x, axis=-1): → def f(x, axis=1):": "sign",
    }
    for key, operator in expected.items():
        assert keys.get(key) == operator, (key, sorted(keys))
    assert not [k for k in keys if "Docstring" in k]


def test_a_mutant_is_graded_as_a_learners_version_of_its_function():
    """relu with its comparison's constant moved loses points; leaky_relu with ``>=`` for ``>``
    (both branches agree at 0) keeps them, and is listed as equivalent."""
    found = {
        m.key: m
        for m in all_mutants(["activations"], {"activations.relu", "activations.leaky_relu"})
    }
    wrong = next(
        m for k, m in found.items() if k.startswith("activations.relu") and m.operator == "constant"
    )
    assert not grade_mutant(wrong).survived
    same = found[
        "activations.leaky_relu: return np.where(x > 0, x, alpha * x) → "
        "return np.where(x >= 0, x, alpha * x)"
    ]
    kept = grade_mutant(same)
    assert kept.survived and same.key in EQUIVALENT
    text = report([kept, Graded(wrong, 1.0, 3.5)], 60.0)
    assert "**0 kept full marks unexplained**" in text and "## Equivalent survivors" in text


def test_every_listed_equivalent_is_a_mutant_of_the_model_answers():
    """An answer edited since its equivalents were listed leaves stale entries: each key must
    still name a mutant the operators make."""
    keys = {m.key for m in all_mutants(TOPICS)}
    stale = sorted(set(EQUIVALENT) - keys)
    assert not stale, stale
