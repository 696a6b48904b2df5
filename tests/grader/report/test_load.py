"""grader/report/load.py: the report reads the gradebook, and says so when there is none."""

from __future__ import annotations

import pytest

from grader.outputs.gradebook import Gradebook
from grader.report.load import NoGradebookError, load_class
from tests.grader.outputs.test_gradebook import result


def test_load_class_gives_submission_results_from_the_gradebook(tmp_path):
    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record(result("bob", "h1", 0.0), "fp")
    book.record(result("ann", "h2", 1.0), "fp")
    book.close()
    loaded = load_class(tmp_path)
    assert [(r.learner, r.score, r.outcomes[0].check) for r in loaded] == [
        ("ann", 1.0, "c0"),
        ("bob", 0.0, "c0"),
    ]
    assert [r.learner for r in load_class(tmp_path, {"bob": "h1"})] == ["bob"]


def test_no_gradebook_is_a_clear_error_and_creates_nothing(tmp_path):
    with pytest.raises(NoGradebookError, match="grade the class first"):
        load_class(tmp_path / "out")
    assert not (tmp_path / "out").exists()
