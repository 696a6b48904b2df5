"""grader/nbgrader/siblings.py: where a notebook's sibling notebooks are read from."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.nbgrader.siblings import notebook_code


def _write(folder: Path, topic: str, code: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=[new_code_cell(code)]), folder / f"{topic}.ipynb")


def test_a_sibling_nbgrader_has_not_autograded_yet_is_read_from_the_submitted_copy(tmp_path):
    """nbgrader autograde writes a student's notebooks one by one in name order: backprop.ipynb
    runs before forward.ipynb exists in autograded/, so its setup reads submitted/'s copy."""
    autograded = tmp_path / "course" / "autograded" / "ann" / "gradelab"
    autograded.mkdir(parents=True)
    _write(tmp_path / "course" / "submitted" / "ann" / "gradelab", "forward", "X = 'submitted'")
    assert "X = 'submitted'" in notebook_code(autograded, "forward")


def test_the_notebook_next_to_it_wins_over_the_submitted_copy(tmp_path):
    autograded = tmp_path / "autograded" / "ann" / "gradelab"
    _write(autograded, "forward", "X = 'autograded'")
    _write(tmp_path / "submitted" / "ann" / "gradelab", "forward", "X = 'submitted'")
    assert "X = 'autograded'" in notebook_code(autograded, "forward")


def test_a_missing_sibling_is_named_with_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"forward\.ipynb not found .*same folder"):
        notebook_code(tmp_path / "autograded" / "ann" / "gradelab", "forward")
