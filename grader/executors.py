"""Where submissions are graded: the executors of :func:`grader.grading.grade`.

An executor is given the submissions to grade and yields a :class:`Done` for each, as each
completes: its result, or why it could not be graded. It grades with one
:class:`~grader.settings.GradeSettings` value, and runs :func:`grader.engine.run.grade_submission`
for each submission. :class:`LocalExecutor` is this machine; ``grader/cluster.py`` has the Dask one.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from grader import fingerprint
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


class LocalExecutor:
    """This machine: in this process for one job, else a pool of ``jobs`` processes."""

    def __init__(self, settings: GradeSettings, jobs: int) -> None:
        self.settings, self.jobs = settings, jobs

    def close(self) -> None:
        pass

    def run(self, todo: list[Submission]) -> Iterator[Done]:
        if self.jobs <= 1 or len(todo) <= 1:
            for sub in todo:
                yield graded(sub.learner, grade_submission, sub, self.settings)
            return
        ctx = multiprocessing.get_context("spawn")
        with (
            ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=ctx,
                initializer=fingerprint.remember_reads,  # the kit this process parsed already
                initargs=(fingerprint.known_reads(),),
            ) as pool,
            abandon_on_interrupt(pool),
        ):
            learners: dict[Future[dict[str, Any]], str] = {
                pool.submit(grade_submission, sub, self.settings): sub.learner for sub in todo
            }
            pending = set(learners)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield graded(learners[future], future.result)


@contextmanager
def abandon_on_interrupt(pool: ProcessPoolExecutor) -> Iterator[None]:
    """On Ctrl-C (or the generator closed early) stop ``pool`` now: its processes are
    terminated and queued work cancelled, instead of waiting for every running submission.
    Finished results are already in the gradebook; the rest is graded on the next run."""
    try:
        yield
    except BaseException:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()  # SIGKILL: a SIGTERM may be ignored (inherited SIG_IGN)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
