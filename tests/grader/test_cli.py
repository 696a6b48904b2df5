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


def _one_line_error(done, *needles: str) -> None:
    """Exit status 2, one line of output (no traceback, no usage box), naming each needle."""
    assert done.exit_code == 2, done.output
    lines = [line for line in done.output.splitlines() if line.strip()]
    assert len(lines) == 1, done.output
    assert "Traceback" not in done.output
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_example_class_refuses_a_folder_it_did_not_write_unless_forced(tmp_path):
    klass = tmp_path / "submissions"
    (klass / "alice").mkdir(parents=True)
    (klass / "alice" / "activations.py").write_text("def sigmoid(x): ...\n")
    done = CliRunner().invoke(app, ["example-class", str(klass)])
    _one_line_error(done, str(klass), "--force")
    assert (klass / "alice" / "activations.py").is_file()
    done = CliRunner().invoke(app, ["example-class", str(klass), "--force"])
    assert done.exit_code == 0, done.output
    assert not (klass / "alice").exists() and (klass / "model-answers").is_dir()


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
    _one_line_error(done, f"'{option}'")
    assert "_budget" not in done.output and "max_examples" not in done.output
    assert list(tmp_path.iterdir()) == []  # nothing graded, built or written


def test_out_inside_the_class_folder_is_refused(tmp_path):
    """Its outputs would be graded as a learner named "out" on the next run."""
    klass = tmp_path / "class"
    (klass / "ann").mkdir(parents=True)
    (klass / "ann" / "activations.py").write_text("x = 1\n")
    for out in (klass / "out", klass):
        done = CliRunner().invoke(app, ["grade", str(klass), "--out", str(out), "--dry-run"])
        assert done.exit_code == 2, done.output
        assert "inside the submissions folder" in " ".join(done.output.split())
    assert sorted(p.name for p in klass.iterdir()) == ["ann"]


def test_grade_out_that_is_a_file_is_one_line_naming_it(tmp_path):
    klass = tmp_path / "class"
    (klass / "ann").mkdir(parents=True)
    (klass / "ann" / "activations.py").write_text("x = 1\n")
    (tmp_path / "afile").write_text("x\n")
    done = CliRunner().invoke(
        app, ["grade", str(klass), "--out", str(tmp_path / "afile"), "-t", "activations"]
    )
    assert done.exit_code == 2, done.output
    assert f"{tmp_path / 'afile'}: a file is there, where a folder is needed" in done.output
    assert "Traceback" not in done.output


def _gradebook(folder):
    book = Gradebook(folder / "gradebook.sqlite")
    book.record(result("ann", "h1", 1.0), "fp")
    book.close()
    roster = folder / "roster.csv"
    roster.write_text("learner,canvas_id\nann,1\n")
    return roster


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
    roster = _gradebook(tmp_path)
    (tmp_path / "afile.txt").write_text("x\n")
    args = [a.format(out=tmp_path, roster=roster, file=tmp_path / "afile.txt") for a in command]
    _one_line_error(CliRunner().invoke(app, args), why)


@pytest.mark.parametrize(
    "command",
    [["report", "{out}"], ["export", "{out}", "--format", "canvas", "--roster", "{roster}"]],
)
def test_a_corrupt_gradebook_is_one_line_naming_it(tmp_path, command):
    roster = tmp_path / "roster.csv"
    roster.write_text("learner,canvas_id\nann,1\n")
    (tmp_path / "gradebook.sqlite").write_text("garbage\n")
    args = [a.format(out=tmp_path, roster=roster) for a in command]
    _one_line_error(
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
        _one_line_error(CliRunner().invoke(app, args), f"{name}='{value}'", "auto")


def test_the_resume_command_is_printed_on_one_line_whatever_the_width(monkeypatch, tmp_path):
    monkeypatch.setenv("COLUMNS", "40")
    done, out = _interrupted_grade(monkeypatch, tmp_path, [])
    line = next(line for line in done.output.splitlines() if line.startswith("interrupted:"))
    assert line.endswith(f"resume with: gradelab grade {tmp_path / 'class'} --out {out}")


def test_a_dry_run_says_it_writes_no_submissions_csv(tmp_path):
    klass = tmp_path / "class"
    (klass / "ann").mkdir(parents=True)
    (klass / "bob").mkdir()
    (klass / "ann" / "activations.py").write_text("x = 1\n")
    out = tmp_path / "out"
    done = CliRunner().invoke(app, ["grade", str(klass), "--out", str(out), "--dry-run"])
    assert done.exit_code == 0, done.output
    text = " ".join(done.output.split())
    assert "1 learner(s) with submission problems: not written (--dry-run)" in text
    assert "submissions.csv" not in text and not out.exists()


def test_report_and_export_warn_when_the_gradebooks_learners_do_not_compare(tmp_path):
    """One learner regraded on fewer topics (or another kit): the totals of the class report
    and of the LMS export mix topic sets; both say so in one line."""
    roster = _gradebook(tmp_path)  # ann under "fp"
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


def _ctrl_c_suite(monkeypatch, tmp_path):
    """A class of ann (graded) and bob (whose grading meets a Ctrl-C inside pytest) graded by
    a small hidden suite in place of the kit's (GradeSettings' default hidden_dir)."""
    from grader.settings import HIDDEN_DIR, GradeSettings
    from tests.grader.test_grading import ANSWERS_42, CTRL_C, GOOD, HIDDEN

    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_activations.py").write_text(HIDDEN + CTRL_C)
    defaults = tuple(hidden if d == HIDDEN_DIR else d for d in GradeSettings.__init__.__defaults__)
    monkeypatch.setattr(GradeSettings.__init__, "__defaults__", defaults)
    klass = tmp_path / "class"
    for learner, source in (("ann", GOOD), ("bob", ANSWERS_42), ("cid", GOOD)):
        (klass / learner).mkdir(parents=True)
        (klass / learner / "activations.py").write_text(source)
    return klass


def test_ctrl_c_with_jobs_1_stops_with_the_resume_line_and_130(monkeypatch, tmp_path):
    """In-process grading once swallowed the Ctrl-C: bob "not graded", cid graded, exit 1."""
    klass = _ctrl_c_suite(monkeypatch, tmp_path)
    out = tmp_path / "out"
    args = ["grade", str(klass), "--out", str(out), "--jobs", "1", "-t", "activations"]
    monkeypatch.setattr("sys.argv", ["gradelab", *args])
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 130, done.output
    assert "interrupted: 1 of 3 results recorded" in done.output
    assert "not graded" not in done.output and "cid" not in done.output
    assert not (out / "grades.csv").exists() and not (out / "class").exists()


SLOW = "import time\n\ndef relu(x):\n    time.sleep(60)\n    return x\n"


def _children(pid: int) -> set[int]:
    from pathlib import Path

    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found |= {int(p) for p in task.read_text().split()}
    return found


def _running(pid: int) -> bool:
    from pathlib import Path

    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _slow_pool_run(tmp_path, *, own_group: bool):
    """``gradelab grade --jobs 2`` started on three learners whose relu sleeps a minute, its
    temporary folders under ``tmp_path/tmp``: (process, class, out, that folder)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    klass = tmp_path / "class"
    for learner in ("ann", "bob", "cid"):
        (klass / learner).mkdir(parents=True)
        (klass / learner / "activations.py").write_text(SLOW)
    out, scratch = tmp_path / "out", tmp_path / "tmp"
    scratch.mkdir()
    args = ["grade", str(klass), "--out", str(out), "--jobs", "2", "-t", "activations"]
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "GRADELAB_REPLAY_CACHE": "off", "COLUMNS": "300", "TMPDIR": str(scratch)}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from grader.cli import main; main()", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=own_group,
    )
    return proc, klass, out, scratch


def test_sigterm_stops_a_pool_run_like_ctrl_c_exits_143_and_leaves_no_pool_process(tmp_path):
    """``kill PID`` (``timeout``, systemd, a batch scheduler) once ended the grader silently
    and left its pool processes blocked on their pipes for good; then they were killed
    outright, leaving their scratch folders behind: each now cleans up before it exits."""
    import signal
    import time

    proc, klass, out, scratch = _slow_pool_run(tmp_path, own_group=False)
    try:
        deadline = time.monotonic() + 120
        while len(_children(proc.pid)) < 3 and time.monotonic() < deadline:  # 2 + a tracker
            time.sleep(0.2)
        pool = _children(proc.pid)
        assert len(pool) >= 2, "the pool never started"
        time.sleep(3)  # its processes are grading
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, output
    assert "terminated (SIGTERM): 0 of 3 results recorded" in output
    assert f"resume with: gradelab grade {klass} --out {out}" in output
    deadline = time.monotonic() + 10
    while any(_running(p) for p in pool) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in pool if _running(p)]
    assert not list(scratch.iterdir()), "the pool's scratch folders were left behind"


def _descendants(pid: int) -> set[int]:
    found, frontier = set(), [pid]
    while frontier:
        for child in _children(frontier.pop()):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def test_sigterm_to_the_whole_process_group_leaves_no_learner_process_and_no_scratch(tmp_path):
    """``kill -TERM -PGID`` (systemd's control-group stop, a closed terminal's group) reaches
    the pool's processes too: each once died at once, and the learner's worker it had started
    (in a session of its own) ran on unsupervised, its scratch folders and cgroup left behind.
    Now each pool process stops its worker on the way out, and the run ends as for ``kill PID``."""
    import os
    import signal
    import time

    proc, _, _, scratch = _slow_pool_run(tmp_path, own_group=True)
    try:
        deadline = time.monotonic() + 120
        while len(_descendants(proc.pid)) < 5 and time.monotonic() < deadline:
            time.sleep(0.2)  # 2 pool processes, a tracker, and the learners' workers
        time.sleep(3)  # the learners' code is running
        started = _descendants(proc.pid)
        assert len(started) >= 5, "the pool and its workers never started"
        os.killpg(proc.pid, signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 143, output
    assert "terminated (SIGTERM): 0 of 3 results recorded" in output
    assert "Traceback" not in output, output
    deadline = time.monotonic() + 10
    while any(_running(p) for p in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in started if _running(p)], "a learner or pool process outlived the run"
    assert not list(scratch.iterdir()), "scratch folders were left behind"


def test_notebooks_rerun_keeps_an_edited_notebook_unless_force(tmp_path):
    """``gradelab notebooks --out D`` again over a learner's edited notebook once replaced their
    work silently: now it refuses (exit 2, naming the file), and ``--force`` overwrites it after
    keeping the edited copy under ``D/.gradelab/replaced/``."""
    out = tmp_path / "nb"
    args = ["notebooks", "--out", str(out), "-t", "activations"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    (notebook,) = out.glob("*.ipynb")
    edited = notebook.read_text().replace("raise NotImplementedError", "return x  # mine", 1)
    notebook.write_text(edited)
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2 and notebook.name in refused.output, refused.output
    assert notebook.read_text() == edited
    forced = CliRunner().invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert notebook.read_text() != edited
    kept = list((out / ".gradelab" / "replaced").rglob(notebook.name))
    assert [p.read_text() for p in kept] == [edited]


def test_gradescope_sandbox_mode_is_written_into_the_zip_and_checked(tmp_path):
    """``--sandbox`` picks how learner code is isolated on Gradescope (uid by default; bwrap;
    auto) and lands in the zip's settings; another word is refused before anything is built."""
    import json
    import zipfile

    from grader.autograder.config import CONFIG_NAME

    wrong = CliRunner().invoke(
        app, ["gradescope", "--out", str(tmp_path / "x.zip"), "--sandbox", "none"]
    )
    assert wrong.exit_code == 2 and "sandbox 'none'" in wrong.output
    assert not (tmp_path / "x.zip").exists()
    for mode in ("uid", "bwrap"):
        out = tmp_path / f"{mode}.zip"
        extra = [] if mode == "uid" else ["--sandbox", mode]
        done = CliRunner().invoke(
            app, ["gradescope", "--out", str(out), "-t", "activations", *extra]
        )
        assert done.exit_code == 0, done.output
        with zipfile.ZipFile(out) as zf:
            assert json.loads(zf.read(CONFIG_NAME))["sandbox"] == mode


def test_a_second_grade_into_an_out_being_graded_is_refused_naming_it(monkeypatch, tmp_path):
    """Two `grade` runs into one --out at once (-t activations and -t losses) each rewrote the
    learners' files, grades.csv and class/ from the other's half-made gradebook: the first
    printed the activations grades and left the losses ones, its class report "nobody passes"
    for tests it had just seen pass."""
    import grader.grading
    from grader.outputs import exclusive

    klass = tmp_path / "class"
    (klass / "ann").mkdir(parents=True)
    (klass / "ann" / "losses.py").write_text("A = 1\n")
    out = tmp_path / "out"

    def never(*args, **kwargs):
        raise AssertionError("graded while another run held --out")

    monkeypatch.setattr(grader.grading, "grade", never)
    with exclusive(out):
        done = CliRunner().invoke(app, ["grade", str(klass), "--out", str(out), "-t", "losses"])
    assert done.exit_code == 2, done.output
    last = [line for line in done.output.splitlines() if line.strip()][-1]
    assert str(out) in " ".join(done.output.split()) and "another" in done.output, done.output
    assert "Traceback" not in done.output and last
    assert not (out / "submissions.csv").exists()


def test_gradescope_never_overwrites_a_file_that_is_no_autograder_zip(tmp_path):
    """`gradelab gradescope --out homework.zip` beside the class download of that name replaced
    the learners' submissions with the autograder; an autograder written before is replaced."""
    import zipfile

    download = tmp_path / "homework.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr("alice/activations.py", "precious = 1\n")
    before = download.read_bytes()
    args = ["gradescope", "--out", str(download), "-t", "activations"]
    _one_line_error(CliRunner().invoke(app, args), "homework.zip", "not a gradelab autograder")
    assert download.read_bytes() == before
    again = tmp_path / "autograder.zip"
    for _ in range(2):
        done = CliRunner().invoke(app, ["gradescope", "--out", str(again), "-t", "activations"])
        assert done.exit_code == 0, done.output


def test_help_paragraphs_wrap_to_the_terminal_not_to_the_source():
    """typer keeps a docstring's line breaks: `grade -h` on 80 columns printed "2 a mistake in
    / the command / (options, ..." as three ragged lines. A paragraph is one source line."""
    import inspect

    import grader.cli

    for command in app.registered_commands:
        if command.callback.__module__ != grader.cli.__name__:
            continue  # the learner's check is exercises/tests/_cli.py's
        paragraphs = inspect.cleandoc(command.callback.__doc__ or "").split("\n\n")
        for paragraph in paragraphs[1:]:
            assert "\n" not in paragraph.strip(), (command.callback.__name__, paragraph)


def test_notebooks_run_again_does_not_claim_to_have_written_what_was_unchanged(tmp_path):
    """A second `notebooks --out` printed "unchanged: activations.ipynb" then "wrote 1
    notebooks": the instructor could not tell whether a learner's copy was touched."""
    args = ["notebooks", "--out", str(tmp_path / "nb"), "-t", "activations"]
    CliRunner().invoke(app, args)
    done = CliRunner().invoke(app, args, terminal_width=200)
    assert done.exit_code == 0, done.output
    assert "unchanged: activations.ipynb" in done.output and "wrote" not in done.output


def test_the_console_shows_emoji_codes_in_learner_text_as_typed():
    """rich turns ':bomb:' into an emoji even with markup off: `gradelab report`'s warning
    named a learner 'fp-b (:bomb:)' as 'fp-b (💣)', an id no folder has."""
    import grader.cli

    with grader.cli.console.capture() as captured:
        grader.cli.console.print("graded on different topics: fp-b (:bomb:)", markup=False)
    assert ":bomb:" in captured.get() and "\N{BOMB}" not in captured.get()
