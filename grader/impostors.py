"""Impostors: answers that are wrong as a whole, built generically from the right answer.

A catalogued mistake is one learner's bug; an impostor is what any function could return to
collect points without computing anything right: zeros, ones, constant rows (a uniform
"softmax"), an input echoed back, random values of the right shape, the right answer with one
entry changed, or the right answer to a different input. Each is built from the model answer's
output, the same way for every curriculum function, and planted as learner source like a mistake
(:func:`grader.examples.plant_impostor`). Every impostor must score 0 on its function
(``tests/grader/test_impostors.py``): points are for functions that are right.

:data:`VIOLATIONS` are the other way round: right values, one stated requirement broken (a
warning, another dtype, an input modified in place); ``tests/grader/test_stated_requirements.py``
requires each to lose points.

The ``_impostor_*`` functions below are planted into the learner's file, so they use NumPy and
builtins only (their source is copied, without annotations).
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

#: every kind of impostor, in the order the test runs them
KINDS = (
    "zeros",
    "ones",
    "constant_rows",
    "echo_input",
    "random",
    "perturbed",
    "other_input",
)

#: right values, one stated requirement broken: modifies its first array argument in place, raises
#: a NumPy overflow RuntimeWarning, returns the right values in another dtype (float arrays of whole
#: numbers as int64, integer arrays as float64, float32 as float64, an int as a float), returns its float64 arrays
#: narrowed to float32 (the curriculum: outputs are float64 unless a function says otherwise),
#: returns None where the docstring says it raises ValueError (the right answer everywhere else)
VIOLATIONS = ("mutates_input", "warns", "wrong_dtype", "narrowed", "swallows_errors")


def _impostor_other_input(value: Any) -> Any:
    """A different, equally valid input: arrays rolled along their last axis (one-hot rows stay
    one-hot, probabilities stay probabilities), ints + 1, floats × 1.5, the words of a text in
    reverse order; objects (generators, models, indexes) unchanged."""
    if isinstance(value, bool | np.bool_):
        return value
    if isinstance(value, np.ndarray):
        if value.ndim and value.shape[-1] > 1:
            return np.roll(value, 1, axis=-1)
        return np.flip(value, axis=0).copy() if value.ndim else value
    if isinstance(value, int | np.integer):
        return value + 1
    if isinstance(value, float | np.floating):
        return value * 1.5 if value else 0.5
    if isinstance(value, str):
        return " ".join(reversed(value.split(" ")))
    if isinstance(value, list | tuple):
        return type(value)(_impostor_other_input(v) for v in value)
    if isinstance(value, dict):
        return {k: _impostor_other_input(v) for k, v in value.items()}
    return value


def _impostor_arrays(value: Any) -> list[Any]:
    """The arrays inside ``value`` (nested containers flattened), in order."""
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, list | tuple):
        return [a for v in value for a in _impostor_arrays(v)]
    if isinstance(value, dict):
        return [a for v in value.values() for a in _impostor_arrays(v)]
    return []


def _impostor_close(a: Any, b: Any) -> bool:
    """Would a grader take ``a`` for ``b``? (Loose tolerances: an impostor must be far off.)"""
    if isinstance(a, np.ndarray | np.generic | int | float) and not isinstance(a, bool):
        try:
            a_arr, b_arr = np.asarray(a), np.asarray(b)
            return a_arr.shape == b_arr.shape and bool(
                np.allclose(a_arr, b_arr, rtol=1e-3, atol=1e-5, equal_nan=True)
            )
        except (TypeError, ValueError):
            return False
    if isinstance(a, list | tuple):
        return (
            isinstance(b, list | tuple)
            and len(a) == len(b)
            and all(_impostor_close(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(_impostor_close(a[k], b[k]) for k in a)
        )
    if isinstance(a, bool | str):
        return a == b
    return a is b  # an object: the same one


def _impostor_retype(value: Any) -> Any:
    """The same values in another dtype (see :data:`VIOLATIONS`); copies of every array."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and value.size and np.all(value == np.round(value)):
            return value.astype(np.int64)
        if value.dtype.kind in "iu":
            return value.astype(np.float64)
        if value.dtype == np.float32:
            return value.astype(np.float64)
        return value.copy()
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # "an int": the same count as a float
    if isinstance(value, list | tuple):
        return type(value)(_impostor_retype(v) for v in value)
    if isinstance(value, dict):
        return {k: _impostor_retype(v) for k, v in value.items()}
    return value


def _impostor_narrow(value: Any) -> Any:
    """The same values with every float64 array as float32 (see :data:`VIOLATIONS`)."""
    if isinstance(value, np.ndarray):
        return value.astype(np.float32) if value.dtype == np.float64 else value.copy()
    if isinstance(value, list | tuple):
        return type(value)(_impostor_narrow(v) for v in value)
    if isinstance(value, dict):
        return {k: _impostor_narrow(v) for k, v in value.items()}
    return value


def _impostor_leaf(kind: str, value: Any, rng: Any, inputs: list[Any], state: list[int]) -> Any:
    """``value`` (one leaf of the right answer) as the impostor ``kind`` returns it; ``state``
    counts the entries already perturbed (one in all)."""
    if kind == "copy" and isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        kind_of = value.dtype.kind
        if kind == "zeros":
            return np.zeros_like(value)
        if kind == "ones":
            return np.ones_like(value)
        if kind == "constant_rows":
            if kind_of != "f" or not value.ndim or not value.size:
                return value
            axis = -1 if value.shape[-1] > 1 else None  # a single column: the whole array's mean
            return np.broadcast_to(value.mean(axis=axis, keepdims=True), value.shape).copy()
        if kind == "echo_input":
            numeric = [a for a in inputs if a.dtype.kind in "biuf" and a.size]
            same = [a for a in numeric if a.shape == value.shape]
            if same:
                return same[0].astype(value.dtype)
            return np.resize(numeric[0], value.shape).astype(value.dtype) if numeric else value
        if kind == "random":
            if kind_of == "b":
                return rng.integers(0, 2, value.shape).astype(bool)
            if kind_of in "iu":
                top = int(value.max()) + 2 if value.size else 2
                return rng.integers(0, max(top, 2), value.shape).astype(value.dtype)
            return rng.standard_normal(value.shape).astype(value.dtype)
        if kind == "perturbed" and value.size and not state:
            state.append(1)
            out = value.copy()
            flat = out.reshape(-1)
            if kind_of == "b":
                flat[0] = not flat[0]
            elif kind_of in "iu":
                flat[0] = flat[0] + 1
            else:
                flat[0] = flat[0] + 1.0 + abs(flat[0])
            return out
        return value
    if isinstance(value, bool | np.bool_):
        table = {"zeros": False, "ones": True, "random": bool(rng.integers(0, 2))}
        if kind == "perturbed" and not state:
            state.append(1)
            return not value
        return table.get(kind, value)
    if isinstance(value, int | np.integer | float | np.floating):
        number = float if isinstance(value, float | np.floating) else int
        if kind == "zeros":
            return number(0)
        if kind == "ones":
            return number(1)
        if kind == "random":
            return number(rng.integers(-1000, 1000)) if number is int else rng.standard_normal()
        if kind == "perturbed" and not state:
            state.append(1)
            return value + 1 if number is int else value + 1.0 + abs(value)
        return value
    if isinstance(value, str):
        if kind == "zeros":
            return ""
        if kind == "ones":
            return "1"
        if kind == "random":
            return "".join(chr(97 + int(i)) for i in rng.integers(0, 26, max(len(value), 1)))
        if kind == "perturbed" and not state:
            state.append(1)
            return value + " x"
        return value
    if isinstance(value, list | tuple):
        return type(value)(_impostor_leaf(kind, v, rng, inputs, state) for v in value)
    if isinstance(value, dict):
        return {k: _impostor_leaf(kind, v, rng, inputs, state) for k, v in value.items()}
    return value  # an object (an index, a model): only "other_input" changes it


#: depth of impostor calls in progress: a function called by another one's right answer (softmax
#: inside mlp_forward) answers right, so that each impostor is wrong on its own function only
_IMPOSTOR_ACTIVE: list[int] = []


def _impostor_violate(kind: str, args: list[Any], out: Any) -> Any:
    """The right answer ``out`` with the requirement ``kind`` (see :data:`VIOLATIONS`) broken."""
    if kind == "wrong_dtype":
        return _impostor_retype(out)
    if kind == "narrowed":
        return _impostor_narrow(out)
    out = _impostor_leaf("copy", out, None, [], [])  # no view of an input survives the change
    if kind == "warns":
        with np.errstate(over="warn"):
            np.exp(np.full(1, 800.0))  # overflow: a RuntimeWarning, values untouched
    if kind == "mutates_input":
        floats = [a for a in _impostor_arrays(args) if a.dtype.kind == "f" and a.size]
        if floats and floats[0].flags.writeable:
            floats[0].reshape(-1)[0] += 1.0
    return out


def _impostor_wrap(kind: str, original: Any) -> Any:
    """The impostor ``kind`` of ``original`` (a function, or a module-level value)."""
    if not callable(original):
        return _impostor_leaf(kind, original, np.random.default_rng(0), [], [])

    def impostor(*args: Any, **kwargs: Any) -> Any:
        if _IMPOSTOR_ACTIVE:
            return original(*args, **kwargs)
        _IMPOSTOR_ACTIVE.append(1)
        try:
            if kind == "other_input":
                out = original(*_impostor_other_input(list(args)), **_impostor_other_input(kwargs))
                right = original(*args, **kwargs)
            elif kind == "swallows_errors":
                try:
                    return original(*args, **kwargs)
                except ValueError:
                    return None
            else:
                out = right = original(*args, **kwargs)
        finally:
            _IMPOSTOR_ACTIVE.pop()
        if kind in ("mutates_input", "warns", "wrong_dtype", "narrowed"):
            return _impostor_violate(kind, [*args, *kwargs.values()], right)
        if kind != "other_input":
            inputs = _impostor_arrays(list(args)) + _impostor_arrays(kwargs)
            out = _impostor_leaf(kind, right, np.random.default_rng(0), inputs, [])
        if _impostor_close(out, right):  # never the right answer, not even by chance
            out = _impostor_leaf("perturbed", right, np.random.default_rng(0), [], [])
        return out

    return impostor


#: the planted code: these functions' sources, in this order
_PLANTED: tuple[Callable[..., Any], ...] = (
    _impostor_other_input,
    _impostor_arrays,
    _impostor_close,
    _impostor_retype,
    _impostor_narrow,
    _impostor_leaf,
    _impostor_violate,
    _impostor_wrap,
)


def make(kind: str, original: Any) -> Any:
    """The impostor ``kind`` of ``original``, in this process (what the planted code does)."""
    if kind not in KINDS + VIOLATIONS:
        raise ValueError(f"unknown impostor kind {kind!r}; known: {', '.join(KINDS + VIOLATIONS)}")
    return _impostor_wrap(kind, original)


def impostor_source(functions: list[str], kind: str) -> str:
    """Source to append to a learner's topic file that rebinds each of ``functions`` to its
    impostor ``kind`` (NumPy only, no gradelab import, as a learner's file would be)."""
    if kind not in KINDS + VIOLATIONS:
        raise ValueError(f"unknown impostor kind {kind!r}; known: {', '.join(KINDS + VIOLATIONS)}")
    parts = ["import numpy as np", "_IMPOSTOR_ACTIVE = []"]
    for fn in _PLANTED:
        node = ast.parse(inspect.getsource(fn)).body[0]
        assert isinstance(node, ast.FunctionDef)
        parts.append(ast.unparse(_without_annotations(node)))
    for function in functions:
        if not function.isidentifier():
            raise ValueError(f"not a function name: {function!r}")
        parts.append(f"{function} = _impostor_wrap({kind!r}, {function})  # a planted impostor")
    return "\n\n".join(parts) + "\n"


def _without_annotations(node: ast.FunctionDef) -> ast.FunctionDef:
    for sub in ast.walk(node):
        if isinstance(sub, ast.FunctionDef):
            sub.returns = None
            every = [*sub.args.posonlyargs, *sub.args.args, *sub.args.kwonlyargs]
            every += [a for a in (sub.args.vararg, sub.args.kwarg) if a is not None]
            for arg in every:
                arg.annotation = None
    return node
