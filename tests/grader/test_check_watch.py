"""`gradelab check --watch` checks again, after a real file write, the topic whose file was saved
(file events from watchdog), and only that topic."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from exercises.tests._watch import saved_topic
from grader.release.build import ROOT

WAIT = 120  # seconds: a hang guard for each expected line, not a speed target


def _lines(proc: subprocess.Popen) -> queue.Queue:
    q: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            q.put(line)
        q.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return q


def _until(q: queue.Queue, needle: str, seen: list[str]) -> None:
    while True:
        line = q.get(timeout=WAIT)
        assert line is not None, "".join(seen)
        seen.append(line)
        if needle in line:
            return


def test_saving_a_topic_file_checks_that_topic_again(tmp_path: Path):
    folder = tmp_path / "learner"
    folder.mkdir()
    for topic in ("activations", "losses"):
        shutil.copyfile(ROOT / "solutions" / f"{topic}.py", folder / f"{topic}.py")
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "exercises.tests._cli", "check", "--watch"),
            *("activations", "losses", "--path", str(folder)),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={"PATH": os.environ["PATH"], "PYTHONUNBUFFERED": "1"},
    )
    seen: list[str] = []
    try:
        q = _lines(proc)
        _until(q, "watching", seen)
        assert any("activations.relu" in s and "passed" in s for s in seen)
        source = (folder / "activations.py").read_text()
        start = source.index("def relu(")
        doc = source.index('"""', source.index('"""', start) + 3) + 3
        (folder / "activations.py").write_text(
            source[:doc] + "\n    return x * 0.0\n" + source[doc:]
        )
        seen.clear()
        _until(q, "saved activations.py", seen)
        _until(q, "functions pass", seen)
        text = "".join(seen)
        assert "activations.relu" in text and "failed" in text, text
        assert "losses." not in text, text  # only the saved topic is checked again
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0


def test_only_a_topic_file_of_the_watched_folder_counts(tmp_path: Path):
    topics = ("activations", "losses")
    folder = tmp_path.resolve()
    assert saved_topic(str(folder / "losses.py"), folder, topics) == "losses"
    assert saved_topic(str(folder / "losses.py~"), folder, topics) is None
    assert saved_topic(str(folder / "notes.py"), folder, topics) is None
    assert saved_topic(str(folder / "sub" / "losses.py"), folder, topics) is None
    assert saved_topic(os.fsencode(folder / "activations.py"), folder, topics) == "activations"


def test_an_unknown_topic_is_refused_on_stderr_as_without_watch(capsys):
    """`check --watch -t bogus` printed its refusal on stdout, unlike `check -t bogus`: both
    say the same line on stderr and exit 2, before anything is watched."""
    from exercises.tests._runner import check_and_print
    from exercises.tests._watch import watch

    assert watch(["bogus"], None, None) == 2
    watched = capsys.readouterr()
    assert check_and_print(["bogus"], None, None) == 2
    checked = capsys.readouterr()
    assert watched.out == checked.out == ""
    assert watched.err == checked.err and "unknown topic(s): bogus" in watched.err
