"""Conversation trees shared by the processes of one pool (or the Dask workers of one machine):
what one learns, the others walk.

:mod:`grader.engine.memo` answers a test from the conversations its own process has had. In a
pool each process grades only some of the class, so each grew its trees alone: the processes'
first learners ran every test (the warm-up had grown each process the trees of its own share of
the model answers only), and a mistake one process had already met was met afresh by the other.
Here every process appends what its trees learn to its own file in a folder the pool's processes
share, and before each submission reads what the others appended since, learning it as its own.
The folder: a local pool's scratch (``<scratch>/memo``, :mod:`grader.executors`, removed with the
pool); on a Dask cluster, one per run in each machine's recording store, which that machine's
workers share (:func:`run_folder`, ``grader/cluster/tasks.py``).

One record per learnt conversation (:class:`~grader.engine.memo.Learnt`)::

    record = length (>I) | sha256 of body (32 bytes) | body
    body   = meta length (>I) | meta (JSON: the test's key, the outcome) | steps
    steps  = per step: request length (>I) | request frame | sha256 of the reply (32 bytes)

Why it cannot change a grade: a tree is a function of the kit, the test's key (node id, suite
digest, settings) and the learner's replies alone (memo's invariant, which
``tests/grader/engine/test_memo.py`` proves in one process): it is the same function in every
process of the kit, so a conversation learnt in one is as true in another. A record that
contradicts a tree drops the tree, as in one process. ``tests/grader/engine/test_memo_share.py``
grades a learner in a process that learnt from another's file and compares, request by request
and outcome by outcome, with grading it alone; ``tests/grader/test_determinism.py`` grades a
class through a pool with a store (so with sharing) and compares every file with grading alone.

Trust: a record names requests the walk sends to a learner's worker, so only the grading
processes may write them. Sharing is on only where the recording store is (under bubblewrap:
learner code cannot reach the folder, :func:`grader.engine.recordings.for_settings`); the folder
and each file must be the grading user's own and writable by nobody else; records are JSON and
raw bytes, never pickle, each checked against its digest; a record that fails its check ends the
reading of that file for good (records after it cannot be trusted to start where it says).
A record not yet wholly written is read the next time.

Size: what the trees hold (request frames and reply digests, no replies), bounded like them by
:data:`grader.engine.memo.MAX_BYTES` per process; a 40-learner bench class graded with
``--jobs 2`` wrote 2.6 and 2.4 MB.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.engine.memo import Learnt, Memo
from grader.engine.recordings import private
from grader.results import TestOutcome

_LEN = struct.Struct(">I")
_DIGEST = 32  # bytes of a sha256
SUFFIX = ".memo"


def encode_record(learnt: Learnt) -> bytes:
    """One record (see the module's docstring) of a learnt conversation."""
    meta = json.dumps({"key": list(learnt.key), "outcome": learnt.outcome.to_dict()}).encode()
    parts = [_LEN.pack(len(meta)), meta]
    for request, edge in learnt.steps:
        parts += [_LEN.pack(len(request)), request, edge]
    body = b"".join(parts)
    return _LEN.pack(len(body)) + hashlib.sha256(body).digest() + body


class CorruptRecord(ValueError):
    """A record whose digest, lengths or meta do not check."""


def decode_body(body: bytes) -> Learnt:
    """The conversation of a record's body (its digest already checked)."""
    try:
        (n,) = _LEN.unpack_from(body, 0)
        meta = json.loads(body[4 : 4 + n])
        at, steps = 4 + n, []
        while at < len(body):
            (size,) = _LEN.unpack_from(body, at)
            request = body[at + 4 : at + 4 + size]
            edge = body[at + 4 + size : at + 4 + size + _DIGEST]
            if len(request) != size or len(edge) != _DIGEST:
                raise CorruptRecord("a step runs past the record")
            steps.append((request, edge))
            at += 4 + size + _DIGEST
        return Learnt(_frozen(meta["key"]), steps, TestOutcome.from_dict(meta["outcome"]))
    except (struct.error, ValueError, KeyError, TypeError) as exc:
        raise CorruptRecord(str(exc)) from exc


def _frozen(value: Any) -> Any:
    """A key read back from JSON as the plugin made it: lists become tuples (hashable)."""
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


def read_records(data: bytes) -> tuple[list[Learnt], int, bool]:
    """The whole records at the start of ``data``: (conversations, bytes they take, whether a
    record failed its check there: nothing after it is read)."""
    found, at = [], 0
    while at + 4 + _DIGEST <= len(data):
        (size,) = _LEN.unpack_from(data, at)
        end = at + 4 + _DIGEST + size
        if end > len(data):
            break  # still being written: read next time
        body = data[at + 4 + _DIGEST : end]
        if hashlib.sha256(body).digest() != data[at + 4 : at + 4 + _DIGEST]:
            return found, at, True
        try:
            found.append(decode_body(body))
        except CorruptRecord:
            return found, at, True
        at = end
    return found, at, False


@dataclass
class Journal:
    """This process's file in a pool's shared folder, and how far it has read the others'."""

    folder: Path
    #: this process's file: unique among the writers (a Dask store may be on a shared home)
    name: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}{SUFFIX}")
    read_to: dict[str, int] = field(default_factory=dict)  # other file → bytes absorbed
    broken: set[str] = field(default_factory=set)  # files that failed a check: not read again
    absorbed: int = 0  # conversations learnt from the others
    published: int = 0  # conversations written for them

    def publish(self, memo: Memo) -> int:
        """Append what ``memo`` learnt since the last call to this process's file (one write)."""
        learnt, memo.learnt = memo.learnt or [], []
        if not learnt:
            return 0
        data = b"".join(encode_record(item) for item in learnt)
        fd = os.open(self.folder / self.name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        self.published += len(learnt)
        return len(learnt)

    def absorb(self, memo: Memo) -> int:
        """Learn, in ``memo``, what the other processes appended since the last call; and start
        collecting what ``memo`` learns itself, for :meth:`publish`."""
        if memo.learnt is None:
            memo.learnt = []
        count = 0
        for name, start, data in self._unread():
            records, used, bad = read_records(data)
            self.read_to[name] = start + used
            if bad:
                self.broken.add(name)
            for item in records:
                memo.learn(item.key, item.steps, item.outcome)  # not collected: it is theirs
            count += len(records)
        self.absorbed += count
        return count

    def _unread(self) -> list[tuple[str, int, bytes]]:
        """(file name, bytes absorbed, the bytes after them) of each other process's file that
        may be read; a folder or file that cannot be read now is left for the next time (sharing
        is a saving: it never fails a grade)."""
        if not private(self.folder):
            return []
        found = []
        try:
            names = sorted(entry.name for entry in os.scandir(self.folder))
        except OSError:
            return []
        for name in names:
            if name == self.name or not name.endswith(SUFFIX) or name in self.broken:
                continue
            path = self.folder / name
            if not private(path):
                continue
            start = self.read_to.get(name, 0)
            try:
                with open(path, "rb") as file:
                    file.seek(start)
                    data = file.read()
            except OSError:
                continue
            if data:
                found.append((name, start, data))
        return found


#: this process's journal: set in a pool process or a Dask worker (:func:`attach`), else None
JOURNAL: Journal | None = None

#: a store's folder of the runs' shared folders (:func:`run_folder`)
RUNS = "memo"
#: a run's folder untouched this long is removed by the next run on the machine
STALE_SECONDS = 24 * 3600


def attach(folder: Path) -> None:
    """Share this process's trees through ``folder`` (a pool process's start-up; a Dask
    worker's first task of a run), unless it does already."""
    global JOURNAL
    folder = Path(folder)
    if JOURNAL is None or JOURNAL.folder != folder:
        JOURNAL = Journal(folder)


def attach_run(store: Path, run: str) -> None:
    """Share this Dask worker's trees with its machine's other workers during run ``run``
    (:func:`run_folder`), which is made, and stale runs cleared, only when the worker first
    meets the run, not for every task."""
    if JOURNAL is None or JOURNAL.folder != Path(store) / RUNS / run:
        attach(run_folder(store, run))


def run_folder(store: Path, run: str) -> Path:
    """The folder where the Dask workers of one machine share their trees during run ``run``:
    ``store/memo/<run>`` (made private), where ``store`` is the run's recording store on this
    machine, which its workers share. Runs' folders untouched for :data:`STALE_SECONDS` go."""
    if not run.isalnum():
        raise ValueError(f"a run id is letters and digits, got {run!r}")
    runs = Path(store) / RUNS
    runs.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = runs / run
    folder.mkdir(mode=0o700, exist_ok=True)
    now = time.time()
    for old in runs.iterdir():
        if old.name != run and old.is_dir() and now - _touched(old) > STALE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    return folder


def _touched(folder: Path) -> float:
    """When ``folder`` or a file in it last changed (a file is appended to, the folder not)."""
    try:
        return max([folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.iterdir())])
    except OSError:
        return time.time()  # being removed or written: not stale


def detach() -> None:
    """Share nothing any more (tests; a process leaving its pool)."""
    global JOURNAL
    JOURNAL = None
