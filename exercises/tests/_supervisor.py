"""``gradelab check`` as a supervisor: the check runs in a child process it watches and ends.

The child (:mod:`exercises.tests._child`) runs the pytest session in a session and process
group of its own and reports each step on a pipe (:mod:`exercises.tests._progress`); this
process builds the table from those reports (:class:`exercises.tests._results.Tally`), so what
the learner's code does in the child (``os._exit``, ``os.dup2`` over stdout, a fork that carries
on checking, a SIGKILL to itself) can neither hide the table nor print it twice. It keeps the
deadline: a case (or a topic's import) that sends nothing for the per-call limit plus
:data:`GRACE` is ended from outside, which no bare ``except:``, ignored ``SIGALRM`` or endless
C loop can prevent, so a whole check ends within about (limit + grace) × cases. A child that ends
without a verdict, or is ended, is a failed row naming the function that was running and why
(exited, killed by signal N, did not return in time); the check then goes on in a fresh child
with the cases left. At the end the child's whole process group is killed: no thread or
process the learner's code started outlives the check. Ctrl-C (which only this process gets)
still prints the table; SIGTERM ends the child too. Standard library only: the table is printed
without importing pytest or NumPy here.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import IO, Any

from . import _reaper
from ._limits import timeout_seconds
from ._progress import LOST, Events
from ._results import FunctionResult, Tally, exit_status

GRACE = 3.0  # seconds past the per-call limit before a silent case is ended from outside
BETWEEN = 60.0  # seconds allowed without a report outside a case (start-up, collection)
POLL = 0.1  # seconds between looks at a child that sends nothing
SIGNAL_HINTS = {
    signal.SIGSEGV: ": a crash inside C code, most often a recursion far too deep "
    "(sys.setrecursionlimit raised?)",
    signal.SIGKILL: " (sent by your code, or by the system when memory ran out?)",
    signal.SIGABRT: ": a C library aborted",
}


@dataclass
class _Run:
    """What one child left: whether it finished, and if not why it ended."""

    done: bool = False
    code: int = 0  # pytest's exit code when done
    returncode: int | None = None
    timed_out: bool = False
    stderr: str = ""


@dataclass
class _Plan:
    """The cases known and decided, so a fresh child runs only those left."""

    cases: dict[str, tuple[str, str]] = field(default_factory=dict)  # node id → (topic, function)
    decided: set[str] = field(default_factory=set)

    def note(self, event: dict[str, Any]) -> None:
        if event.get("e") == "collected":
            for topic, function, nodeid in event["cases"]:
                self.cases[nodeid] = (topic, function)
        elif event.get("e") == "result":
            self.decided.add(event["nodeid"])

    def drop(self, topic: str, function: str | None = None) -> None:
        """Decide every case of ``topic`` (of its ``function`` only, when given)."""
        for nodeid, (t, f) in self.cases.items():
            if t == topic and function in (None, f):
                self.decided.add(nodeid)

    def left(self) -> bool:
        return any(nodeid not in self.decided for nodeid in self.cases)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _tail(err: IO[bytes], lines: int = 8) -> str:
    err.seek(0)
    return "\n".join(err.read().decode(errors="replace").splitlines()[-lines:])


def _run_child(config: dict[str, Any], tally: Tally, plan: _Plan, limit: float) -> _Run:
    """One child over the cases left, its reports fed to ``tally`` and ``plan``."""
    read, write = os.pipe()
    os.set_blocking(read, False)
    me = os.getpid()
    known = {pid for pid, (ppid, _, _) in _reaper.processes().items() if ppid == me}
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "exercises.tests._child",
                    json.dumps({**config, "fd": write}),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                pass_fds=(write,),
                start_new_session=True,
            )
        finally:
            os.close(write)
        since = _reaper.start_time(proc.pid)
        run = _Run()
        events = Events(proc.pid)
        heard = time.monotonic()
        try:
            while not run.done:
                ready, _, _ = select.select([read], [], [], POLL)
                data = _read_all(read) if ready else b""
                if data:
                    heard = time.monotonic()
                    for event in events.feed(data):
                        plan.note(event)
                        tally.feed(event)
                        if event.get("e") == "done":
                            run.done, run.code = True, int(event.get("code", 0))
                    continue
                if proc.poll() is not None:
                    for event in events.feed(_read_all(read)):  # what came just before the end
                        plan.note(event)
                        tally.feed(event)
                        run.done = run.done or event.get("e") == "done"
                    break
                busy = tally.current is not None or tally.importing is not None
                allowed = limit + GRACE if busy else max(BETWEEN, limit + GRACE)
                if limit > 0 and time.monotonic() - heard > allowed:
                    run.timed_out = True
                    break
        finally:
            _kill_group(proc)  # the child, and every process and thread it left in its group
            _reaper.kill_escaped(since, known)  # and what left the group with setsid
            os.close(read)
        run.returncode = proc.returncode
        if not run.done:
            run.stderr = _tail(err)
    return run


def _why(run: _Run, instead: str = "instead of returning") -> str:
    """How the child ended without a verdict, completing "<function> …"."""
    code = run.returncode or 0
    if code == LOST:
        return (
            "closed or replaced file descriptors it did not open (os.close, os.dup2), and the "
            "check lost its own"
        )
    if code < 0:
        number = -code
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "an unknown signal"
        return f"ended the checking process: killed by signal {number} ({name}){SIGNAL_HINTS.get(number, '')}"
    return (
        f"ended the checking process (exit status {code}: os._exit(), or a C library ending "
        f"the program) {instead}"
    )


def _record(run: _Run, tally: Tally, plan: _Plan, limit: float) -> bool:
    """Turn a child that ended without a verdict into a failed row; False when no case or import
    was running (nothing to blame, nothing to resume)."""
    if tally.importing is not None:
        topic = tally.importing
        if run.timed_out:
            why = (
                f"did not finish within {limit:g} s and could not be interrupted (a loop at "
                "module level?)"
            )
        else:
            why = _why(run, "before it finished")
        tally.load_errors[topic] = f"importing {topic}.py {why}"
        plan.drop(topic)
    elif tally.current is not None:
        topic, function = tally.current["topic"], tally.current["function"]
        qual, note = f"{topic}.{function}", tally.current.get("note", "")
        if run.timed_out:
            message = (
                f"{qual} did not return within {limit:g} s ({note}) and could not be "
                "interrupted (a bare `except:` around the loop, SIGALRM ignored, or one long "
                "call inside C code?), so its process was ended: an infinite loop? (allow more "
                "with --timeout or GRADELAB_TIMEOUT)"
            )
        else:
            message = f"{qual} ({note}) {_why(run)}"
        row = tally.row(topic, function)
        row.failed += 1
        row.messages.append(message)
        plan.drop(topic, function)
    else:
        return False
    tally.current = tally.importing = None
    return True


def supervise(
    topics: list[str] | None, where: str | None, timeout: float | None
) -> tuple[list[FunctionResult], int]:
    """Check ``topics`` in supervised children: the rows and the exit status (0 all pass,
    1 some do not or the check broke, 130 Ctrl-C)."""
    limit = timeout if timeout is not None else timeout_seconds()
    _reaper.become_subreaper()  # a setsid'd process of the learner's comes back to us when orphaned
    tally, plan = Tally(), _Plan()
    config: dict[str, Any] = {"topics": topics, "where": where, "timeout": timeout}
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        while True:
            run = _run_child({**config, "skip": sorted(plan.decided)}, tally, plan, limit)
            if run.done:
                if run.code not in (0, 1, 5):  # pytest's internal or usage error
                    print(f"the check could not run:\n{run.stderr}", file=sys.stderr)
                    return tally.rows(), 1
                break
            if not _record(run, tally, plan, limit):
                print(
                    f"the check stopped unexpectedly ({_why(run)})"
                    + (f":\n{run.stderr}" if run.stderr else ""),
                    file=sys.stderr,
                )
                return tally.rows(), 1
            if not plan.left():
                break
    except KeyboardInterrupt:
        return tally.rows(interrupted=True), 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    results = tally.rows()
    return results, exit_status(results)


def _terminate(_signum: int, _frame: object) -> None:
    raise SystemExit(143)  # through the finally blocks: the child's group is killed first
