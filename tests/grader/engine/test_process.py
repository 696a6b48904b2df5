"""grader/engine/process.py: every way a call can go wrong ends that call with a named reason, and
the next call gets a fresh worker."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from grader.engine.process import CallFault, LearnerError, Limits, WorkerProcess
from grader.engine.sandbox import Sandbox, detect

TOY = textwrap.dedent(
    """
    import ctypes, os, sys, time
    import numpy as np

    def double(x): return 2 * x
    def boom(x): raise ValueError("bad x")
    def hang(x): time.sleep(100)
    def spin(x):
        while True: pass
    def die(x): os._exit(3)
    def segv(x): ctypes.string_at(0)
    def flood(x):
        while True: print("x" * 1000)
    def noisy(x):
        print("hello"); return x + 1
    def quit_(x): sys.exit(0)
    def hog(x): return np.ones(10**10)
    def objects(x): return np.array([object()])
    def nested(x): return (x, [1, 2.0, "s"], {"a": np.float32(2)})
    def env(x): return sorted(os.environ)
    def where(x): return os.getcwd()
    def texts(x): return np.array(["a b", "c"])
    def complexes(x): return np.ones(2) * 1j
    class Unprintable(Exception):
        def __str__(self): raise RuntimeError("no")
    def unprintable(x): raise Unprintable()
    """
)


def _sandboxes() -> list:
    """Layer 1 alone always; bubblewrap too where this machine has a working one."""
    modes = [pytest.param(Sandbox(), id="rlimits-only")]
    bwrap = detect("auto")
    if bwrap.bwrap:
        modes.append(pytest.param(bwrap, id="bubblewrap"))
    return modes


@pytest.fixture(params=_sandboxes())
def worker(request, tmp_path: Path):
    (tmp_path / "toy.py").write_text(TOY)
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n")
    with WorkerProcess(
        tmp_path, Limits(call_timeout=1.5, output_bytes=10_000), sandbox=request.param
    ) as w:
        yield w


def test_a_call_returns_plain_data(worker):
    out = worker.call("toy", "nested", [np.arange(3.0)], {})
    assert (
        np.array_equal(out[0], [0.0, 1.0, 2.0]) and out[1] == [1, 2.0, "s"] and out[2] == {"a": 2.0}
    )


def test_a_learner_exception_names_type_message_and_line(worker):
    with pytest.raises(LearnerError) as info:
        worker.call("toy", "boom", [1.0], {})
    assert (info.value.type, info.value.message, info.value.where) == (
        "ValueError",
        "bad x",
        "toy.py:6",
    )
    assert worker.starts == 1  # an exception does not cost a restart


def test_a_syntax_error_is_reported_with_file_and_line(worker):
    with pytest.raises(LearnerError) as info:
        worker.call("broken", "f", [], {})
    assert info.value.type == "SyntaxError" and info.value.where == "broken.py:1"


@pytest.mark.parametrize(
    ("function", "reason"),
    [
        ("hang", "timeout"),
        ("spin", "timeout"),
        ("die", "crash"),
        ("segv", "crash"),
        ("flood", "output"),
        ("quit_", "crash"),
        ("hog", "memory"),
    ],
)
def test_a_fault_fails_only_that_call_and_the_next_call_gets_a_fresh_worker(
    worker, function, reason
):
    start = time.monotonic()
    with pytest.raises(CallFault) as info:
        worker.call("toy", function, [np.arange(3.0)], {})
    assert info.value.reason == reason
    assert time.monotonic() - start < 10
    assert np.array_equal(worker.call("toy", "double", [np.arange(3.0)], {}), [0.0, 2.0, 4.0])
    assert worker.starts == 2


def test_learner_output_is_captured_apart_from_the_protocol(worker):
    assert np.array_equal(worker.call("toy", "noisy", [np.zeros(2)], {}), [1.0, 1.0])
    assert worker.last_output == b"hello\n"


def test_a_result_that_is_not_data_is_refused(worker):
    with pytest.raises(LearnerError, match="object array"):
        worker.call("toy", "objects", [1.0], {})


@pytest.mark.parametrize(
    ("function", "said"),
    [
        ("texts", r"a NumPy array of text \(dtype <U3\); return a list of str"),
        ("complexes", r"an array of dtype complex128; return real numbers"),
    ],
)
def test_an_array_the_channel_cannot_carry_is_refused_saying_what_to_return(worker, function, said):
    """chunk_text returning np.array(chunks) was "raised ChannelError: arrays of dtype <U15
    cannot cross the channel": an error the learner's code never raised, and no way out."""
    with pytest.raises(LearnerError, match=said) as info:
        worker.call("toy", function, [1.0], {})
    assert info.value.type == "TypeError" and "channel" not in str(info.value)
    assert np.array_equal(worker.call("toy", "double", [np.arange(3.0)], {}), [0.0, 2.0, 4.0])


def test_the_worker_sees_a_clean_environment_and_a_scratch_cwd(worker, monkeypatch):
    env = worker.call("toy", "env", [0], {})
    assert "OMP_NUM_THREADS" in env and not any(k.startswith(("AWS", "GITHUB", "SSH")) for k in env)
    cwd = worker.call("toy", "where", [0], {})
    assert cwd == "/tmp" if worker.sandbox.bwrap else "gradelab-scratch-" in cwd


def test_close_kills_the_process_group(worker):
    worker.call("toy", "double", [1.0], {})
    proc = worker._proc
    worker.close()
    assert proc is not None and proc.poll() is not None


def test_the_fallback_warns_loudly_and_says_what_is_missing(monkeypatch):
    warning = Sandbox().warning
    assert warning and "bubblewrap is not available" in warning and "network" in warning
    monkeypatch.setattr("os.geteuid", lambda: 0)
    assert "You are root" in Sandbox().warning
    assert Sandbox(bwrap="/usr/bin/bwrap").warning is None


def test_a_spent_submission_budget_fails_calls_at_once_without_starting_a_worker(tmp_path):
    (tmp_path / "toy.py").write_text(TOY)
    with WorkerProcess(tmp_path, Limits(submission_budget=0.0), sandbox=Sandbox()) as worker:
        with pytest.raises(CallFault) as info:
            worker.call("toy", "double", [1.0], {})
        assert info.value.reason == "budget"
        assert info.value.detail == "the submission's time budget (0 s) ran out"
        assert worker.starts == 0


def test_a_call_cut_short_by_the_test_budget_is_a_budget_fault_not_a_timeout(worker):
    worker.limits = Limits(call_timeout=30.0, test_budget=1.0)
    worker.begin_test()
    with pytest.raises(CallFault) as info:
        worker.call("toy", "hang", [1.0], {})
    assert (info.value.reason, info.value.detail) == (
        "budget",
        "the test's time budget (1 s) ran out",
    )
    worker.begin_test()  # a new test has its own budget again
    assert worker.call("toy", "double", [2.0], {}) == 4.0


def test_a_kill_from_outside_is_not_blamed_on_the_memory_budget(tmp_path):
    """With a cgroup counting the budget's OOM kills, a SIGKILL that none of them explains (a
    classmate's or an operator's kill) is a crash "from outside", not a memory fault."""
    from grader.engine import cgroups

    support = cgroups.detect()
    if support.version is None:
        pytest.skip("no cgroup budget here: a SIGKILL is most often the memory limit")
    (tmp_path / "toy.py").write_text(TOY)
    with WorkerProcess(tmp_path, Limits(call_timeout=30), sandbox=Sandbox()) as w:
        w.call("toy", "double", [1], {})
        pid = w._proc.pid
        killer = __import__("threading").Timer(
            0.5, lambda: __import__("os").killpg(pid, __import__("signal").SIGKILL)
        )
        killer.start()
        with pytest.raises(CallFault) as info:
            w.call("toy", "hang", [1], {})
        killer.join()
    assert info.value.reason == "crash"
    assert "from outside the submission" in info.value.detail


STALLER = textwrap.dedent(
    """
    import sys, time

    def _never_reads(stream, limit=None):
        time.sleep(1000)

    sys.modules["__main__"].read_frame = _never_reads  # the worker stops taking requests

    def double(x):
        return 2 * x
    """
)


@pytest.mark.parametrize("sandbox", _sandboxes())
def test_a_worker_that_stops_reading_requests_costs_a_timeout_not_a_stalled_grader(
    tmp_path, sandbox
):
    """A request larger than the pipe to a worker that no longer reads used to block the grader in
    its write for good (call timeout and budgets never started): one submission stalled a class."""
    import threading

    (tmp_path / "staller.py").write_text(STALLER)
    outcome: list[BaseException] = []
    with WorkerProcess(tmp_path, Limits(call_timeout=1.5), sandbox=sandbox) as w:
        assert w.call("staller", "double", [1], {}) == 2  # imports it: read_frame replaced

        def big_call() -> None:
            try:
                w.call("staller", "double", [np.zeros(1 << 18)], {})  # 2 MiB: more than a pipe
            except BaseException as exc:
                outcome.append(exc)

        caller = threading.Thread(target=big_call, daemon=True)
        caller.start()
        caller.join(timeout=60)
        assert not caller.is_alive(), "the grader is stuck writing the request"
    assert isinstance(outcome[0], CallFault) and outcome[0].reason == "timeout"
    assert "took no request" in outcome[0].detail


BLOATER = textwrap.dedent(
    """
    import sys

    _main = sys.modules["__main__"]
    _real = _main.encode

    def _bloated(value):  # a patched worker: every error reply a few megabytes of text
        if isinstance(value, dict) and value.get("ok") is False:
            value = {"ok": False, "error": {"type": "T" * 400_000, "message": "m" * 900_000,
                                            "where": "w" * 400_000}}
        return _real(value)

    _main.encode = _bloated

    def boom(x):
        raise ValueError("no")
    """
)


def test_a_patched_workers_error_text_is_capped_by_the_grader(tmp_path):
    """The worker caps an exception's text; a patched one does not, so the grader caps it too
    (megabytes of forged text once reached the gradebook, the feedback and the class report)."""
    (tmp_path / "bloater.py").write_text(BLOATER)
    limits = Limits(call_timeout=10)
    with (
        WorkerProcess(tmp_path, limits, sandbox=Sandbox()) as w,
        pytest.raises(LearnerError) as info,
    ):
        w.call("bloater", "boom", [1], {})
    assert len(info.value.type) <= 100 and len(info.value.message) <= 2000
    assert len(info.value.where) <= 200


def test_a_helper_package_copied_under_a_strict_umask_is_readable_by_the_worker(tmp_path):
    """Under umask 077 a learner's ``mypkg/`` (a helper package, graded with the topic files)
    could not be entered by the sandbox's unprivileged uid, and its import failed: every folder
    and file of the copy is made readable, not only the top level."""
    old = os.umask(0o077)
    try:
        pkg = tmp_path / "mypkg" / "deep"
        pkg.mkdir(parents=True)
        (tmp_path / "mypkg" / "__init__.py").write_text("")
        (pkg / "__init__.py").write_text("")
        (pkg / "util.py").write_text("def triple(x):\n    return 3 * x\n")
        (tmp_path / "toy.py").write_text("from .mypkg.deep.util import triple\n")
    finally:
        os.umask(old)
    sandbox = detect("auto")
    with WorkerProcess(tmp_path, Limits(call_timeout=5), sandbox=sandbox) as w:
        assert w.call("toy", "triple", [np.ones(2)], {}).tolist() == [3.0, 3.0]
    for path in [tmp_path, *tmp_path.rglob("*")]:
        want = 0o005 if path.is_dir() else 0o004  # others may enter folders and read files
        assert path.stat().st_mode & want == want, path


def test_an_exception_whose_message_cannot_be_read_is_still_the_learners_error(worker):
    """An exception whose __str__ raises killed the worker: "crash: the worker exited during
    the call", blaming the grader's worker, not the learner's exception."""
    with pytest.raises(LearnerError, match=r"Unprintable: .*cannot be shown") as info:
        worker.call("toy", "unprintable", [1.0], {})
    assert info.value.type == "Unprintable" and info.value.where.startswith("toy.py:")
    assert np.array_equal(worker.call("toy", "double", [np.arange(3.0)], {}), [0.0, 2.0, 4.0])
    assert worker.starts == 1
