"""The reference's answers, computed once per grading process and shared by every learner.

Inputs are derandomized and replayed (``grader.engine.replay``), so every learner of a class is
checked on the same inputs and the reference's answer to each is the same for all of them. This
module keeps those answers: key = (topic, function, digest of the arguments), value = the NumPy
answer. Invariants:

- only plain data is cached: ndarrays, Python scalars, ``str``/``None`` and tuples/lists/dicts of
  those; any other argument (a generator, a handle) computes afresh each time;
- the digest covers type, dtype, shape and the raw bytes of every array, and ``repr`` of every
  scalar (``-0.0`` ≠ ``0.0``, ``True`` ≠ ``1``), so equal digests mean equal inputs;
- every hit returns a deep copy: a test that mutates an answer cannot change the next learner's;
- memory is bounded (``LIMIT_BYTES``, least recently used answers go first);
- a reference call that raises is not cached (it raises again, the same way).

``GRADELAB_ANSWER_CACHE=0`` (read at each call) or ``ENABLED = False`` turns the cache off.
"""

from __future__ import annotations

import copy
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

#: the switch: False computes every answer afresh (``GRADELAB_ANSWER_CACHE=0`` does the same)
ENABLED: bool = True
#: at most this many bytes of cached answers per process
LIMIT_BYTES: int = 256 * 2**20

_SCALARS = (bool, int, float, complex, str, bytes, type(None), np.generic)
_answers: OrderedDict[tuple[str, str, bytes], tuple[Any, int]] = OrderedDict()
_stats = {"hits": 0, "misses": 0, "bytes": 0}
_lock = threading.Lock()  # a Dask worker may grade in several threads of one process


class _Uncacheable(Exception):
    pass


def enabled() -> bool:
    """Whether answers are cached now (the module switch and the environment variable)."""
    return ENABLED and os.environ.get("GRADELAB_ANSWER_CACHE", "1") != "0"


def _feed(h: Any, value: Any) -> None:
    h.update(type(value).__qualname__.encode() + b"\0")
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise _Uncacheable
        h.update(f"{value.dtype.str}{value.shape}".encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, _SCALARS):
        h.update(repr(value).encode() + b"\0")
    elif isinstance(value, tuple | list):
        h.update(f"{len(value)}(".encode())
        for v in value:
            _feed(h, v)
        h.update(b")")
    elif isinstance(value, dict):
        h.update(f"{len(value)}{{".encode())
        for k, v in value.items():
            _feed(h, k)
            _feed(h, v)
        h.update(b"}")
    else:
        raise _Uncacheable


def digest(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes | None:
    """A digest identifying the inputs ``(args, kwargs)``; None when they are not plain data."""
    h = hashlib.blake2b(digest_size=20)
    try:
        _feed(h, args)
        _feed(h, kwargs)
    except _Uncacheable:
        return None
    return h.digest()


def _size(value: Any) -> int:
    """Approximate bytes held by a plain-data answer; raises :class:`_Uncacheable` otherwise."""
    if isinstance(value, np.ndarray) and not value.dtype.hasobject:
        return value.nbytes + 112
    if isinstance(value, tuple | list):
        return 64 + sum(_size(v) for v in value)
    if isinstance(value, dict):
        return 64 + sum(_size(k) + _size(v) for k, v in value.items())
    if isinstance(value, _SCALARS):
        return 32
    raise _Uncacheable


def cached(
    topic: str,
    function: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    compute: Callable[[], Any],
) -> Any:
    """``compute()`` (the reference's NumPy answer to ``args``/``kwargs``), from the cache when
    this process already computed it; always a fresh copy."""
    key_digest = digest(args, kwargs) if enabled() else None
    if key_digest is None:
        answer = compute()
        with _lock:
            _stats["misses"] += 1
        return answer
    key = (topic, function, key_digest)
    with _lock:
        entry = _answers.get(key)
        if entry is not None:
            _answers.move_to_end(key)
            _stats["hits"] += 1
    if entry is not None:
        return copy.deepcopy(entry[0])
    answer = compute()
    with _lock:
        _stats["misses"] += 1
    try:
        size = _size(answer)
    except _Uncacheable:
        return answer
    kept = copy.deepcopy(answer)
    with _lock:
        if size <= LIMIT_BYTES and key not in _answers:
            _answers[key] = (kept, size)
            _stats["bytes"] += size
            while _stats["bytes"] > LIMIT_BYTES:
                _, (_, dropped) = _answers.popitem(last=False)
                _stats["bytes"] -= dropped
    return answer


def stats() -> dict[str, int]:
    """Hits (answers served from the cache), misses (answers computed, cached or not), cached
    bytes and entries of this process (for the bench)."""
    return {**_stats, "entries": len(_answers)}


def clear() -> None:
    """Forget every cached answer (tests start from an empty cache)."""
    with _lock:
        _answers.clear()
        _stats.update(hits=0, misses=0, bytes=0)
