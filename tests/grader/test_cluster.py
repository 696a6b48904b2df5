"""grader/cluster/ on a real Dask cluster (a LocalCluster of two worker processes): the same
results and files as a local run, a worker killed mid-run loses and duplicates nothing, a stale
worker never grades, an unreachable scheduler is a quick one-line error with nothing written,
re-runs reuse the gradebook, and one failing or oversized submission does not cost the others."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster
from typer.testing import CliRunner

import grader.cluster as cluster_mod
from grader.cli import app
from grader.cluster import ClusterError, KitMismatch, grade_task, task_key
from grader.cluster import executor as cluster_executor
from grader.engine import recordings
from grader.engine import run as engine
from grader.engine.process import Limits
from grader.engine.run import GradingError
from grader.engine.sandbox import detect
from grader.examples import HANDED_IN_WRONG, build_example_class, plant_mistake, write_answers
from grader.grading import GradeOptions, grade
from grader.outputs.gradebook import Gradebook
from grader.settings import GradeSettings
from grader.submissions import Submission

TOPICS = ("activations", "losses")
MAX_EXAMPLES = 3
SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as lc:
        yield lc


@pytest.fixture(scope="module")
def client(cluster):
    with Client(cluster.scheduler_address, set_as_default=False) as c:
        yield c


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("class") / "class"
    build_example_class(folder)
    for name in HANDED_IN_WRONG:  # the six graded learners; hand-in problems are test_intake's
        shutil.rmtree(folder / name)
    return folder


def options(out: Path, address: str | None = None, **extra: Any) -> GradeOptions:
    return GradeOptions(
        GradeSettings(topics=TOPICS, max_examples=MAX_EXAMPLES),
        out=out,
        jobs=1,
        cluster=address,
        **extra,
    )


@pytest.fixture(scope="module")
def local_run(klass, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "out"
    return grade([klass], options(out)), out


def profiler_running(dask_worker: Any) -> bool:
    return dask_worker.periodic_callbacks["profile"].is_running()


@pytest.fixture(scope="module")
def cluster_run(klass, cluster, client, tmp_path_factory):
    out = tmp_path_factory.mktemp("on-cluster") / "out"
    messages: list[str] = []
    out_at_once: list[int] = []

    def progress(learner: str, result: dict[str, Any], reused: bool) -> None:
        tasks = list(cluster.scheduler.tasks)  # the scheduler runs in this process
        out_at_once.append(sum(str(k).startswith("gradelab-") for k in tasks))

    with pytest.MonkeyPatch.context() as patch:  # 2 tasks out at a time: the rest are topped up
        patch.setattr(cluster_executor, "MIN_WINDOW", 1)
        patch.setattr(cluster_executor, "WINDOW_PER_THREAD", 1)
        report = grade(
            [klass], options(out, cluster.scheduler_address), progress, notify=messages.append
        )
    assert len(out_at_once) == 6 and max(out_at_once) <= 3  # 2, + the one just finished
    # Dask's profiler (stack samples every 10 ms) is off where gradelab graded
    assert set(client.run(profiler_running).values()) == {False}
    return report, out, messages


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    """A result without its timing."""
    return {k: v for k, v in result.items() if k != "seconds"}


def files_of(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith("gradebook")
    }


def rows(out: Path) -> tuple[int, int]:
    book = Gradebook(out / "gradebook.sqlite")
    try:
        return book.counts()
    finally:
        book.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_cluster_run_gives_the_local_results_and_writes_the_same_files(local_run, cluster_run):
    (local, local_out), (report, out, messages) = local_run, cluster_run
    assert (report.graded, report.reused, report.failed) == (6, 0, {})
    assert [r["learner"] for r in report.results] == [r["learner"] for r in local.results]
    assert [comparable(r) for r in report.results] == [comparable(r) for r in local.results]
    scores = {r["learner"]: r["score"] for r in report.results}
    assert (
        scores["untouched-stubs"] == 0 and scores["model-answers"] == report.results[0]["max_score"]
    )
    assert len(set(scores.values())) > 2  # a varied class, not all-equal scores
    assert rows(out) == rows(local_out) and rows(out)[0] == 6
    assert files_of(out) == files_of(local_out)  # results.json, feedback, grades.csv: byte-equal
    assert len(files_of(out)) == 6 * 3 + 1
    assert any("2 workers" in m and "sandbox on the workers" in m for m in messages)


@pytest.mark.skipif(not detect("auto").bwrap, reason="recordings are kept only under bubblewrap")
def test_workers_with_a_store_draw_the_inputs_once_between_them_and_grade_the_same(
    klass, local_run, tmp_path, monkeypatch
):
    """Workers of one machine that keep recordings first split the drawing between them
    (grader.warmup: the model answers graded on a share each, into the machine's store), then
    grade, sharing their conversation trees through the store (grader.engine.memo_share): the
    very results and files of a local run without any store; each share is marked done in the
    store, and a second run draws nothing."""
    store = tmp_path / "store"
    monkeypatch.setenv(recordings.ENV, str(store))  # the worker processes inherit it
    local, local_out = local_run
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as warm_cluster:
        told: list[str] = []
        report = grade(
            [klass], options(tmp_path / "out", warm_cluster.scheduler_address), notify=told.append
        )
        assert [comparable(r) for r in report.results] == [comparable(r) for r in local.results]
        assert files_of(tmp_path / "out") == files_of(local_out)
        assert any("drawn once, split over 2 processes" in m for m in told), told
        shared = [p.stat().st_size for p in store.glob("*/memo/*/*.memo")]  # memo_share
        assert len(shared) == 2 and all(shared), shared  # each worker published its trees
        assert {p.name for p in store.glob("*/*.done")} == {
            "warm-0-of-2.done",
            "warm-1-of-2.done",
            "warm.done",
        }
        again: list[str] = []
        grade(
            [klass],
            options(tmp_path / "again", warm_cluster.scheduler_address),
            notify=again.append,
        )
        assert not any("warm-up" in m or "drawn once" in m for m in again), again


def test_a_rerun_on_the_cluster_reuses_the_gradebook_and_regrades_only_what_is_missing(
    klass, cluster, cluster_run, tmp_path
):
    report, source, _ = cluster_run
    out = tmp_path / "out"
    shutil.copytree(source, out)
    before = files_of(out)
    again = grade([klass], options(out))
    assert (again.graded, again.reused) == (0, 6)  # locally: the fingerprint is the same
    again = grade([klass], options(out, cluster.scheduler_address))
    assert (again.graded, again.reused, again.failed) == (0, 6, {})
    assert files_of(out) == before and rows(out) == rows(source)
    db = sqlite3.connect(out / "gradebook.sqlite")
    with db:
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("DELETE FROM submissions WHERE learner IN ('model-answers', 'untouched-stubs')")
    db.close()
    resumed = grade([klass], options(out, cluster.scheduler_address))
    assert (resumed.graded, resumed.reused) == (2, 4)
    assert rows(out) == rows(source)
    assert [comparable(r) for r in resumed.results] == [comparable(r) for r in report.results]


def kill_a_busy_worker(client: Client) -> str:
    """SIGKILL a worker process that has tasks assigned; its address."""
    busy = [w for w, keys in client.processing().items() if keys]
    assert busy, "no task in flight to interrupt"
    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
    os.kill(pid, signal.SIGKILL)
    return busy[0]


def test_a_worker_killed_mid_run_loses_and_duplicates_no_learner(
    klass, cluster, client, local_run, tmp_path
):
    local, local_out = local_run
    out = tmp_path / "out"
    seen: list[str] = []
    messages: list[str] = []
    killed: list[str] = []

    def progress(learner: str, result: dict[str, Any], reused: bool) -> None:
        seen.append(learner)
        if not killed:
            killed.append(kill_a_busy_worker(client))

    report = grade(
        [klass], options(out, cluster.scheduler_address), progress, notify=messages.append
    )
    assert killed
    assert any(f"worker {killed[0]} lost" in m for m in messages), messages
    assert Counter(seen) == Counter(r["learner"] for r in local.results)  # each exactly once
    assert (report.graded, report.failed) == (6, {})
    assert [comparable(r) for r in report.results] == [comparable(r) for r in local.results]
    assert rows(out) == rows(local_out)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it: later tests get two workers


def test_a_task_whose_workers_keep_dying_is_reported_and_the_others_recorded(
    klass, cluster, client, local_run, tmp_path
):
    local, _ = local_run
    out = tmp_path / "out"
    messages: list[str] = []
    killed: list[str] = []

    def progress(learner: str, result: dict[str, Any], reused: bool) -> None:
        if not killed:
            killed.append(kill_a_busy_worker(client))

    cluster.scheduler.allowed_failures = 0  # the first worker death fails its tasks
    try:
        report = grade(
            [klass], options(out, cluster.scheduler_address), progress, notify=messages.append
        )
    finally:
        cluster.scheduler.allowed_failures = 3
    assert report.failed, messages
    for learner, error in report.failed.items():
        assert f"1 worker(s) died while it was assigned to them (the last: {killed[0]}" in error
        assert any(m.startswith(f"{learner}: not graded: 1 worker(s) died") for m in messages)
    graded = [r["learner"] for r in report.results]
    assert sorted(graded + list(report.failed)) == sorted(r["learner"] for r in local.results)
    assert rows(out)[0] == len(graded) == report.graded
    client.wait_for_workers(2, timeout=60)
    again = grade([klass], options(out, cluster.scheduler_address))  # run again: the rest
    assert (again.graded, again.reused, again.failed) == (len(report.failed), len(graded), {})
    assert [comparable(r) for r in again.results] == [comparable(r) for r in local.results]


def test_an_unreachable_scheduler_is_a_quick_clear_error_and_writes_nothing(klass, tmp_path):
    out = tmp_path / "out"
    address = f"tcp://127.0.0.1:{free_port()}"
    start = time.monotonic()
    with pytest.raises(ClusterError, match=f"cannot reach the Dask scheduler at {address}"):
        grade([klass], options(out, address, cluster_timeout=1.0))
    assert time.monotonic() - start < 30  # seconds, not a hang (the timeout is 1 s)
    assert not out.exists()
    result = CliRunner().invoke(
        app,
        ["grade", str(klass), "--out", str(out), "--cluster", address, "--cluster-timeout", "1"],
    )
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot reach the Dask scheduler" in lines[0], result.output
    assert not out.exists()


def test_a_scheduler_without_workers_is_refused_before_anything_is_written(klass, tmp_path):
    out = tmp_path / "out"
    with (
        LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty,
        pytest.raises(ClusterError, match="has no workers"),
    ):
        grade([klass], options(out, empty.scheduler_address, cluster_timeout=1.0))
    assert not out.exists()


def test_a_worker_with_another_kit_refuses_the_task():
    files = {"activations": (SOLUTIONS / "activations.py").read_bytes()}
    settings = GradeSettings(("activations",), MAX_EXAMPLES)
    args = ("ann", files, [], settings.to_wire())
    real = cluster_mod.worker_fingerprint(settings)
    with pytest.raises(KitMismatch, match=f"fingerprint {real}, the coordinator with 0{{16}}"):
        grade_task(*args, "0" * 16)
    result = grade_task(*args, real)  # the same call with the right fingerprint grades
    assert result["learner"] == "ann" and result["score"] == result["max_score"] > 0


def test_a_worker_reports_every_missing_sandbox_layer_cgroups_included(monkeypatch):
    """A worker names its cgroup layer, and a worker without cgroups is warned about as ``grade``
    warns locally (the cluster's console said nothing of a missing memory/pids budget)."""
    from grader.doctor import gaps
    from grader.engine import cgroups

    settings = GradeSettings(("activations",), MAX_EXAMPLES).to_wire()
    sandbox = GradeSettings.from_wire(settings).chosen_sandbox()
    info = cluster_mod.worker_info(settings)
    here = cgroups.detect()
    assert info["sandbox"] == f"{sandbox.label} + {here.layer or 'no cgroups'}"
    monkeypatch.setattr(cgroups, "detect", lambda: cgroups.CgroupSupport(problem="turned off"))
    off = cluster_mod.worker_info(settings)
    assert off["sandbox"] == f"{sandbox.label} + no cgroups"
    budget_gap = gaps(sandbox, cgroups.CgroupSupport(problem="turned off"))[-1][0]
    assert budget_gap in off["warning"]


def test_a_task_grades_with_the_coordinators_settings(monkeypatch):
    """The settings value the coordinator sends (its wire form) is the one grade_submission
    gets on the worker, and the one whose fingerprint the worker checks."""
    seen: dict[str, Any] = {}

    def record(submission: Submission, settings: GradeSettings) -> dict[str, Any]:
        seen["submission"], seen["settings"] = submission, settings
        return {}

    monkeypatch.setattr(engine, "grade_submission", record)
    hidden = SOLUTIONS.parent / "grader" / "hidden"
    limits = Limits(call_timeout=3.0)
    files = {"losses": b"X = 1\n"}
    for shrink in (True, False):
        settings = GradeSettings(("losses",), 7, shrink, limits, hidden_dir=hidden)
        expected = settings.fingerprint()
        assert cluster_mod.worker_fingerprint(settings) == expected
        grade_task("ann", files, ["a note"], settings.to_wire(), expected)
        assert seen["settings"] == settings
        sub = seen["submission"]
        assert (sub.learner, sub.files, sub.problems) == ("ann", files, ("a note",))
    unshrunk = GradeSettings(("losses",), 7, True, limits, hidden_dir=hidden)
    with pytest.raises(KitMismatch):  # a run without shrinking is not a shrinking run
        grade_task("ann", files, [], unshrunk.to_wire(), expected)


def test_workers_with_another_kit_stop_the_run_before_or_while_grading(
    klass, cluster, tmp_path, monkeypatch
):
    monkeypatch.setattr(GradeSettings, "fingerprint", lambda settings: "f" * 16)
    out = tmp_path / "out"
    with pytest.raises(KitMismatch, match=r"with fingerprint [0-9a-f]{16}, not f{16}"):
        grade([klass], options(out, cluster.scheduler_address))
    assert not out.exists()  # checked before anything is written
    # a worker that joins after the check: its tasks refuse, the run stops, nothing recorded
    monkeypatch.setattr(cluster_mod.ClusterExecutor, "_check_workers", lambda self: None)
    with pytest.raises(KitMismatch, match="grades with fingerprint"):
        grade([klass], options(out, cluster.scheduler_address))
    assert rows(out) == (0, 0)


def explode_for(learner: str) -> None:
    """Runs on the workers: grading ``learner`` fails as a broken hidden suite would."""
    real = getattr(engine, "_real_grade_submission", engine.grade_submission)

    def patched(submission: Submission, settings: GradeSettings) -> dict[str, Any]:
        if submission.learner == learner:
            raise GradingError("the hidden tests did not run (pytest exit 3)")
        return real(submission, settings)

    engine._real_grade_submission = real  # type: ignore[attr-defined]
    engine.grade_submission = patched


def restore() -> None:
    real = getattr(engine, "_real_grade_submission", None)
    if real is not None:
        engine.grade_submission = real


def small_class(folder: Path) -> Path:
    source = (SOLUTIONS / "activations.py").read_text()
    for learner, text in {
        "ann": source,
        "boom": source,
        "big": source + "\n# padding\n" * 400,
    }.items():
        (folder / learner).mkdir(parents=True)
        (folder / learner / "activations.py").write_text(text)
    return folder


def test_a_failing_and_an_oversized_submission_are_reported_and_the_others_recorded(
    cluster, client, tmp_path, monkeypatch
):
    klass = small_class(tmp_path / "class")
    ann = len((klass / "ann" / "activations.py").read_bytes())
    monkeypatch.setattr(cluster_executor, "MAX_TASK_BYTES", ann + 100)
    client.run(explode_for, "boom")
    try:
        out = tmp_path / "out"
        messages: list[str] = []
        report = grade(
            [klass],
            GradeOptions(
                GradeSettings(topics=("activations",), max_examples=MAX_EXAMPLES),
                out=out,
                cluster=cluster.scheduler_address,
            ),
            notify=messages.append,
        )
    finally:
        client.run(restore)
    assert sorted(report.failed) == ["big", "boom"]
    assert f"over the {ann + 100}-byte limit of a cluster task: not sent" in report.failed["big"]
    assert report.failed["boom"].startswith("GradingError: the hidden tests did not run")
    assert [r["learner"] for r in report.results] == ["ann"] and report.graded == 1
    assert report.results[0]["score"] == report.results[0]["max_score"] > 0
    assert rows(out)[0] == 1
    assert (out / "grades.csv").read_text().splitlines()[1].startswith("ann,")
    assert any(m.startswith("big: not graded") for m in messages)
    assert any(m.startswith("boom: not graded: GradingError") for m in messages)


def test_a_grading_error_locally_costs_only_that_submission(tmp_path, monkeypatch):
    klass = small_class(tmp_path / "class")
    shutil.rmtree(klass / "big")
    real = engine.grade_submission

    def boom(submission: Submission, settings: GradeSettings) -> dict[str, Any]:
        if submission.learner == "boom":
            raise GradingError("the hidden tests did not run (pytest exit 3)")
        return real(submission, settings)

    monkeypatch.setattr(engine, "grade_submission", boom)
    out = tmp_path / "out"
    report = grade([klass], GradeOptions(GradeSettings(topics=("activations",)), out=out, jobs=1))
    assert list(report.failed) == ["boom"] and [r["learner"] for r in report.results] == ["ann"]
    assert rows(out)[0] == 1
    monkeypatch.setattr(engine, "grade_submission", real)
    again = grade([klass], GradeOptions(GradeSettings(topics=("activations",)), out=out, jobs=1))
    assert (again.graded, again.reused, again.failed) == (1, 1, {})  # the retry grades it


def test_the_cli_grades_on_the_cluster(klass, cluster, cluster_run, tmp_path):
    _, source, _ = cluster_run
    out = tmp_path / "out"
    shutil.copytree(source, out)
    args = ["grade", str(klass), "--out", str(out), "--max-examples", str(MAX_EXAMPLES)]
    args += [a for t in TOPICS for a in ("--topic", t)]
    result = CliRunner().invoke(app, [*args, "--cluster", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert f"cluster {cluster.scheduler_address}: 2 workers" in result.output
    assert "0 graded, 6 unchanged" in result.output


def test_a_learners_files_on_busy_workers_are_those_of_a_fresh_process(
    cluster, cluster_run, tmp_path
):
    """Graded on workers that graded a class before (any worker, any history, as a rescheduled
    task is), a learner gets the bytes it gets graded alone by ``gradelab grade`` in a fresh
    process (the issue's ``mae_grad`` without its sign; tests/grader/test_determinism.py
    compares a whole class graded alone, in two orders and in a pool)."""
    folder = write_answers(tmp_path / "class" / "mae-without-sign")
    plant_mistake(folder, "losses.mae_grad/mae_grad_without_sign")
    args = ["grade", str(folder), "--out", str(tmp_path / "alone"), "--jobs", "1"]
    args += ["--max-examples", str(MAX_EXAMPLES), *(a for t in TOPICS for a in ("--topic", t))]
    cli = "from grader.cli import main; main()"
    alone = subprocess.run([sys.executable, "-c", cli, *args], capture_output=True, timeout=600)
    assert alone.returncode == 0, alone.stderr.decode()[-3000:]
    report = grade([folder], options(tmp_path / "on-cluster", cluster.scheduler_address))
    assert (report.graded, report.failed) == (1, {})
    alone_files = files_of(tmp_path / "alone")
    assert {k for k in alone_files if k.startswith("class/")}  # the CLI adds the class report
    assert "submissions.csv" in alone_files  # and the intake's list
    cli_only = ("class/", "submissions.csv")
    learner_files = {k: v for k, v in alone_files.items() if not k.startswith(cli_only)}
    assert files_of(tmp_path / "on-cluster") == learner_files
    failed = [
        o for o in report.results[0]["outcomes"] if o["status"] == "failed" and o["kind"] == "core"
    ]
    assert {o["diagnosis"] for o in failed} == {"losses.mae_grad/mae_grad_without_sign"}


def test_task_keys_are_deterministic_and_unique_per_learner_content_and_grader():
    key = task_key("ann", "a" * 64, "f" * 16)
    assert key == task_key("ann", "a" * 64, "f" * 16)
    others = {
        task_key("a/b", "a" * 64, "f" * 16),
        task_key("a_b", "a" * 64, "f" * 16),  # the same folder name as a/b
        task_key("ann", "b" * 64, "f" * 16),
        task_key("ann", "a" * 64, "e" * 16),
    }
    assert len(others) == 4 and key not in others


def test_the_coordinator_does_not_import_the_engine():
    """Only the workers grade: importing the cluster client leaves torch, pytest, hypothesis and
    the engine out of the coordinator (the results it reads back are plain data:
    ``tests/grader/test_executors.py``), while a worker's fingerprint comes after the engine."""
    probe = (
        "import sys, grader.cluster, grader.grading\n"
        "heavy = ('torch', 'pytest', 'hypothesis', 'grader.engine.run')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "from grader.settings import GradeSettings\n"
        "grader.cluster.worker_fingerprint(GradeSettings())\n"
        "print('grader.engine.run' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split("\n")[:2] == ["[]", "True"]


def test_a_malformed_scheduler_address_is_one_error_and_no_traceback_after_it(capfd):
    """``--cluster bogus-url`` gave the error, then a half-made client's "Exception ignored"
    traceback, after a 4 s wait."""
    import gc

    from grader.cluster import connect

    start = time.monotonic()
    with pytest.raises(ClusterError, match="missing port number"):
        connect("bogus-url", timeout=2.0)
    gc.collect()
    assert time.monotonic() - start < 1.0
    assert "Exception ignored" not in capfd.readouterr().err
