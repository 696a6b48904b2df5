"""``grader.outputs.csv_table``: the one CSV writer; learner text escaped, our numbers kept."""

from __future__ import annotations

import csv
import io

import pytest

from grader.outputs.csv_table import csv_table
from grader.outputs.escape import csv_cell


def test_text_columns_go_through_csv_cell_and_the_others_are_written_as_they_are():
    out = csv_table(["who", "score"], [["=HYPERLINK(1)", -0.5], ["ann", 3]], text={"who"})
    assert out == "who,score\n'=HYPERLINK(1),-0.5\nann,3\n"


def test_every_column_is_text_when_none_is_named():
    rows = [["@sum", "+1", 'a,b "q"\nline']]
    out = csv_table(["a", "b", "c"], rows)
    assert list(csv.reader(io.StringIO(out))) == [["a", "b", "c"], [csv_cell(c) for c in rows[0]]]


def test_an_empty_table_is_the_header_alone():
    assert csv_table(["a", "b"], []) == "a,b\n"


def test_a_row_of_the_wrong_width_or_an_unknown_text_column_is_an_error():
    with pytest.raises(ValueError, match="a row has 1 cells, the header 2"):
        csv_table(["a", "b"], [["x"]])
    with pytest.raises(ValueError, match=r"unknown columns \['z'\]"):
        csv_table(["a", "b"], [], text={"z"})
