"""What the tables of learners' own versions assert (``test_independent_variants*.py``, one
parametrized test each): a wrong version loses points on its function, a right one keeps them."""

from __future__ import annotations

from pathlib import Path

from grader.examples import grade_variant


def assert_loses_points(folder: Path, name: str, topic: str, function: str, source: str) -> None:
    points, top, outcomes = grade_variant(folder, topic, function, source)
    passed = [o.check_case for o in outcomes if o.status == "passed"]
    assert points < top, f"{name} keeps {points}/{top} on {topic}.{function}: {passed}"


def assert_keeps_full_marks(
    folder: Path, name: str, topic: str, function: str, source: str
) -> None:
    points, top, outcomes = grade_variant(folder, topic, function, source)
    failed = [(o.check_case, o.message[:200]) for o in outcomes if o.status != "passed"]
    assert points == top > 0, f"{name} gets {points}/{top} on {topic}.{function}: {failed}"
