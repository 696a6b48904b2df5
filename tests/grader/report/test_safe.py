"""grader/report/safe.py: learner text is inert in HTML and never a spreadsheet formula."""

from __future__ import annotations

import pytest

from grader.report.safe import csv_text, html_text


def test_html_text_escapes_markup_and_quotes():
    assert html_text("<script>alert('x')</script>\"&") == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&quot;&amp;"
    )


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2+3", "@SUM(A1)", " =1"])
def test_a_cell_a_spreadsheet_would_evaluate_is_prefixed(cell):
    assert csv_text(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["\t=1", "\r=1"])
def test_a_control_character_before_a_formula_is_shown_escaped_so_the_cell_is_inert(cell):
    """The report shares the escape module's rule: a tab or CR is written as ``\\t``/``\\r``."""
    assert csv_text(cell) == cell.replace("\t", "\\t").replace("\r", "\\r")


@pytest.mark.parametrize("cell", ["ann", "a=b", "1.5", "", "losses.mse: c0"])
def test_ordinary_text_is_unchanged(cell):
    assert csv_text(cell) == cell
