"""A learner's grade and feedback are a function of their own submission and the kit alone.

The README promises byte-identical files whatever else is graded: a few varied learners (the
model answers, the stubs, and learners with a catalogued mistake in every topic, among them the
``mae_grad`` without its sign whose minimal counterexample used to change with history, and a
``relu`` that keeps state between calls) are graded each alone in a fresh process, then all
together in this process (which has graded other things before) in two orders, then by a pool
of two processes, without and with a recording store (whose pool first draws every test's inputs
once, split between its processes: grader.warmup; and whose processes share their conversation
trees: grader.engine.memo_share); every learner's files must be the same bytes each time. The cluster path is held to the same files in ``test_cluster.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader import executors
from grader.engine import recordings
from grader.engine.plugin import UNRELIABLE
from grader.engine.sandbox import detect
from grader.examples import plant_mistake, write_answers
from grader.grading import GradeOptions, grade
from grader.misconceptions import catalogue
from reference import TOPICS

#: the issue's example: its minimal failing call depended on what the process graded before
MAE_WITHOUT_SIGN = "losses.mae_grad/mae_grad_without_sign"

#: relu that counts its calls and is wrong on every fourth: the calls a learner gets, not only
#: the inputs, must not depend on history (a first submission draws what a later one replays)
STATEFUL_RELU = """

_CALLS = [0]
_relu = relu


def relu(x):
    _CALLS[0] += 1
    return _relu(x) + (1.0 if _CALLS[0] % 4 == 3 else 0.0)
"""


def _mistakes(pick: int) -> list[str]:
    """One catalogued mistake per topic: the ``pick``-th of the topic's catalogue (cycling)."""
    keys = []
    for topic in TOPICS:
        every = [m.key for entries in catalogue(topic).values() for m in entries]
        keys.append(every[pick % len(every)])
    return keys


@pytest.fixture(scope="module")
def learners(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("class")
    folders = [
        write_answers(root / "model-answers"),
        write_answers(root / "untouched-stubs", "exercises"),
    ]
    for name, keys in (
        ("mistakes-first", _mistakes(0)),
        ("mistakes-middle", [k for k in _mistakes(7) if not k.startswith("losses.")]),
    ):
        folder = write_answers(root / name)
        for key in keys:
            plant_mistake(folder, key)
        folders.append(folder)
    plant_mistake(folders[-1], MAE_WITHOUT_SIGN)
    with (folders[-1] / "activations.py").open("a", encoding="utf-8") as fh:
        fh.write(STATEFUL_RELU)
    return folders


def _files(out: Path, learner: str) -> dict[str, bytes]:
    """results.json, feedback.md and feedback.html of one learner."""
    return {p.name: p.read_bytes() for p in sorted((out / learner).iterdir())}


def _alone(folder: Path, out: Path) -> subprocess.Popen[bytes]:
    """``gradelab grade`` of a class of just this learner, in a fresh process."""
    cli = "from grader.cli import main; main()"
    cmd = [sys.executable, "-c", cli, "grade", str(folder), "--out", str(out), "--jobs", "1"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_a_learners_files_do_not_depend_on_what_else_is_graded_or_how(
    learners, tmp_path, monkeypatch
):
    """Alone in a fresh process, after the others in one process (two orders), in a pool of
    two processes, and (with bubblewrap) in a pool that keeps recordings, whose processes first
    draw the inputs between them (grader.warmup): every learner's results.json and feedback are
    the same bytes."""
    names = [f.name for f in learners]
    runs = {name: tmp_path / f"alone-{name}" for name in names}
    procs = [(f.name, _alone(f, runs[f.name])) for f in learners]
    forward = grade(learners, GradeOptions(out=tmp_path / "forward", jobs=1))
    backward = grade(learners[::-1], GradeOptions(out=tmp_path / "backward", jobs=1))
    pooled = grade(learners, GradeOptions(out=tmp_path / "pool", jobs=2))
    runs_with_store = []
    if detect("auto").bwrap:  # grading keeps recordings only under bubblewrap
        # a pool with a store of its own: the warm-up (grader.warmup) draws the inputs once,
        # the model answers grading a share per process, before any learner
        store = tmp_path / "store"
        monkeypatch.setenv(recordings.ENV, str(store))
        told: list[str] = []
        shared: list[int] = []  # the sizes of the files the pool's processes shared trees in

        def rmtree(path, **kwargs):
            shared.extend(p.stat().st_size for p in (Path(path) / executors.MEMO_FOLDER).iterdir())
            remove(path, **kwargs)

        remove = executors.shutil.rmtree
        monkeypatch.setattr(executors.shutil, "rmtree", rmtree)
        warmed = grade(
            learners, GradeOptions(out=tmp_path / "pool-store", jobs=2), notify=told.append
        )
        monkeypatch.setattr(executors.shutil, "rmtree", remove)
        assert len(shared) == 2 and all(shared), shared  # each process published its trees
        assert warmed.failed == {} and warmed.graded == len(learners)
        assert any("drawn once, split over 2 processes" in line for line in told), told
        assert len(list(store.glob("*/warm-*-of-2.done"))) == 2
        assert len(list(store.glob("*/warm.done"))) == 1
        runs_with_store.append("pool-store")
    for name, proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"grading {name} alone failed:\n{err.decode()[-3000:]}"
    for report in (forward, backward, pooled):
        assert report.failed == {} and report.graded == len(learners)

    for name in names:
        alone = _files(runs[name], name)
        assert set(alone) == {"results.json", "feedback.md", "feedback.html"}
        for other in ("forward", "backward", "pool", *runs_with_store):
            assert _files(tmp_path / other, name) == alone, f"{name}: {other} differs from alone"

    # a class that exercises the shrinking and the diagnoses, not one that passes everything
    results = {r["learner"]: r for r in forward.results}
    assert results["model-answers"]["score"] == results["model-answers"]["max_score"] > 0
    assert results["untouched-stubs"]["score"] == 0
    for name in ("mistakes-first", "mistakes-middle"):
        failed = [o for o in results[name]["outcomes"] if o["status"] == "failed"]
        assert {o["topic"] for o in failed} == set(TOPICS)  # a mistake caught in every topic
        assert sum(o["diagnosis"] is not None for o in failed) >= len(TOPICS)
    middle = results["mistakes-middle"]["outcomes"]
    assert MAE_WITHOUT_SIGN in {o["diagnosis"] for o in middle}
    assert any(o["function"] == "relu" and UNRELIABLE in o["message"] for o in middle)
