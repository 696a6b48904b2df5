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


def _entries(*rows: tuple[str, str, list[str]]):
    from grader.outputs.gradebook import Entry

    found = {}
    for learner, fingerprint, topics in rows:
        data = result(learner, "h", 1.0)
        data["outcomes"] = [{**data["outcomes"][0], "topic": t} for t in topics]
        found[learner] = Entry("h", fingerprint, data)
    return found


def test_learners_graded_on_different_topics_are_one_warning_naming_the_few():
    from grader.report.load import mixed_grading

    entries = _entries(
        *[(f"l{i}", "fp", ["activations", "losses"]) for i in range(5)],
        ("zed", "fp2", ["activations"]),
    )
    warning = mixed_grading(entries)
    assert warning is not None and "\n" not in warning
    assert "on different topics: activations, losses (5 learners); activations (zed)" in warning


def test_learners_graded_under_other_kits_are_a_warning_and_one_kit_is_none():
    from grader.report.load import mixed_grading

    same = _entries(("ann", "fp", ["losses"]), ("bob", "fp", ["losses"]))
    assert mixed_grading(same) is None
    mixed = _entries(
        ("ann", "fp", ["losses"]), ("bob", "fp", ["losses"]), ("cid", "fp2", ["losses"])
    )
    assert "under 2 kits or settings (fingerprints fp (2 learners); fp2 (cid))" in mixed_grading(
        mixed
    )


def test_read_class_is_every_learner_at_their_current_entry_with_the_warning(tmp_path):
    from grader.report.load import read_class

    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record(result("ann", "h1", 1.0), "fp")
    book.record(result("bob", "h2", 0.0), "fp2")
    book.close()
    graded = read_class(tmp_path)
    assert [r.learner for r in graded.results] == ["ann", "bob"]
    assert graded.warning is not None and "2 kits" in graded.warning


def test_the_warning_shows_a_learner_ids_terminal_escapes_and_bidi_overrides_as_escapes():
    """The warning is printed to the instructor's terminal (``gradelab report``, ``export``):
    a learner id naming itself with ``\\x1b[2J`` or U+202E must not clear or reorder it."""
    from grader.report.load import mixed_grading

    hostile = "ev\x1b[2J\x1b]0;owned\x07il\u202e"
    entries = _entries(
        *[(f"l{i}", "fp", ["activations", "losses"]) for i in range(3)],
        (hostile, "fp", ["activations"]),
    )
    warning = mixed_grading(entries)
    assert warning is not None
    assert "\x1b" not in warning and "\x07" not in warning and "\u202e" not in warning
    assert "ev\\x1b[2J\\x1b]0;owned\\x07il\\u202e" in warning
