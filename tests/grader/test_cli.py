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


def test_similarity_lists_at_most_twenty_pairs_and_shows_learner_ids_as_text(tmp_path):
    """Eight identical submissions make 28 flagged pairs: the console lists 20, says where the
    rest are, and prints an id holding Rich markup and an escape byte literally."""
    from pathlib import Path

    from grader import cli

    answer = (Path(__file__).resolve().parents[2] / "solutions" / "activations.py").read_text()
    ids = [f"learner{i}" for i in range(7)] + ["[bold]x\x1b"]
    for learner in ids:
        (tmp_path / "class" / learner).mkdir(parents=True)
        (tmp_path / "class" / learner / "activations.py").write_text(answer)
    args = ["similarity", str(tmp_path / "class"), "--out", str(tmp_path / "s")]
    done = CliRunner().invoke(app, [*args, "--topic", "activations"])
    assert done.exit_code == 0, done.output
    listed = [line for line in done.output.splitlines() if line.startswith("  activations: ")]
    assert len(listed) == cli.SHOWN_PAIRS
    more = f"… and {28 - cli.SHOWN_PAIRS} more in {tmp_path}/s/similarity.csv"
    assert more in done.output.replace("\n", "")
    assert "\x1b" not in done.output


def test_version_prints_the_package_version():
    """``gradelab --version`` answers ``gradelab X.Y.Z`` and exits 0, as Python CLIs do."""
    from grader import __version__

    done = CliRunner().invoke(app, ["--version"])
    assert done.exit_code == 0
    assert done.output.strip() == f"gradelab {__version__}"


@pytest.mark.parametrize("args", [["-h"], ["grade", "-h"], ["check", "-h"]])
def test_short_help_flag_works_like_help(args):
    """``-h`` is accepted everywhere ``--help`` is, with the same text."""
    short = CliRunner().invoke(app, args)
    long = CliRunner().invoke(app, [*args[:-1], "--help"])
    assert short.exit_code == 0
    assert short.output == long.output


def _interrupted_grade(monkeypatch, tmp_path, extra: list[str]):
    """``grade`` on a class of two (one empty) whose grading is interrupted after one result."""
    import grader.grading

    klass = tmp_path / "class"
    (klass / "ann").mkdir(parents=True)
    (klass / "ann" / "losses.py").write_text("A = 1\n")
    (klass / "bob").mkdir()

    def interrupted(paths, options, progress, notify):
        progress("ann", {"score": 0.0, "max_score": 1.0}, False)
        raise KeyboardInterrupt

    monkeypatch.setattr(grader.grading, "grade", interrupted)
    out = tmp_path / "out"
    args = ["grade", str(klass), "--out", str(out), *extra]
    monkeypatch.setattr("sys.argv", ["gradelab", *args])
    return CliRunner().invoke(app, args), out


def test_ctrl_c_during_grade_says_what_was_recorded_and_the_command_that_resumes(
    monkeypatch, tmp_path
):
    done, out = _interrupted_grade(monkeypatch, tmp_path, [])
    assert done.exit_code == 130
    text = " ".join(done.output.split())
    assert "interrupted: 1 of 2 results recorded" in text
    assert f"resume with: gradelab grade {tmp_path / 'class'} --out {out}" in text


def test_grade_with_a_roster_names_bad_submissions_and_writes_submissions_csv(
    monkeypatch, tmp_path
):
    roster = tmp_path / "roster.csv"
    roster.write_text("learner,email\nann,a@x.org\ncid,c@x.org\n")
    done, out = _interrupted_grade(monkeypatch, tmp_path, ["--roster", str(roster)])
    text = " ".join(done.output.split())
    assert "bob: no gradable code (found: nothing); not in the roster" in text
    assert "cid: no submission" in text
    rows = (out / "submissions.csv").read_text().splitlines()
    assert rows[0] == "learner,status,file,would_work_as"
    assert "cid,no-submission,," in rows and "bob,not-in-roster,," in rows


def test_grade_refuses_an_unknown_visibility_with_the_shared_parser_message(tmp_path):
    done = CliRunner().invoke(app, ["grade", str(tmp_path), "--visibility", "rag=secret"])
    assert done.exit_code == 2
    assert "visibility 'secret' for rag" in done.output


def test_help_shows_value_names_not_python_types():
    """No ``<int>``/``<list[str]>``/``<bool>`` and no contradictory ``[default: 0]``."""
    text = CliRunner().invoke(app, ["grade", "--help"], terminal_width=200).output
    assert "<" not in text.replace("<topic>", "")
    assert "INTEGER" in text and "[default: 0]" not in text


@pytest.mark.parametrize("command", ["check", "release", "grade"])
def test_every_command_takes_topics_as_repeatable_topic_options(command):
    """One topic syntax: ``--topic X`` / ``-t X`` on check, release and grade alike."""
    text = CliRunner().invoke(app, [command, "--help"], terminal_width=200).output
    assert "--topic" in text and "-t " in text


def test_the_learner_cli_takes_topic_options_too(monkeypatch):
    from exercises.tests import _cli, _runner

    seen = {}
    monkeypatch.setattr(_runner, "check_and_print", lambda t, p, s: seen.setdefault("t", t) and 0)
    assert _cli.main(["check", "--topic", "losses", "-t", "rag", "forward"]) == 0
    assert seen["t"] == ["forward", "losses", "rag"]


def test_both_clis_are_one_typer_check_with_the_same_help():
    """The learner's and the instructor's ``gradelab check --help`` are the same text."""
    from exercises.tests import _cli

    learner = CliRunner().invoke(_cli.app, ["check", "--help"], prog_name="gradelab")
    instructor = CliRunner().invoke(app, ["check", "--help"], prog_name="gradelab")
    assert learner.exit_code == instructor.exit_code == 0
    assert learner.output == instructor.output
    assert "--topic" in learner.output and "<" not in learner.output.replace("<topic>", "")


@pytest.mark.parametrize("args", [["-h"], ["check", "-h"], ["--version"]])
def test_the_learner_cli_has_short_help_and_a_version(args, capsys):
    from exercises.tests import _cli

    assert _cli.main(args) == 0
    text = capsys.readouterr().out
    assert text.startswith("gradelab ") if args == ["--version"] else "Usage: gradelab" in text


def test_the_learner_cli_reports_an_unknown_topic_with_status_2(capsys):
    from exercises.tests import _cli

    assert _cli.main(["check", "-t", "nosuch"]) == 2
    assert "unknown topic" in capsys.readouterr().err
