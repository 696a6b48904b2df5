"""The machinery behind every public test: load the learner's module, call a function on a frozen
case, compare with the frozen expected output, and explain a mismatch in one line.

A mismatch is compared against the frozen outputs of the catalogued mistakes, so feedback can say
"looks like: Adam without bias correction" with a hint, as the grader does.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from ._checks import CHECKS
from ._data import DATA_DIR, decode, read_npz

DEFAULT_TARGET = "exercises"


@dataclass
class Case:
    """One frozen public test case of ``topic.function``."""

    topic: str
    id: str
    function: str
    note: str
    args: list[Any]
    kwargs: dict[str, Any]
    expected: Any
    rtol: float
    atol: float
    check: str | None
    mistakes: list[dict[str, Any]] = field(default_factory=list)
    arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def inputs(self) -> tuple[list[Any], dict[str, Any]]:
        """Fresh, live copies of the arguments (handles materialised)."""
        kwargs = {name: decode(value, self.arrays) for name, value in self.kwargs.items()}
        return decode(self.args, self.arrays), kwargs

    def __str__(self) -> str:
        return self.id


def load_cases(topic: str, data_dir: Path = DATA_DIR) -> list[Case]:
    """Every frozen case of ``topic`` (empty when the topic has no data yet)."""
    path = data_dir / f"{topic}.npz"
    if not path.is_file():
        return []
    manifest, arrays = read_npz(path)
    cases = []
    for raw in manifest["cases"]:
        cases.append(
            Case(
                topic=topic,
                id=raw["id"],
                function=raw["function"],
                note=raw.get("note", ""),
                args=raw["args"],
                kwargs=raw["kwargs"],
                expected=decode(raw["expected"], arrays, materialise=False),
                rtol=raw["rtol"],
                atol=raw["atol"],
                check=raw.get("check"),
                mistakes=[
                    {**m, "output": decode(m["output"], arrays, materialise=False)}
                    for m in raw.get("mistakes", [])
                ],
                arrays=arrays,
            )
        )
    return cases


# -- loading the learner's code -----------------------------------------------------------------


class LoadError(Exception):
    """The learner's topic file could not be imported; the message says where and why."""


def target() -> str:
    """What the public tests check: a package name (``exercises``) or a folder of topic files."""
    return os.environ.get("GRADELAB_TARGET", DEFAULT_TARGET)


@cache
def _package_for_folder(folder: str) -> str:
    """Register ``folder`` as an importable package so topic files' relative imports work."""
    name = f"_gradelab_learner_{abs(hash(folder))}"
    init = Path(folder) / "__init__.py"
    if init.exists():
        spec = importlib.util.spec_from_file_location(
            name, init, submodule_search_locations=[folder]
        )
    else:  # a plain folder of topic files: a namespace-like package over it
        spec = importlib.util.spec_from_loader(name, loader=None, is_package=True)
        if spec is not None:
            spec.submodule_search_locations = [folder]
    if spec is None:  # pragma: no cover - importlib always builds these specs
        raise LoadError(f"cannot import from {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    if init.exists() and spec.loader is not None:
        spec.loader.exec_module(module)
    return name


def _source_path(pkg: str, topic: str) -> str:
    spec = importlib.util.find_spec(f"{pkg}.{topic}")
    return spec.origin if spec and spec.origin else f"{pkg}/{topic}.py"


def load_topic(topic: str, where: str | None = None) -> ModuleType:
    """Import the learner's ``topic`` module; raise :class:`LoadError` with file:line on failure."""
    return _load_topic(topic, where or target())


@cache
def _load_topic(topic: str, where: str) -> ModuleType:
    is_package = all(part.isidentifier() for part in where.split("."))
    pkg = where if is_package else _package_for_folder(str(Path(where).resolve()))
    try:
        return importlib.import_module(f"{pkg}.{topic}")
    except SyntaxError as exc:
        raise LoadError(f"{exc.filename}:{exc.lineno}: {type(exc).__name__}: {exc.msg}") from None
    except ModuleNotFoundError as exc:
        if exc.name in (f"{pkg}.{topic}", pkg):
            raise LoadError(f"no {topic}.py found in {where}") from None
        raise LoadError(_describe_exception(exc, f"importing {topic}.py")) from None
    except Exception as exc:
        raise LoadError(_describe_exception(exc, f"importing {_source_path(pkg, topic)}")) from None


def _describe_exception(exc: BaseException, doing: str) -> str:
    """``doing`` failed: Type: message (at file:line of the innermost non-harness frame)."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if "exercises/tests/_" not in f.filename.replace(os.sep, "/")
        and "importlib" not in f.filename
    ]
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{doing} raised {type(exc).__name__}: {exc}{where}"


# -- comparing ----------------------------------------------------------------------------------


def _as_array(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor: learners may return one
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def compare(
    actual: Any, expected: Any, rtol: float, atol: float, path: str = "output"
) -> str | None:
    """None when ``actual`` matches ``expected``, else a one-line description of the first mismatch."""
    if isinstance(expected, tuple | list):
        if not isinstance(actual, tuple | list) and not (
            isinstance(actual, np.ndarray) and actual.ndim
        ):
            return f"{path} should be a {type(expected).__name__} of {len(expected)}, got {type(actual).__name__}"
        if len(actual) != len(expected):
            return f"{path} should have {len(expected)} items, got {len(actual)}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            problem = compare(a, e, rtol, atol, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(actual) != set(expected):
            return f"{path} should be a dict with keys {sorted(expected)}"
        for k in expected:
            problem = compare(actual[k], expected[k], rtol, atol, f"{path}[{k!r}]")
            if problem:
                return problem
        return None
    if isinstance(expected, str):
        if actual != expected:
            return f"{path} differs from the expected text:\n  got      {actual!r}\n  expected {expected!r}"
        return None
    if isinstance(expected, bool) or (isinstance(expected, int) and not isinstance(expected, bool)):
        try:
            ok = actual == expected and float(actual).is_integer()
        except (TypeError, ValueError):
            ok = False
        return None if ok else f"{path} should be {expected!r}, got {actual!r}"
    exp = np.asarray(expected)
    try:
        act = _as_array(actual)
    except Exception:
        return f"{path} should be an array, got {type(actual).__name__}"
    if act.dtype == object or (not np.issubdtype(act.dtype, np.number) and act.dtype != bool):
        return f"{path} should be a numeric array, got dtype {act.dtype}"
    if act.shape != exp.shape:
        return f"{path} has shape {act.shape}, expected {exp.shape}"
    problem = dtype_problem(act, exp, path)
    if problem:
        return problem
    act = act.astype(np.float64)
    exp = exp.astype(np.float64)
    close = np.isclose(act, exp, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    bad = np.argwhere(~close)[0]
    idx = tuple(int(i) for i in bad)
    err = np.abs(act - exp)
    err = np.where(np.isnan(err), np.inf, err)
    where = f"{path}[{', '.join(map(str, idx))}]" if idx else path
    return (
        f"{where} = {float(act[idx])!r}, expected {float(exp[idx])!r} "
        f"(max abs error {float(np.max(err)):.3g}, {int((~close).sum())} of {close.size} entries differ)"
    )


def dtype_problem(act: np.ndarray, exp: np.ndarray, path: str = "output") -> str | None:
    """The dtype rule of the curriculum, for arrays (a Python number is converted as it is):
    outputs are float arrays unless said (``one_hot`` included: an int64 one-hot fails), index
    outputs (``top_k``) integer arrays. Float widths are not compared here (``embed`` and
    ``search`` state float32, and their own checks grade it)."""
    if not act.ndim:
        return None
    if exp.dtype.kind == "f" and act.dtype.kind != "f":
        return f"{path} should be a float array ({exp.dtype}), got {act.dtype}"
    if exp.dtype.kind in "iu" and act.dtype.kind not in "iu":
        return f"{path} should be an integer array ({exp.dtype}), got {act.dtype}"
    return None


def diagnose(actual: Any, case: Case) -> str:
    """Name the catalogued mistake(s) ``actual`` matches (all of them when several give the same
    output on this case), or return "" when none does."""
    matches = [
        m for m in case.mistakes if compare(actual, m["output"], case.rtol, case.atol) is None
    ]
    if not matches:
        return ""
    first = f"looks like: {matches[0]['name']}. Hint: {matches[0]['hint']}"
    others = "; ".join(m["name"] for m in matches[1:])
    return first + (f" (on this case it could also be: {others})" if others else "")


# -- running one case ---------------------------------------------------------------------------


def _snapshot(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple | list):
        return [_snapshot(v) for v in value]
    return None


def _mutated(before: Any, after: Any) -> bool:
    if isinstance(before, np.ndarray):
        return not (before.shape == after.shape and np.array_equal(before, after, equal_nan=True))
    if isinstance(before, list):
        return any(_mutated(b, a) for b, a in zip(before, after, strict=False))
    return False


def run_case(case: Case, where: str | None = None) -> None:
    """Run ``case`` against the learner's code; ``pytest.fail`` with one line on any problem."""
    qual = f"{case.topic}.{case.function}"
    try:
        module = load_topic(case.topic, where)
    except LoadError as exc:
        pytest.fail(f"cannot load {case.topic}: {exc}", pytrace=False)
    if not hasattr(module, case.function):
        pytest.fail(f"{qual} is missing: define it in {case.topic}.py", pytrace=False)
    fn = getattr(module, case.function)
    args, kwargs = case.inputs()
    before = _snapshot(args), {k: _snapshot(v) for k, v in kwargs.items()}
    if not callable(fn):  # a module-level value the learner fills in (e.g. a filter)
        if fn is None:
            pytest.fail(f"not implemented yet: {qual}", pytrace=False)
        actual = fn
    else:
        try:
            with np.errstate(all="ignore"):
                actual = fn(*args, **kwargs)
        except NotImplementedError:
            pytest.fail(f"not implemented yet: {qual}", pytrace=False)
        except Exception as exc:  # the learner's error, reported in one line
            pytest.fail(
                f"{qual} ({case.note or case.id}): {_describe_exception(exc, 'the call')}",
                pytrace=False,
            )
    for i, (b, a) in enumerate(zip(before[0], args, strict=True)):
        if _mutated(b, a):
            pytest.fail(
                f"{qual} modified its argument #{i + 1} in place; return a new array instead",
                pytrace=False,
            )
    for k, b in before[1].items():
        if _mutated(b, kwargs[k]):
            pytest.fail(
                f"{qual} modified its argument {k!r} in place; return a new array instead",
                pytrace=False,
            )
    if case.check:
        problem = CHECKS[case.check](actual, args, kwargs, case.expected)
    else:
        problem = compare(actual, case.expected, case.rtol, case.atol)
    if problem:
        diagnosis = diagnose(actual, case) if not case.check else ""
        detail = f" — {diagnosis}" if diagnosis else ""
        pytest.fail(f"{qual} ({case.note or case.id}): {problem}{detail}", pytrace=False)


def topic_params(topic: str) -> list[Any]:
    """``pytest.param`` per case of ``topic``, id ``<function>-<n>``, for ``parametrize``."""
    return [pytest.param(c, id=c.id) for c in load_cases(topic)]
