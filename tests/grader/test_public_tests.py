"""The public tests: solutions pass them all, untouched stubs are "not implemented" (skipped, not
failed), mistakes are named, a broken topic file is reported without stopping the others."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from exercises.tests._harness import load_cases
from exercises.tests._runner import run_check
from grader.examples import mistake_source
from grader.misconceptions import catalogue
from grader.release.build import ROOT
from reference import TOPICS


@pytest.fixture(scope="module")
def solution_results():
    return run_check(where="solutions")


@pytest.fixture(scope="module")
def stub_results():
    return run_check(where="exercises")


def _public_functions(topic: str) -> set[str]:
    import importlib

    module = importlib.import_module(f"solutions.{topic}")
    return {
        n
        for n, f in vars(module).items()
        if inspect.isfunction(f) and not n.startswith("_") and f.__module__ == module.__name__
    }


@pytest.mark.parametrize("topic", TOPICS)
def test_every_public_function_has_at_least_one_public_case(topic: str):
    covered = {c.function for c in load_cases(topic)}
    assert _public_functions(topic) <= covered, sorted(_public_functions(topic) - covered)


def test_solutions_pass_every_public_test(solution_results):
    failing = [
        (f"{r.topic}.{r.function}", r.messages[:1])
        for r in solution_results
        if r.status != "passed"
    ]
    assert solution_results and not failing


def test_untouched_stubs_are_reported_not_implemented_not_failed(stub_results):
    assert stub_results
    for r in stub_results:
        assert r.status == "not implemented", (r.topic, r.function, r.messages[:1])
        assert r.failed == 0 and r.not_implemented > 0 and not r.messages


def test_pytest_skips_a_stub_with_its_reason_and_no_traceback():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            str(ROOT / "exercises/tests/test_activations.py"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "GRADELAB_TARGET": "exercises"},
    )
    assert proc.returncode == 0, proc.stdout  # nothing failed: nothing is written yet
    assert "not implemented yet: activations.sigmoid" in proc.stdout
    assert re.search(r"\d+ skipped", proc.stdout) and "failed" not in proc.stdout
    for noise in ("Traceback", "raise NotImplementedError", "During handling"):
        assert noise not in proc.stdout, noise


def _learner_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "learner"
    folder.mkdir()
    for topic in TOPICS:
        shutil.copyfile(ROOT / "solutions" / f"{topic}.py", folder / f"{topic}.py")
    (folder / "__init__.py").write_text("")
    return folder


def test_check_runs_on_a_plain_folder_without_init(tmp_path):
    """A learner's folder of topic files needs no __init__.py (relative imports still work)."""
    folder = _learner_copy(tmp_path)
    (folder / "__init__.py").unlink()
    results = run_check(["activations", "backprop"], where=str(folder))
    assert results and all(r.status == "passed" for r in results), [r.messages[:1] for r in results]


def test_a_syntax_error_is_one_row_with_file_and_line_and_other_topics_still_run(tmp_path):
    folder = _learner_copy(tmp_path)
    source = (folder / "losses.py").read_text().splitlines()
    source.append("def broken(:")
    (folder / "losses.py").write_text("\n".join(source) + "\n")
    line = len(source)
    results = run_check(["losses", "activations"], where=str(folder))
    losses = [r for r in results if r.topic == "losses"]
    assert [r.status for r in losses] == ["does not load"]
    assert f"losses.py:{line}: SyntaxError" in losses[0].messages[0]
    assert losses[0].functions == len(_public_functions("losses"))
    assert all(r.status == "passed" for r in results if r.topic == "activations")


def _planted(tmp_path: Path, key: str) -> Path:
    topic, _, source = mistake_source(key)
    folder = _learner_copy(tmp_path)
    with (folder / f"{topic}.py").open("a") as fh:
        fh.write("\n\n" + source)  # the mistake as a learner's own code
    return folder


MISTAKES = [
    (m, case.id)
    for topic in TOPICS
    for entries in catalogue(topic).values()
    for m in entries
    for case in load_cases(topic)
    if case.function == m.function and any(x["key"] == m.key for x in case.mistakes)
]


@pytest.mark.parametrize(
    "mistake", sorted({m for m, _ in MISTAKES}, key=lambda m: m.key), ids=lambda m: m.key
)
def test_a_planted_mistake_fails_its_public_test_and_is_named(tmp_path, mistake):
    folder = _planted(tmp_path, mistake.key)
    results = run_check([mistake.topic], where=str(folder))
    target = next(r for r in results if r.function == mistake.function)
    assert target.status == "failed"
    assert any(f"looks like: {mistake.name}" in msg for msg in target.messages), target.messages
