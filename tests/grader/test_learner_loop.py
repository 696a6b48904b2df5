"""The learner's local loop (`gradelab check`, `pytest exercises/`): a hanging function is stopped
and named, Ctrl-C still prints what finished, prints are shown cut short for failing cases, a file
that does not load is reported once, and a missing package is named with its install command."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from exercises.tests._limits import HEAD_LINES, CallTimeout, OutputHead, _watchdog, time_limit
from exercises.tests._loading import INSTALL
from exercises.tests._runner import format_table, run_check, summary_line
from grader.release.build import ROOT
from reference import TOPICS

HANG = "\n    while True:\n        pass\n"


def _as_from_a_terminal() -> None:
    """In the child before exec: SIGINT handled and unblocked, as in a shell's foreground job.

    A job a non-interactive shell starts in the background (``make test &``) inherits SIGINT
    ignored, and Python then installs no ``KeyboardInterrupt`` handler: a Ctrl-C test would wait
    out its timeout there whatever the code under test does."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _learner(tmp_path: Path) -> Path:
    folder = tmp_path / "learner"
    folder.mkdir()
    for topic in TOPICS:
        shutil.copyfile(ROOT / "solutions" / f"{topic}.py", folder / f"{topic}.py")
    return folder


def _replace_body(folder: Path, topic: str, function: str, body: str) -> None:
    """Put ``body`` at the top of ``function`` (after its docstring) in the learner's file."""
    path = folder / f"{topic}.py"
    source = path.read_text()
    start = source.index(f"def {function}(")
    doc = source.index('"""', source.index('"""', start) + 3) + 3
    path.write_text(source[:doc] + body + source[doc:])


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], **kwargs.pop("env", {})}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=env, **kwargs
    )


def test_a_hanging_function_is_stopped_and_named_and_the_rest_still_run(tmp_path):
    folder = _learner(tmp_path)
    _replace_body(folder, "activations", "relu", HANG)
    results = run_check(["activations"], where=str(folder), timeout=1)
    relu = next(r for r in results if r.function == "relu")
    assert relu.status == "failed"
    assert relu.messages == [relu.messages[0]]  # once, not once per case
    assert "activations.relu did not return within 1 s" in relu.messages[0]
    others = [r for r in results if r.function != "relu"]
    assert others and all(r.status == "passed" for r in others)


def test_a_hanging_function_under_pytest_is_named_with_gradelab_timeout(tmp_path):
    folder = _learner(tmp_path)
    _replace_body(folder, "activations", "relu", HANG)
    proc = _run(
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "exercises/tests/test_activations.py"],
        env={"GRADELAB_TARGET": str(folder), "GRADELAB_TIMEOUT": "1"},
        timeout=300,  # a hang guard only
    )
    assert proc.returncode == 1
    assert "activations.relu did not return within 1 s" in proc.stdout
    assert "1 failed" in proc.stdout, proc.stdout[-2000:]


def test_a_loop_that_catches_exception_is_still_stopped(tmp_path):
    folder = _learner(tmp_path)
    body = "\n    while True:\n        try:\n            pass\n        except Exception:\n            pass\n"
    _replace_body(folder, "activations", "tanh", body)
    results = run_check(["activations"], where=str(folder), timeout=1)
    tanh = next(r for r in results if r.function == "tanh")
    assert "activations.tanh did not return within 1 s" in tanh.messages[0]


def test_a_loop_at_module_level_is_stopped_and_reported_once(tmp_path):
    folder = _learner(tmp_path)
    with (folder / "losses.py").open("a") as fh:
        fh.write("\nwhile True:\n    pass\n")
    results = run_check(["losses"], where=str(folder), timeout=1)
    assert [r.status for r in results] == ["does not load"]
    assert "importing losses.py did not finish within 1 s" in results[0].messages[0]


def test_ctrl_c_prints_what_finished_the_interrupted_function_and_the_rest_as_not_run(tmp_path):
    folder = _learner(tmp_path)
    started = tmp_path / "relu-started"
    _replace_body(
        folder, "activations", "relu", f"\n    open({str(started)!r}, 'w').close()" + HANG
    )
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "exercises.tests._cli", "check", "activations", "losses"),
            *("--path", str(folder), "--timeout", "0"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": os.environ["PATH"]},
        preexec_fn=_as_from_a_terminal,
    )
    try:
        deadline = time.monotonic() + 120  # a hang guard only
        while not started.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert started.exists(), proc.communicate(timeout=5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert re.search(r"activations\.sigmoid\s+passed", out), out
    assert re.search(r"activations\.relu\s+interrupted\s+stopped \(Ctrl-C\)", out), out
    assert re.search(r"activations\.softmax\s+not run", out), out
    assert re.search(r"losses\.mse\s+not run", out), out
    assert "stopped early" in out


def test_a_failing_case_shows_the_first_printed_lines_and_counts_the_rest(tmp_path):
    folder = _learner(tmp_path)
    flood = "\n    for k in range(200_000):\n        print('line', k)\n    return 0.0\n"
    _replace_body(folder, "losses", "mse", flood)
    results = run_check(["losses"], where=str(folder))
    mse = next(r for r in results if r.function == "mse")
    assert mse.status == "failed"
    assert mse.printed.splitlines() == [
        *(f"  | line {k}" for k in range(HEAD_LINES)),
        f"  | … {200_000 - HEAD_LINES} more lines",
    ]
    assert "losses.mse printed, in its first failing case:" in format_table(results)


def test_prints_of_passing_cases_are_counted_not_dropped_silently(tmp_path):
    folder = _learner(tmp_path)
    _replace_body(folder, "activations", "sigmoid", "\n    print('hello')\n")
    results = run_check(["activations"], where=str(folder))
    sigmoid = next(r for r in results if r.function == "sigmoid")
    assert sigmoid.status == "passed" and sigmoid.printed_lines >= sigmoid.passed
    total = sum(r.printed_lines for r in results)  # sigmoid_grad may call sigmoid too
    assert f"passing cases printed {total} lines" in summary_line(results)


def test_output_head_keeps_the_first_lines_cut_to_width_and_counts_all():
    head = OutputHead()
    head.write("a" * 1000 + "\n")
    for k in range(50):
        head.write(f"{k}\n")
    head.write("no newline")
    lines = head.render("").splitlines()
    assert len(lines) == HEAD_LINES + 1 and len(lines[0]) < 1000
    assert lines[-1] == f"… {1 + 50 + 1 - HEAD_LINES} more lines"


def test_a_syntax_error_is_reported_once_and_files_importing_it_name_it(tmp_path):
    folder = _learner(tmp_path)
    source = (folder / "activations.py").read_text().splitlines()
    source.append("def broken(:")
    (folder / "activations.py").write_text("\n".join(source) + "\n")
    line = len(source)
    results = run_check(["forward", "activations", "backprop"], where=str(folder))
    assert [(r.topic, r.status) for r in results] == [
        ("forward", "does not load"),
        ("activations", "does not load"),
        ("backprop", "does not load"),
    ]
    messages = "\n".join(m for r in results for m in r.messages)
    assert messages.count("SyntaxError") == 1
    assert f"activations.py:{line}: SyntaxError" in results[1].messages[0]
    for r in (results[0], results[2]):
        assert (
            f"{r.topic} imports activations, which has a syntax error at line {line}"
            in r.messages[0]
        )


def test_pytest_reports_a_syntax_error_once_per_file(tmp_path):
    folder = _learner(tmp_path)
    with (folder / "activations.py").open("a") as fh:
        fh.write("\ndef broken(:\n")
    proc = _run(
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "exercises/tests/test_activations.py"],
        env={"GRADELAB_TARGET": str(folder)},
        timeout=300,
    )
    assert "1 failed" in proc.stdout and proc.stdout.count("SyntaxError") == 1, proc.stdout


def test_a_missing_package_is_named_with_the_install_command(tmp_path, monkeypatch):
    folder = _learner(tmp_path)
    monkeypatch.setitem(sys.modules, "faiss", None)  # import faiss → ModuleNotFoundError
    results = run_check(["rag"], where=str(folder))
    text = "\n".join(m for r in results for m in r.messages)
    assert results and "ModuleNotFoundError" not in text
    assert "needs the package faiss-cpu" in text and INSTALL in text


@pytest.mark.parametrize("width", [60, 100])
def test_the_table_wraps_its_last_column_to_the_terminal(tmp_path, width):
    folder = _learner(tmp_path)
    _replace_body(folder, "losses", "mse", "\n    return 0.0\n")
    table = format_table(run_check(["losses"], where=str(folder)), width=width)
    assert all(len(line) <= width for line in table.splitlines()), table
    assert "expected 3.3125" in " ".join(table.split())  # wrapped, not cut


def _spin() -> None:
    while True:
        pass


def test_the_watchdog_used_without_sigalrm_stops_a_loop_too():
    """Windows and worker threads have no SIGALRM: the watchdog thread's injected exception
    stops the loop the same way."""
    with pytest.raises(CallTimeout), _watchdog(0.5):
        _spin()


def test_time_limit_off_the_main_thread_stops_a_loop():
    caught: list[BaseException] = []

    def work() -> None:
        try:
            with time_limit(0.5):
                _spin()
        except CallTimeout as exc:
            caught.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout=120)  # a hang guard only
    assert not thread.is_alive() and caught


def test_the_cli_prints_one_table_and_fails_when_learner_code_exits_or_forks(tmp_path):
    folder = _learner(tmp_path)
    _replace_body(
        folder, "activations", "relu", "\n    import os\n    os.fork()\n    os._exit(0)\n"
    )
    proc = _run(
        ["-m", "exercises.tests._cli", "check", "activations", "--path", str(folder)],
        timeout=120,  # a hang guard only
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.count("functions pass their public tests") == 1, proc.stdout
    flat = " ".join(proc.stdout.split())  # the message is wrapped to the terminal
    assert re.search(
        r"activations\.relu failed \S+ activations\.relu \(.*?\) ended the checking", flat
    )
