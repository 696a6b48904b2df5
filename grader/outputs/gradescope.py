"""Gradescope's ``results.json`` for one submission.

Fields Gradescope reads: top-level ``score``, ``output``, ``output_format``, ``visibility``,
``stdout_visibility``, ``tests``; per test ``name``, ``score``, ``max_score``, ``status``
(``passed``/``failed``), ``output``, ``output_format``, ``visibility``, ``tags``. gradelab adds
``max_score`` at the top and its own details under ``extra_data`` (Gradescope keeps and ignores
it). Nothing time-dependent is written, so regrading the same submission gives a byte-identical
file. Learner text shown by Gradescope (test output) has its control and bidi characters escaped
(:func:`grader.outputs.escape.visible`), and the file itself writes any left in data (the learner
id) as ``\\uXXXX`` escapes. Every output is declared ``"output_format": "text"``
(:data:`OUTPUT_FORMAT`): Gradescope's default, ``simple_format`` (Rails' helper of that name),
keeps the HTML its sanitizer allows, so a learner's exception message ``<a href=...>`` or
``<img src=https://...>`` could become a link or a remote image on the page staff read.

Each test's ``visibility`` is the one its hidden test declares (``after_due_date`` unless the
test says otherwise), or, given a ``visibility`` map (topic → Gradescope visibility, ``"*"`` for
every other topic: ``gradelab gradescope --visibility/--topic-visibility``), the map's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from grader.outputs.escape import folder_name, json_text, visible
from grader.results import SubmissionResult

#: how Gradescope renders every output: as the text it is, never as HTML or Markdown
OUTPUT_FORMAT = "text"
#: the output formats Gradescope knows
OUTPUT_FORMATS = ("text", "html", "simple_format", "md", "ansi")


def _round(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 4)


def test_visibility(topic: str, declared: str, visibility: Mapping[str, str] | None) -> str:
    """A test's Gradescope visibility: the map's for its topic, its default, else as declared."""
    if not visibility:
        return declared
    return visibility.get(topic, visibility.get("*", declared))


def results_json(
    result: SubmissionResult, visibility: Mapping[str, str] | None = None
) -> dict[str, Any]:
    tests = []
    for o in result.outcomes:
        output = visible(o.message, keep="\n")
        if o.input and o.status == "failed":
            output += f"\nMinimal failing call: {visible(o.input)}"
        test: dict[str, Any] = {
            "name": o.name,
            "score": _round(o.points),
            "max_score": _round(o.max_points),
            "status": "passed" if o.status == "passed" else "failed",
            "output": output,
            "output_format": OUTPUT_FORMAT,
            "visibility": test_visibility(o.topic, o.visibility, visibility),
            "tags": [o.topic, o.function],
            "extra_data": {"outcome": o.status, "diagnosis": o.diagnosis},
        }
        tests.append(test)
    missing = ", ".join(result.missing_topics)
    summary = score_line(result.score, result.max_score, [t["visibility"] for t in tests])
    if missing:
        summary += f" Missing topic files (0 points): {missing}."
    return {
        "score": _round(result.score),
        "max_score": _round(result.max_score),
        "output": summary,
        "output_format": OUTPUT_FORMAT,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "gradelab": {
                "learner": result.learner,
                "folder": folder_name(result.learner),
                "content_hash": result.content_hash,
                "sandbox": "bubblewrap" if "bubblewrap" in result.sandbox else "rlimits-only",
                "sandbox_layers": result.sandbox,
                "versions": result.versions,
                "diagnoses": sorted({o.diagnosis for o in result.outcomes if o.diagnosis}),
                "missing_topics": result.missing_topics,
            }
        },
    }


#: when Gradescope shows tests of each visibility, as said to the learner
WHEN = {
    "after_due_date": "after the due date",
    "after_published": "when grades are published",
    "hidden": "to instructors only",
}


def _points(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.4g}"


def score_line(score: float, max_score: float, visibilities: Iterable[str]) -> str:
    """The always-visible summary's score, only when every test is visible: Gradescope hides
    the total while tests are ``after_due_date`` or ``after_published``, and "37/55 points."
    above them gave it away (``hidden`` tests with points do not hide it, by Gradescope's
    documentation: a course's choice, not stated here either). Else when results are shown."""
    later = sorted({v for v in visibilities if v != "visible"}, key=list(WHEN).index)
    if not later:
        return f"{_points(score)}/{_points(max_score)} points."
    when = "; ".join(WHEN[v] for v in later)
    return f"Graded tests run; their results are shown {when}."


def render(result: SubmissionResult, visibility: Mapping[str, str] | None = None) -> str:
    return json_text(results_json(result, visibility), indent=2, sort_keys=False) + "\n"


REQUIRED_TEST_FIELDS = {
    "name": str,
    "score": (int, float),
    "max_score": (int, float),
    "status": str,
    "output": str,
    "visibility": str,
}


def validate(document: dict[str, Any]) -> list[str]:
    """Problems with ``document`` as a Gradescope results file (empty when valid)."""
    problems = []
    if not isinstance(document.get("score"), int | float):
        problems.append("score must be a number")
    if not isinstance(document.get("tests"), list):
        return [*problems, "tests must be a list"]
    for i, test in enumerate(document["tests"]):
        for key, kind in REQUIRED_TEST_FIELDS.items():
            if not isinstance(test.get(key), kind):
                problems.append(f"tests[{i}].{key} missing or of the wrong type")
        if test.get("output_format", "simple_format") not in OUTPUT_FORMATS:
            problems.append(f"tests[{i}].output_format is not a Gradescope output format")
        if test.get("status") not in ("passed", "failed"):
            problems.append(f"tests[{i}].status must be passed or failed")
        if test.get("visibility") not in ("hidden", "after_due_date", "after_published", "visible"):
            problems.append(f"tests[{i}].visibility is not a Gradescope visibility")
        score, top = test.get("score"), test.get("max_score")
        numeric = isinstance(score, int | float) and isinstance(top, int | float)
        if numeric and not 0 <= score <= top:
            problems.append(f"tests[{i}].score outside [0, max_score]")
    total = sum(
        t.get("score", 0) for t in document["tests"] if isinstance(t.get("score"), int | float)
    )
    if isinstance(document.get("score"), int | float) and abs(total - document["score"]) > 1e-6:
        problems.append("score is not the sum of the tests' scores")
    return problems
