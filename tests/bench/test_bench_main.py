"""``python -m bench``: the quick run writes RESULTS.md with the machine, versions and every
section asked for; a broken section is reported as failed without losing the others' figures.
No timing assertions: speed belongs to ``make bench``."""

from __future__ import annotations

import re
import sys
import types

import nbformat
import pytest

import bench.__main__ as bench_main
from bench import nbgrader_compare, throughput
from bench.report import Row
from grader.nbgrader.course import source_notebook

FIGURE = re.compile(r"\d+\.\d+ (s|/min) \(\d+\.\d+–\d+\.\d+\)")


def test_quick_run_writes_machine_versions_and_each_sections_figures(tmp_path):
    out = tmp_path / "RESULTS.md"
    code = bench_main.main(
        ["--quick", "--repeat", "1", "--only", "learner", "grading", "--out", str(out)]
    )
    text = out.read_text()
    assert code == 0
    for field in ("- date:", "- machine:", "- versions: Python", "torch", "faiss"):
        assert field in text
    assert "## learner loop" in text and "## grading one submission" in text
    rows = [line for line in text.splitlines() if line.startswith("| `gradelab check")]
    assert len(rows) == 2 and all(FIGURE.search(r) for r in rows)
    model = next(line for line in text.splitlines() if "the model answers" in line)
    assert re.search(r"\((\d+(\.\d+)?)/\1 points", model)  # full marks, or the figure is void
    own = [line for line in text.splitlines() if "the grading process's own CPU" in line]
    # model answers and stubs, each a later submission from the trees and with every test run
    assert len(own) == 4 and all(FIGURE.search(line) for line in own)
    assert sum("answering as it did" in line for line in own) == 2
    assert sum("`GRADELAB_MEMO=off`" in line for line in own) == 2


def test_a_failing_section_is_reported_and_the_others_are_kept(tmp_path, monkeypatch):
    def broken(args):
        raise RuntimeError("boom")

    monkeypatch.setitem(
        sys.modules,
        "bench_fake_ok",
        types.SimpleNamespace(rows=lambda a: [Row("ok", "a figure", "1.00 s", "≤ 2 s", True)]),
    )
    monkeypatch.setitem(sys.modules, "bench_fake_broken", types.SimpleNamespace(rows=broken))
    monkeypatch.setattr(
        bench_main, "SECTIONS", {"learner": "bench_fake_broken", "grading": "bench_fake_ok"}
    )
    out = tmp_path / "RESULTS.md"
    assert bench_main.main(["--quick", "--out", str(out)]) == 1
    text = out.read_text()
    assert "| a figure | 1.00 s | ≤ 2 s | ✓ |" in text
    assert "this section failed" in text and "1 met, 1 not met" in text


def test_throughput_quick_run_grades_every_submission_in_every_configuration():
    import argparse

    rows = throughput.rows(argparse.Namespace(repeat=1, quick=True, device="cpu"))
    whats = [r.what for r in rows]
    assert any(w.startswith("`--jobs 1`, one core (4 varied submissions") for w in whats)
    assert sum(w.startswith("marginal cost per submission") for w in whats) == 2
    marginal = next(r for r in rows if r.what == "marginal cost per submission, one core")
    assert marginal.target == "≤ 0.5 s" and marginal.met is not None
    full = next(r for r in rows if r.what.startswith("marginal cost of a full-marks submission"))
    assert full.target == "≤ 0.35 s"
    assert (full.met is None) == full.value.startswith("no full-marks learner")
    scaling = next(r for r in rows if r.what.startswith("scaling from 1 to 2 cores"))
    assert scaling.met is not None and re.fullmatch(r"\d+\.\d\d× \(.*\)", scaling.value)
    steady = next(r for r in rows if r.what.startswith("scaling of the marginal cost"))
    assert steady.met is None and re.fullmatch(r"\d+\.\d\d× \(.*\)", steady.value)
    profile = {r.what.split(": ", 1)[1]: r.value for r in rows if r.what.startswith("profile")}
    assert re.fullmatch(r"\d+", profile["sandbox round trips"])
    assert re.fullmatch(r"\d+ / \d+", profile["reference answers computed / served from the cache"])
    assert profile["the whole grade (run_hidden_tests)"].endswith("(100 %)")
    trees = next(v for k, v in profile.items() if k.startswith("tests answered from the conv"))
    answered, _left, _without = map(int, re.fullmatch(r"(\d+) / (\d+) / (\d+)", trees).groups())
    assert answered > 0  # the later learners share most answers with the first
    per_example = next(v for k, v in profile.items() if k.startswith("replayed examples"))
    examples, trips, share, saved = map(int, re.findall(r"\d+", per_example))
    # trips − saved = examples making a trip (each figure a rounded mean per submission); the
    # examples are those of the tests that ran (not answered from the trees)
    assert 0 <= trips - saved <= examples + 1 and 0 <= share <= 100
    hits = next(r.value for r in rows if r.what.startswith("correct versions written unlike"))
    share, answered, tests, whole, versions = map(int, re.findall(r"\d+", hits))
    assert 0 <= answered <= tests and versions > 0 and 0 <= whole <= versions
    assert share == round(100 * answered / tests)
    floor = next(r.value for r in rows if r.what.startswith("a bare sandbox round trip"))
    assert re.fullmatch(r"\d+ µs \(\d+–\d+\); \d+ µs \(\d+–\d+\)", floor)


def test_the_full_marks_cost_is_the_step_before_each_full_marks_result_after_the_first():
    runs = [
        {"done": [5.0, 5.4, 6.4, 6.7], "full": [True, True, False, True]},  # steps 0.4 and 0.3
        {"done": [4.0, 5.0], "full": [True, False]},  # none after the first: no figure
    ]
    assert throughput.marginal_full_marks(runs) == pytest.approx([0.35])
    assert throughput.marginal(runs[:1]) == pytest.approx([(6.7 - 5.0) / 3])


def test_the_planted_nbgrader_notebook_holds_the_mistake_in_its_solution_cell(tmp_path):
    from grader.nbgrader.course import hidden_tests

    path = tmp_path / "activations.ipynb"
    nbformat.write(source_notebook("activations", hidden_tests("activations", 2)), path)
    nbgrader_compare.plant(path, nbgrader_compare.MISTAKE)
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    planted = [c for c in cells if "sigmoid_grad = sigmoid_grad_as_sigmoid" in c.source]
    assert len(planted) == 1 and "def sigmoid_grad(" in planted[0].source
    code = "\n\n".join(c.source for c in cells if not c.metadata.get("nbgrader", {}).get("grade"))
    namespace: dict = {}
    exec(code, namespace)  # the learner's code cells, without the autograded test cells
    assert float(namespace["sigmoid_grad"](0.0)) == pytest.approx(0.5)  # σ(0), not σ′(0) = 0.25


def test_the_learner_loop_section_runs_the_learner_cli_and_the_print_flood():
    """Both learner-loop benchmarks run the learner's `gradelab check` (a renamed entry point
    once broke `make bench` with every unit test green)."""
    import argparse

    from bench import learner

    rows = learner.rows(argparse.Namespace(repeat=1, quick=True))
    assert [r.what for r in rows] == ["`gradelab check forward`", "`gradelab check activations`"]
    flood = learner._print_flood(argparse.Namespace(repeat=1))
    assert flood.target == "≤ 3 s" and re.fullmatch(r"\d+\.\d\d s \(.*\)", flood.value)


def test_a_row_met_by_a_numpy_comparison_is_counted_in_the_summary():
    """The RAG rows' np.bool_ verdicts were shown ✗ but left out of the summary's count."""
    import numpy as np

    from bench.report import Row

    row = Row("RAG", "ratio", "1.10×", "≤ 1×", np.float64(1.1) <= 1.0)
    assert row.met is False and row.mark == "✗"
