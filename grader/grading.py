"""``gradelab grade``: grade every submission, in parallel, resumably, and write the outputs.

The coordinating process alone writes the gradebook and the files; workers (pool processes, or
the workers of a Dask cluster: ``grader/cluster/``) only grade. Both are *executors*
(``grader/executors.py``): given the submissions to grade, they yield each result (or why it could
not be graded) as it completes, and :func:`grade` records them the same way. A submission already
in the gradebook under the run's key (the kit's fingerprint, ``GradeSettings.fingerprint()``, and
the sandbox layers and Python that grade: :mod:`grader.grade_key`) is not graded again, so a run killed midway loses nothing when started again, and regrading an unchanged class
only rewrites identical files. A submission graded under another fingerprint is regraded and
compared with its earlier result (``grader/regrade.py``). A submission the grader itself fails on
(``GradingError``) is reported and not recorded; the others still are.

``grades.csv`` is the whole gradebook of ``--out``, not only this run's submissions: every
learner ever graded into it, each at their current entry (the result this run recorded or
reused, else their last one; :mod:`grader.outputs.gradebook`), as the class report and the LMS
exports read it. Grading one late learner into the class's ``--out`` adds a row; it never drops
the others.

A Ctrl-C or SIGTERM (``KeyboardInterrupt``, :class:`grader.executors.Terminated`) stops the run
between two results, whichever executor grades (:mod:`grader.executors`): every result recorded so
far stays in the gradebook with its files, and ``grades.csv`` is not rewritten from a partial run.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.class_folder import discover
from grader.executors import Done, Executor, LocalExecutor, cpus_available, uninterrupted
from grader.grade_key import expected_key, key_of
from grader.outputs import atomic_write, feedback, gradescope
from grader.outputs.escape import csv_cell, folder_name
from grader.outputs.gradebook import Gradebook
from grader.regrade import (
    Conditions,
    Planned,
    Regrade,
    compare,
    keep_previous,
    planned,
    regrade_csv,
)
from grader.results import SubmissionResult, topics_of
from grader.settings import GradeSettings
from grader.submissions import Submission

__all__ = ["Done", "GradeOptions", "GradeReport", "grade", "grades_csv", "plan", "write_outputs"]


@dataclass
class GradeOptions:
    """How one run is carried out: the settings every grade is made with, and where it runs."""

    settings: GradeSettings = field(default_factory=GradeSettings)  # what decides a grade
    out: Path = Path("out/grades")
    jobs: int = field(default_factory=cpus_available)  # the CPUs this process may use
    cluster: str | None = None  # a Dask scheduler (tcp://HOST:8786): grade on its workers
    cluster_timeout: float = 5.0  # seconds to reach the scheduler and find a worker
    visibility: dict[str, str] | None = None  # results.json: topic ("*": others) → visibility


def safe_name(learner: str) -> str:
    """The learner's output folder name: unique per id, stable, safe (:func:`folder_name`)."""
    return folder_name(learner)


def write_outputs(
    result: dict[str, Any], out: Path, visibility: dict[str, str] | None = None
) -> None:
    """results.json (tests shown per ``visibility``), feedback.md and feedback.html."""
    sub = SubmissionResult.from_dict(result)
    folder = out / folder_name(sub.learner)
    atomic_write(folder / "results.json", gradescope.render(sub, visibility))
    atomic_write(folder / "feedback.md", feedback.markdown(sub))
    atomic_write(folder / "feedback.html", feedback.html_page(sub))


def grades_csv(results: Iterable[dict[str, Any]], topics: Sequence[str] | None = None) -> str:
    """One row per learner; every cell through :func:`csv_cell` (a spreadsheet never evaluates
    a learner id), ``folder`` names the learner's output folder. One column per topic of
    ``topics`` (default: every topic anyone was graded on); a learner not graded on a topic has
    an empty cell there, never a 0 they did not score."""
    subs = sorted((SubmissionResult.from_dict(r) for r in results), key=lambda s: s.learner)
    columns = list(topics) if topics is not None else topics_of(subs)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["learner", *columns, "total", "max_score", "content_hash", "folder"])
    for sub in subs:
        scores = sub.topic_scores()
        row = [
            sub.learner,
            *(f"{scores[t][0]:g}" if t in scores else "" for t in columns),
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
    planned: list[Planned] = field(default_factory=list)  # graded in this run, and why
    regrades: list[Regrade] = field(default_factory=list)  # changed kit, changed outcomes


def check_unique(submissions: Sequence[Submission]) -> None:
    """Refuse two submissions whose learner ids name one output folder (``carol/`` and
    ``carol.zip``; ``Victim`` and ``victim``), naming each with the path it came from."""
    folders: dict[str, list[Submission]] = {}
    for sub in submissions:  # compared as output folders: two ids never write one folder
        folders.setdefault(folder_name(sub.learner), []).append(sub)
    duplicates = sorted(
        (sorted(subs, key=lambda s: str(s.origin)) for subs in folders.values() if len(subs) > 1),
        key=lambda subs: subs[0].learner,
    )
    if duplicates:
        shown = "; ".join(
            " and ".join(f"{s.learner!r} ({s.origin})" for s in subs) for subs in duplicates
        )
        raise ValueError(f"two submissions share a learner id (one output folder): {shown}")


def _submissions(source: Sequence[Path] | Sequence[Submission]) -> list[Submission]:
    """``source`` as submissions: already discovered, or paths to :func:`discover` (whose
    learner ids must name distinct output folders)."""
    submissions = [s for s in source if isinstance(s, Submission)]
    if len(submissions) != len(source):
        submissions = discover([Path(p) for p in source])  # type: ignore[arg-type]
    check_unique(submissions)
    return submissions


def plan(source: Sequence[Path] | Sequence[Submission], options: GradeOptions) -> list[Planned]:
    """Who :func:`grade` would grade, and why (``gradelab grade --dry-run``): nothing is graded,
    written or created, and no cluster is reached."""
    key = expected_key(options.settings, options.settings.fingerprint())
    now = Conditions.expected(options.settings)
    path = options.out / "gradebook.sqlite"
    book = Gradebook(path, read_only=True) if path.is_file() else None
    try:
        found = []
        for sub in _submissions(source):
            if book is not None and book.lookup(sub.learner, sub.content_hash, key) is not None:
                continue
            previous = None if book is None else book.latest_entry(sub.learner)
            found.append(planned(sub.learner, sub.content_hash, previous, now))
        return found
    finally:
        if book is not None:
            book.close()


def executor_for(
    options: GradeOptions, key: str, notify: Callable[[str], None] = lambda message: None
) -> Executor:
    """The local pool, or (``options.cluster``) a Dask cluster, connected and checked."""
    if options.cluster:
        from grader.cluster import ClusterExecutor

        return ClusterExecutor(
            options.settings, options.cluster, key, notify, timeout=options.cluster_timeout
        )
    return LocalExecutor(options.settings, options.jobs, notify)


def grade(
    source: Sequence[Path] | Sequence[Submission],
    options: GradeOptions,
    progress: Callable[[str, dict[str, Any], bool], None] | None = None,
    notify: Callable[[str], None] | None = None,
) -> GradeReport:
    """Grade ``source``: paths to :func:`discover`, or the submissions already discovered (the
    CLI's: a class is read once). ``progress(learner, result, reused)`` is called as each one finishes.

    ``notify(message)`` hears what else the console should show: the cluster's workers, a lost
    worker, a submission that could not be graded (it is also in ``GradeReport.failed``).
    With ``options.cluster`` the scheduler is reached, and its workers checked, before anything
    is written (:class:`grader.cluster.ClusterError` otherwise).
    """
    submissions = _submissions(source)
    print_ = progress or (lambda *a: None)
    tell = notify or (lambda message: None)
    kit = options.settings.fingerprint()
    key = expected_key(options.settings, kit)  # the kit and where it grades (grader/grade_key.py)
    now = Conditions.expected(options.settings)  # what a regrade is compared with
    executor = executor_for(options, kit, tell)  # a cluster is reached first: nothing written yet
    out = options.out
    results: dict[str, dict[str, Any]] = {}
    failed: dict[str, str] = {}
    todo: list[Submission] = []
    steps: dict[str, Planned] = {}
    regrades: list[Regrade] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        book = Gradebook(out / "gradebook.sqlite")
        try:
            for sub in submissions:
                cached = book.lookup(sub.learner, sub.content_hash, key)
                if cached is not None:
                    with uninterrupted():  # its files and the current entry, whole
                        book.make_current(sub.learner, sub.content_hash, key)
                        results[sub.learner] = cached
                        write_outputs(cached, out, options.visibility)
                        print_(sub.learner, cached, True)
                else:
                    previous = book.latest_entry(sub.learner)
                    steps[sub.learner] = planned(sub.learner, sub.content_hash, previous, now)
                    todo.append(sub)

            # the others' entries as they are now: learner code (only without bubblewrap) can
            # rewrite the gradebook while it runs, and must change nothing but its own result
            others = {who: e.result for who, e in book.current_entries().items()}
            for done in executor.run(todo):
                if done.result is None:
                    failed[done.learner] = done.error or "not graded"
                    tell(f"{done.learner}: not graded: {failed[done.learner]}")
                    continue
                with uninterrupted():  # a Ctrl-C now stops the run after this result, not in it
                    result = json.loads(json.dumps(done.result, sort_keys=True))  # as a reload
                    stored = key_of(result, kit)
                    if stored != key:
                        tell(
                            f"{done.learner}: graded with sandbox layers "
                            f"{', '.join(result.get('sandbox') or []) or 'none'}, fewer or other "
                            "than this run's: kept, and graded again by a run that has them"
                        )
                    book.record(result, stored)  # the gradebook first: files are made from it
                    step = steps[done.learner]
                    if step.regrade and step.previous is not None:
                        keep_previous(out / folder_name(done.learner), step.previous.fingerprint)
                        change = compare(
                            step.previous, result, stored, why=step.why, detail=step.detail
                        )
                        if change is not None:
                            regrades.append(change)
                    write_outputs(result, out, options.visibility)
                    results[result["learner"]] = result
                    print_(result["learner"], result, False)
            with uninterrupted():
                everyone = {**others, **results}  # this run's results over the others'
                atomic_write(out / "grades.csv", grades_csv(list(everyone.values())))
                if any(p.regrade for p in steps.values()):
                    atomic_write(out / "regrade.csv", regrade_csv(regrades))
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
        planned=[steps[s.learner] for s in submissions if s.learner in steps],
        regrades=sorted(regrades, key=lambda r: r.learner),
    )
