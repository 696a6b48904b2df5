"""grader/console/options.py: each kind of number the CLI takes is checked in one place, with
a message the CLI prints after the option's name."""

from __future__ import annotations

import pytest
import typer

from grader.console.options import at_least_one, seconds, share


@pytest.mark.parametrize("value", ["0", "-3", "1.5", "abc", "nan", "inf", ""])
def test_a_count_is_a_whole_number_of_at_least_one(value):
    with pytest.raises(typer.BadParameter, match="a whole number ≥ 1"):
        at_least_one(value)


def test_a_count_accepts_whole_numbers_and_the_default_as_given():
    assert at_least_one("4") == 4 and at_least_one(12) == 12 and at_least_one("2.0") == 2


@pytest.mark.parametrize("value", ["0", "-1", "-0.5", "nan", "inf", "x"])
def test_seconds_are_more_than_zero_and_finite(value):
    with pytest.raises(typer.BadParameter, match="seconds > 0"):
        seconds(value)


def test_seconds_accept_any_positive_duration():
    assert seconds("0.25") == 0.25 and seconds(300.0) == 300.0


@pytest.mark.parametrize("value", ["0", "-0.1", "1.5", "nan"])
def test_a_share_is_more_than_zero_and_at_most_one(value):
    with pytest.raises(typer.BadParameter, match="more than 0 and at most 1"):
        share(value)


def test_a_share_accepts_one():
    assert share("1") == 1.0 and share("0.5") == 0.5
