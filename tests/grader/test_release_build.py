"""exercises/ stays in sync with solutions/ and the reference, and every stub is a real stub."""

from __future__ import annotations

import ast
import importlib
import inspect

import numpy as np
import pytest

from grader.release.build import ROOT, _close_for_dtype, build_exercises
from grader.release.strip import find_blocks
from reference import TOPICS

RELEASED = [t for t in TOPICS if (ROOT / "solutions" / f"{t}.py").exists()]


def public_functions(module: object) -> dict[str, object]:
    return {
        name: fn
        for name, fn in vars(module).items()
        if inspect.isfunction(fn) and not name.startswith("_") and fn.__module__ == module.__name__
    }


def test_every_topic_has_solutions():
    assert list(TOPICS) == RELEASED


def test_exercises_are_in_sync_with_solutions_and_reference():
    """Fails when someone edits solutions/, grader/cases/ or the reference without `gradelab release`."""
    report = build_exercises(check=True)
    assert report.stale == [], f"run `gradelab release`; out of date: {report.stale}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_frozen_data_counts_as_in_sync_within_its_dtypes_rounding(dtype):
    """A float32 output one ulp away (another CPU's kernels) is in sync; a real change of the
    data, float32 or float64, is not; float64 keeps its 1e-12 relative bar."""
    old = np.array([0.53150785, -0.25, 1e-3, 0.0], dtype=dtype)
    ulp = np.spacing(old)
    assert _close_for_dtype(old + ulp, old)
    assert not _close_for_dtype(old * (1 + 1e-4), old)
    if dtype == np.float64:
        assert _close_for_dtype(old * (1 + 1e-13), old)
        assert not _close_for_dtype(old * (1 + 1e-10), old)


@pytest.mark.parametrize("topic", RELEASED)
def test_stub_keeps_every_public_signature_and_docstring(topic: str):
    solution = importlib.import_module(f"solutions.{topic}")
    stub = importlib.import_module(f"exercises.{topic}")
    sol_fns, stub_fns = public_functions(solution), public_functions(stub)
    assert sorted(stub_fns) == sorted(sol_fns)
    for name, fn in sol_fns.items():
        assert inspect.signature(stub_fns[name]) == inspect.signature(fn), name
        assert inspect.getdoc(stub_fns[name]) == inspect.getdoc(fn), name
    assert inspect.getdoc(stub) == inspect.getdoc(solution)


@pytest.mark.parametrize("topic", RELEASED)
def test_every_solution_function_is_a_block_and_its_stub_raises_with_a_hint(topic: str):
    source = (ROOT / "solutions" / f"{topic}.py").read_text()
    in_block = {b.function for b in find_blocks(source)}
    solution = importlib.import_module(f"solutions.{topic}")
    stub = importlib.import_module(f"exercises.{topic}")
    for name in public_functions(solution):
        assert name in in_block, f"solutions/{topic}.py: {name} has no solution block"
        node = next(
            n
            for n in ast.parse(inspect.getsource(getattr(stub, name))).body
            if isinstance(n, ast.FunctionDef)
        )
        raises = [n for n in ast.walk(node) if isinstance(n, ast.Raise)]
        assert raises, f"exercises/{topic}.py: {name} does not raise NotImplementedError"
        message = ast.literal_eval(raises[0].exc.args[0])  # type: ignore[union-attr]
        assert (
            message.startswith(f"{topic}.{name}: ") and len(message) > len(topic) + len(name) + 12
        )


@pytest.mark.parametrize("topic", RELEASED)
def test_solutions_use_numpy_not_torch(topic: str):
    tree = ast.parse((ROOT / "solutions" / f"{topic}.py").read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert not imported & {"torch", "reference", "grader"}, imported
