"""What a learner's function's own code says about a failure: hints read from its bytecode.

:func:`unimplemented_callee` names the still-unwritten function a written one calls (its
``NotImplementedError`` is not the caller's), :func:`returned_none` recognises a forgotten
``return``. Both read code objects only: nothing of the learner's is called. Standard library only.
"""

from __future__ import annotations

import dis
import inspect
import types
from typing import Any

NONE_SIGNS = ("got None", "got NoneType", "got dtype object")  # how a None output is described
DEPTH = 3  # callees of callees followed


def _code(obj: Any) -> types.CodeType | None:
    fn = inspect.unwrap(obj) if callable(obj) else None
    return getattr(fn, "__code__", None)


def _names(code: types.CodeType) -> list[str]:
    """Global and attribute names ``code`` uses, nested lambdas and comprehensions included."""
    names = list(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names += _names(const)
    return names


def is_stub(obj: Any) -> bool:
    """A function whose own code raises ``NotImplementedError`` (a release stub)."""
    code = _code(obj)
    return code is not None and "NotImplementedError" in _names(code)


def _label(fn: Any) -> str:
    module = (getattr(fn, "__module__", "") or "").rsplit(".", 1)[-1]
    return f"{module}.{fn.__name__}" if module else fn.__name__


def _callees(fn: Any) -> list[Any]:
    """Functions ``fn`` names: globals of its module, and attributes of modules it names."""
    code = _code(fn)
    if code is None:
        return []
    names = _names(code)
    scope = getattr(inspect.unwrap(fn), "__globals__", {})
    found = []
    for name in dict.fromkeys(names):
        value = scope.get(name)
        if isinstance(value, types.ModuleType):
            found += [
                getattr(value, n) for n in dict.fromkeys(names) if callable(getattr(value, n, None))
            ]
        elif isinstance(value, types.FunctionType):
            found.append(value)
    return [f for f in found if isinstance(f, types.FunctionType) and f is not fn]


def unimplemented_callees(fn: Any) -> list[str]:
    """The stubs (``activations.relu``, …) a written ``fn`` calls, directly or through its own
    helpers; [] when ``fn`` is a stub itself or calls none."""
    if fn is None or is_stub(fn):
        return []
    stubs: list[str] = []
    seen: set[int] = {id(fn)}
    frontier = [fn]
    for _ in range(DEPTH):
        nxt = []
        for f in frontier:
            for callee in _callees(f):
                if id(callee) in seen:
                    continue
                seen.add(id(callee))
                (stubs.append(_label(callee)) if is_stub(callee) else nxt.append(callee))
        if stubs:
            break
        frontier = nxt
    return stubs


def calls_a_stub(qual: str, fn: Any) -> str:
    """ "forward.mlp_forward calls activations.relu, which is not implemented yet" ("" if not)."""
    stubs = unimplemented_callees(fn)
    if not stubs:
        return ""
    if len(stubs) == 1:
        return f"{qual} calls {stubs[0]}, which is not implemented yet"
    return (
        f"{qual} calls {stubs[0]} and {len(stubs) - 1} more function"
        f"{'s' if len(stubs) > 2 else ''} not implemented yet"
    )


def returns_nothing(fn: Any) -> bool:
    """True when no ``return`` of ``fn`` gives a value (all of them return None)."""
    code = _code(fn)
    if code is None or code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE):
        return False
    previous = None
    for ins in dis.get_instructions(code):
        if ins.opname == "RETURN_CONST" and ins.argval is not None:
            return False
        if ins.opname == "RETURN_VALUE" and not (
            previous is not None and previous.opname == "LOAD_CONST" and previous.argval is None
        ):
            return False
        previous = ins
    return True


def returned_none(fn: Any, message: str) -> bool:
    """A failure ``message`` about a None output from ``fn``, which never returns a value."""
    return any(sign in message for sign in NONE_SIGNS) and returns_nothing(fn)
