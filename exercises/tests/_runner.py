"""What ``gradelab check`` does: run the public tests and print a per-function table.

Learner-safe: needs only NumPy and pytest (faiss for the RAG topic). The command line is
:mod:`exercises.tests._cli` (one definition for the learner's and the instructor's CLI).

Every call runs under a time limit (``--timeout``, default 10 s); a function that does not return
is named and the check goes on. Ctrl-C stops the check and still prints the table: what finished,
the function that was running, and the rest as "not run". ``--watch`` re-checks a topic each time
its file is saved (:mod:`exercises.tests._watch`).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ._limits import DEFAULT_TIMEOUT

TESTS_DIR = Path(__file__).resolve().parent
TOPICS = (
    "forward",
    "activations",
    "losses",
    "backprop",
    "optimizers",
    "training",
    "conv",
    "rnn",
    "rag",
    "finetuning",
)
LOAD_ROW = "(file)"  # the function column of a topic whose file does not load
_PRINTED = re.compile(r"printed (\d+) line")


@dataclass
class FunctionResult:
    """The public tests of one function (or, for a file that does not load, of the whole file)."""

    topic: str
    function: str
    passed: int = 0
    failed: int = 0
    not_implemented: int = 0  # cases skipped because the function raises NotImplementedError
    messages: list[str] = field(default_factory=list)
    printed: str = ""  # what the first failing case printed (cut short), "" when nothing
    printed_lines: int = 0  # lines printed by passing cases (not shown in the table)
    ran: bool = True  # False: the check was stopped before this function ran
    interrupted: bool = False  # the check was stopped while this function ran
    functions: int = 1  # functions this row stands for (a file that does not load: all of them)

    @property
    def status(self) -> str:
        if self.function == LOAD_ROW:
            return "does not load"
        if self.interrupted:
            return "interrupted"
        if not self.ran:
            return "not run"
        if self.failed:
            return "failed"
        return "not implemented" if self.not_implemented else "passed"

    @property
    def name(self) -> str:
        return f"{self.topic}.py" if self.function == LOAD_ROW else f"{self.topic}.{self.function}"


def _case(item: pytest.Item) -> Any:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("case") if callspec else None


class _Collector:
    """A pytest plugin recording each case's outcome, its message and what it printed."""

    def __init__(self) -> None:
        self.results: dict[tuple[str, str], FunctionResult] = {}
        self.load_errors: dict[str, str] = {}
        self.functions: dict[str, set[str]] = {}
        self.current: tuple[str, str] | None = None

    def _row(self, topic: str, function: str) -> FunctionResult:
        return self.results.setdefault((topic, function), FunctionResult(topic, function))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            case = _case(item)
            if case is not None:
                self._row(case.topic, case.function).ran = False
                self.functions.setdefault(case.topic, set()).add(case.function)

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        case = _case(item)
        if case is not None:
            self.current = (case.topic, case.function)
            self._row(*self.current).ran = True

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
        outcome = yield
        report = outcome.get_result()
        case = _case(item)
        if case is None or report.when != "call":
            return
        self.current = None
        res = self._row(case.topic, case.function)
        exc = call.excinfo.value if call.excinfo else None
        kind = getattr(exc, "kind", None)
        if report.passed:
            res.passed += 1
            found = _PRINTED.search(report.capstdout or "")
            res.printed_lines += int(found.group(1)) if found else 0
        elif report.skipped:
            res.not_implemented += kind == "not_implemented"
        elif kind == "load":
            self.load_errors[case.topic] = getattr(exc, "problem", str(exc))
        else:
            res.failed += 1
            res.messages.append(getattr(exc, "problem", None) or getattr(exc, "msg", str(exc)))
            if not res.printed:
                res.printed = getattr(exc, "printed", "")

    def rows(self, interrupted: bool) -> list[FunctionResult]:
        if interrupted and self.current is not None:
            self._row(*self.current).interrupted = True
        order = {t: i for i, t in enumerate(TOPICS)}
        rows = [r for r in self.results.values() if r.topic not in self.load_errors]
        for topic, message in self.load_errors.items():
            rows.append(
                FunctionResult(
                    topic,
                    LOAD_ROW,
                    failed=1,
                    messages=[message],
                    functions=len(self.functions.get(topic, ())) or 1,
                )
            )
        return sorted(rows, key=lambda r: order[r.topic])  # stable: functions in lesson order


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


def run_check(
    topics: list[str] | None = None, where: str | None = None, timeout: float | None = None
) -> list[FunctionResult]:
    """Run the public tests of ``topics`` (default: all) against ``where`` (default: exercises).

    ``timeout`` is the per-call limit in seconds (default ``GRADELAB_TIMEOUT`` or 10; 0: none).
    A Ctrl-C stops the run and returns what finished, the interrupted function and the rest as
    "not run".
    """
    from . import _harness

    chosen = list(topics) if topics else list(TOPICS)
    unknown = [t for t in chosen if t not in TOPICS]
    if unknown:
        raise ValueError(f"unknown topic(s): {', '.join(unknown)}; choose from {', '.join(TOPICS)}")
    files = [
        str(TESTS_DIR / f"test_{t}.py") for t in chosen if (TESTS_DIR / f"test_{t}.py").exists()
    ]
    _harness.forget_reported()
    collector = _Collector()
    env = _environ(
        GRADELAB_TARGET=where, GRADELAB_TIMEOUT=None if timeout is None else f"{timeout:g}"
    )
    # pytest's own report is not shown: no tracebacks, and captured output is never re-printed
    args = ["-q", "-p", "no:cacheprovider", "--tb=no", "--show-capture=no", *files]
    with env, contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = pytest.main(args, plugins=[collector])
    return collector.rows(interrupted=code == pytest.ExitCode.INTERRUPTED)


def summary_line(results: list[FunctionResult]) -> str:
    done = sum(r.status == "passed" for r in results)
    total = sum(r.functions for r in results)
    line = f"{done}/{total} functions pass their public tests"
    stopped = sum(r.functions for r in results if r.status in ("not run", "interrupted"))
    if stopped:
        line += f" (stopped early: {stopped} not checked)"
    printed = sum(r.printed_lines for r in results)
    if printed:
        line += f"; passing cases printed {printed} lines (see them with pytest -s)"
    return line


def first_problem(r: FunctionResult) -> str:
    """The table's last column: the first failure's message, or why nothing was checked."""
    if r.status == "interrupted":
        return "stopped (Ctrl-C) while this function ran"
    return r.messages[0] if r.messages else ""


def format_table(results: list[FunctionResult], width: int | None = None) -> str:
    """A plain-text table: function, status, cases passed, first problem (wrapped to ``width``,
    default the terminal's), then what failing functions printed."""
    width = width or shutil.get_terminal_size((100, 24)).columns
    rows = [("function", "status", "cases", "first problem")]
    for r in results:
        total = r.passed + r.failed + r.not_implemented
        shown = f"{r.passed}/{total}" if total and r.function != LOAD_ROW else ""
        rows.append((r.name, r.status, shown, first_problem(r)))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lead = sum(widths) + 6
    below = width - lead < 30  # too narrow: the problem goes on its own lines, under its row
    indent, room = (4, max(width - 4, 20)) if below else (lead, width - lead)
    lines = []
    for row in rows:
        head = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  "
        wrapped = textwrap.wrap(row[3], room, break_long_words=False, break_on_hyphens=False)
        if below:
            lines.append(head.rstrip())
            lines.extend(" " * indent + part for part in wrapped)
            continue
        lines.append((head + (wrapped[0] if wrapped else "")).rstrip())
        lines.extend(" " * indent + part for part in wrapped[1:])
    for r in results:
        if r.printed:
            lines.append(f"\n{r.name} printed, in its first failing case:\n{r.printed}")
    return "\n".join(lines)


def check_and_print(topics: list[str] | None, where: str | None, timeout: float | None) -> int:
    """One check, printed: 0 all pass, 1 some do not, 2 bad topic, 130 stopped by Ctrl-C."""
    try:
        results = run_check(topics, where, timeout)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(format_table(results))
    print(summary_line(results))
    if any(r.status in ("not run", "interrupted") for r in results):
        return 130
    return 0 if results and all(r.status == "passed" for r in results) else 1
