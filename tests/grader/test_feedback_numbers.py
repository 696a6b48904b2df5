"""Feedback numbers read the way a learner reads them: a change is said as "went up/down by |x|"
with the direction it should have taken, never as a bare signed old − new difference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exercises.tests._harness import describe_change
from grader.engine.run import run_hidden_tests
from grader.examples import plant_mistake, write_answers
from grader.settings import GradeSettings


@pytest.mark.parametrize(
    ("change", "expected", "text"),
    [
        (0.316223, 0.1, "went up by 0.316223 where it should go up by 0.1"),
        (-0.316223, 0.1, "went down by 0.316223 where it should go up by 0.1"),
        (0.0, -0.1, "did not move where it should go down by 0.1"),
        (0.25, 0.0, "went up by 0.25 where it should stay put"),
    ],
)
def test_a_change_is_said_with_a_direction_word_and_magnitudes(change, expected, text):
    assert describe_change(change, expected) == text


def test_adams_first_step_feedback_says_the_weight_went_up_when_it_went_up(tmp_path: Path):
    """Adam correcting only m moves a weight 1/√(1 − β₂) ≈ 3.16 times too far, the right way: the
    feedback says it went the way of −gradient, and by the learner's (larger) amount."""
    folder = write_answers(tmp_path / "learner")
    plant_mistake(folder, "optimizers.adam_step/adam_corrects_only_m")
    result = run_hidden_tests(
        folder,
        GradeSettings(topics=tuple(["optimizers"]), shrink=False),
        learner="x",
        content_hash="-",
        only_functions={"optimizers.adam_step"},
    )
    messages = [o.message for o in result.outcomes if "first step" in o.message]
    assert messages, [o.message for o in result.outcomes]
    found = re.search(
        r"gradient (\S+) went (up|down) by (\S+) where it should go (up|down) by (\S+)", messages[0]
    )
    assert found, messages[0]
    grad, went, got, should, want = found.groups()
    against = "up" if float(grad) < 0 else "down"  # descent moves against the gradient
    assert went == should == against
    assert float(got) == pytest.approx(float(want) / (1 - 0.999) ** 0.5, rel=1e-3)


SWAPPED_RETURNS = """
def momentum_step(w, grad, velocity, lr, beta=0.9):
    v = beta * velocity + (1.0 - beta) * grad
    return v, w - lr * v
"""


def test_a_step_returning_its_results_in_the_wrong_order_is_told_so(tmp_path: Path):
    """``momentum_step`` returning ``(velocity_new, w_new)`` got "output[0][3] = …, expected …",
    two numbers that look unrelated; the feedback now says the values are right and swapped."""
    from grader.examples import grade_variant

    points, _, outcomes = grade_variant(
        tmp_path / "s", "optimizers", "momentum_step", SWAPPED_RETURNS
    )
    assert points == 0
    said = [o.message for o in outcomes if "matches the reference" in o.check]
    assert said and all(
        "output holds the right values in the wrong order: output[0] is what output[1] should be"
        in m
        for m in said
    ), said
