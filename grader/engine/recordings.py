"""The replay recordings on disk: a passing run's inputs, kept for every later grading process.

:mod:`grader.engine.replay` replays the inputs of a passing run so that later submissions skip
hypothesis's generation; in one process only, the first submission a process grades pays for
drawing them (about 2 s for all topics, twice what grading a good submission then costs): every
process of a pool, every ``gradelab grade`` run, every Dask worker. This store keeps a recording
once it is made, for every process of the same kit.

Why it cannot change a grade: a recording is the inputs hypothesis draws for a test while every
example passes, which depend on the test's code, the strategies, hypothesis and NumPy, and the
settings: exactly what :meth:`~grader.settings.GradeSettings.fingerprint` hashes (with the
Python version added). A store lives in a folder named by that key, so a recording is only ever
read by a kit that would draw the very same inputs; and replay's invariant (its module
docstring) holds whoever made the recording. A value is stored only when reading it back gives
the identical value (type, dtype, shape, bits: :func:`identical`), else the test is simply not
stored; a file that is missing, unreadable, corrupt or for another test reads as no recording.
Files cross the worker's channel codec (:mod:`grader.sandbox.channel`), never pickle.

Where: ``$GRADELAB_REPLAY_CACHE`` (``off`` turns the store off), else
``$XDG_CACHE_HOME/gradelab/replay`` or ``~/.cache/gradelab/replay``. A folder that is not the
grading user's own, or that others may write, is not used (as ssh treats its keys). Grading uses
a store only under bubblewrap (:func:`for_settings`): without it, learner code runs with the
grader's files in reach and could leave inputs for the learners graded after it.

``tests/grader/engine/test_recordings.py`` grades with and without a stored recording and
compares, and feeds the store corrupt, foreign and unreadable files.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import stat
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from grader.sandbox.channel import decode, encode

if TYPE_CHECKING:
    from grader.settings import GradeSettings

#: the environment variable naming the store's folder (``off``: no store)
ENV = "GRADELAB_REPLAY_CACHE"
FORMAT = 1  # bumped when the file layout changes: old files then read as no recording
#: a NumPy scalar crosses the channel as a Python number; stored as (tag, 0-d array) instead
_NP_SCALAR = "$gradelab-np-scalar"


class Draws(list):
    """The recorded ``(strategy repr, value)`` draws of one ``st.data()`` argument."""


#: one recorded example: argument name → the value drawn for it, or its :class:`Draws`
Example = dict[str, Any]


def default_root() -> Path | None:
    """The store's folder from the environment (None: ``$GRADELAB_REPLAY_CACHE=off``)."""
    chosen = os.environ.get(ENV, "").strip()
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "gradelab" / "replay"


def identical(a: Any, b: Any) -> bool:
    """Same type and, recursively, the same bits: what a replayed value must be to the test."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return (
            a.dtype == b.dtype
            and a.shape == b.shape
            and a.strides == b.strides
            and a.tobytes() == b.tobytes()
        )
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)  # -0.0 ≠ 0.0, NaN payloads kept
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(identical(a[k], b[k]) for k in a)
    if a is None or isinstance(a, bool | int | str):
        return a == b
    return False  # anything else cannot be stored


def _to_stored(value: Any) -> Any:
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        return (_NP_SCALAR, np.asarray(value))
    if type(value) in (list, tuple):
        return type(value)(_to_stored(v) for v in value)
    if type(value) is dict:
        return {k: _to_stored(v) for k, v in value.items()}
    return value


def _from_stored(value: Any) -> Any:
    if (
        type(value) is tuple
        and len(value) == 2
        and type(value[0]) is str
        and value[0] == _NP_SCALAR
    ):
        return value[1][()] if isinstance(value[1], np.ndarray) else value
    if type(value) in (list, tuple):
        return type(value)(_from_stored(v) for v in value)
    if type(value) is dict:
        return {k: _from_stored(v) for k, v in value.items()}
    return value


def private(path: Path) -> bool:
    """The grading user's own, and writable by nobody else (what the grader reads back)."""
    try:
        st = path.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class RecordingStore:
    """The recordings of one kit (``key``) in ``root/key``: one file per (test, max_examples)."""

    def __init__(self, root: Path, key: str) -> None:
        self.folder = Path(root) / key
        self.key = key

    def _path(self, test: str, max_examples: int) -> Path:
        name = hashlib.sha256(f"{test}\0{max_examples}".encode()).hexdigest()[:32]
        return self.folder / f"{name}.rec"

    def load(self, test: str, max_examples: int) -> list[Example] | None:
        """The stored recording of the test, or None (none, unreadable, corrupt, foreign)."""
        path = self._path(test, max_examples)
        if not private(self.folder) or not private(path):
            return None
        try:
            data = path.read_bytes()
            (length,) = struct.unpack(">Q", data[:8])
            if length != len(data) - 8:
                return None
            return _examples(decode(data[8:]), test, max_examples)
        except Exception:  # whatever a damaged file does, it is no recording
            return None

    def save(self, test: str, max_examples: int, examples: list[Example]) -> bool:
        """Store the recording when every value reads back identical; whether it was stored.
        Never raises for the store's sake: a folder that cannot be written is no store."""
        comparable = _comparable(examples)
        record = {
            "format": FORMAT,
            "test": test,
            "max_examples": max_examples,
            "examples": comparable,
        }
        try:
            frame = encode(_to_stored(record))
            back = _examples(decode(frame[8:]), test, max_examples)
            if back is None or not identical(_comparable(back), comparable):
                return False
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not private(self.folder):
                return False
            path = self._path(test, max_examples)
            partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
            partial.write_bytes(frame)
            os.replace(partial, path)  # atomic: a reader sees the old file or the whole new one
        except Exception:  # a store that fails is no store; the grade goes on
            return False
        return True

    def _marker(self, name: str) -> Path:
        if not name or not all(c.isalnum() or c in "-_" for c in name):
            raise ValueError(f"a marker name is letters, digits, - and _: got {name!r}")
        return self.folder / f"{name}.done"

    def marked(self, name: str) -> bool:
        """Whether :meth:`mark` left the marker ``name`` here (and nobody else could have)."""
        path = self._marker(name)
        return private(self.folder) and private(path)

    def mark(self, name: str) -> bool:
        """Leave the marker ``name`` (a piece of work done for this kit, :mod:`grader.warmup`);
        whether it was left. Never raises for the store's sake, as :meth:`save`."""
        path = self._marker(name)
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not private(self.folder):
                return False
            path.touch(mode=0o600)
            return private(path)
        except OSError:
            return False


def _comparable(examples: list[Example]) -> list[list[Any]]:
    """Examples as ``[(name, is draws, value), ...]`` lists (draws as plain lists): the form a
    file holds, and what :func:`identical` compares."""
    return [
        [(k, isinstance(v, Draws), list(v) if isinstance(v, Draws) else v) for k, v in e.items()]
        for e in examples
    ]


def _examples(stored: Any, test: str, max_examples: int) -> list[Example] | None:
    """The examples of a decoded file; None unless the file is this format's, for this test,
    and shaped as :meth:`RecordingStore.save` writes it."""
    stored = _from_stored(stored)
    if (
        not isinstance(stored, dict)
        or stored.get("format") != FORMAT
        or stored.get("test") != test
        or stored.get("max_examples") != max_examples
        or not isinstance(stored.get("examples"), list)
    ):
        return None
    out = []
    for entries in stored["examples"]:
        if not isinstance(entries, list):
            return None
        example: Example = {}
        for entry in entries:
            if not (type(entry) is tuple and len(entry) == 3 and isinstance(entry[0], str)):
                return None
            name, is_draws, value = entry
            if name in example or not isinstance(is_draws, bool):
                return None
            if is_draws:
                if not isinstance(value, list) or not all(
                    type(d) is tuple and len(d) == 2 and isinstance(d[0], str) for d in value
                ):
                    return None
                value = Draws(value)
            example[name] = value
        out.append(example)
    return out


@functools.lru_cache(maxsize=8)
def _key(wire: str) -> str:
    """The folder name of a kit's recordings: its grade fingerprint and the Python version,
    computed once per process (the code a process runs is the code it imported; a hidden suite
    edited under it is told apart by its file's digest, part of every test id: replay.call)."""
    from grader.settings import GradeSettings

    fingerprint = GradeSettings.from_wire(json.loads(wire)).fingerprint()
    return hashlib.sha256(f"{fingerprint}\0{platform.python_version()}".encode()).hexdigest()[:16]


def for_settings(settings: GradeSettings) -> RecordingStore | None:
    """The store a grading run with ``settings`` uses: None when the environment turns it off or
    the worker runs without bubblewrap (learner code could then reach the store's files)."""
    root = default_root()
    if root is None or settings.chosen_sandbox().bwrap is None:
        return None
    return RecordingStore(root, _key(json.dumps(settings.to_wire(), sort_keys=True)))
