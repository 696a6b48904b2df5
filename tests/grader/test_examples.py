"""grader/examples.py: the example class's planted learners hand in real, self-contained source
whose one mistake the hidden tests catch and name."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.engine.run import HIDDEN_DIR, run_hidden_tests
from grader.examples import (
    HANDED_IN_WRONG,
    MARK,
    PLANTED,
    ExampleClassError,
    build_example_class,
    mistake_source,
)
from grader.settings import GradeSettings


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("class")
    build_example_class(out)
    return out


def test_the_class_holds_answers_stubs_and_every_planted_learner(klass: Path):
    names = sorted(p.name for p in klass.iterdir() if p.name != MARK)
    assert names == sorted(["model-answers", "untouched-stubs", *PLANTED, *HANDED_IN_WRONG])


@pytest.mark.parametrize(("learner", "key"), sorted(PLANTED.items()))
def test_a_planted_learner_is_caught_and_named(klass: Path, learner: str, key: str):
    topic, function, source = mistake_source(key)
    # the planted file stands alone, as a learner's would: no gradelab import
    assert "import grader" not in source and "from grader" not in source
    if not (HIDDEN_DIR / f"test_{topic}.py").exists():
        pytest.skip(f"no hidden tests for {topic} yet")
    result = run_hidden_tests(
        klass / learner,
        GradeSettings(topics=tuple([topic])),
        learner=learner,
        content_hash="-",
        only_functions={f"{topic}.{function}"},
    )
    assert result.score < result.max_score
    assert key in {o.diagnosis for o in result.outcomes}


def test_an_unknown_mistake_key_lists_the_known_ones():
    with pytest.raises(KeyError, match="adam_no_bias_correction"):
        mistake_source("optimizers.adam_step/nope")


def test_the_grade_console_names_the_empty_and_the_misplaced_submission(klass: Path, tmp_path):
    """What ``grade`` prints before grading the example class (``make demo``)."""
    from grader.class_folder import discover
    from grader.intake import check_class, console_lines

    lines = console_lines(check_class(discover([klass]), None), tmp_path / "submissions.csv")
    assert "empty-folder: no gradable code (found: nothing)" in lines
    misplaced = next(line for line in lines if line.startswith("misplaced-files:"))
    assert "homework/activations.py would be graded as activations.py" in misplaced
    assert lines[-1].startswith("2 learner(s) with submission problems")


def _a_real_class(folder: Path) -> None:
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / "activations.py").write_text("def sigmoid(x): ...\n")
    (folder / "NOTES.txt").write_text("late-day notes\n")


def test_a_folder_it_did_not_write_is_refused_and_left_as_it_was(tmp_path: Path):
    """A mistyped ``gradelab example-class submissions`` once deleted the real class."""
    _a_real_class(tmp_path / "submissions")
    with pytest.raises(ExampleClassError, match=r"not empty.*--force"):
        build_example_class(tmp_path / "submissions")
    assert (tmp_path / "submissions" / "alice" / "activations.py").is_file()
    assert (tmp_path / "submissions" / "NOTES.txt").is_file()


def test_force_replaces_any_folder_and_a_file_is_refused_even_so(tmp_path: Path):
    _a_real_class(tmp_path / "submissions")
    build_example_class(tmp_path / "submissions", force=True)
    assert not (tmp_path / "submissions" / "alice").exists()
    assert (tmp_path / "submissions" / "model-answers").is_dir()
    (tmp_path / "afile.txt").write_text("x\n")
    with pytest.raises(ExampleClassError, match="is a file"):
        build_example_class(tmp_path / "afile.txt", force=True)


def test_an_example_class_written_before_is_replaced_without_force(tmp_path: Path):
    """Its own mark, or (one written before the mark existed) only its learners' folders, or
    an empty folder: ``make demo`` runs again as before."""
    old = tmp_path / "old"
    build_example_class(old)
    build_example_class(old)  # its mark
    (old / MARK).unlink()
    (old / "model-answers" / "stale.txt").write_text("from an earlier run\n")
    build_example_class(old)
    assert not (old / "model-answers" / "stale.txt").exists()
    (tmp_path / "empty").mkdir()
    assert build_example_class(tmp_path / "empty")[0] == "model-answers"
