"""``gradelab check [topic]``: run the public tests and print a per-function table.

Learner-safe: needs only NumPy and pytest (faiss for the RAG topic). The instructor CLI calls
:func:`run_check` too and renders the same results with rich.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

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


@dataclass
class FunctionResult:
    """The public tests of one function: passed, failed, or not implemented."""

    topic: str
    function: str
    passed: int = 0
    failed: int = 0
    not_implemented: bool = False
    messages: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.not_implemented:
            return "not implemented"
        return "passed" if self.failed == 0 else "failed"


class _Collector:
    """A pytest plugin recording each case's outcome and its one-line message."""

    def __init__(self) -> None:
        self.results: dict[tuple[str, str], FunctionResult] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
        outcome = yield
        report = outcome.get_result()
        case = getattr(item, "callspec", None) and item.callspec.params.get("case")
        if case is None or report.when != "call":
            return
        res = self.results.setdefault(
            (case.topic, case.function), FunctionResult(case.topic, case.function)
        )
        if report.passed:
            res.passed += 1
            return
        res.failed += 1
        exc = call.excinfo.value if call.excinfo else None
        message = getattr(exc, "msg", None) or str(exc)
        res.not_implemented |= message.startswith("not implemented yet")
        res.messages.append(message)


def run_check(topics: list[str] | None = None, where: str | None = None) -> list[FunctionResult]:
    """Run the public tests of ``topics`` (default: all) against ``where`` (default: exercises)."""
    chosen = list(topics) if topics else list(TOPICS)
    unknown = [t for t in chosen if t not in TOPICS]
    if unknown:
        raise ValueError(f"unknown topic(s): {', '.join(unknown)}; choose from {', '.join(TOPICS)}")
    files = [
        str(TESTS_DIR / f"test_{t}.py") for t in chosen if (TESTS_DIR / f"test_{t}.py").exists()
    ]
    collector = _Collector()
    previous = os.environ.get("GRADELAB_TARGET")
    if where:
        os.environ["GRADELAB_TARGET"] = where
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            pytest.main(
                ["-q", "-p", "no:cacheprovider", "--no-header", *files], plugins=[collector]
            )
    finally:
        if where:
            if previous is None:
                os.environ.pop("GRADELAB_TARGET", None)
            else:
                os.environ["GRADELAB_TARGET"] = previous
    order = {t: i for i, t in enumerate(TOPICS)}
    return sorted(collector.results.values(), key=lambda r: (order[r.topic], r.function))


def summary_line(results: list[FunctionResult]) -> str:
    done = sum(r.status == "passed" for r in results)
    return f"{done}/{len(results)} functions pass their public tests"


def format_table(results: list[FunctionResult]) -> str:
    """A plain-text table: function, status, cases passed, first diagnosis."""
    rows = [("function", "status", "cases", "first problem")]
    for r in results:
        first = r.messages[0] if r.messages and not r.not_implemented else ""
        rows.append(
            (f"{r.topic}.{r.function}", r.status, f"{r.passed}/{r.passed + r.failed}", first)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for row in rows:
        lines.append(
            "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3]
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gradelab", description="Check your exercises locally.")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="run the public tests and show a per-function table")
    check.add_argument(
        "topics", nargs="*", help=f"topics to check (default: all): {', '.join(TOPICS)}"
    )
    check.add_argument("--path", help="folder holding your <topic>.py files (default: exercises/)")
    args = parser.parse_args(argv)
    try:
        results = run_check(args.topics or None, args.path)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(format_table(results))
    print(summary_line(results))
    return 0 if results and all(r.status == "passed" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
