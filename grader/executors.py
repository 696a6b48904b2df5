"""Where submissions are graded: the executors of :func:`grader.grading.grade`.

An executor is given the submissions to grade and yields a :class:`Done` for each, as each
completes: its result, or why it could not be graded. It grades with one
:class:`~grader.settings.GradeSettings` value, and runs :func:`grader.engine.run.grade_submission`
for each submission. :class:`LocalExecutor` is this machine; ``grader/cluster/`` has the Dask one.

Stopping a run is one behaviour whichever executor runs it: Ctrl-C (``KeyboardInterrupt``) and
SIGTERM (:class:`Terminated`, a ``KeyboardInterrupt`` too, while :func:`stop_on_sigterm` is in
force) leave :meth:`Executor.run` at once, in this process as from a pool (whose processes are
killed, :func:`abandon_on_interrupt`) or a cluster (whose tasks are cancelled); what was recorded
stays, and :func:`uninterrupted` keeps a signal from landing halfway through recording a result.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from grader import affinity, fingerprint, warmup
from grader.engine.errors import GradingError
from grader.settings import GradeSettings
from grader.submissions import Submission


@dataclass
class Done:
    """What an executor yields per submission: its result, or why it could not be graded."""

    learner: str
    result: dict[str, Any] | None = None
    error: str | None = None


class Executor(Protocol):
    """Grades submissions somewhere and yields a :class:`Done` for each, as each completes."""

    def run(self, todo: list[Submission]) -> Iterator[Done]: ...

    def close(self) -> None: ...


def graded(learner: str, grade: Callable[..., dict[str, Any]], *args: Any) -> Done:
    """``grade(*args)`` as a :class:`Done`: its result, or the grader's own failure by name."""
    try:
        return Done(learner, grade(*args))
    except GradingError as exc:
        return Done(learner, error=f"GradingError: {exc}")


def grade_submission(submission: Submission, settings: GradeSettings) -> dict[str, Any]:
    """:func:`grader.engine.run.grade_submission`, imported where it runs: a pool's parent only
    collects results and so never imports the engine (torch, pytest, hypothesis: ~1.8 s of one
    core, before any pool process could start grading)."""
    from grader.engine import run

    return run.grade_submission(submission, settings)


#: set in a pool process while it grades (:func:`_pooled`): a SIGTERM then unwinds the
#: grading (its learner's worker stopped, its scratch removed); an idle one just exits
_GRADING = threading.Event()
#: set in a pool process by its first SIGTERM: it grades nothing more
_STOPPING = threading.Event()


def _pool_process_start(
    known: list[fingerprint.Parsed], scratch: str, started: Any, jobs: int, cpus: list[int]
) -> None:
    """A pool process's initializer. It takes the next index from ``started`` (a shared counter)
    and runs on that CPU of ``cpus``, with the learners' workers it starts (:mod:`grader.affinity`:
    no two pool processes share a CPU, no worker leaves its grader's). Its parent decides when
    the run stops: Ctrl-C in a terminal reaches every process of the foreground group, and is
    ignored here (the parent's :func:`abandon_on_interrupt` stops the pool). A SIGTERM (the
    parent's, or one sent to the whole process group by systemd or a closing session) stops this
    process cleanly: while grading, the first raises :class:`Terminated` there, so the ``with``
    blocks stop the learner's worker and remove its scratch and cgroup, and a later one is ignored
    rather than let to cut that cleanup short (the parent sends SIGKILL after
    :data:`STOP_GRACE_SECONDS`); an idle process exits at once, and a stopping one starts no
    submission it had queued.
    Its temporary folders (submission copies, workers' scratch) go under ``scratch``, which the
    parent removes once the pool is stopped, whatever a process could not finish; its
    conversation trees are shared with the pool's other processes through ``scratch/memo``
    (:mod:`grader.engine.memo_share`, where the run keeps recordings)."""
    with started.get_lock():
        index = started.value
        started.value += 1
    affinity.pin_pool_process(index, jobs, cpus)
    fingerprint.remember_reads(known)  # the kit the parent parsed already
    tempfile.tempdir = scratch
    from grader.engine import memo_share  # the engine, in the pool process only

    memo_share.attach(Path(scratch) / MEMO_FOLDER)  # what each process's trees learn
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def terminated(signum: int, frame: object) -> None:
        first = not _STOPPING.is_set()
        _STOPPING.set()
        if not _GRADING.is_set():
            os._exit(128 + signum)  # nothing of ours to clean up
        if first:
            raise Terminated

    signal.signal(signal.SIGTERM, terminated)


def _pooled(work: Callable[..., Any], *args: Any) -> Any:
    """``work(*args)`` in a pool process (:func:`grade_submission`, a warm-up share), marked as
    grading for its SIGTERM handler."""
    if _STOPPING.is_set():
        raise Terminated
    _GRADING.set()
    try:
        return work(*args)
    finally:
        _GRADING.clear()


def cpus_available() -> int:
    """The CPUs this process may use: its affinity (``taskset``, a batch scheduler's CPU set; else
    the machine's count), and no more than its cgroup's CPU quota (a container's ``--cpus``)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cpus = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    return max(1, min(cpus, quota) if quota is not None else cpus)


def _cgroup_cpu_quota(
    root: Path = Path("/sys/fs/cgroup"), membership: Path = Path("/proc/self/cgroup")
) -> int | None:
    """This process's cgroup v2 CPU quota (``cpu.max``), in whole CPUs rounded up, the tightest
    of its cgroup and their parents; None when there is none or it cannot be read."""
    try:
        own = membership.read_text().splitlines()
        group = next(line.split("::", 1)[1] for line in own if line.startswith("0::"))
    except (OSError, StopIteration):
        return None
    found: list[int] = []
    folder = root / group.strip().lstrip("/")
    for where in (folder, *folder.parents):
        try:
            quota, period = (where / "cpu.max").read_text().split()[:2]
            if quota != "max":
                found.append(math.ceil(int(quota) / int(period)))
        except (OSError, ValueError):
            pass
        if where == root:
            break
    return min(found) if found else None


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill PID``, ``timeout``, systemd, a batch scheduler) while grading: stops the run
    as Ctrl-C does, with the same cleanup; the CLI exits 143 (128 + 15) instead of 130."""


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """While in force (main thread only), SIGTERM raises :class:`Terminated` where the grader is,
    instead of ending the process at once and leaving its pool processes blocked for good."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminated(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while one result is recorded (its gradebook row, its files, the
    progress line): a signal arriving meanwhile is delivered once the block is done, so the run
    stops between two results, never halfway through one. Main thread only (elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []

    def hold(signum: int, frame: object) -> None:
        held.append(signum)

    saved = {s: signal.signal(s, hold) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    if held:  # the handlers in force before decide: KeyboardInterrupt, Terminated, or exit
        signal.raise_signal(held[0])


class LocalExecutor:
    """This machine: in this process for one job (or one submission), else a pool of ``jobs``
    processes. A Ctrl-C or SIGTERM stops either the same way (see the module's docstring): the
    engine raises the ``KeyboardInterrupt`` pytest caught, never a ``GradingError``."""

    def __init__(
        self,
        settings: GradeSettings,
        jobs: int,
        notify: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.settings, self.jobs, self.notify = settings, jobs, notify

    def close(self) -> None:
        pass

    def run(self, todo: list[Submission]) -> Iterator[Done]:
        if self.jobs <= 1 or len(todo) <= 1:
            with affinity.pinned(affinity.current_cpu()):  # this thread and its workers
                for sub in todo:
                    yield graded(sub.learner, grade_submission, sub, self.settings)
            return
        ctx = multiprocessing.get_context("spawn")
        scratch = tempfile.mkdtemp(prefix="gradelab-pool-")
        os.chmod(scratch, 0o711)  # an unprivileged worker reaches its own folders below
        os.mkdir(Path(scratch) / MEMO_FOLDER, 0o700)  # the grading processes' alone
        try:
            with (
                ProcessPoolExecutor(
                    max_workers=self.jobs,
                    mp_context=ctx,
                    initializer=_pool_process_start,
                    initargs=(
                        fingerprint.known_reads(),
                        scratch,
                        ctx.Value("i", 0),
                        self.jobs,
                        affinity.allowed_cpus(),
                    ),
                ) as pool,
                abandon_on_interrupt(pool),
            ):
                self._warm_up(pool, warmup.shares_for(self.jobs, len(todo)))
                learners: dict[Future[dict[str, Any]], str] = {
                    pool.submit(_pooled, grade_submission, sub, self.settings): sub.learner
                    for sub in todo
                }
                pending = set(learners)
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        yield graded(learners[future], future.result)
        finally:  # what a killed pool process left (its own cleanup is the rule)
            shutil.rmtree(scratch, ignore_errors=True)

    def _warm_up(self, pool: ProcessPoolExecutor, shares: int) -> None:
        """The pool's processes draw the hidden tests' inputs between them before the first
        learner (:mod:`grader.warmup`), one share each; all are done before any learner starts
        (a learner started earlier would draw a share still being drawn). A share that fails
        is only said: the learners then draw its inputs themselves, as without a warm-up."""
        if not shares:
            return
        futures = [
            pool.submit(_pooled, warmup.warm_share, k, shares, self.settings) for k in range(shares)
        ]
        warmup.report(warmup.outcomes_of(futures), shares, self.notify)


#: the folder of a pool's scratch where its processes share their conversation trees
#: (:mod:`grader.engine.memo_share`)
MEMO_FOLDER = "memo"

#: how long a stopped pool's processes have to clean up (stop their learner's worker, remove
#: its scratch) before they are killed
STOP_GRACE_SECONDS = 10.0


@contextmanager
def abandon_on_interrupt(pool: ProcessPoolExecutor) -> Iterator[None]:
    """On Ctrl-C (or the generator closed early) stop ``pool`` now, instead of waiting for every
    running submission: queued work is cancelled, and each process is sent SIGTERM (it stops
    its learner's worker and removes the scratch, :func:`_pool_process_start`), then SIGKILL if
    it is still there after :data:`STOP_GRACE_SECONDS` (a process started without our handler
    may ignore SIGTERM). Finished results are already in the gradebook; the rest is graded on
    the next run."""
    try:
        yield
    except BaseException:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            with suppress(OSError, ValueError):  # gone already
                process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in processes:
            with suppress(OSError, ValueError, AssertionError):
                process.join(max(0.0, deadline - time.monotonic()))
        for process in processes:
            with suppress(OSError, ValueError, AssertionError):
                if process.is_alive():
                    process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
