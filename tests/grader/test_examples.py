"""grader/examples.py: the example class's planted learners hand in real, self-contained source
whose one mistake the hidden tests catch and name."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.engine.run import HIDDEN_DIR, run_hidden_tests
from grader.examples import HANDED_IN_WRONG, PLANTED, build_example_class, mistake_source
from grader.settings import GradeSettings


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("class")
    build_example_class(out)
    return out


def test_the_class_holds_answers_stubs_and_every_planted_learner(klass: Path):
    names = sorted(p.name for p in klass.iterdir())
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
    from grader.intake import check_class, console_lines
    from grader.submissions import discover

    lines = console_lines(check_class(discover([klass]), None), tmp_path / "submissions.csv")
    assert "empty-folder: no gradable code (found: nothing)" in lines
    misplaced = next(line for line in lines if line.startswith("misplaced-files:"))
    assert "homework/activations.py would be graded as activations.py" in misplaced
    assert lines[-1].startswith("2 learner(s) with submission problems")
