"""One sandboxed worker process per submission, and the faults a call can end in.

:class:`WorkerProcess` starts ``grader/sandbox/worker.py`` in its own session and process group,
with a clean environment, rlimits and BLAS threads = 1 (sandbox layer 1,
:mod:`grader.engine.worker_setup`), sends one request at a time, and waits for the reply with a
wall-clock timeout while draining the learner's output into a capped buffer. Whatever goes wrong
ends that call with a :class:`CallFault` naming the reason (``timeout``, ``crash``, ``memory``,
``output``, ``protocol``, ``budget``); the worker is then killed and the next call starts a fresh
one. A learner exception is a :class:`LearnerError`, not a fault.

Besides the timeout per call, wall-clock budgets bound a whole test (from
:meth:`WorkerProcess.begin_test`) and the whole submission (from the worker's creation): a call
never waits past either, and once one has run out every call fails at once with a ``budget``
fault that names it, so a learner whose every call is just under the timeout cannot hold a
grading slot for longer than ``Limits.submission_budget``.

Where the host allows, each worker also runs in a cgroup of its own (:mod:`grader.engine.cgroups`):
one memory, process and CPU budget for the submission as a whole, whatever it forks; a call
during which the kernel's OOM killer acted in that group is a ``memory`` fault.

Processes that leave the worker's process group (``setsid`` and a double fork) are caught by the
child-subreaper attribute: the grader marks itself a subreaper, so such orphans are re-parented
to it rather than to init, and :meth:`WorkerProcess.close` kills and reaps every one of them,
with all their descendants.
"""

from __future__ import annotations

import contextlib
import os
import select
import selectors
import signal
import subprocess
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exercises.tests._reaper import become_subreaper, kill_escaped, processes, start_time
from grader.engine import cgroups, worker_setup
from grader.engine.cgroups import Cgroup, CgroupSupport
from grader.engine.limits import Limits
from grader.engine.sandbox import Sandbox, configured
from grader.sandbox.channel import MAX_FRAME_BYTES, ChannelError, decode, encode

SANDBOX_DIR = Path(__file__).resolve().parents[1] / "sandbox"
WORKER = SANDBOX_DIR / "worker.py"
HANDLES = Path(__file__).resolve().parents[2] / "exercises" / "tests" / "_handles.py"
_LIVE: set[int] = set()  # pids of the workers this process is running now


class CallFault(Exception):
    """A call that did not return: timeout, crash, memory, output, protocol or budget."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class LearnerError(Exception):
    """The learner's function raised; ``type``/``message``/``where`` describe it."""

    def __init__(self, type_: str, message: str, where: str) -> None:
        super().__init__(f"{type_}: {message}" + (f" (at {where})" if where else ""))
        self.type = type_
        self.message = message
        self.where = where


def _names(listed: Any) -> list[str]:
    """A reply's list of argument names (``mutated``, ``aliased``), defensively: the worker is
    untrusted, anything but a list reads as none."""
    return [str(m)[:100] for m in listed[:64]] if isinstance(listed, list) else []


def _decoded(payload: bytes) -> Any:
    """A reply's payload, decoded; one that breaks the channel's rules is a ``protocol`` fault."""
    try:
        return decode(payload)
    except ChannelError as exc:
        raise CallFault("protocol", f"undecodable reply: {exc}") from None


@dataclass
class WorkerProcess:
    """A restartable sandboxed worker for one submission folder."""

    submission: Path
    limits: Limits = field(default_factory=Limits)
    sandbox: Sandbox = field(default_factory=configured)
    cgroups: CgroupSupport = field(default_factory=cgroups.detect)
    starts: int = 0
    _proc: subprocess.Popen[bytes] | None = None
    _group: Cgroup | None = None  # the running worker's cgroup
    _born: float = field(default_factory=time.monotonic)  # the submission's clock starts here
    _test_started: float | None = None  # the current test's clock (begin_test)
    _scratch: tempfile.TemporaryDirectory[str] | None = None
    _selector: selectors.DefaultSelector | None = None  # the running worker's two pipes
    last_output: bytes = b""
    last_mutated: list[str] = field(default_factory=list)  # arguments the last call modified
    last_aliased: list[str] = field(default_factory=list)  # arguments its result is a view of
    last_reused: bool = False  # its result reuses memory an earlier result of the function had
    last_warnings: list[str] = field(default_factory=list)  # warnings the last call raised
    #: the conversation of the current test, when memoised: each request frame and the reply's
    #: payload it got (:mod:`grader.engine.memo`); None once a fault made it unfit to keep
    tape: list[tuple[bytes, bytes]] | None = None
    #: answers already had for the next requests, in order: (request frame, reply payload or
    #: the fault it ended in), served by :meth:`_run` instead of asking the worker again
    served: deque[tuple[bytes, bytes | CallFault]] = field(default_factory=deque)
    diverged: int = 0  # served answers voided because the test asked something else
    _since: int = 0  # the worker's start time (clock ticks): escapees started after it
    _known: frozenset[int] = frozenset()  # our children before the worker started

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        self.close()
        self._scratch = tempfile.TemporaryDirectory(prefix="gradelab-scratch-")
        submission, workdir = self.submission.resolve(), self._scratch.name
        if self.sandbox.drop_uid is not None and self.sandbox.bwrap:
            # bound in: the unprivileged uid reads it there
            worker_setup.set_modes(self.submission, 0o755, 0o644)
        elif self.sandbox.drop_uid is not None:  # no binds: it reaches its files through the host's
            submission, workdir = worker_setup.unprivileged_scratch(
                Path(self._scratch.name), submission, self.sandbox.worker_uid()
            )
        argv, extra = self.sandbox.command(WORKER, submission, HANDLES)
        nproc = self.sandbox.drop_uid is not None
        if self.cgroups.version is not None:
            lim = self.limits
            self._group = self.cgroups.create(lim.memory_bytes, lim.processes, lim.cpus)
        group = self._group
        become_subreaper()
        me = os.getpid()
        self._known = frozenset(p for p, (ppid, _, _) in processes().items() if ppid == me)
        self._proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=workdir,
            env={**worker_setup.clean_env(workdir), **extra},
            start_new_session=True,
            preexec_fn=lambda: worker_setup.enter(group, self.limits, nproc),
        )
        _LIVE.add(self._proc.pid)
        os.set_blocking(self._proc.stdin.fileno(), False)  # type: ignore[union-attr]
        self._selector = selectors.DefaultSelector()  # one per worker, not one per call
        self._selector.register(self._proc.stdout, selectors.EVENT_READ, "reply")
        self._selector.register(self._proc.stderr, selectors.EVENT_READ, "output")
        self._since = start_time(self._proc.pid)
        self.starts += 1
        _decoded(self._request(encode({"op": "ping"}), self.limits.start_timeout))

    def close(self) -> None:
        """Kill the worker's process group and every escaped descendant; remove its scratch."""
        proc, self._proc = self._proc, None
        group, self._group = self._group, None
        selector, self._selector = self._selector, None
        if selector is not None:
            selector.close()
        if proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream:  # closing stdin flushes: a dead worker's pipe raises BrokenPipeError
                    with contextlib.suppress(OSError):
                        stream.close()
            proc.wait()
            _LIVE.discard(proc.pid)
            kill_escaped(self._since, self._known, _LIVE)
        if group is not None:  # whatever is still in it: it cannot have left
            group.kill()
        if self._scratch is not None:  # before the group's folders, which the kernel frees late
            self._scratch.cleanup()  # (a stopped grading has seconds to clean up, no more)
            self._scratch = None
        if group is not None:
            group.remove()

    @property
    def layers(self) -> list[str]:
        """The sandbox layers this worker runs under (the cgroup budget included)."""
        return self.sandbox.layers + ([self.cgroups.layer] if self.cgroups.layer else [])

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- budgets -------------------------------------------------------------------------------

    def begin_test(self) -> None:
        """Start the clock of a new test (its calls share ``Limits.test_budget``)."""
        self._test_started = time.monotonic()

    def budget_left(self) -> tuple[float, str]:
        """Seconds left before a budget runs out, and that budget's name for a fault."""
        now = time.monotonic()
        whole = self.limits.submission_budget
        left = (self._born + whole - now, f"the submission's time budget ({whole:g} s) ran out")
        if self._test_started is not None:
            test = self.limits.test_budget
            mine = (self._test_started + test - now, f"the test's time budget ({test:g} s) ran out")
            left = min(left, mine)
        return left

    # -- calls ---------------------------------------------------------------------------------

    def call(
        self,
        topic: str,
        function: str,
        args: list[Any],
        kwargs: dict[str, Any],
        *,
        keep: bool = False,
    ) -> Any:
        """Call ``topic.function(*args, **kwargs)`` in the worker; the result as plain data."""
        return self._run(
            {
                "op": "call",
                "topic": topic,
                "function": function,
                "args": args,
                "kwargs": kwargs,
                "keep": keep,
            }
        )

    def inspect(self, topic: str) -> dict[str, Any]:
        """``{"missing", "error", "stubs"}``: whether ``topic`` imports and which functions are stubs."""
        return self._run({"op": "inspect", "topic": topic})

    def probe(self, name: str, *args: Any) -> Any:
        """Run a worker-side probe (see ``grader/sandbox/probes.py``)."""
        return self._run({"op": "probe", "probe": name, "args": list(args)})

    def _run(self, request: dict[str, Any]) -> Any:
        """One request's answer: served from :attr:`served` when a memoised conversation already
        made this very request (:mod:`grader.engine.memo`), else sent to the worker; written on
        the :attr:`tape` either way."""
        frame = encode(request)
        tape = self.tape
        served = self.served.popleft() if self.served else None
        if served is not None and served[0] != frame:  # the test asked something else: void
            self.served.clear()
            self.diverged += 1
            served = None
        try:
            payload = served[1] if served is not None else self.exchange(frame)
            if isinstance(payload, CallFault):
                raise payload
            if tape is not None:
                tape.append((frame, payload))
            return self._interpret(payload)  # a value, or the learner's error raised
        except CallFault:
            self.tape = None  # a fault depends on time and the machine: never memoised
            raise

    def exchange(self, frame: bytes) -> bytes:
        """Send one encoded request (:func:`~grader.sandbox.channel.encode`) and return the
        reply's payload, undecoded; a fault (``timeout``, ``crash``, ``memory``, ``budget``,
        ...) raises :class:`CallFault`, the worker closed. Budgets and the timeout apply as to
        every call."""
        left, budget = self.budget_left()
        if left <= 0:
            raise CallFault("budget", budget)
        if self._proc is None:
            self.start()
        try:
            payload = self._request(frame, min(self.limits.call_timeout, left))
        except CallFault as exc:
            over = self._over_budget()
            self.close()
            if over is None and exc.reason == "timeout" and left < self.limits.call_timeout:
                over = CallFault("budget", budget)  # the budget, not the call, ran out
            raise (over or exc) from None
        over = self._over_budget()
        if over is not None:  # the survivors may have answered: the call still failed
            self.close()
            raise over
        return payload

    def _interpret(self, payload: bytes) -> Any:
        """A reply's payload → the call's value, or :class:`LearnerError`, or a fault (a reply
        that breaks the protocol, the learner's ``MemoryError`` or ``exit()``: worker closed)."""
        try:
            reply = _decoded(payload)
        except CallFault:
            self.close()
            raise
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            self.close()
            raise CallFault("protocol", "the worker sent a malformed reply")
        if reply["ok"]:
            self.last_mutated = _names(reply.get("mutated"))
            self.last_aliased = _names(reply.get("aliased"))
            self.last_reused = reply.get("reused") is True
            warned = reply.get("warnings") or []
            self.last_warnings = (
                [str(w)[:300] for w in warned[:5]] if isinstance(warned, list) else []
            )
            return reply.get("value")
        err = reply.get("error") or {}
        if not isinstance(err, dict):
            err = {}
        # the worker caps what it sends; a worker the learner patched may not: so do we
        kind, message, where = (
            str(err.get(k, ""))[:cap]
            for k, cap in (("type", 100), ("message", 2000), ("where", 200))
        )
        if kind == "MemoryError":
            self.close()
            raise CallFault(
                "memory", f"the call ran out of memory (limit {self.limits.memory_bytes >> 20} MiB)"
            )
        if kind == "SystemExit":
            self.close()
            raise CallFault("crash", f"the code called exit({message})")
        raise LearnerError(kind, message, where)

    def _over_budget(self) -> CallFault | None:
        """A memory fault when the OOM killer acted in the worker's cgroup during the call."""
        if self._group is None or not self._group.went_over():
            return None
        return CallFault(
            "memory",
            f"the submission went over its memory budget ({self.limits.memory_bytes >> 20} MiB "
            "for all its processes together)",
        )

    def _request(self, frame: bytes, timeout: float) -> bytes:
        """Send ``frame`` and wait for the reply's payload, both within ``timeout``: a worker that
        stops reading its requests (a learner can shrink the pipe and stall the worker's read)
        costs a timeout like one that stops answering, never a grader blocked on a full pipe."""
        proc, sel = self._proc, self._selector
        assert proc is not None and proc.stdin and proc.stdout and proc.stderr and sel is not None
        request_fd = proc.stdin.fileno()  # non-blocking (start): written here, never buffered
        pending = memoryview(frame)
        output = bytearray()
        reply = bytearray()
        need: int | None = None
        waiting_for_room = False  # the request fd is in the selector (the pipe was full)
        deadline = time.monotonic() + timeout
        while True:
            if pending:
                try:
                    pending = pending[os.write(request_fd, pending) :]
                except BlockingIOError:
                    pass  # the pipe is full: wait for room below, reading output meanwhile
                except OSError:  # BrokenPipeError above all: the worker is gone
                    raise self._death("the worker died before the call") from None
                if pending and not waiting_for_room:
                    sel.register(request_fd, selectors.EVENT_WRITE, "request")
                    waiting_for_room = True
                elif not pending and waiting_for_room:
                    sel.unregister(request_fd)
                    waiting_for_room = False
            left = deadline - time.monotonic()
            if left <= 0:
                self.last_output = bytes(output)
                if pending:
                    raise CallFault("timeout", f"the worker took no request for {timeout:g} s")
                raise CallFault("timeout", f"no answer within {timeout:g} s")
            for key, _ in sel.select(left):
                if key.data == "request":
                    continue  # room in the pipe: the loop writes more
                chunk = os.read(key.fd, 1 << 16)
                if not chunk:
                    if key.data == "reply":
                        self.last_output = bytes(output)
                        raise self._death("the worker exited during the call")
                    sel.unregister(key.fileobj)
                    continue
                if key.data == "output":
                    output += chunk
                    if len(output) > self.limits.output_bytes:
                        self.last_output = bytes(output[: self.limits.output_bytes])
                        raise CallFault(
                            "output", f"printed more than {self.limits.output_bytes} bytes"
                        )
                    continue
                reply += chunk
                if need is None and len(reply) >= 8:
                    need = 8 + int.from_bytes(reply[:8], "big")
                    if need - 8 > min(self.limits.reply_bytes, MAX_FRAME_BYTES):
                        raise CallFault("protocol", f"reply of {need - 8} bytes is too large")
                if need is not None and len(reply) >= need:
                    if pending:  # only a forged reply comes before the request was read
                        raise CallFault("protocol", "a reply before the whole request was read")
                    if len(reply) > need:
                        raise CallFault("protocol", "unexpected bytes after the reply")
                    output += self._drain(
                        proc.stderr.fileno(), self.limits.output_bytes - len(output)
                    )
                    self.last_output = bytes(output[: self.limits.output_bytes])
                    return bytes(reply[8:])

    @staticmethod
    def _drain(fd: int, budget: int) -> bytes:
        """Output the worker wrote before its reply but we had not read yet: what is there now.

        The worker flushes the learner's output before it writes the reply, so by the time the
        reply is complete that output is already in the pipe: polling without waiting suffices.
        """
        got = bytearray()
        while len(got) <= budget and select.select([fd], [], [], 0)[0]:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            got += chunk
        return bytes(got)

    def _death(self, what: str) -> CallFault:
        proc = self._proc
        assert proc is not None
        try:
            code = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None and code > 128 and self.sandbox.bwrap:
            with contextlib.suppress(
                ValueError
            ):  # bubblewrap exits 128 + n for its child's signal n
                code = -signal.Signals(code - 128)
        if code is not None and code < 0:
            sig = signal.Signals(-code)
            if sig == signal.SIGXCPU:
                return CallFault("timeout", f"{what}: CPU time limit ({self.limits.cpu_seconds} s)")
            if sig == signal.SIGKILL:
                if self._group is not None and not self._group.oom_pending():
                    return CallFault(  # the budget's OOM kills are counted: this was none of them
                        "crash",
                        f"{what}: killed (SIGKILL) from outside the submission, not by its "
                        "memory budget",
                    )
                return CallFault("memory", f"{what}: killed (SIGKILL), most often the memory limit")
            return CallFault("crash", f"{what}: killed by {sig.name}")
        return CallFault("crash", f"{what} with exit status {code}")
