"""What ``gradelab check`` does: run the public tests and print a per-function table.

Learner-safe: needs only NumPy and pytest (faiss for the RAG topic). The command line is
:mod:`exercises.tests._cli` (one definition for the learner's and the instructor's CLI).

Every call runs under a time limit (``--timeout``, default 10 s); a function that does not return
is named and the check goes on. ``gradelab check`` runs the tests in a child process it watches
(:mod:`exercises.tests._supervisor`, POSIX), so nothing the learner's code does (an exit, a
fork, a signal, a loop that ignores the time limit) can hang the check or take its table away;
on Windows the check runs in this process, as :func:`run_check` does. Ctrl-C stops the check and
still prints the table: what finished, the function that was running, and the rest as "not
run". ``--watch`` re-checks a topic each time its file is saved (:mod:`exercises.tests._watch`).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from ._results import (
    LOAD_ROW,
    TOPICS,
    FunctionResult,
    Tally,
    exit_status,
    first_problem,
    format_table,
    summary_line,
)

__all__ = [
    "LOAD_ROW",
    "TOPICS",
    "FunctionResult",
    "check_and_print",
    "first_problem",
    "format_table",
    "run_check",
    "run_session",
    "summary_line",
    "test_files",
]

INTERRUPTED = 2  # pytest.ExitCode.INTERRUPTED


@contextlib.contextmanager
def _environ(**values: str | None) -> Iterator[None]:
    previous = {k: os.environ.get(k) for k in values}
    for k, v in values.items():
        if v is not None:
            os.environ[k] = v
    try:
        yield
    finally:
        for k, v in previous.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_files(topics: list[str] | None) -> list[str]:
    """The public test files of ``topics`` (default: all); ValueError for an unknown topic."""
    chosen = list(topics) if topics else list(TOPICS)
    unknown = [t for t in chosen if t not in TOPICS]
    if unknown:
        raise ValueError(f"unknown topic(s): {', '.join(unknown)}; choose from {', '.join(TOPICS)}")
    here = os.path.dirname(os.path.abspath(__file__))
    paths = [os.path.join(here, f"test_{t}.py") for t in chosen]
    return [p for p in paths if os.path.exists(p)]


def run_session(
    topics: list[str] | None,
    where: str | None,
    timeout: float | None,
    sink: Callable[[dict[str, Any]], None],
    *,
    skip: frozenset[str] = frozenset(),
    learner_interrupts: bool = False,
    pytest_args: tuple[str, ...] = (),
) -> int:
    """One pytest session over ``topics``' public tests, each step sent to ``sink``; pytest's
    exit code. ``skip``: node ids not to run; ``learner_interrupts``: a KeyboardInterrupt is the
    learner code's (a supervised child, which no Ctrl-C reaches)."""
    import pytest

    from . import _harness, _loading
    from ._collector import Collector

    files = test_files(topics)
    _harness.forget_reported()
    _loading.LEARNER_INTERRUPTS = learner_interrupts
    collector = Collector(sink, skip, learner_interrupts)
    env = _environ(
        GRADELAB_TARGET=where, GRADELAB_TIMEOUT=None if timeout is None else f"{timeout:g}"
    )
    # pytest's own report is not shown: no tracebacks, and captured output is never re-printed
    args = ["-q", "-p", "no:cacheprovider", "--tb=no", "--show-capture=no", *pytest_args, *files]
    with env, contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return int(pytest.main(args, plugins=[collector]))


def run_check(
    topics: list[str] | None = None, where: str | None = None, timeout: float | None = None
) -> list[FunctionResult]:
    """Run the public tests of ``topics`` (default: all) against ``where`` (default: exercises),
    in this process.

    ``timeout`` is the per-call limit in seconds (default ``GRADELAB_TIMEOUT`` or 10; 0: none).
    A Ctrl-C stops the run and returns what finished, the interrupted function and the rest as
    "not run".
    """
    tally = Tally()
    code = run_session(topics, where, timeout, tally.feed)
    return tally.rows(interrupted=code == INTERRUPTED)


def check_and_print(topics: list[str] | None, where: str | None, timeout: float | None) -> int:
    """One check, printed: 0 all pass, 1 some do not, 2 bad topic, 130 stopped by Ctrl-C."""
    try:
        test_files(topics)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if os.name == "posix":
        from ._supervisor import supervise

        results, status = supervise(topics, where, timeout)
    else:  # no process groups to end: the check runs here
        results = run_check(topics, where, timeout)
        status = exit_status(results)
    print(format_table(results))
    print(summary_line(results))
    return status
