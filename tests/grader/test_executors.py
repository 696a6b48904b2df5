"""grader/executors.py: how a local pool is stopped on Ctrl-C, and what its parent imports."""

from __future__ import annotations

import io
import json
import multiprocessing
import pickle
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from grader.engine.run import versions
from grader.examples import write_answers
from grader.executors import abandon_on_interrupt

ROOT = Path(__file__).resolve().parents[2]


def test_an_interrupted_pool_is_stopped_not_waited_for():
    """Ctrl-C inside ``abandon_on_interrupt``: the running worker is terminated, not awaited."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    future = pool.submit(time.sleep, 3600)
    while not pool._processes:  # the worker exists once the task is queued
        time.sleep(0.01)
    process = next(iter(pool._processes.values()))
    with pytest.raises(KeyboardInterrupt), abandon_on_interrupt(pool):
        raise KeyboardInterrupt
    # the pool's own thread may reap the process first (waitpid then fails here, and is_alive()
    # reads True until that thread has stored the exit code): ask again for a while
    deadline = time.monotonic() + 30
    while process.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process.is_alive()
    pool.shutdown(wait=True)  # as the ``with`` around it does: it returns, nothing is awaited
    assert not future.done() or future.exception() is not None  # the sleep never finished


POOL_PARENT = """
import json, sys
from pathlib import Path
from grader.grading import GradeOptions, grade
from grader.settings import GradeSettings
options = GradeOptions(GradeSettings(("activations",), max_examples=5), out=Path(sys.argv[2]), jobs=2)
report = grade([Path(sys.argv[1])], options)
heavy = sorted(m for m in ("torch", "pytest", "hypothesis", "grader.engine.run") if m in sys.modules)
print(json.dumps({"graded": report.graded, "heavy": heavy}))
"""


def test_a_pools_parent_collects_results_without_importing_the_engine(tmp_path):
    """The parent of ``--jobs 2`` never imports torch, pytest or the engine (1.8 s of a core
    before the pool's processes could start): not to start, not to read a result back."""
    klass = tmp_path / "class"
    write_answers(klass / "model-answers")
    write_answers(klass / "untouched-stubs", "exercises")
    proc = subprocess.run(
        [sys.executable, "-c", POOL_PARENT, str(klass), str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.splitlines()[-1]) == {"graded": 2, "heavy": []}


def test_a_result_crosses_processes_as_plain_data():
    """Nothing in a result names a class (``torch.__version__`` is a ``TorchVersion``): reading
    one back needs no import at all."""

    class NoClasses(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> None:
            raise AssertionError(f"the result pickles {module}.{name}")

    result = {"versions": versions(), "score": 1.0, "outcomes": [{"name": "x", "passed": True}]}
    assert NoClasses(io.BytesIO(pickle.dumps(result))).load() == result


def test_the_default_jobs_are_the_cpus_this_process_may_use(monkeypatch):
    """``taskset -c 1 gradelab grade`` ran one pool process per CPU of the machine on one CPU."""
    import os

    from grader import executors
    from grader.grading import GradeOptions

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(executors, "_cgroup_cpu_quota", lambda: None)
    assert executors.cpus_available() == 1
    assert GradeOptions().jobs == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    monkeypatch.setattr(executors, "_cgroup_cpu_quota", lambda: 2)  # a container's --cpus 1.5
    assert executors.cpus_available() == 2


def test_the_cgroup_cpu_quota_is_the_tightest_of_the_cgroup_and_its_parents(tmp_path):
    from grader.executors import _cgroup_cpu_quota

    membership = tmp_path / "cgroup"
    membership.write_text("0::/a/b\n")
    root = tmp_path / "fs"
    (root / "a" / "b").mkdir(parents=True)
    (root / "cpu.max").write_text("max 100000\n")
    (root / "a" / "cpu.max").write_text("250000 100000\n")
    (root / "a" / "b" / "cpu.max").write_text("max 100000\n")
    assert _cgroup_cpu_quota(root, membership) == 3
    (root / "a" / "cpu.max").write_text("max 100000\n")
    assert _cgroup_cpu_quota(root, membership) is None
    assert _cgroup_cpu_quota(root, tmp_path / "nowhere") is None


def test_a_signal_during_a_recording_is_delivered_once_it_is_done():
    """The run stops between two results: the result being recorded is kept whole."""
    import os
    import signal

    from grader.executors import uninterrupted

    done = []
    with pytest.raises(KeyboardInterrupt), uninterrupted():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        done.append("recorded")
    assert done == ["recorded"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigterm_while_grading_is_an_interrupt_of_its_own_kind():
    import os
    import signal

    from grader.executors import Terminated, stop_on_sigterm

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated), stop_on_sigterm():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    assert signal.getsignal(signal.SIGTERM) == before
    assert issubclass(Terminated, KeyboardInterrupt)  # every Ctrl-C path stops for it too
