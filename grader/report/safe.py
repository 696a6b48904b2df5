"""Learner text (ids, messages, calls, code) made safe to write into the class report's HTML and
CSV: the report's values as text, through the one escaping module (``grader/outputs/escape.py``),
so the report follows exactly the rules of every other output."""

from __future__ import annotations

from grader.outputs import escape


def html_text(value: object) -> str:
    """``value`` as text that HTML shows literally, in element content or a quoted attribute."""
    return escape.html(str(value))


def csv_text(value: object) -> str:
    """``value`` as a CSV text cell that no spreadsheet evaluates as a formula."""
    return escape.csv_cell(str(value))
