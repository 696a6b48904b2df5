"""grader/cli/insight.py: the class-insight commands run from the command line (report,
export, similarity)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from grader.cli import app
from grader.outputs.gradebook import Gradebook
from tests.grader.cli._support import gradebook_with_roster
from tests.grader.outputs.test_gradebook import result


@pytest.mark.parametrize("command", ["report", "similarity"])
def test_help(command):
    done = CliRunner().invoke(app, [command, "--help"])
    assert done.exit_code == 0
    assert "Usage" in done.output


def test_report_reads_the_gradebook_and_prints_where_the_page_is(tmp_path):
    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record(result("ann", "h1", 1.0), "fp")
    book.record(result("bob", "h2", 0.0), "fp")
    book.close()
    done = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert f"{tmp_path}/class/index.html" in done.output.replace("\n", "")
    for name in ("index.html", "items.csv", "mistakes.csv"):
        assert (tmp_path / "class" / name).is_file()


def test_report_without_a_gradebook_is_a_clear_error(tmp_path):
    done = CliRunner().invoke(app, ["report", str(tmp_path / "nowhere")])
    assert done.exit_code == 2
    assert "grade the class first" in done.output


def test_similarity_refuses_an_unknown_topic(tmp_path):
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / "losses.py").write_text("x = 1\n")
    args = ["similarity", str(tmp_path / "class"), "--out", str(tmp_path / "s"), "--topic", "nope"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 2
    assert "unknown topic" in done.output


def test_similarity_lists_at_most_twenty_pairs_and_shows_learner_ids_as_text(tmp_path):
    """Eight identical submissions make 28 flagged pairs: the console lists 20, says where the
    rest are, and prints an id holding Rich markup and an escape byte literally."""
    from pathlib import Path

    from grader.cli import insight

    answer = (Path(__file__).resolve().parents[3] / "solutions" / "activations.py").read_text()
    ids = [f"learner{i}" for i in range(7)] + ["[bold]x\x1b"]
    for learner in ids:
        (tmp_path / "class" / learner).mkdir(parents=True)
        (tmp_path / "class" / learner / "activations.py").write_text(answer)
    args = ["similarity", str(tmp_path / "class"), "--out", str(tmp_path / "s")]
    done = CliRunner().invoke(app, [*args, "--topic", "activations"])
    assert done.exit_code == 0, done.output
    listed = [line for line in done.output.splitlines() if line.startswith("  activations: ")]
    assert len(listed) == insight.SHOWN_PAIRS
    more = f"… and {28 - insight.SHOWN_PAIRS} more in {tmp_path}/s/similarity.csv"
    assert more in done.output.replace("\n", "")
    assert "\x1b" not in done.output


def test_report_and_export_warn_when_the_gradebooks_learners_do_not_compare(tmp_path):
    """One learner regraded on fewer topics (or another kit): the totals of the class report
    and of the LMS export mix topic sets; both say so in one line."""
    roster = gradebook_with_roster(tmp_path)  # ann under "fp"
    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record(result("bob", "h2", 1.0), "fp-other-kit")
    book.close()
    for args in (
        ["report", str(tmp_path)],
        ["export", str(tmp_path), "--format", "canvas", "--roster", str(roster)],
    ):
        done = CliRunner().invoke(app, args)
        assert done.exit_code == 0, done.output
        text = " ".join(done.output.split())
        assert "WARNING: this gradebook's learners were graded under 2 kits or settings" in text


def test_similarity_shows_no_progress_where_stderr_is_no_terminal(tmp_path):
    """The progress bar is for a terminal: a redirected run's stderr stays empty (rich's
    transient bar left a newline there), stdout holds only the pairs."""
    from pathlib import Path

    answer = (Path(__file__).resolve().parents[3] / "solutions" / "activations.py").read_text()
    for learner in ("ann", "bob"):
        (tmp_path / "class" / learner).mkdir(parents=True)
        (tmp_path / "class" / learner / "activations.py").write_text(answer)
    args = ["similarity", str(tmp_path / "class"), "--out", str(tmp_path / "s")]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    assert done.stderr == ""
    assert done.stdout.startswith("1 suspicious pairs of 1 compared")
