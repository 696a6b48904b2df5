"""grader/cli/grading.py: ``gradelab grade`` from the command line: intake, roster, dry run,
Ctrl-C and SIGTERM, one run per ``--out``."""

from __future__ import annotations

from typer.testing import CliRunner

from grader.cli import app


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
    root = Path(__file__).resolve().parents[3]
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
