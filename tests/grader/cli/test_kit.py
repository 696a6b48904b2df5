"""grader/cli/kit.py: the kit's commands, above all ``check``, the very command of the learner's
CLI (exercises/tests/_cli.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from grader.cli import app


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
