"""Wall-clock budgets per test and per submission: a learner whose every call takes just under
the call timeout cannot hold a grading slot for longer than its budget.

The slow learner's functions are correct but each sleeps 2 s under a 3 s call timeout; each hidden
test calls its function three times. With a 3.5 s test budget and an 8 s submission budget, the
first test fails once its own budget is spent, the later ones once theirs or the submission's is
(the last without reaching the learner at all), every one with a ``budget`` fault naming it;
the learner is recorded like any other, and the honest learner graded after it gets full marks.
Outcomes and reasons are asserted, never measured times.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import replace

import pytest

from grader.grading import GradeOptions, grade
from grader.settings import GradeSettings

from ._support import GOOD, LIMITS, POINTS, sandboxes, stable_kit

HIDDEN = """
import numpy as np
from grader.engine.expect import expect_close, reference
from grader.suites import graded

X = np.array([-3.0, -0.5, 0.25, 2.0])


def _three_calls(learner, name):
    for _ in range(3):
        expect_close(
            getattr(learner.activations, name)(X), reference("activations", name, X), learner
        )
"""
HIDDEN += "".join(
    f"\n\n@graded({name!r}, 'matches the reference three times', points={points:g})\n"
    f"def test_{name}(learner):\n    _three_calls(learner, {name!r})\n"
    for name, points in POINTS.items()
)
#: every function correct, after sleeping 2 s (the call timeout is 3 s)
SLOW = re.sub(r"(\ndef \w+\([^)]*\):\n)", r"\1    time.sleep(2.0)\n", "import time\n" + GOOD)
BUDGETS = replace(LIMITS, call_timeout=3.0, test_budget=3.5, submission_budget=8.0)
BUDGET = r"^activations\.{f}: budget: the {whose}'s time budget \({secs} s\) ran out"


@pytest.mark.parametrize("sandbox", sandboxes())
def test_a_learner_just_under_the_call_timeout_is_finished_within_its_budget(
    sandbox, tmp_path, monkeypatch
):
    stable_kit(monkeypatch)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_activations.py").write_text(HIDDEN)
    klass = tmp_path / "class"
    for name, source in (("a-slow", SLOW), ("b-honest", GOOD)):
        (klass / name).mkdir(parents=True)
        (klass / name / "activations.py").write_text(source)
    options = GradeOptions(
        GradeSettings(topics=("activations",), hidden_dir=hidden, limits=BUDGETS, sandbox=sandbox),
        out=tmp_path / "out",
        jobs=1,
    )
    report = grade([klass], options)
    results = {r["learner"]: r for r in report.results}
    assert (report.graded, report.failed) == (2, {})

    slow = results["a-slow"]
    outcomes = slow["outcomes"]
    assert [o["function"] for o in outcomes] == list(POINTS)
    assert all(o["status"] == "fault" and o["points"] == 0 for o in outcomes), outcomes
    messages = [o["message"] for o in outcomes]
    first = BUDGET.format(f="relu", whose="test", secs="3.5")
    assert re.search(first, messages[0]), messages[0]
    for o in outcomes[1:]:  # the test's own budget, or the submission's (during or before it)
        mine = BUDGET.format(f=o["function"], whose="test", secs="3.5")
        whole = BUDGET.format(f=o["function"], whose="submission", secs="8")
        assert re.search(mine, o["message"]) or re.search(whole, o["message"]), o["message"]
    last = BUDGET.format(f="leaky_relu", whose="submission", secs="8") + " before this test$"
    assert re.search(last, messages[-1]), messages[-1]
    doc = json.loads((tmp_path / "out" / "a-slow" / "results.json").read_text())
    assert doc["score"] == 0  # recorded like any other learner, the reasons in its feedback
    feedback = (tmp_path / "out" / "a-slow" / "feedback.md").read_text()
    assert all(m in feedback for m in messages)

    assert results["b-honest"]["score"] == sum(POINTS.values())
