"""``items.csv`` and ``mistakes.csv``: the report's two tables, for a spreadsheet."""

from __future__ import annotations

import csv
import io

from grader.report.items import Item
from grader.report.mistakes import Mistake
from grader.report.safe import csv_text

#: unnamed signatures listed: the most common ones
UNNAMED_LISTED = 5


def fmt(x: float | None, digits: int = 3) -> str:
    """A number for a table: blank when undefined, else at most ``digits`` decimals."""
    return "" if x is None else f"{round(x, digits):g}"


def items_csv(items: list[Item]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        [
            "item",
            "topic",
            "function",
            "points",
            "learners_graded",
            "pass_rate",
            "mean_points",
            "discrimination",
            "flags",
        ]
    )
    for it in items:
        writer.writerow(
            [
                csv_text(it.name),
                csv_text(it.topic),
                csv_text(it.function),
                fmt(it.points),
                it.graded,
                fmt(it.pass_rate),
                fmt(it.mean_points),
                fmt(it.discrimination),
                "; ".join(it.flags),
            ]
        )
    return buf.getvalue()


def listed(named: list[Mistake], unnamed: list[Mistake]) -> list[Mistake]:
    """Every named mistake, then the most common unnamed wrong answers."""
    return [*named, *unnamed[:UNNAMED_LISTED]]


def mistakes_csv(named: list[Mistake], unnamed: list[Mistake]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        [
            "kind",
            "mistake",
            "key",
            "topic",
            "function",
            "learners_count",
            "learners",
            "example_call",
            "example_message",
        ]
    )
    for m in listed(named, unnamed):
        writer.writerow(
            [
                "named" if m.named else "unnamed",
                csv_text(m.name),
                csv_text(m.key),
                csv_text(m.topic),
                csv_text(m.function),
                m.count,
                csv_text(" ".join(m.learners)),
                csv_text(m.example_call),
                csv_text(m.example_message),
            ]
        )
    return buf.getvalue()
