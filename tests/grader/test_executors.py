"""grader/executors.py: how a local pool is stopped on Ctrl-C."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from grader.executors import abandon_on_interrupt


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
