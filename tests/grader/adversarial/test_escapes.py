"""Layer 1 against processes that leave the worker's process group, at the WorkerProcess level:
the grader is a child subreaper, so daemons a learner starts (setsid + double fork) come back to
it and die with the worker; the grader's own children and other live workers are spared; a
worker that died between calls costs the next call a named fault, never a grader error."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from grader.engine.process import CallFault, WorkerProcess

from ._support import LIMITS, ProcessWatch, process_table, sandboxes

PR_GET_CHILD_SUBREAPER = 37

TOY = textwrap.dedent(
    """
    import ctypes, os, signal, time

    def escape(n):
        # n daemons in sessions of their own, orphaned by a double fork; their pids come back
        read, write = os.pipe()
        for _ in range(int(n)):
            if os.fork() == 0:
                os.setsid()
                if os.fork() > 0:
                    os._exit(0)
                os.write(write, f"{os.getpid()}\\n".encode())
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                while True:
                    time.sleep(0.05)
        pids = []
        while len(pids) < int(n):
            pids += [int(p) for p in os.read(read, 4096).split()]
        return pids

    def double(x):
        return 2 * x

    def segv(x):
        ctypes.memmove(0, b"boom", 4)
    """
)


@pytest.fixture(params=sandboxes())
def toy(request, tmp_path: Path):
    (tmp_path / "toy.py").write_text(TOY)
    return tmp_path, request.param


def _alive(pid: int) -> bool:
    """Running (a zombie counts as gone: it is dead, only not yet reaped)."""
    return process_table().get(pid, (0, "Z"))[1] != "Z"


def test_the_grader_becomes_a_child_subreaper_when_a_worker_starts(toy):
    folder, sandbox = toy
    with WorkerProcess(folder, LIMITS, sandbox=sandbox) as worker:
        worker.call("toy", "double", [1.0], {})
        flag = ctypes.c_int(0)
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.prctl(PR_GET_CHILD_SUBREAPER, ctypes.byref(flag), 0, 0, 0) == 0
        assert flag.value == 1


def test_daemons_that_left_the_process_group_die_with_the_worker(toy):
    folder, sandbox = toy
    watch = ProcessWatch(marker=str(folder))
    worker = WorkerProcess(folder, LIMITS, sandbox=sandbox)
    try:
        pids = worker.call("toy", "escape", [3], {})
        assert len(pids) == 3
        if not sandbox.bwrap:  # real pids: outside the worker's group, re-parented to us
            assert all(_alive(p) for p in pids)
            assert all(os.getpgid(p) != worker._proc.pid for p in pids)
            assert all(process_table()[p][0] == os.getpid() for p in pids)
        worker.close()
        if not sandbox.bwrap:
            assert not any(_alive(p) for p in pids)
        assert watch.left_behind() == []
    finally:
        worker.close()
        watch.kill_left_behind()


def test_closing_a_worker_spares_the_graders_own_children_and_other_workers(toy):
    folder, sandbox = toy
    before = subprocess.Popen(["sleep", "30"])
    first = WorkerProcess(folder, LIMITS, sandbox=sandbox)
    other = WorkerProcess(folder, LIMITS, sandbox=sandbox)
    try:
        first.call("toy", "double", [1.0], {})
        other.call("toy", "double", [1.0], {})
        after = subprocess.Popen(["sleep", "30"])
        try:
            first.call("toy", "escape", [2], {})
            first.close()
            assert before.poll() is None and after.poll() is None
            assert np.array_equal(other.call("toy", "double", [np.ones(2)], {}), [2.0, 2.0])
            assert other.starts == 1
        finally:
            after.kill()
            after.wait()
    finally:
        first.close()
        other.close()
        before.kill()
        before.wait()


def test_a_worker_killed_between_calls_costs_the_next_call_a_fault_not_a_grader_error(toy):
    folder, sandbox = toy
    with WorkerProcess(folder, LIMITS, sandbox=sandbox) as worker:
        worker.call("toy", "double", [1.0], {})
        os.kill(worker._proc.pid, signal.SIGKILL)
        time.sleep(0.05)
        with pytest.raises(CallFault):  # not BrokenPipeError from flushing the dead pipe
            worker.call("toy", "double", [1.0], {})
        assert worker.call("toy", "double", [3.0], {}) == 6.0


def test_a_segfault_is_named_under_every_sandbox(toy):
    folder, sandbox = toy
    with WorkerProcess(folder, LIMITS, sandbox=sandbox) as worker, pytest.raises(CallFault) as info:
        worker.call("toy", "segv", [1.0], {})
    assert info.value.reason == "crash" and info.value.detail.endswith("killed by SIGSEGV")
