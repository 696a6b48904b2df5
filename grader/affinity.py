"""One CPU per grading process, shared with the learner's worker it talks to.

Grading is a conversation: the grading process sends a call, the sandboxed worker answers, about
2,600 times per submission, each side idle while the other works. When the two run on different
CPUs every message wakes a process on another CPU (an inter-processor interrupt, a cold cache):
on the 2-CPU bench machine a bare round trip of two processes costs 48 µs across CPUs against
3 µs on one, and a full-marks submission took 1.45 s unpinned against 1.25 s with both on one
CPU. Linux gives a new process the affinity of the thread that forked it, and bubblewrap keeps
it, so pinning the grading thread to one CPU before its worker starts puts both there.

- :class:`LocalExecutor <grader.executors.LocalExecutor>` grading in this process pins the
  calling thread to the CPU it is on for the run (:func:`pinned`), and restores its affinity.
- A pool of ``jobs`` processes pins its i-th process to the i-th CPU this process may use
  (:func:`pool_cpu`), when there are at least ``jobs`` of them: no two pool processes share a
  CPU. With more jobs than CPUs nothing is pinned (the scheduler balances an oversubscribed
  machine better than a fixed placement).
- A Dask worker grades in threads of its own choosing and is not pinned.

Where affinity cannot be read or set (not Linux, a container refusing it), grading runs
unpinned: the same grades, only slower.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


def allowed_cpus() -> list[int]:
    """The CPUs the calling thread may run on, ascending (empty where that cannot be read)."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return []


def current_cpu(stat: Path = Path("/proc/thread-self/stat")) -> int | None:
    """The CPU the calling thread last ran on (field 39 of its ``stat``), None if unknown."""
    try:
        text = stat.read_text()
        fields = text[text.rindex(")") + 2 :].split()  # the command name may hold blanks
        return int(fields[36])  # field 39 counted from 1; fields[0] is field 3
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def pinned(cpu: int | None) -> Iterator[bool]:
    """Within this block the calling thread (and every process it starts) runs on ``cpu`` only;
    its affinity is restored after. Yields whether it is pinned (False: ``cpu`` is None, not
    allowed, or the system refused)."""
    before = allowed_cpus()
    if cpu is None or cpu not in before or len(before) == 1:
        yield len(before) == 1 and cpu in before
        return
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        yield False
        return
    try:
        yield True
    finally:
        with suppress(OSError):  # the CPUs it had are gone (hot-unplugged): keep this one
            os.sched_setaffinity(0, before)


def pool_cpu(index: int, jobs: int, cpus: list[int]) -> int | None:
    """The CPU of a pool's ``index``-th process (from 0) among ``jobs``, given the CPUs the pool
    may use: one each while they last, none when there are more jobs than CPUs."""
    if jobs > len(cpus) or not 0 <= index < jobs:
        return None
    return cpus[index]


def pin_pool_process(index: int, jobs: int, cpus: list[int]) -> None:
    """Pin this (pool) process for good to its CPU (:func:`pool_cpu`), if it has one."""
    cpu = pool_cpu(index, jobs, cpus)
    if cpu is not None:
        with suppress(OSError):  # refused: this process runs unpinned
            os.sched_setaffinity(0, {cpu})
