"""grader/engine/cases.py (through the plugin): every graded test has a unique, stable name in
results.json: a case of a parametrized test whose name others share gets its parameters
(`… any eps (eps=1e-12)`), other names are unchanged, and a label does not depend on what a
run selects."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.engine.cases import case_labels
from grader.engine.run import grade_submission, run_hidden_tests
from grader.outputs import feedback, gradescope
from grader.release.build import ROOT
from grader.results import SubmissionResult
from grader.settings import GradeSettings
from grader.submissions import Submission
from reference import TOPICS

CLIPS = "clips predictions to [eps, 1 − eps]: finite at 0 and 1, any eps"


@pytest.fixture(scope="module")
def model_answers() -> dict[str, Any]:
    """results.json of the model answers, every topic (2 examples per property: names only)."""
    files = {t: (ROOT / "solutions" / f"{t}.py").read_bytes() for t in TOPICS}
    result = grade_submission(Submission("model", ROOT, files), GradeSettings(TOPICS, 2))
    return gradescope.results_json(SubmissionResult.from_dict(result))


def test_every_name_in_results_json_is_unique(model_answers):
    names = Counter(t["name"] for t in model_answers["tests"])
    assert len(names) > 200
    assert [n for n, k in names.items() if k > 1] == []


def test_the_clipping_cases_are_named_by_their_eps(model_answers):
    names = {t["name"] for t in model_answers["tests"]}
    for fn in ("binary_cross_entropy", "categorical_cross_entropy_grad"):
        for eps in ("1e-12", "1e-06", "0.001"):
            assert f"losses.{fn}: {CLIPS} (eps={eps})" in names


def test_names_no_other_test_shares_stay_as_they_were(model_answers):
    labelled = [t["name"] for t in model_answers["tests"] if t["name"].endswith(")")]
    assert {n.split(": ", 1)[1].rsplit(" (", 1)[0] for n in labelled} >= {CLIPS}
    assert all("(eps=" in n for n in labelled if CLIPS in n)
    plain = [t["name"] for t in model_answers["tests"] if CLIPS not in t["name"]]
    assert not [n for n in plain if "(eps=" in n or " #" in n]


def test_a_case_keeps_its_name_when_a_run_selects_one_function(tmp_path: Path, model_answers):
    (tmp_path / "losses.py").write_bytes((ROOT / "solutions" / "losses.py").read_bytes())
    only = {"losses.binary_cross_entropy"}
    result = run_hidden_tests(
        tmp_path,
        GradeSettings(topics=tuple(["losses"]), max_examples=2),
        learner="m",
        content_hash="h",
        only_functions=only,
    )
    selected = {o.name for o in result.outcomes if CLIPS in o.name}
    everything = {t["name"] for t in model_answers["tests"]}
    assert len(selected) == 3
    assert selected <= everything
    assert selected == {
        n for n in everything if n.startswith(f"losses.binary_cross_entropy: {CLIPS}")
    }


@dataclass
class Marker:
    kwargs: dict[str, Any]


@dataclass
class CallSpec:
    params: dict[str, Any]


@dataclass
class Item:
    nodeid: str
    function: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def callspec(self) -> CallSpec:
        return CallSpec(self.params)

    def get_closest_marker(self, name: str) -> Marker:
        return Marker({"function": self.function})


def test_cases_parameters_cannot_tell_apart_are_numbered_in_order():
    items = [
        Item("t[a]", "f", {"fn": "f", "x": np.zeros(2), "flag": True}),
        Item("t[b]", "f", {"fn": "f", "x": np.ones(2), "flag": True}),
        Item("t[c]", "f", {"fn": "f", "x": np.ones(2), "flag": None}),
        Item("u", "g"),
    ]
    names = {"t[a]": "s.f: c", "t[b]": "s.f: c", "t[c]": "s.f: c", "u": "s.g: d"}
    assert case_labels(items, names) == {  # type: ignore[arg-type]
        "t[a]": "flag=True, #1",
        "t[b]": "flag=True, #2",
        "t[c]": "flag=None",
    }


def test_the_feedback_names_each_case_too():
    files = {"losses": (ROOT / "solutions" / "losses.py").read_bytes()}
    result = SubmissionResult.from_dict(
        grade_submission(Submission("model", ROOT, files), GradeSettings(("losses",), 2))
    )
    text = feedback.markdown(result)
    for eps in ("1e-12", "1e-06", "0.001"):
        assert text.count(f"{CLIPS} (eps={eps})") == 4  # one per cross-entropy and gradient
    assert f"{CLIPS} (eps=1e-12)" in feedback.html_page(result)
