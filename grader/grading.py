"""``gradelab grade``: grade every submission, in parallel, resumably, and write the outputs.

The coordinating process alone writes the gradebook and the files; workers (pool processes, or
the workers of a Dask cluster: ``grader/cluster.py``) only grade. Both are *executors*: given the
submissions to grade, they yield each result (or why it could not be graded) as it completes, and
:func:`grade` records them the same way. A submission already in the gradebook under the same
grader fingerprint is not graded again, so a run killed midway loses nothing when started again,
and regrading an unchanged class only rewrites identical files. A submission the grader itself
fails on (:class:`GradingError`) is reported and not recorded; the others still are.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from grader import __version__
from grader.engine.process import Limits
from grader.engine.run import HIDDEN_DIR, GradingError, SubmissionResult, run_hidden_tests
from grader.engine.sandbox import Sandbox
from grader.outputs import atomic_write, feedback, gradescope
from grader.outputs.escape import csv_cell, folder_name
from grader.outputs.gradebook import Gradebook
from grader.submissions import Submission, discover
from reference import TOPICS

ROOT = Path(__file__).resolve().parents[1]
FINGERPRINTED = (
    "grader/hidden",
    "grader/misconceptions",
    "grader/engine",
    "grader/sandbox",
    "reference",
)


@dataclass
class GradeOptions:
    out: Path = Path("out/grades")
    jobs: int = max(1, os.cpu_count() or 1)
    topics: tuple[str, ...] = TOPICS
    max_examples: int = 12
    shrink: bool = True  # minimal counterexamples in the feedback; False: same points, faster
    limits: Limits = field(default_factory=Limits)  # per call, test and submission budgets too
    hidden_dir: Path = HIDDEN_DIR
    sandbox: Sandbox | None = None  # None: detect (GRADELAB_SANDBOX, default auto)
    cluster: str | None = None  # a Dask scheduler (tcp://HOST:8786): grade on its workers
    cluster_timeout: float = 5.0  # seconds to reach the scheduler and find a worker
    visibility: dict[str, str] | None = None  # results.json: topic ("*": others) → visibility


def fingerprint(options: GradeOptions) -> str:
    """Everything a grade depends on besides the submission: code, tests, settings."""
    digest = hashlib.sha256(
        f"{__version__}|{options.max_examples}|{','.join(options.topics)}"
        f"{'' if options.shrink else '|noshrink'}".encode()
    )
    folders = [ROOT / f for f in FINGERPRINTED] + [options.hidden_dir]
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def safe_name(learner: str) -> str:
    """The learner's output folder name: unique per id, stable, safe (:func:`folder_name`)."""
    return folder_name(learner)


def grade_submission(
    learner: str,
    files: dict[str, bytes],
    problems: list[str],
    topics: tuple[str, ...],
    max_examples: int,
    limits: Limits,
    hidden_dir: Path = HIDDEN_DIR,
    sandbox: Sandbox | None = None,
    shrink: bool = True,
) -> dict[str, Any]:
    """Grade one submission (runs in a pool process); the result as a plain dict."""
    content_hash = Submission(learner, Path("."), files, tuple(problems)).content_hash
    with tempfile.TemporaryDirectory(prefix="gradelab-sub-") as tmp:
        folder = Submission(learner, Path(tmp), files).write_to(Path(tmp) / "submission")
        result = run_hidden_tests(
            folder,
            list(topics),
            learner=learner,
            content_hash=content_hash,
            limits=limits,
            max_examples=max_examples,
            hidden_dir=hidden_dir,
            sandbox=sandbox,
            shrink=shrink,
        )
    result.missing_topics = [t for t in topics if t not in files]
    result.problems = list(problems)
    return result.to_dict()


def write_outputs(
    result: dict[str, Any], out: Path, visibility: dict[str, str] | None = None
) -> None:
    """results.json (tests shown per ``visibility``), feedback.md and feedback.html."""
    sub = SubmissionResult.from_dict(result)
    folder = out / folder_name(sub.learner)
    atomic_write(folder / "results.json", gradescope.render(sub, visibility))
    atomic_write(folder / "feedback.md", feedback.markdown(sub))
    atomic_write(folder / "feedback.html", feedback.html_page(sub))


def grades_csv(results: Iterable[dict[str, Any]], topics: tuple[str, ...]) -> str:
    """One row per learner; every cell through :func:`csv_cell` (a spreadsheet never evaluates
    a learner id), ``folder`` names the learner's output folder."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["learner", *topics, "total", "max_score", "content_hash", "folder"])
    for r in sorted(results, key=lambda r: r["learner"]):
        sub = SubmissionResult.from_dict(r)
        scores = sub.topic_scores()
        row = [
            sub.learner,
            *(f"{scores.get(t, (0.0, 0.0))[0]:g}" for t in topics),
            f"{sub.score:g}",
            f"{sub.max_score:g}",
            sub.content_hash,
            folder_name(sub.learner),
        ]
        writer.writerow([csv_cell(cell) for cell in row])
    return buf.getvalue()


@dataclass
class GradeReport:
    results: list[dict[str, Any]]
    graded: int  # graded in this run
    reused: int  # found in the gradebook
    failed: dict[str, str] = field(default_factory=dict)  # learner -> why it was not graded


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


class LocalExecutor:
    """This machine: in this process for one job, else a pool of ``options.jobs`` processes."""

    def __init__(self, options: GradeOptions) -> None:
        self.options = options

    def close(self) -> None:
        pass

    def _args(self, sub: Submission) -> tuple[Any, ...]:
        o = self.options
        return (
            sub.learner,
            sub.files,
            list(sub.problems),
            o.topics,
            o.max_examples,
            o.limits,
            o.hidden_dir,
            o.sandbox,
            o.shrink,
        )

    def run(self, todo: list[Submission]) -> Iterator[Done]:
        if self.options.jobs <= 1 or len(todo) <= 1:
            for sub in todo:
                try:
                    done = Done(sub.learner, grade_submission(*self._args(sub)))
                except GradingError as exc:
                    done = Done(sub.learner, error=f"GradingError: {exc}")
                yield done
            return
        ctx = multiprocessing.get_context("spawn")
        with (
            ProcessPoolExecutor(max_workers=self.options.jobs, mp_context=ctx) as pool,
            abandon_on_interrupt(pool),
        ):
            learners: dict[Future[dict[str, Any]], str] = {
                pool.submit(grade_submission, *self._args(sub)): sub.learner for sub in todo
            }
            pending = set(learners)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    try:
                        done = Done(learners[future], future.result())
                    except GradingError as exc:
                        done = Done(learners[future], error=f"GradingError: {exc}")
                    yield done


@contextmanager
def abandon_on_interrupt(pool: ProcessPoolExecutor) -> Iterator[None]:
    """On Ctrl-C (or the generator closed early) stop ``pool`` now: its processes are
    terminated and queued work cancelled, instead of waiting for every running submission.
    Finished results are already in the gradebook; the rest is graded on the next run."""
    try:
        yield
    except BaseException:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise


def executor_for(
    options: GradeOptions, key: str, notify: Callable[[str], None] = lambda message: None
) -> Executor:
    """The local pool, or (``options.cluster``) a Dask cluster, connected and checked."""
    if options.cluster:
        from grader.cluster import ClusterExecutor

        return ClusterExecutor(options, key, notify)
    return LocalExecutor(options)


def grade(
    paths: list[Path],
    options: GradeOptions,
    progress: Callable[[str, dict[str, Any], bool], None] | None = None,
    notify: Callable[[str], None] | None = None,
) -> GradeReport:
    """Grade ``paths``; ``progress(learner, result, reused)`` is called as each one finishes.

    ``notify(message)`` hears what else the console should show: the cluster's workers, a lost
    worker, a submission that could not be graded (it is also in ``GradeReport.failed``).
    With ``options.cluster`` the scheduler is reached, and its workers checked, before anything
    is written (:class:`grader.cluster.ClusterError` otherwise).
    """
    submissions = discover(paths)
    folders: dict[str, list[str]] = {}
    for sub in submissions:  # compared as output folders: two ids never write one folder
        folders.setdefault(folder_name(sub.learner), []).append(sub.learner)
    duplicates = sorted(ids for ids in folders.values() if len(ids) > 1)
    if duplicates:
        shown = "; ".join(" and ".join(repr(i) for i in ids) for ids in duplicates)
        raise ValueError(f"two submissions share a learner id (one output folder): {shown}")
    print_ = progress or (lambda *a: None)
    tell = notify or (lambda message: None)
    key = fingerprint(options)
    executor = executor_for(options, key, tell)  # a cluster is reached first: nothing written yet
    out = options.out
    results: dict[str, dict[str, Any]] = {}
    failed: dict[str, str] = {}
    todo: list[Submission] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        book = Gradebook(out / "gradebook.sqlite")
        try:
            for sub in submissions:
                cached = book.lookup(sub.learner, sub.content_hash, key)
                if cached is not None:
                    results[sub.learner] = cached
                    write_outputs(cached, out, options.visibility)
                    print_(sub.learner, cached, True)
                else:
                    todo.append(sub)

            for done in executor.run(todo):
                if done.result is None:
                    failed[done.learner] = done.error or "not graded"
                    tell(f"{done.learner}: not graded: {failed[done.learner]}")
                    continue
                result = json.loads(json.dumps(done.result, sort_keys=True))  # as a reload gives
                book.record(result, key)  # the gradebook first: files can be rewritten from it
                write_outputs(result, out, options.visibility)
                results[result["learner"]] = result
                print_(result["learner"], result, False)
            atomic_write(out / "grades.csv", grades_csv(results.values(), options.topics))
        finally:
            book.close()
    finally:
        executor.close()
    ordered = [results[s.learner] for s in submissions if s.learner in results]
    return GradeReport(
        ordered,
        graded=len(todo) - len(failed),
        reused=len(submissions) - len(todo),
        failed=failed,
    )
