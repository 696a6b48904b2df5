"""Points only for functions that are right: every impostor of every curriculum function (zeros,
ones, constant rows, an input echoed back, random values of the right shape, the right answer with
one entry changed, the right answer to another input; see grader/impostors.py) scores 0 on it.

One grading run per (topic, kind) with every function of the topic replaced by its impostor at
once (an impostor calls the right answers of the others, so each is wrong on its own function only).
An impostor is planted for a function only where it really differs from the model answer on the
function's public cases (a constant-rows impostor of a function returning a scalar is the answer).
"""

from __future__ import annotations

import importlib
import inspect
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from exercises.tests._harness import compare, load_cases
from grader import impostors
from grader.engine.run import HIDDEN_DIR, run_hidden_tests
from grader.examples import plant_impostors, write_answers
from grader.settings import GradeSettings
from reference import TOPICS

GRADED = [t for t in TOPICS if (HIDDEN_DIR / f"test_{t}.py").exists()]


def curriculum(topic: str) -> list[str]:
    """The topic's learner-facing names: its public functions and module-level values."""
    module = importlib.import_module(f"solutions.{topic}")
    names = []
    for name, value in vars(module).items():
        if name.startswith("_"):
            continue
        own_function = inspect.isfunction(value) and value.__module__ == module.__name__
        if own_function or (name.isupper() and isinstance(value, np.ndarray)):
            names.append(name)
    return names


def _is_data(value: object) -> bool:
    return isinstance(value, np.ndarray | int | float | str | list | tuple | dict)


def _differs(kind: str, original: object, case) -> bool:
    args, kwargs = case.inputs()
    try:
        with np.errstate(all="ignore"):
            right = original(*args, **kwargs)
            args, kwargs = case.inputs()
            fake = impostors.make(kind, original)(*args, **kwargs)
    except Exception:
        return True  # an impostor that raises where the answer does not is wrong
    if not _is_data(right):  # an object (a faiss index): only another input can change it
        return kind == "other_input"
    return compare(fake, right, case.rtol, case.atol) is not None


@cache
def planted(topic: str, kind: str) -> tuple[str, ...]:
    """The functions of ``topic`` whose ``kind`` impostor differs from the model answer."""
    module = importlib.import_module(f"solutions.{topic}")
    cases = load_cases(topic)
    out = []
    for name in curriculum(topic):
        value = getattr(module, name)
        if not callable(value):  # a module-level value: its impostor is computed from it
            if compare(impostors.make(kind, value), value, 0.0, 0.0) is not None:
                out.append(name)
        elif any(_differs(kind, value, c) for c in cases if c.function == name):
            out.append(name)
    return tuple(out)


def test_every_curriculum_function_gets_impostors():
    """The impostor test covers every function: each gets every kind that can differ from its
    answer, and every function returning data (not an object such as a faiss index) gets at least
    zeros, random values and a perturbed entry."""
    for topic in GRADED:
        module = importlib.import_module(f"solutions.{topic}")
        cases = load_cases(topic)
        for name in curriculum(topic):
            kinds = {k for k in impostors.KINDS if name in planted(topic, k)}
            assert kinds, (topic, name)
            value = getattr(module, name)
            outputs = [value] if not callable(value) else []
            for c in (c for c in cases if c.function == name and callable(value)):
                args, kwargs = c.inputs()
                outputs.append(getattr(module, name)(*args, **kwargs))
            if all(_is_data(o) for o in outputs):
                assert {"zeros", "random", "perturbed"} <= kinds, (topic, name, sorted(kinds))


@pytest.mark.parametrize("kind", impostors.KINDS)
@pytest.mark.parametrize("topic", GRADED)
def test_impostor_scores_zero_on_its_function(tmp_path: Path, topic: str, kind: str):
    functions = planted(topic, kind)
    folder = write_answers(tmp_path / "impostor")
    plant_impostors(folder, topic, list(functions), kind)
    result = run_hidden_tests(
        folder,
        GradeSettings(topics=tuple([topic]), shrink=False),
        learner=f"impostor-{kind}",
        content_hash="-",
    )
    graded = {o.function for o in result.outcomes}
    assert set(functions) <= graded, f"not graded: {sorted(set(functions) - graded)}"
    leaks = [
        (o.function, o.check, o.points)
        for o in result.outcomes
        if o.function in functions and o.points > 0
    ]
    assert not leaks, f"{kind} impostors earn points: {leaks}"
