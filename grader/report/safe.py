"""Learner text (ids, messages, calls, code) made safe to write into HTML and CSV.

One place for both rules, so that a shared escaping module can replace it in one edit:

- HTML: ``html.escape`` with quotes, so a value is inert in element text and in attributes.
- CSV: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is read as a
  formula by spreadsheet programs; such a cell is prefixed with ``'`` (OWASP's advice), which
  shows the text as written. Numbers the report computes are written as they are.
"""

from __future__ import annotations

import html

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def html_text(value: object) -> str:
    """``value`` as text that HTML shows literally, in element content or a quoted attribute."""
    return html.escape(str(value), quote=True)


def csv_text(value: object) -> str:
    """``value`` as a CSV text cell that no spreadsheet evaluates as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
