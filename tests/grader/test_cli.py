"""grader/cli.py: the class-insight commands run from the command line (report, similarity)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from grader.cli import app
from grader.outputs.gradebook import Gradebook
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
