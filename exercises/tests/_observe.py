"""What one call did besides returning a value: the arguments it changed in place, the arguments
its result shares memory with, and the warnings and floating-point errors it raised — those it
silenced included.

The curriculum's rules "functions never modify their inputs, they return new arrays" and "must
not overflow or warn" are held by ``gradelab check`` (``_harness.py``) and by grading (the
sandboxed worker, ``grader/sandbox/worker.py``, loads this file by path, as it loads
``_handles.py``) with this one module, so both always agree on what a call did.

This file is self-contained (NumPy and the standard library only): the sandbox loads it by path.

- :class:`Arguments` snapshots every array and every list/dict an argument holds, nested ones
  included (an MLP's ``layers``: a list of ``(W, b)`` tuples), and names what changed:
  ``#2`` (the second positional argument), ``#1[0][1]`` (inside it), ``x`` (a keyword argument).
  A list or dict changed when its items are not the very same objects any more (``pop``,
  ``reverse``, an item replaced); an array when its shape, dtype or values differ.
- :meth:`Arguments.aliased`: the array arguments whose memory an array of the result shares
  (``return x``, ``x.reshape(...)``, a nested input returned as is).
- :class:`Returned`: whether a call returned memory an earlier call of the same function
  returned too (a module-level buffer reused by every call).
- :func:`purity_problem`: the one wording of a broken purity rule, for every caller.
- :func:`recording`: the warnings one call raised, and NumPy's divide, overflow and invalid-value
  errors whatever the code asked for. Inside the block NumPy reports them to the recorder
  (mode ``"log"``) instead of through the ``warnings`` module, and ``np.seterr``/``np.errstate``
  called by the code cannot switch them off: ``with np.errstate(all="ignore")`` around
  ``np.exp(1000)`` still counts as the overflow it is. A request to *raise* is kept (code that
  catches ``FloatingPointError`` behaves as written).
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

try:  # NumPy 2: every np.seterr/np.errstate goes through _ufunc_config._make_extobj
    from numpy._core import _ufunc_config

    _MAKE_EXTOBJ = _ufunc_config._make_extobj
except (ImportError, AttributeError):  # NumPy 1.x: errors the code silences are not seen
    _ufunc_config = None

#: containers nested deeper than this are not looked into
MAX_DEPTH = 8
#: at most this many warnings of one call are kept, each cut to MAX_CHARS characters
MAX_KEPT = 5
MAX_CHARS = 300


# -- arguments changed in place, results that share an argument's memory ----------------------


def _same_values(old: np.ndarray, new: np.ndarray) -> bool:
    """Equal shape, dtype and values (NaN equal to NaN); the same bytes settle it at once."""
    if old.shape != new.shape or old.dtype != new.dtype:
        return False
    if old.tobytes() == new.tobytes():
        return True
    try:
        return bool(np.array_equal(old, new, equal_nan=True))
    except TypeError:  # a dtype without NaN semantics (strings): the bytes said no
        return False


class Arguments:
    """A snapshot of a call's arguments, taken before the call (:meth:`take`)."""

    def __init__(self) -> None:
        #: (name, the object, a copy of an array or the items of a list/dict)
        self._held: list[tuple[str, Any, Any]] = []

    @classmethod
    def take(cls, args: list[Any] | tuple[Any, ...], kwargs: dict[str, Any]) -> Arguments:
        snapshot = cls()
        for i, value in enumerate(args):
            snapshot._walk(f"#{i + 1}", value, 0)
        for key, value in kwargs.items():
            snapshot._walk(str(key), value, 0)
        return snapshot

    def _walk(self, name: str, value: Any, depth: int) -> None:
        kind = type(value)
        if isinstance(value, np.ndarray):
            self._held.append((name, value, value.copy()))
        elif depth >= MAX_DEPTH:
            return
        elif kind is list or kind is tuple:
            if kind is list:
                self._held.append((name, value, list(value)))
            for j, item in enumerate(value):
                self._walk(f"{name}[{j}]", item, depth + 1)
        elif kind is dict:
            self._held.append((name, value, dict(value)))
            for key, item in value.items():
                self._walk(f"{name}[{key!r}]", item, depth + 1)

    def mutated(self) -> list[str]:
        """Names of the arguments (or parts of them) the call changed, outermost first."""
        changed = []
        for name, obj, before in self._held:
            if isinstance(obj, np.ndarray):
                same = _same_values(before, obj)
            elif isinstance(obj, list):
                same = len(obj) == len(before) and all(
                    a is b for a, b in zip(obj, before, strict=True)
                )
            else:  # a dict
                same = obj.keys() == before.keys() and all(obj[k] is v for k, v in before.items())
            if not same:
                changed.append(name)
        return changed

    def aliased(self, result: Any) -> list[str]:
        """Names of the array arguments whose memory an array of ``result`` shares: the function
        returned its input (or a view of it) where the curriculum asks for a new array. Distinct
        allocations never overlap, so overlapping bounds mean the same buffer."""
        returned = result_arrays(result)
        if not returned:
            return []
        return [
            name
            for name, obj, _ in self._held
            if isinstance(obj, np.ndarray) and any(np.may_share_memory(r, obj) for r in returned)
        ]


class Returned:
    """The arrays each function returned lately, held alive: a fresh allocation never overlaps a
    live one, so a result that does reuses memory the function keeps between calls (an audit's
    ``rnn_forward`` filled one module-level ``hs`` buffer per shape on every call; the caller's
    earlier result changes when it calls again). Each function's last :data:`KEPT` results are
    held, up to :data:`HELD_BYTES` together: a buffer reused on the very next call (what
    ``assert_pure``'s repeated call makes) is always seen, and a call costs microseconds."""

    KEPT = 4
    HELD_BYTES = 16 * 2**20

    def __init__(self) -> None:
        self._held: dict[str, list[list[np.ndarray]]] = {}

    def reused(self, function: str, result: Any) -> bool:
        arrays = result_arrays(result)
        held = self._held.setdefault(function, [])
        hit = any(np.may_share_memory(a, b) for a in arrays for old in held for b in old)
        held.append([a for a in arrays if a.nbytes <= self.HELD_BYTES])
        while len(held) > self.KEPT or sum(a.nbytes for old in held for a in old) > self.HELD_BYTES:
            held.pop(0)
        return hit


def view_returned(argument: str) -> str:
    """What a function that returned ``argument`` (or a view of it) is told."""
    return (
        f"returned its argument {argument} itself or a view of it (e.g. a reshape), not a new "
        "array: copy it (np.array(x), x.copy())"
    )


#: what a function that returned memory an earlier call returned too is told
REUSED = (
    "returned the same memory as an earlier call (an array it keeps between calls): the "
    "caller's earlier result changes too; return a new array on every call"
)


def purity_problem(mutated: list[str], aliased: list[str], reused: bool = False) -> str | None:
    """Why a call broke the curriculum's rule "functions never modify their inputs, they return
    new arrays" (None when it did not): one wording for ``gradelab check`` and grading."""
    if mutated:
        return f"modified its argument {mutated[0]} in place; return new arrays"
    if aliased:
        return view_returned(aliased[0])
    if reused:
        return REUSED
    return None


def result_arrays(value: Any, depth: int = 0) -> list[np.ndarray]:
    """The arrays a result holds (itself, or inside tuples/lists/dicts; a torch tensor as the
    NumPy array that shares its memory)."""
    if depth > MAX_DEPTH * 2:
        return []
    if type(value).__module__.startswith("torch") and hasattr(value, "detach"):
        try:
            value = value.detach().cpu().numpy()
        except Exception:  # a tensor NumPy cannot view (e.g. bfloat16): its conversion says so
            return []
    if isinstance(value, np.ndarray):  # as a base-class view: a subclass's own overrides of
        return [np.ndarray.view(value, np.ndarray)]  # may_share_memory can never answer for it
    if isinstance(value, list | tuple):
        return [a for v in value for a in result_arrays(v, depth + 1)]
    if isinstance(value, dict):
        return [a for v in value.values() for a in result_arrays(v, depth + 1)]
    return []


# -- warnings and floating-point errors, silenced or not -----------------------------------------

#: NumPy's floating-point error categories the recorder holds on to
HELD = ("divide", "over", "invalid")
_state = {"depth": 0}
_lock = threading.Lock()


class _FloatingPointLog:
    """NumPy's ``"log"`` mode writes ``"Warning: overflow encountered in exp\\n"`` here."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, message: str) -> None:
        if len(self.lines) < MAX_KEPT:
            text = message.strip().removeprefix("Warning: ")
            self.lines.append(f"RuntimeWarning: {text}"[:MAX_CHARS])


_LOG = threading.local()


def _held_extobj(**requested: Any) -> Any:
    """NumPy's ``_make_extobj`` as ``np.seterr``/``np.errstate`` call it, with :data:`HELD`
    reported to the active recorder whatever was asked, unless it was asked to raise."""
    log = getattr(_LOG, "current", None)
    if log is None:  # another thread, or no recording: as asked
        return _MAKE_EXTOBJ(**requested)
    every = requested.pop("all", None)
    for key in HELD:
        asked = requested.get(key) or every
        requested[key] = "raise" if asked == "raise" else "log"
    under = requested.get("under") or every
    requested["under"] = "ignore" if under in ("call", "log") else under  # no underflow held
    requested["call"] = log
    return _MAKE_EXTOBJ(**requested)


@contextlib.contextmanager
def recording() -> Iterator[list[str]]:
    """Record what the block raised as ``"Category: message"`` lines (at most :data:`MAX_KEPT`):
    NumPy's divide, overflow and invalid-value errors (silenced or not) and every warning."""
    kept: list[str] = []
    log = _FloatingPointLog()
    outer = getattr(_LOG, "current", None)
    _LOG.current = log
    with _lock:
        _state["depth"] += 1
        if _ufunc_config is not None:
            _ufunc_config._make_extobj = _held_extobj
    modes = {"divide": "log", "over": "log", "invalid": "log", "call": log}
    if _ufunc_config is None:
        modes = {"divide": "warn", "over": "warn", "invalid": "warn"}
    try:
        with warnings.catch_warnings(record=True) as caught, np.errstate(**modes):
            warnings.simplefilter("always")
            try:
                yield kept
            finally:
                kept.extend(log.lines)
                kept.extend(
                    f"{w.category.__name__}: {w.message}"[:MAX_CHARS]
                    for w in caught[: MAX_KEPT - len(kept)]
                )
    finally:
        _LOG.current = outer
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0 and _ufunc_config is not None:
                _ufunc_config._make_extobj = _MAKE_EXTOBJ
