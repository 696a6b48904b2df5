"""grader/affinity.py: a grading process and the learner's worker it talks to share one CPU,
and no two processes of a pool share one."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from grader import affinity, executors
from grader.settings import GradeSettings

needs_affinity = pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or len(affinity.allowed_cpus()) < 2,
    reason="needs Linux and at least two CPUs to choose from",
)


def _child_cpus() -> set[int]:
    """The affinity of a process started now (as a learner's worker is)."""
    code = "import os; print(sorted(os.sched_getaffinity(0)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


@needs_affinity
def test_a_pinned_thread_and_every_process_it_starts_run_on_that_cpu_until_the_block_ends():
    before = set(affinity.allowed_cpus())
    cpu = max(before)
    with affinity.pinned(cpu) as pinned:
        assert pinned
        assert os.sched_getaffinity(0) == {cpu}
        assert _child_cpus() == {cpu}
    assert os.sched_getaffinity(0) == before
    assert _child_cpus() == before


@needs_affinity
@pytest.mark.parametrize("cpu", [None, 10_000], ids=["unknown", "not-allowed"])
def test_pinning_to_no_cpu_or_one_not_allowed_changes_nothing(cpu):
    before = os.sched_getaffinity(0)
    with affinity.pinned(cpu) as pinned:
        assert not pinned
        assert os.sched_getaffinity(0) == before


def test_the_current_cpu_is_read_past_a_command_name_holding_blanks_and_parentheses(tmp_path):
    # fields 1-2 (pid, "(comm)"), then fields 3..52; field 39 (processor) is 7 here
    rest = ["S"] + [str(n) for n in range(4, 39)] + ["7"] + ["0"] * 13
    stat = tmp_path / "stat"
    stat.write_text(f"1234 (a b) (c) {' '.join(rest)}\n")
    assert affinity.current_cpu(stat) == 7
    assert affinity.current_cpu(tmp_path / "missing") is None
    (tmp_path / "short").write_text("1 (x) S 2\n")
    assert affinity.current_cpu(tmp_path / "short") is None


def test_this_threads_current_cpu_is_one_it_may_run_on():
    cpu = affinity.current_cpu()
    if cpu is None:
        pytest.skip("no /proc/thread-self/stat here")
    assert cpu in affinity.allowed_cpus()


@pytest.mark.parametrize(
    ("jobs", "cpus", "expected"),
    [
        (2, [0, 1], [0, 1]),
        (2, [3, 5, 9], [3, 5]),  # the CPUs a taskset or batch scheduler left, in order
        (4, [0, 1], [None] * 4),  # more jobs than CPUs: the scheduler places them
        (1, [6], [6]),
    ],
)
def test_each_pool_process_gets_a_cpu_of_its_own_while_they_last(jobs, cpus, expected):
    assert [affinity.pool_cpu(i, jobs, cpus) for i in range(jobs)] == expected
    assert affinity.pool_cpu(jobs, jobs, cpus) is None  # no such process


def _where() -> tuple[int, list[int]]:
    time.sleep(0.3)  # long enough for both pool processes to take a task
    return os.getpid(), sorted(os.sched_getaffinity(0))


@needs_affinity
def test_the_pools_processes_run_on_distinct_cpus(tmp_path: Path):
    """The pool :class:`~grader.executors.LocalExecutor` starts, with its initializer: each
    process pins itself to a CPU no other process of the pool has."""
    cpus = affinity.allowed_cpus()[:2]
    ctx = multiprocessing.get_context("spawn")
    initargs = ([], str(tmp_path), ctx.Value("i", 0), 2, cpus)
    seen: dict[int, list[int]] = {}
    with ProcessPoolExecutor(
        2, mp_context=ctx, initializer=executors._pool_process_start, initargs=initargs
    ) as pool:
        deadline = time.monotonic() + 120  # a busy machine starts the second process late
        while len(seen) < 2 and time.monotonic() < deadline:
            seen.update(f.result() for f in [pool.submit(_where) for _ in range(4)])
    assert len(seen) == 2, seen
    assert sorted(cpu for (cpu,) in seen.values()) == cpus


@needs_affinity
def test_grading_in_this_process_pins_it_for_the_run_and_restores_it(monkeypatch):
    """``gradelab grade --jobs 1``: the learners' workers start on the grading thread's CPU."""
    before = os.sched_getaffinity(0)
    seen: list[tuple[set[int], set[int]]] = []

    def grade(submission, settings):
        seen.append((os.sched_getaffinity(0), _child_cpus()))
        return {"learner": submission.learner}

    monkeypatch.setattr(executors, "grade_submission", grade)

    class Sub:
        learner = "ann"

    done = list(executors.LocalExecutor(GradeSettings(), jobs=1).run([Sub()]))
    assert len(done) == 1
    ((mine, child),) = seen
    assert len(mine) == 1 and child == mine
    assert os.sched_getaffinity(0) == before
