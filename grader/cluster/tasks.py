"""What runs on the Dask workers: the kit check, a learner's grading, a share of the warm-up.

Only builtins travel in a task (the settings in their wire form), so a worker with another kit
gets as far as :func:`_checked`, which refuses the task with
:class:`~grader.cluster.errors.KitMismatch`, instead of failing to unpickle something. A
module-level lock serialises gradings within a worker process (pytest is not thread-safe).
"""

from __future__ import annotations

import functools
import os
import socket
import threading
from pathlib import Path
from typing import Any

from distributed import get_worker

from grader import __version__, warmup
from grader.cluster.errors import KitMismatch
from grader.doctor import gaps
from grader.engine import cgroups
from grader.executors import grade_submission
from grader.settings import GradeSettings
from grader.submissions import Submission

_LOCK = threading.Lock()  # one grading at a time in a worker process (pytest is not thread-safe)


@functools.cache
def worker_fingerprint(settings: GradeSettings) -> str:
    """The grading fingerprint of the kit this process runs (:mod:`grader.fingerprint`).

    Computed once per process and settings, when it is first asked, just after importing the
    kit (the engine is imported on the workers only, not by the coordinator), so it describes
    the code this process has loaded: a kit upgraded on disk under a running worker does not
    make the worker's old code pass for the new one.
    """
    import grader.engine.run  # noqa: F401 - the kit first, then its fingerprint

    return settings.fingerprint()


def worker_info(settings: dict[str, Any]) -> dict[str, Any]:
    """What the coordinator checks on each worker before sending work (runs on the worker);
    ``settings`` is the wire form of the run's :class:`GradeSettings`."""
    chosen = GradeSettings.from_wire(settings)
    sandbox = chosen.chosen_sandbox()
    budget = cgroups.detect()
    missing = [short for short, _ in gaps(sandbox, budget)]  # as grade says it locally
    return {
        "fingerprint": worker_fingerprint(chosen),
        "version": __version__,
        "host": socket.gethostname(),
        "sandbox": f"{sandbox.label} + {budget.layer or 'no cgroups'}",
        "warning": "; ".join(missing) or None,
    }


_profiler_stopped = False


def _stop_profiler() -> None:
    """Stop the statistical profiler of the Dask worker this runs on (once per process).

    Every 10 ms it walks the stacks of the worker's threads from the event loop, holding the
    GIL; a grading thread deep in pytest loses about a fifth of its speed to it.
    """
    global _profiler_stopped
    if _profiler_stopped:
        return
    _profiler_stopped = True
    try:
        worker = get_worker()
    except ValueError:  # not in a Dask task (called directly)
        return
    callback = worker.periodic_callbacks.get("profile")
    if callback is not None:
        worker.loop.add_callback(callback.stop)  # the event loop's thread owns its callbacks


def grade_task(
    learner: str,
    files: dict[str, bytes],
    problems: list[str],
    settings: dict[str, Any],
    expected_fingerprint: str,
    run: str = "",
) -> dict[str, Any]:
    """Grade one submission on a worker, exactly as a local run would; the result as a dict.

    ``settings`` is the wire form of the run's :class:`GradeSettings`: only builtins travel in
    the task, so a worker with another kit gets as far as this check instead of failing to
    unpickle something. ``run`` names the coordinator's run: the workers of one machine share
    their conversation trees for it (:func:`_share_trees`).
    """
    chosen = _checked(settings, expected_fingerprint)
    with _LOCK:
        _share_trees(chosen, run)
        return grade_submission(Submission(learner, Path(), files, tuple(problems)), chosen)


def warm_task(
    share: int, shares: int, settings: dict[str, Any], expected_fingerprint: str, run: str = ""
) -> warmup.Warmed:
    """Share ``share`` of ``shares`` of the warm-up on a worker (:func:`grader.warmup.warm_share`:
    the model answers graded on it, what they draw kept in this machine's store), after the same
    checks as :func:`grade_task`, one grading at a time."""
    chosen = _checked(settings, expected_fingerprint)
    with _LOCK:
        _share_trees(chosen, run)
        return warmup.warm_share(share, shares, chosen)


def _share_trees(settings: GradeSettings, run: str) -> None:
    """Share this worker's conversation trees with the other workers of its machine during
    ``run`` (:mod:`grader.engine.memo_share`), through its recording store, which they share;
    nothing without a store (no bubblewrap: learner code could reach the files) or a run id."""
    from grader.engine import memo_share, recordings

    store = recordings.for_settings(settings)
    if store is None or not run:
        memo_share.detach()
        return
    try:
        memo_share.attach_run(store.folder, run)
    except OSError:  # a store that cannot be written: grading goes on without sharing
        memo_share.detach()


def _checked(settings: dict[str, Any], expected_fingerprint: str) -> GradeSettings:
    """The task's settings, once this worker is known to grade with the coordinator's kit
    (:class:`KitMismatch` otherwise); Dask's profiler stopped first."""
    _stop_profiler()
    chosen = GradeSettings.from_wire(settings)
    found = worker_fingerprint(chosen)
    if found != expected_fingerprint:
        raise KitMismatch(
            f"worker {socket.gethostname()} (pid {os.getpid()}) grades with fingerprint {found}, "
            f"the coordinator with {expected_fingerprint}: its gradelab kit ({__version__}) or "
            "hidden suite differs; install the coordinator's version there and restart the worker"
        )
    return chosen
