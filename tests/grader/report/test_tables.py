"""grader/report/tables.py: items.csv and mistakes.csv columns, formula-safe learner text, and
only the five most common unnamed wrong answers listed."""

from __future__ import annotations

import csv
import io

from grader.report.items import analyse_items
from grader.report.mistakes import Mistake
from grader.report.tables import UNNAMED_LISTED, items_csv, mistakes_csv
from tests.grader.report.synthetic import klass


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_items_csv_has_one_row_per_item_with_its_statistics_and_flags():
    items = analyse_items(klass({"a": [1, 1, 0], "b": [1, 0, 0], "c": [1, 1, 0], "d": [1, 0, 0]}))
    table = rows(items_csv(items))
    assert [r["item"] for r in table] == ["losses.mse: c0", "losses.mse: c1", "losses.mse: c2"]
    assert table[0]["flags"] == "nobody fails"
    assert table[2]["flags"] == "nobody passes"
    assert table[1]["pass_rate"] == "0.5"
    assert table[1]["mean_points"] == "0.5"
    assert table[1]["learners_graded"] == "4"
    assert table[0]["discrimination"] == ""  # undefined, not 0


def test_mistakes_csv_neutralises_formulas_in_learner_text_and_lists_five_unnamed():
    evil = Mistake("k", '=HYPERLINK("x")', "losses", "mse", True, ["=cmd|' /C calc'!A0", "bob"])
    evil.example_call, evil.example_message = "+mse(1)", "@oops"
    unnamed = [
        Mistake(f"u{i}", f"c{i} (wrong values)", "losses", "mse", False, ["x"] * (9 - i))
        for i in range(UNNAMED_LISTED + 2)
    ]
    table = rows(mistakes_csv([evil], unnamed))
    assert len(table) == 1 + UNNAMED_LISTED
    first = table[0]
    assert first["kind"] == "named"
    assert first["mistake"].startswith("'=")
    assert first["learners"].startswith("'=cmd")
    assert first["learners_count"] == "2"
    assert first["example_call"] == "'+mse(1)" and first["example_message"] == "'@oops"
    assert [r["key"] for r in table[1:]] == [f"u{i}" for i in range(UNNAMED_LISTED)]


def test_a_learner_id_with_blanks_stays_one_learner_in_the_mistakes_learners_cell():
    """mistakes.csv lists a mistake's learners in one cell, separated by spaces: an id holding a
    blank (``ann bob``, a no-break space) is written with the blank escaped, so splitting the
    cell gives each real learner and never names classmates ``ann`` and ``bob`` who made no
    such mistake."""
    who = ["ann bob", "carl\u00a0dee", "eve"]
    table = rows(mistakes_csv([Mistake("k", "m", "losses", "mse", True, who)], []))
    assert table[0]["learners"].split() == ["ann\\x20bob", "carl\\xa0dee", "eve"]
    assert table[0]["learners_count"] == "3"
