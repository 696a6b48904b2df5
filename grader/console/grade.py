"""``gradelab grade``'s console: the sandbox banner, the progress bar, the class table.

Learner ids and messages are text, never Rich markup: every one goes through
:func:`grader.outputs.escape.console`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from grader.grading import GradeReport
from grader.outputs.escape import console as shown
from grader.regrade import Planned
from grader.results import SubmissionResult


def print_local_sandbox(console: Console) -> None:
    """The sandbox layers this host grades in, and one short warning naming the missing ones
    (the detail and the fix: ``gradelab doctor``)."""
    from grader.doctor import short_lines
    from grader.engine import cgroups
    from grader.settings import host_sandbox

    sandbox, budget = host_sandbox(), cgroups.detect()
    console.print(f"sandbox: {', '.join([*sandbox.layers, budget.layer or 'no-cgroups'])}")
    for warning in short_lines(sandbox, budget):  # once per run
        console.print(warning, style="bold yellow", markup=False, highlight=False)


class GradeProgress:
    """The progress bar and the lines above it; it appears with the first result, so a cluster
    that cannot be used is one line of error."""

    def __init__(self, console: Console, total: int) -> None:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        self.bar = Progress(*columns, console=console)
        self.task = self.bar.add_task("grading", total=total)
        self.recorded: list[str] = []  # learners whose result is in the gradebook

    def progress(self, learner: str, result: dict[str, Any], reused: bool) -> None:
        """One learner done: its score (and whether it was reused), one step of the bar."""
        self.recorded.append(learner)
        self.bar.start()
        note = " (unchanged, reused)" if reused else ""
        score = f": {result['score']:g}/{result['max_score']:g}{note}"
        self.bar.console.print(Text.assemble(shown(learner), score))
        self.bar.advance(self.task)

    def notify(self, message: str) -> None:
        style = "bold yellow" if message.startswith("WARNING") else "yellow"
        self.bar.console.print(shown(message, style), highlight=False)

    def stop(self) -> None:
        if self.bar.live.is_started:
            self.bar.stop()


def class_table(report: GradeReport) -> Table:
    """One row per learner: total, and the topics below full marks."""
    table = Table(title=f"Class results ({report.graded} graded, {report.reused} unchanged)")
    # an id is one word: the column is never narrower than the longest id (up to 40), so ids
    # wrap whole instead of being split mid-word
    longest = max((len(str(r.get("learner", ""))) for r in report.results), default=7)
    table.add_column("learner", overflow="fold", min_width=min(max(longest, 7), 40))
    table.add_column("total", justify="right", no_wrap=True)
    table.add_column("topics below full marks (all topics: grades.csv)", overflow="fold")
    for r in report.results:
        sub = SubmissionResult.from_dict(r)
        short = [
            f"{t} {got:g}/{top:g}" for t, (got, top) in sub.topic_scores().items() if got < top
        ]
        table.add_row(
            shown(sub.learner), f"{sub.score:g}/{sub.max_score:g}", ", ".join(short) or "none"
        )
    return table


def print_written(console: Console, out: Path) -> None:
    console.print(
        f"written under {out}/: <folder>/results.json, feedback.md/.html (folder: the learner id, "
        "or its safe form and a hash: grades.csv's folder column), grades.csv, gradebook.sqlite, "
        "class/ (the class report)",
        markup=False,
    )


def print_not_graded(console: Console, failed: dict[str, str]) -> None:
    console.print(
        shown(
            f"not graded ({len(failed)}; nothing recorded for them, run again to "
            "retry): " + ", ".join(sorted(failed)),
            "red",
        ),
        highlight=False,
    )


def print_plan(console: Console, planned: list[Planned], total: int) -> None:
    """``--dry-run``: each learner who would be graded, and why."""
    console.print(
        f"would grade {len(planned)} of {total} submissions "
        f"({total - len(planned)} unchanged in the gradebook); nothing graded or written",
        markup=False,
    )
    for step in planned:
        old = "" if step.previous is None else f" (graded under {step.previous.fingerprint})"
        detail = f": {step.detail}" if step.detail else ""
        said = shown(f"  {step.learner}: {step.why}{old}{detail}")
        console.print(said, highlight=False, soft_wrap=True)


def print_regrades(console: Console, report: GradeReport, out: Path) -> None:
    """Learners regraded (the same files, graded under another kit, settings or sandbox): how
    many, why, and each whose outcomes moved."""
    regraded = [p for p in report.planned if p.regrade]
    if not regraded:
        return
    console.print(
        f"regraded (the same files, graded differently): {len(regraded)}; outcomes changed for "
        f"{len(report.regrades)} (listed in {out}/regrade.csv; earlier files kept under "
        "<folder>/previous/<fingerprint>/)",
        markup=False,
    )
    kinds: dict[tuple[str, str], int] = {}
    for step in regraded:
        kinds[step.why, step.detail] = kinds.get((step.why, step.detail), 0) + 1
    for (why, detail), count in sorted(kinds.items()):
        said = f"  {why}: {count}" + (f" ({detail})" if detail else "")
        console.print(shown(said), highlight=False, soft_wrap=True)
    for change in report.regrades:
        console.print(shown(f"  {change.describe()}", "yellow"), highlight=False, soft_wrap=True)
