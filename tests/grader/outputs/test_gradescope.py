"""grader/outputs/gradescope.py: results.json has Gradescope's fields; the validator can fail."""

from __future__ import annotations

import json

import pytest

from grader.outputs import feedback, gradescope
from grader.results import SubmissionResult, TestOutcome


def result() -> SubmissionResult:
    outcomes = [
        TestOutcome(
            "optimizers",
            "adam_step",
            "matches torch over 20 steps",
            0.0,
            3.0,
            "failed",
            "output[0] differs — looks like: Adam without bias correction. Hint: divide by 1 − βᵗ",
            "optimizers.adam_step/adam_no_bias_correction",
            "Adam without bias correction",
            "optimizers.adam_step(float64 array of shape (2,): [1., 2.], ...)",
        ),
        TestOutcome("optimizers", "gd_step", "one step", 2.0, 2.0, "passed"),
        TestOutcome(
            "conv",
            "conv2d",
            "matches F.conv2d",
            0.0,
            1.5,
            "fault",
            "conv.conv2d: timeout: no answer within 10 s",
        ),
    ]
    return SubmissionResult(
        "ann <script>", "abc", outcomes, missing_topics=["rag"], sandbox=["process"]
    )


def test_results_json_has_gradescope_fields_and_names():
    doc = gradescope.results_json(result())
    assert gradescope.validate(doc) == []
    assert doc["score"] == 2 and doc["max_score"] == 6.5
    names = [t["name"] for t in doc["tests"]]
    assert names == [
        "optimizers.adam_step: matches torch over 20 steps",
        "optimizers.gd_step: one step",
        "conv.conv2d: matches F.conv2d",
    ]
    assert [t["status"] for t in doc["tests"]] == ["failed", "passed", "failed"]
    assert "Minimal failing call" in doc["tests"][0]["output"]
    assert doc["extra_data"]["gradelab"]["diagnoses"] == [
        "optimizers.adam_step/adam_no_bias_correction"
    ]
    assert "Missing topic files (0 points): rag" in doc["output"]
    json.dumps(doc)  # serialisable


@pytest.mark.parametrize(
    ("patch", "problem"),
    [
        (lambda d: d.update(score="2"), "score must be a number"),
        (lambda d: d["tests"][0].update(status="error"), "status must be passed or failed"),
        (lambda d: d["tests"][0].update(visibility="secret"), "visibility"),
        (lambda d: d["tests"][1].update(score=5), "outside [0, max_score]"),
        (lambda d: d["tests"][1].pop("name"), "name missing"),
        (lambda d: d.update(score=1), "not the sum"),
    ],
)
def test_validator_catches_broken_documents(patch, problem):
    doc = gradescope.results_json(result())
    patch(doc)
    assert any(problem in p for p in gradescope.validate(doc))


def test_feedback_names_the_mistake_and_escapes_html():
    md = feedback.markdown(result())
    assert "Adam without bias correction" in md and "minimal failing call" in md
    assert "stopped" in md and "timeout" in md
    page = feedback.html_page(result())
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_a_visibility_map_sets_each_topics_tests_and_the_rest():
    """Without a map each test keeps its declared visibility; with one, its topic's or "*"'s."""
    declared = [t["visibility"] for t in gradescope.results_json(result())["tests"]]
    assert set(declared) == {"after_due_date"}
    shown = gradescope.results_json(result(), {"*": "hidden", "conv": "visible"})
    by_topic = {(t["tags"][0], t["visibility"]) for t in shown["tests"]}
    assert by_topic == {("optimizers", "hidden"), ("conv", "visible")}
    only_conv = gradescope.results_json(result(), {"conv": "visible"})
    assert {t["tags"][0]: t["visibility"] for t in only_conv["tests"]}["optimizers"] == (
        "after_due_date"
    )
    assert not gradescope.validate(shown)


def test_every_output_is_declared_plain_text_so_gradescope_renders_no_learner_markup():
    """Gradescope's default output format (``simple_format``) renders the HTML its sanitizer
    allows: a learner's ``<img src=https://...>`` in an exception message loaded a remote image
    on the results page. Each test's output and the summary are declared ``text``."""
    hostile = '<a href="https://phish.example">regrade</a><img src="https://track.example/x">'
    outcome = TestOutcome("losses", "mse", "agrees", 0.0, 1.0, "failed", hostile)
    doc = gradescope.results_json(SubmissionResult(hostile, "h", [outcome]))
    assert hostile in doc["tests"][0]["output"]  # shown as it is, as text
    assert doc["output_format"] == "text"
    assert [t["output_format"] for t in doc["tests"]] == ["text"]
    assert gradescope.validate(doc) == []
    doc["tests"][0]["output_format"] = "rtf"
    assert gradescope.validate(doc) == ["tests[0].output_format is not a Gradescope output format"]


def test_the_always_shown_output_states_the_score_only_while_every_test_is_visible():
    """Gradescope shows the top-level output whatever the tests' visibility: "2/6.5 points."
    above tests shown after the due date gave the score away (the autograder had this rule;
    ``gradelab grade``'s own results.json, uploaded through the API, did not)."""
    later = gradescope.results_json(result())  # after_due_date by default
    assert "points." not in later["output"].split(" Missing")[0]
    assert later["output"].startswith("Graded tests run; their results are shown after the due")
    shown = gradescope.results_json(result(), {"*": "visible"})
    assert shown["output"].startswith("2/6.5 points.")
