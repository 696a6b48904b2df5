"""grader/report/figures.py: the figures are PNG data: URIs, whatever the learner ids and size."""

from __future__ import annotations

import base64

import numpy as np

from grader.report.figures import LABELLED_LEARNERS, heat_map, score_distribution, topic_matrix
from tests.grader.report.synthetic import klass, outcome


def png(uri: str) -> bytes:
    head, _, data = uri.partition(",")
    assert head == "data:image/png;base64"
    raw = base64.b64decode(data)
    assert raw.startswith(b"\x89PNG\r\n\x1a\n")
    return raw


def test_both_figures_are_embedded_pngs():
    results = klass({"ann": [1, 1], "bob": [0, 1], "cid": [0, 0]})
    png(score_distribution(results))
    png(heat_map(results))


def test_odd_learner_ids_are_drawn_as_text_not_parsed():
    # "$...$" would be mathtext and "\\frac{" an error if matplotlib parsed it
    results = klass({"$\\frac{$": [1], "<b>x</b>": [0], "_ok_": [1]})
    png(heat_map(results))


def test_control_characters_in_learner_ids_are_drawn_as_escapes_not_missing_glyphs():
    """An escape byte or a bidi override in an id is labelled ``\\x1b`` / ``\\u202e``: no
    missing-glyph warning, no reordered label."""
    import warnings

    results = klass({"evil\x1b[31m": [1], "\u202eeman": [0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png(heat_map(results))


def test_a_large_class_still_draws_without_learner_labels():
    results = klass({f"learner-{i:03d}": [i % 2] for i in range(LABELLED_LEARNERS + 5)})
    png(heat_map(results))


def test_topic_matrix_holds_each_topics_fraction_of_points():
    results = klass({"ann": [1, 0], "bob": [1, 1]})
    results[0].outcomes.append(outcome("c9", 1.0, 2.0, topic="conv", function="conv2d"))
    topics, grid = topic_matrix(results)
    assert topics == ["losses", "conv"]
    assert grid[0].tolist() == [0.5, 1.0]
    assert grid[1, 0] == 0.5 and np.isnan(grid[1, 1])  # bob was not graded on conv


def test_letters_the_figure_font_lacks_are_labelled_as_escapes_that_tell_learners_apart():
    """Two learners named in a script the font cannot draw (here CJK, absent from DejaVu Sans)
    were two identical rows of empty boxes, and each letter printed a missing-glyph warning to
    the instructor's console; such letters are labelled ``\\u5b66``, the rest as they are."""
    import warnings

    from grader.report.figures import tick_label

    assert tick_label("学生") == "\\u5b66\\u751f"
    assert tick_label("José") == "José"
    assert tick_label("学生") != tick_label("学者")
    results = klass({"学生": [1], "学者": [0], "José": [1]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png(heat_map(results))
