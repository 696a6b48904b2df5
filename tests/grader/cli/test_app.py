"""grader/cli/app.py and the app as a whole: help, version, topic options, and the error rule
(an instructor's mistake is one escaped line on stderr and exit status 2, whatever the command)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli import app
from tests.grader.cli._support import gradebook_with_roster, one_line_error


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


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["grade", "{nope}", "--test-budget", "-1"], "--test-budget"),
        (["grade", "{nope}", "--test-budget", "0"], "--test-budget"),
        (["grade", "{nope}", "--submission-budget", "0"], "--submission-budget"),
        (["grade", "{nope}", "--jobs", "0"], "--jobs"),
        (["grade", "{nope}", "--jobs", "-3"], "--jobs"),
        (["grade", "{nope}", "--jobs", "1.5"], "--jobs"),
        (["grade", "{nope}", "--max-examples", "0"], "--max-examples"),
        (
            ["grade", "{nope}", "--cluster", "tcp://127.0.0.1:1", "--cluster-timeout", "-5"],
            "--cluster-timeout",
        ),
        (["grade", "{nope}", "--test-budget", "nan"], "--test-budget"),
        (["gradescope", "--out", "{tmp}/a.zip", "--max-examples", "0"], "--max-examples"),
        (["similarity", "{nope}", "--out", "{tmp}/s", "--threshold", "0"], "--threshold"),
        (["similarity", "{nope}", "--out", "{tmp}/s", "--threshold", "1.5"], "--threshold"),
    ],
)
def test_a_numeric_option_out_of_range_is_one_line_naming_the_option(tmp_path, args, option):
    """``--test-budget -1`` once graded the whole class 0 (every test past its budget), exit 0;
    ``--jobs -3`` silently meant one job; ``gradescope --max-examples 0`` built a zip that
    failed on every submission. Refused where typed, by the option's name."""
    filled = [a.format(nope=tmp_path / "nope", tmp=tmp_path) for a in args]
    done = CliRunner().invoke(app, filled)
    one_line_error(done, f"'{option}'")
    assert "_budget" not in done.output and "max_examples" not in done.output
    assert list(tmp_path.iterdir()) == []  # nothing graded, built or written


@pytest.mark.parametrize(
    ("command", "why"),
    [
        (
            ["export", "{out}", "--format", "canvas", "--roster", "{roster}", "--to", "{out}"],
            "a folder is there, where a file is needed",
        ),
        (
            [
                "export",
                "{out}",
                "--format",
                "canvas",
                "--roster",
                "{roster}",
                "--to",
                "{file}/x.csv",
            ],
            "afile.txt: a file is there, where a folder is needed",
        ),
        (
            ["gradescope", "--out", "{out}", "-t", "activations"],
            "a folder is there, where a file is needed",
        ),
        (
            ["notebooks", "--out", "{file}", "-t", "activations"],
            "a file is there, where a folder is needed",
        ),
        (["example-class", "{file}"], "is a file"),
    ],
)
def test_an_output_path_of_the_wrong_kind_is_one_line_naming_it(tmp_path, command, why):
    roster = gradebook_with_roster(tmp_path)
    (tmp_path / "afile.txt").write_text("x\n")
    args = [a.format(out=tmp_path, roster=roster, file=tmp_path / "afile.txt") for a in command]
    one_line_error(CliRunner().invoke(app, args), why)


@pytest.mark.parametrize(
    "command",
    [["report", "{out}"], ["export", "{out}", "--format", "canvas", "--roster", "{roster}"]],
)
def test_a_corrupt_gradebook_is_one_line_naming_it(tmp_path, command):
    roster = tmp_path / "roster.csv"
    roster.write_text("learner,canvas_id\nann,1\n")
    (tmp_path / "gradebook.sqlite").write_text("garbage\n")
    args = [a.format(out=tmp_path, roster=roster) for a in command]
    one_line_error(
        CliRunner().invoke(app, args),
        str(tmp_path / "gradebook.sqlite"),
        "not a readable gradebook",
    )


@pytest.mark.parametrize(
    ("name", "value"), [("GRADELAB_SANDBOX", "bwarp"), ("GRADELAB_CGROUPS", "bogus")]
)
def test_a_typo_in_a_gradelab_environment_setting_is_one_line_naming_it(monkeypatch, name, value):
    """``bwarp`` raised a traceback; ``GRADELAB_CGROUPS=bogus`` silently meant ``auto``."""
    monkeypatch.setenv(name, value)
    for args in (["doctor"], ["grade", "nowhere", "--dry-run"]):
        one_line_error(CliRunner().invoke(app, args), f"{name}='{value}'", "auto")


def test_help_paragraphs_wrap_to_the_terminal_not_to_the_source():
    """typer keeps a docstring's line breaks: `grade -h` on 80 columns printed "2 a mistake in
    / the command / (options, ..." as three ragged lines. A paragraph is one source line."""
    import inspect

    ours = [c for c in app.registered_commands if c.callback.__module__.startswith("grader.cli.")]
    assert len(ours) == len(app.registered_commands) - 1  # all but the learner's own check
    for command in ours:  # (the learner's check is exercises/tests/_cli.py's)
        paragraphs = inspect.cleandoc(command.callback.__doc__ or "").split("\n\n")
        for paragraph in paragraphs[1:]:
            assert "\n" not in paragraph.strip(), (command.callback.__name__, paragraph)


def test_the_console_shows_emoji_codes_in_learner_text_as_typed():
    """rich turns ':bomb:' into an emoji even with markup off: `gradelab report`'s warning
    named a learner 'fp-b (:bomb:)' as 'fp-b (💣)', an id no folder has."""
    import grader.cli

    with grader.cli.console.capture() as captured:
        grader.cli.console.print("graded on different topics: fp-b (:bomb:)", markup=False)
    assert ":bomb:" in captured.get() and "\N{BOMB}" not in captured.get()


#: what no error line may hold raw: C0/C1 controls, zero-width and bidi formatting characters
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
#: learner folder names that would act on the instructor's terminal if printed raw
HOSTILE = ("al\x1b[2Jice", "b\u202eob", "[bold]carol")


def _hostile_class(root: Path) -> Path:
    """A class folder whose learners have hostile names, and a stray topic file of its own at
    the top (so every command that reads it refuses it, naming the learners)."""
    klass = root / "class"
    for learner in HOSTILE:
        (klass / learner).mkdir(parents=True)
        (klass / learner / "activations.py").write_text("def relu(x):\n    return x\n")
    (klass / "activations.py").write_text("x = 1\n")
    return klass


def _stated_error(done, *needles: str) -> str:
    """Exit 2, nothing on stdout, one line on stderr holding each needle and no raw control or
    bidi character; the line."""
    assert done.exit_code == 2, done.output
    assert done.stdout == "", done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert not RAW_CONTROL.search(lines[0]), repr(lines[0])
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "command",
    [["grade"], ["grade", "--dry-run"], ["similarity"]],
    ids=["grade", "grade --dry-run", "similarity"],
)
def test_a_class_folder_error_shows_the_learners_names_escaped_on_stderr(tmp_path, command):
    """`gradelab similarity` printed the refusal of a class folder to stdout raw: a learner folder
    named "al\\x1b[2Jice" cleared the instructor's screen, a bidi override reversed the line.
    Every command says it as `grade` does: on stderr, the escapes visible, markup as typed."""
    klass = _hostile_class(tmp_path)
    args = [*command, str(klass), "--out", str(tmp_path / "out"), "-t", "activations"]
    line = _stated_error(CliRunner().invoke(app, args), "stray files")
    assert "al\\x1b[2Jice" in line and "b\\u202eob" in line and "[bold]carol" in line


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["report", "{tmp}/none"], "no gradebook"),
        (["export", "{tmp}/none", "--format", "canvas", "--roster", "{tmp}/r.csv"], "roster"),
        (["grade", "{tmp}", "--visibility", "bogus\x1b[2J"], "bogus\\x1b[2J"),
        (["gradescope", "--out", "{tmp}/a.zip", "--visibility", "bogus"], "bogus"),
        (["nbgrader", "--out", "{tmp}/nb", "-t", "bogus\u202e"], "bogus\\u202e"),
        (["notebooks", "--out", "{tmp}/nb", "-t", "bogus"], "unknown topic"),
        (
            ["release", "--check", "-t", "[red]bogus"],
            "release failed: unknown topic(s): [red]bogus",
        ),
        (["similarity", "{tmp}/none", "--out", "{tmp}/s"], "no such file or folder"),
        (["grade", "{tmp}/none"], "no such file or folder"),
        (["demo", "--only", "[/]"], "unknown demo(s): [/]"),
        (["demo", "--device", "tpu"], "'tpu'"),
    ],
    ids=lambda value: value[0] if isinstance(value, list) else None,
)
def test_every_commands_stated_errors_are_one_escaped_line_on_stderr(tmp_path, args, needle):
    """A mistake the instructor can fix is one line on stderr (stdout stays the command's
    output: `gradelab similarity ... > pairs.txt` once hid its refusal in the file), what was
    typed shown as typed: `demo --only [/]` printed "unknown demo(s): ;" (the name was taken
    for markup), escape bytes in a topic name reached the terminal raw."""
    typed = [a.replace("{tmp}", str(tmp_path)) for a in args]
    _stated_error(CliRunner().invoke(app, typed), needle)


def test_stated_turns_only_the_errors_it_names_into_the_error_line():
    """:func:`grader.cli.app.stated`: a named error is the one line (its prefix first) and
    exit 2; any other error is a bug and propagates as itself."""
    import typer

    from grader.cli.app import stated

    probe = typer.Typer()

    @probe.command()
    def run(kind: str) -> None:
        with stated(KeyError, ValueError, prefix="failed: "):
            raise {"value": ValueError("bad \x1b[31mvalue"), "type": TypeError("a bug")}[kind]

    _stated_error(CliRunner().invoke(probe, ["value"]), "failed: bad \\x1b[31mvalue")
    done = CliRunner().invoke(probe, ["type"])
    assert isinstance(done.exception, TypeError) and done.exit_code == 1
