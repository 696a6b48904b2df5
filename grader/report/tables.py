"""``items.csv`` and ``mistakes.csv``: the report's two tables, for a spreadsheet."""

from __future__ import annotations

from grader.outputs.csv_table import csv_table
from grader.outputs.escape import escape_char
from grader.report.items import Item
from grader.report.mistakes import Mistake

#: unnamed signatures listed: the most common ones
UNNAMED_LISTED = 5


def fmt(x: float | None, digits: int = 3) -> str:
    """A number for a table: blank when undefined, else at most ``digits`` decimals."""
    return "" if x is None else f"{round(x, digits):g}"


def items_csv(items: list[Item]) -> str:
    """One row per graded item; the item's name, topic and function are learner-facing text."""
    header = [
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
    rows = (
        [
            it.name,
            it.topic,
            it.function,
            fmt(it.points),
            it.graded,
            fmt(it.pass_rate),
            fmt(it.mean_points),
            fmt(it.discrimination),
            "; ".join(it.flags),
        ]
        for it in items
    )
    return csv_table(header, rows, text={"item", "topic", "function"})


def learner_list(learners: list[str]) -> str:
    """The learners of a mistake in one cell, separated by spaces: a blank inside an id (``ann
    smith``, a no-break space) is written as its escape (``ann\\x20smith``), so splitting the
    cell on blanks gives back each learner, never two made-up ones."""
    return " ".join(
        "".join(escape_char(c) if c.isspace() else c for c in learner) for learner in learners
    )


def listed(named: list[Mistake], unnamed: list[Mistake]) -> list[Mistake]:
    """Every named mistake, then the most common unnamed wrong answers."""
    return [*named, *unnamed[:UNNAMED_LISTED]]


def mistakes_csv(named: list[Mistake], unnamed: list[Mistake]) -> str:
    """One row per listed mistake (:func:`listed`); names, learners and examples are text."""
    header = [
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
    rows = (
        [
            "named" if m.named else "unnamed",
            m.name,
            m.key,
            m.topic,
            m.function,
            m.count,
            learner_list(m.learners),
            m.example_call,
            m.example_message,
        ]
        for m in listed(named, unnamed)
    )
    text = set(header) - {"kind", "learners_count"}
    return csv_table(header, rows, text=text)
