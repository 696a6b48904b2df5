"""The cgroup probe and life cycle: where cgroups cannot be had the grader says so, a worker's
cgroup goes with the worker, and cgroups left by a grader that was killed are removed by the next
grader's probe (the budget tests themselves are in tests/grader/adversarial/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.engine import cgroups
from grader.engine.process import WorkerProcess

SUPPORT = cgroups.detect()
needs_cgroups = pytest.mark.skipif(
    SUPPORT.version is None, reason=f"no cgroups on this machine: {SUPPORT.problem}"
)


def test_without_cgroups_the_grader_warns_loudly_and_reports_no_layer(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADELAB_CGROUPS", "none")
    none = cgroups.detect.__wrapped__()
    assert none.version is None and none.layer is None
    assert "no cgroup budget per submission" in none.warning and "memory" in none.warning
    (tmp_path / "toy.py").write_text("def one():\n    return 1\n")
    with WorkerProcess(tmp_path, cgroups=none) as worker:
        assert worker.call("toy", "one", [], {}) == 1
        assert not any(layer.startswith("cgroup") for layer in worker.layers)


@needs_cgroups
def test_the_probe_reports_the_version_and_controllers_it_found():
    assert SUPPORT.layer == f"cgroup-v{SUPPORT.version}({'+'.join(SUPPORT.controllers)})"
    assert {"memory", "pids"} <= set(SUPPORT.controllers)
    assert SUPPORT.warning is None or "CPU" in SUPPORT.warning


@needs_cgroups
def test_cgroups_of_a_grader_that_was_killed_are_removed_by_the_next_probe():
    code = (
        "from grader.engine import cgroups\n"
        "group = cgroups.detect().create(1 << 30, 16, 1.0)\n"
        "print(*group.folders, flush=True)\n"
        "import time; time.sleep(120)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        folders = [Path(p) for p in proc.stdout.readline().split()]
    finally:
        proc.kill()
        proc.wait()
    assert folders and all(f.is_dir() for f in folders)  # SIGKILL: no clean-up of its own
    assert cgroups.detect.__wrapped__().version == SUPPORT.version  # a fresh probe
    assert not any(f.exists() for f in folders)


@pytest.mark.parametrize("name", ["memory.events", "memory.oom_control"])
def test_the_oom_counter_is_opened_once_and_read_fresh_after_every_call(
    tmp_path, monkeypatch, name
):
    """``went_over`` runs after every call: one open, then each read sees the current count."""
    import os

    pids, memory = tmp_path / "pids", tmp_path / "memory"
    pids.mkdir(), memory.mkdir()
    counter = memory / name
    counter.write_text("oom 0\noom_kill 0\n")
    group = cgroups.Cgroup(1, [pids, memory])
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a: opened.append(p) or real_open(p, *a))
    assert not group.went_over()
    counter.write_text("oom 1\noom_kill 1\n")
    assert group.went_over() and not group.went_over()
    counter.write_text("oom 1\noom_kill 3\n")
    assert group.oom_kills() == 3 and group.went_over()
    assert [Path(p) for p in opened].count(counter) == 1  # then only pread
    fd = group._oom_fd
    group.remove()  # closes the descriptor (the folders of a real group are removed too)
    assert group._oom_fd is None
    with pytest.raises(OSError):
        os.fstat(fd)


def test_a_group_without_an_oom_counter_counts_zero_and_stops_looking(tmp_path):
    group = cgroups.Cgroup(2, [tmp_path])
    assert group.oom_kills() == 0 and group._oom_fd == -1
    (tmp_path / "memory.events").write_text("oom_kill 5\n")  # not looked for again
    assert group.oom_kills() == 0
