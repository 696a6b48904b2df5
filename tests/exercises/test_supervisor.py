"""A supervised `gradelab check` always ends with one table: a case the time limit cannot stop is
ended from outside, an exit or a signal in the learner's code is a failed row naming the function
(and the rest still run), a fork does not print or count twice, and nothing the learner's code
started outlives the check."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from exercises.tests._supervisor import supervise
from grader.release.build import ROOT


def _learner(tmp_path: Path, snippet: str, topic: str = "activations") -> str:
    folder = tmp_path / "learner"
    folder.mkdir()
    for name in ("activations", "forward"):
        shutil.copyfile(ROOT / "solutions" / f"{name}.py", folder / f"{name}.py")
    with (folder / f"{topic}.py").open("a") as fh:
        fh.write("\n" + snippet)
    return str(folder)


def _rows(folder: str, timeout: float = 1) -> tuple[dict, int]:
    results, status = supervise(["activations"], folder, timeout)
    return {r.function: r for r in results}, status


def _others_pass(rows: dict, bad: str = "relu") -> bool:
    return all(r.status == "passed" for f, r in rows.items() if f != bad) and len(rows) > 5


@pytest.mark.parametrize(
    "body",
    [
        "    while True:\n        try:\n            time.sleep(0.1)\n        except:\n            continue\n",
        "    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n    while True:\n        pass\n",
        "    return max(itertools.count())\n",
    ],
    ids=["bare-except", "sigalrm-ignored", "c-level-loop"],
)
def test_a_loop_the_time_limit_cannot_stop_is_ended_from_outside_and_the_rest_still_run(
    tmp_path, body
):
    folder = _learner(tmp_path, f"import itertools, signal, time\ndef relu(x):\n{body}")
    start = time.monotonic()
    rows, status = _rows(folder)
    assert time.monotonic() - start < 60  # 1 s + GRACE, plus start-ups on a busy machine
    assert status == 1 and rows["relu"].status == "failed"
    assert "activations.relu did not return within 1 s" in rows["relu"].messages[0]
    assert "could not be interrupted" in rows["relu"].messages[0]
    assert _others_pass(rows)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("    os._exit(0)\n", "ended the checking process (exit status 0"),
        ("    os.kill(os.getpid(), signal.SIGKILL)\n", "killed by signal 9 (SIGKILL)"),
    ],
    ids=["os-exit", "sigkill-itself"],
)
def test_ending_the_process_in_a_function_is_its_failed_row_and_the_rest_still_run(
    tmp_path, body, said
):
    rows, status = _rows(_learner(tmp_path, f"import os, signal\ndef relu(x):\n{body}"))
    assert status == 1 and rows["relu"].status == "failed"
    assert rows["relu"].messages[0].startswith("activations.relu (")
    assert said in rows["relu"].messages[0]
    assert _others_pass(rows)


def test_ending_the_process_at_import_is_one_row_for_the_file(tmp_path):
    results, status = supervise(["activations"], _learner(tmp_path, "import os\nos._exit(0)\n"), 1)
    assert status == 1 and [r.status for r in results] == ["does not load"]
    assert "importing activations.py ended the checking process" in results[0].messages[0]


def test_a_fork_does_not_carry_on_checking_nor_count_twice(tmp_path):
    rows, status = _rows(
        _learner(tmp_path, "import os\ndef relu(x):\n    os.fork()\n    return np.maximum(x, 0)\n")
    )
    assert status == 0 and (rows["relu"].passed, rows["relu"].failed) == (2, 0)


def test_redirecting_stdout_to_devnull_does_not_hide_the_verdicts(tmp_path):
    snippet = (
        "import os\ndef relu(x):\n    fd = os.open(os.devnull, os.O_WRONLY)\n"
        "    for i in range(64):\n        try:\n            os.dup2(fd, i)\n"
        "        except OSError:\n            pass\n    return np.maximum(x, 0)\n"
    )
    rows, status = _rows(_learner(tmp_path, snippet))
    assert status == 0 and rows["relu"].passed == 2


def test_processes_and_threads_left_by_the_learner_code_end_with_the_check(tmp_path):
    pids = tmp_path / "pids"
    snippet = (
        "import subprocess, threading, time\ndef relu(x):\n"
        "    threading.Thread(target=lambda: time.sleep(10**6)).start()\n"
        f"    p = subprocess.Popen(['sleep', '600'])\n    open({str(pids)!r}, 'a').write(f'{{p.pid}}\\n')\n"
        "    return np.maximum(x, 0)\n"
    )
    start = time.monotonic()
    _, status = _rows(_learner(tmp_path, snippet))
    assert time.monotonic() - start < 60 and status == 0
    for pid in map(int, pids.read_text().split()):
        assert not _running(pid)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan may wait for a reaper: a subreaper set by another test)."""
    for _ in range(50):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.1)
    return True


@pytest.mark.parametrize(
    ("leave", "said"),
    [
        ("sys.exit(3)", "called exit() with status 3"),
        ("raise KeyboardInterrupt", "KeyboardInterrupt"),
    ],
)
def test_what_a_function_printed_before_it_exits_is_shown(tmp_path, leave, said):
    """A learner debugging with print and leaving with ``sys.exit`` (or a ``KeyboardInterrupt`` of
    their own) saw the exit named but lost the prints that would tell them why."""
    body = f"    print('debug: about to leave', x.shape)\n    {leave}\n"
    rows, status = _rows(_learner(tmp_path, f"import sys\ndef relu(x):\n{body}"), timeout=5)
    relu = rows["relu"]
    assert status != 0 and relu.status == "failed"
    assert said in relu.messages[0] and "debug: about to leave (1, 5)" in relu.printed, relu


def test_a_process_that_leaves_the_group_with_setsid_does_not_outlive_the_check(tmp_path):
    """The check kills its child's process group at the end; a learner process that made a
    session of its own (fork, setsid, fork again) was outside it and ran on after the check.
    The supervisor is now a subreaper: that orphan comes back to it and is ended too."""
    import os

    marker = tmp_path / "escaped.pid"
    body = (
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        os.setsid()\n"
        "        if os.fork() == 0:\n"
        f"            open({str(marker)!r}, 'w').write(str(os.getpid()))\n"
        "            time.sleep(300)\n"
        "        os._exit(0)\n"
        "    os.waitpid(pid, 0)\n"
        "    return np.maximum(x, 0)\n"
    )
    rows, _ = _rows(_learner(tmp_path, f"import os, time\ndef relu(x):\n{body}"), timeout=5)
    assert rows["relu"].status == "passed"
    deadline = time.monotonic() + 10
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    escaped = int(marker.read_text())
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{escaped}/stat").read_text().split(") ")[1][0]
        except OSError:
            return  # gone
        if state == "Z":
            return  # ended, waiting to be reaped
        time.sleep(0.05)
    os.kill(escaped, 9)
    raise AssertionError("the process the learner's code made with setsid outlived the check")
