"""Helpers the command-line tests share."""

from __future__ import annotations

from grader.outputs.gradebook import Gradebook
from tests.grader.outputs.test_gradebook import result


def one_line_error(done, *needles: str) -> None:
    """Exit status 2, one line of output (no traceback, no usage box), naming each needle."""
    assert done.exit_code == 2, done.output
    lines = [line for line in done.output.splitlines() if line.strip()]
    assert len(lines) == 1, done.output
    assert "Traceback" not in done.output
    for needle in needles:
        assert needle in lines[0], lines[0]


def gradebook_with_roster(folder):
    book = Gradebook(folder / "gradebook.sqlite")
    book.record(result("ann", "h1", 1.0), "fp")
    book.close()
    roster = folder / "roster.csv"
    roster.write_text("learner,canvas_id\nann,1\n")
    return roster
