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
