"""One resource budget per submission (cgroups), not per process: forked children share it.

Each limit of layer 1 binds one process: five children may each stay under the address-space
limit while together they take far more memory, or fork without end as root. With a cgroup per
worker, a call during which the OOM killer acted in the group fails as ``memory`` (even when the
survivors answer correctly), a fork loop stops at the process budget, a busy submission is held
to its CPU quota, and an honest learner graded beside a hog keeps exactly its solo results.
Run under both sandboxes: the cgroup layer does not need bubblewrap.
"""

from __future__ import annotations

import tempfile
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from grader.engine import cgroups
from grader.engine.process import CallFault, WorkerProcess
from grader.grading import GradeOptions, grade
from grader.settings import GradeSettings

from ._support import GOOD, HIDDEN, LIMITS, ProcessWatch, sandboxes, stable_kit

SUPPORT = cgroups.detect()
pytestmark = pytest.mark.skipif(
    SUPPORT.version is None, reason=f"no cgroups on this machine: {SUPPORT.problem}"
)
MIB = 1 << 20
#: 1 GiB for the whole submission; five children of 256 MiB each fit their own RLIMIT_AS
BUDGET = replace(LIMITS, memory_bytes=1024 * MIB, call_timeout=40.0, processes=48, cpus=0.5)

HOGS = textwrap.dedent(
    """
    import os, select, time
    import numpy as np

    def fork_and_allocate(children, mib):
        # every child touches `mib` MiB and holds it until all have: together over the budget
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()
        kids = []
        for _ in range(children):
            pid = os.fork()
            if pid == 0:
                os.close(ready_r)
                os.close(go_w)
                block = np.ones(mib * 131072)
                os.write(ready_w, b"x")
                os.read(go_r, 1)
                os._exit(int(block[-1]) - 1)
            kids.append(pid)
        os.close(ready_w)
        got, alive = 0, set(kids)
        while got + children - len(alive) < children:  # each child: allocated, or dead
            if select.select([ready_r], [], [], 0.05)[0]:
                got += len(os.read(ready_r, 64))
            alive = {p for p in alive if os.waitpid(p, os.WNOHANG)[0] == 0}
        os.close(go_w)
        for pid in alive:
            os.waitpid(pid, 0)
        return 42.0

    def fork_loop(limit):
        # forks until refused (or `limit`, a rail for hosts without the budget)
        kids = []
        try:
            while len(kids) < limit:
                pid = os.fork()
                if pid == 0:
                    time.sleep(3)
                    os._exit(0)
                kids.append(pid)
        except OSError:
            pass
        return len(kids)

    def hog(children, mib, seconds):
        # `children` busy loops holding `mib` MiB each, and a busy parent, until a file named
        # "stop" appears beside this one (or `seconds` have passed, a rail)
        stop = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stop")
        end = time.monotonic() + seconds
        for _ in range(children):
            if os.fork() == 0:
                block = np.ones(mib * 131072)
                while time.monotonic() < end and not os.path.exists(stop):
                    block[::4096] += 1.0
                os._exit(0)
        while time.monotonic() < end and not os.path.exists(stop):
            pass
        for _ in range(children):
            os.wait()
        return 1.0

    def spin(processes, seconds):
        # `processes` busy loops for `seconds` of wall time
        for _ in range(processes):
            if os.fork() == 0:
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    pass
                os._exit(0)
        for _ in range(processes):
            os.wait()
        return 1.0
    """
)


@pytest.fixture(params=sandboxes())
def hogs(request, tmp_path: Path):
    (tmp_path / "hogs.py").write_text(HOGS)
    watch = ProcessWatch(marker=str(tmp_path))
    yield tmp_path, request.param
    left = watch.left_behind()
    watch.kill_left_behind()
    assert left == []


def test_children_that_together_go_over_the_memory_budget_fail_the_call(hogs):
    folder, sandbox = hogs
    with WorkerProcess(folder, BUDGET, sandbox=sandbox) as worker:
        with pytest.raises(CallFault) as info:
            worker.call("hogs", "fork_and_allocate", [5, 256], {})
        assert info.value.reason == "memory"
        assert "memory budget (1024 MiB for all its processes together)" in info.value.detail
        # the same children within the budget: an answer, and the worker is usable again
        assert worker.call("hogs", "fork_and_allocate", [2, 128], {}) == 42.0


def test_a_fork_loop_stops_at_the_process_budget(hogs):
    folder, sandbox = hogs
    with WorkerProcess(folder, BUDGET, sandbox=sandbox) as worker:
        forked = worker.call("hogs", "fork_loop", [400], {})
    assert 0 < forked < BUDGET.processes


def test_busy_children_are_held_to_the_cpu_budget(hogs):
    folder, sandbox = hogs
    if "cpu" not in SUPPORT.controllers:
        pytest.skip("the cpu controller is not available here")
    # a tenth of a core: well below what three busy loops get even on a loaded machine
    with WorkerProcess(folder, replace(BUDGET, cpus=0.1), sandbox=sandbox) as worker:
        assert worker.call("hogs", "spin", [3, 1.0], {}) == 1.0
        assert _throttled(worker) > 0  # the kernel held the group to its quota


def _throttled(worker: WorkerProcess) -> int:
    """``nr_throttled`` of the worker's cgroup: how many periods it ran out of quota."""
    assert worker._group is not None
    for folder in worker._group.folders:
        stat = folder / "cpu.stat"
        if stat.exists():
            fields = dict(line.split() for line in stat.read_text().splitlines())
            return int(fields["nr_throttled"])
    raise AssertionError("no cpu.stat in the worker's cgroup")


def test_the_worker_reports_its_cgroup_and_leaves_none_behind(hogs):
    folder, sandbox = hogs
    worker = WorkerProcess(folder, BUDGET, sandbox=sandbox)
    try:
        worker.call("hogs", "spin", [1, 0.01], {})
        assert SUPPORT.layer in worker.layers and SUPPORT.layer.startswith("cgroup-v")
        folders = list(worker._group.folders)
        assert all(f.is_dir() for f in folders)
    finally:
        worker.close()
    assert not any(f.exists() for f in folders)


@pytest.mark.parametrize("sandbox", sandboxes())
def test_an_honest_learner_graded_beside_a_hog_keeps_its_solo_results(
    sandbox, tmp_path, monkeypatch
):
    """ann is graded alone, then again while a hog (three children, each busy and holding 200 MiB,
    and a busy parent) runs beside her in a worker of its own: her results are byte-identical."""
    stable_kit(monkeypatch)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_activations.py").write_text(HIDDEN)
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / "activations.py").write_text(GOOD)
    (tmp_path / "hog").mkdir()
    (tmp_path / "hog" / "hogs.py").write_text(HOGS)

    def grade_ann(out: str) -> bytes:
        options = GradeOptions(
            GradeSettings(
                topics=("activations",),
                hidden_dir=hidden,
                limits=replace(BUDGET, call_timeout=LIMITS.call_timeout),
                sandbox=sandbox,
            ),
            out=tmp_path / out,
            jobs=1,
        )
        (result,) = grade([tmp_path / "class"], options).results
        assert result["score"] == 7.0
        return (tmp_path / out / "ann" / "results.json").read_bytes()

    alone = grade_ann("alone")
    hog = WorkerProcess(tmp_path / "hog", BUDGET, sandbox=sandbox)
    outcome: list[object] = []
    thread = threading.Thread(
        target=lambda: outcome.append(hog.call("hogs", "hog", [3, 200, 25.0], {}))
    )
    try:
        hog.start()
        thread.start()
        _until_hogging(hog, processes=4, memory=3 * 200 * MIB)
        beside = grade_ann("beside")
    finally:
        (tmp_path / "hog" / "stop").touch()  # the hog ran all along: it stops when told
        thread.join(timeout=60)
        hog.close()
    assert beside == alone
    assert outcome == [1.0]


def _until_hogging(worker: WorkerProcess, processes: int, memory: int) -> None:
    """Wait (a hang guard of 60 s) until the worker's cgroup holds that many processes and bytes."""
    deadline = time.monotonic() + 60
    group = worker._group
    assert group is not None
    while time.monotonic() < deadline:
        used = 0
        for folder in group.folders:
            for name in ("memory.current", "memory.usage_in_bytes"):
                if (folder / name).exists():
                    used = int((folder / name).read_text())
        if len(group.pids()) >= processes and used >= memory:
            return
        time.sleep(0.05)
    raise AssertionError("the hog never got going")
