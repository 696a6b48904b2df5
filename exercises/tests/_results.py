"""The per-function table of ``gradelab check``: rows built from the checked cases, and printed.

Learner-safe and standard library only: the supervising ``gradelab check`` process
(:mod:`exercises.tests._supervisor`) builds and prints the table without importing pytest or
NumPy. Rows are built by :class:`Tally` from progress events (plain dicts, one per step of the
check; see :mod:`exercises.tests._progress`), whether the check ran in this process or in a child.
"""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass, field
from typing import Any

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


class Tally:
    """Rows from progress events: ``collected``, ``import``/``imported``, ``start``, ``result``.

    :attr:`current` is the case that started and has no result yet, :attr:`importing` the topic
    whose file is being imported: what a check that ended without a verdict was doing."""

    def __init__(self) -> None:
        self.results: dict[tuple[str, str], FunctionResult] = {}
        self.load_errors: dict[str, str] = {}
        self.functions: dict[str, set[str]] = {}
        self.current: dict[str, Any] | None = None
        self.importing: str | None = None
        self.finished = 0  # cases with a result

    def row(self, topic: str, function: str) -> FunctionResult:
        return self.results.setdefault((topic, function), FunctionResult(topic, function))

    def feed(self, event: dict[str, Any]) -> None:
        kind = event.get("e")
        if kind == "collected":
            for topic, function, *_ in event["cases"]:
                if (topic, function) not in self.results:
                    self.row(topic, function).ran = False
                self.functions.setdefault(topic, set()).add(function)
        elif kind == "start":
            self.current = event
            self.row(event["topic"], event["function"]).ran = True
        elif kind == "import":
            self.importing = event["topic"]
        elif kind == "imported":
            self.importing = None
        elif kind == "result":
            self.current = None
            self.importing = None
            self.finished += 1
            self._result(event)

    def _result(self, event: dict[str, Any]) -> None:
        topic, outcome, message = event["topic"], event["outcome"], event.get("message", "")
        res = self.row(topic, event["function"])
        if outcome == "passed":
            res.passed += 1
            res.printed_lines += event.get("printed_lines", 0)
        elif outcome == "not_implemented":
            res.not_implemented += 1
            if message and message not in res.messages:
                res.messages.append(message)
        elif outcome == "load":
            self.load_errors[topic] = message
        elif outcome == "failed":
            res.failed += 1
            res.messages.append(message)
            if not res.printed:
                res.printed = event.get("printed", "")

    def rows(self, interrupted: bool = False) -> list[FunctionResult]:
        """Rows in lesson order; ``interrupted``: the running function was stopped by Ctrl-C."""
        if interrupted and self.current is not None:
            self.row(self.current["topic"], self.current["function"]).interrupted = True
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
        return sorted(rows, key=lambda r: order.get(r.topic, len(order)))  # stable: lesson order


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


def exit_status(results: list[FunctionResult]) -> int:
    """0 every function passes, 1 some do not, 130 the check was stopped (Ctrl-C)."""
    if any(r.status in ("not run", "interrupted") for r in results):
        return 130
    return 0 if results and all(r.status == "passed" for r in results) else 1
