"""A learner's worker's budgets: per call, per test, per submission (sandbox layer 1).

:class:`Limits` is read where the worker starts (:mod:`grader.engine.worker_setup`: rlimits, the
cgroup's memory, process and CPU budget) and where it is called
(:class:`~grader.engine.process.WorkerProcess`: the timeouts and wall-clock budgets).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Per-worker resource limits (layer 1 of the sandbox)."""

    call_timeout: float = 10.0  # wall seconds per call
    start_timeout: float = 60.0  # wall seconds for the worker to start and answer a ping
    cpu_seconds: int = 120  # RLIMIT_CPU for the whole worker
    memory_bytes: int = 3 * 1024**3  # RLIMIT_AS (≥ 2 GiB: torch/numpy need headroom to import),
    # and the memory budget of all the submission's processes together where cgroups exist
    file_bytes: int = 16 * 1024**2  # RLIMIT_FSIZE
    open_files: int = 256  # RLIMIT_NOFILE
    output_bytes: int = 256 * 1024  # learner output kept per call; more kills the worker
    reply_bytes: int = 64 * 1024**2  # largest reply accepted
    processes: int = 512  # RLIMIT_NPROC for the sandbox uid (with the uid drop), and pids budget
    cpus: float = 1.0  # CPU budget of the whole submission, in cores (where cgroups exist)
    test_budget: float = 60.0  # wall seconds for all the calls of one hidden test
    submission_budget: float = 300.0  # wall seconds for grading the whole submission
