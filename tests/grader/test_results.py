"""grader/results.py: typed outcomes whose dict form is the one written to disk, in a module the
renderers import without torch, pytest or hypothesis."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from grader.results import Kind, Status, SubmissionResult, TestOutcome

OUTCOME = {
    "topic": "losses",
    "function": "mse",
    "check": "matches the reference",
    "points": 0.0,
    "max_points": 2.0,
    "status": "failed",
    "message": "wrong values",
    "diagnosis": "losses.mse/sum_for_mean",
    "diagnosis_name": "sum instead of mean",
    "input": "x = [1.0]",
    "visibility": "after_due_date",
    "case": "",
    "kind": "core",
}
RESULT = {
    "learner": "ann",
    "content_hash": "abc",
    "outcomes": [OUTCOME, {**OUTCOME, "status": "passed", "points": 2.0, "kind": "property"}],
    "missing_topics": ["rnn"],
    "problems": [],
    "sandbox": ["rlimits"],
    "seconds": 1.5,
    "worker_starts": 1,
    "versions": {"numpy": "2"},
    "settings": {"topics": ["losses"], "max_examples": 12},
    "score": 2.0,
    "max_score": 4.0,
}


def test_the_dict_form_round_trips_byte_for_byte():
    result = SubmissionResult.from_dict(RESULT)
    assert json.dumps(result.to_dict()) == json.dumps(RESULT)


def test_statuses_and_kinds_are_typed_and_equal_to_their_strings():
    result = SubmissionResult.from_dict(RESULT)
    assert [o.status for o in result.outcomes] == [Status.FAILED, Status.PASSED]
    assert result.outcomes[1].kind is Kind.PROPERTY
    assert (
        result.outcomes[0].status == "failed" and f"{Status.NOT_IMPLEMENTED}" == "not_implemented"
    )
    assert result.topic_scores() == {"losses": (2.0, 4.0)}


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError, match="'skipped' is not a valid Status"):
        TestOutcome.from_dict({**OUTCOME, "status": "skipped"})


def test_the_renderers_import_without_torch_pytest_or_hypothesis():
    code = (
        "import sys, grader.results, grader.outputs.feedback, grader.outputs.gradescope; "
        "print(sorted(m for m in ('torch', 'pytest', '_pytest', 'hypothesis') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
