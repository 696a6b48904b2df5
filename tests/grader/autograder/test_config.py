"""grader.autograder.config: one visibility parser for ``grade`` and ``gradescope``."""

from __future__ import annotations

import pytest

from grader.autograder.config import ConfigError, parse_visibility, visibility_map
from reference import TOPICS


def test_a_bare_value_is_every_topic_and_topic_values_override_it():
    got = parse_visibility(["hidden", "rag=visible"], TOPICS)
    assert got == {"*": "hidden", "rag": "visible"}
    assert parse_visibility(["rag=hidden"], TOPICS) == {"*": "after_due_date", "rag": "hidden"}


def test_gradescope_options_give_the_same_map_as_grade_options():
    assert visibility_map("visible", ["losses=hidden"], TOPICS) == parse_visibility(
        ["visible", "losses=hidden"], TOPICS
    )


@pytest.mark.parametrize("values", [["secret"], ["rag=secret"], ["nope=visible"], ["=visible"]])
def test_unknown_values_topics_and_empty_parts_are_refused(values):
    with pytest.raises(ConfigError):
        parse_visibility(values, TOPICS)


def test_max_examples_below_one_is_refused_where_the_zip_is_configured():
    """``gradescope --max-examples 0`` once built a zip that failed on every submission."""
    from grader.autograder.config import AutograderConfig

    with pytest.raises(ConfigError, match="--max-examples must be a whole number ≥ 1, got 0"):
        AutograderConfig(("activations",), max_examples=0)
