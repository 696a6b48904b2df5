"""Limits for running a learner's function locally: a wall-clock timeout and a bounded capture of
what it prints. Learner-safe (standard library only), for a learner's own machine.

The grader runs each call in a sandboxed worker process and kills it on timeout
(``grader/engine/process.py``). Locally the learner's code is their own, so a lighter equivalent
suffices: the call runs in this process and a timer interrupts it by raising
:class:`CallTimeout` inside it, which stops any Python-level loop (``while True: pass``, a
``time.sleep``). Where ``SIGALRM`` exists and we are on the main thread, the timer is
``setitimer``; elsewhere (Windows, a worker thread) a watchdog thread injects the exception with
``PyThreadState_SetAsyncExc``. Both repeat every half second until the call ends, so a learner's
bare ``except:`` cannot swallow the stop for good. A call blocked inside one C function cannot be
interrupted this way; it is stopped as soon as that function returns. ``gradelab check`` does not
rely on this alone: its supervisor (:mod:`exercises.tests._supervisor`) ends a case that is still
running :data:`~exercises.tests._supervisor.GRACE` seconds past the limit from outside.

``GRADELAB_TIMEOUT`` (seconds, ``0`` for none) sets the limit for ``pytest exercises/``;
``gradelab check --timeout`` sets it for a check.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
from collections.abc import Iterator

DEFAULT_TIMEOUT = 10.0
REPEAT = 0.5  # seconds between repeated stops while the call has not ended
HEAD_LINES = 10  # printed lines kept for feedback
LINE_CHARS = 300  # characters kept of each of those lines


class CallTimeout(BaseException):
    """Raised inside a call that ran past its time limit (a BaseException: ``except Exception``
    in the learner's code does not catch it)."""


def timeout_seconds() -> float:
    """The per-call limit from ``GRADELAB_TIMEOUT`` (default :data:`DEFAULT_TIMEOUT`; 0: none)."""
    raw = os.environ.get("GRADELAB_TIMEOUT", "").strip()
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT
    return max(value, 0.0)


def _raise_timeout(_signum: int, _frame: object) -> None:
    raise CallTimeout


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    target = threading.get_ident()
    done = threading.Event()

    def watch() -> None:
        wait = seconds
        while not done.wait(wait):
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(target), ctypes.py_object(CallTimeout)
            )
            wait = REPEAT

    thread = threading.Thread(target=watch, name="gradelab-timeout", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def time_limit(seconds: float) -> contextlib.AbstractContextManager[None]:
    """Raise :class:`CallTimeout` in the body once it has run ``seconds`` (≤ 0: no limit)."""
    if seconds <= 0:
        return contextlib.nullcontext()
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        return _alarm(seconds)
    return _watchdog(seconds)


class OutputHead:
    """A write-only text stream that keeps the first :data:`HEAD_LINES` lines and counts the rest.

    Writing costs a count of newlines per call, whatever the volume, so a learner's 200,000-line
    print neither floods the feedback nor slows the check.
    """

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.partial = ""
        self.lines = 0  # complete lines written
        self.open_line = False  # the last line written has no newline yet

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            text = str(text)
        if not text:
            return 0
        self.lines += text.count("\n")
        self.open_line = text[-1] != "\n"
        if len(self.kept) < HEAD_LINES:  # past the head, a write is only counted
            pieces = (self.partial + text).split("\n")
            self.partial = pieces.pop()[: LINE_CHARS + 1]
            room = HEAD_LINES - len(self.kept)
            self.kept.extend(p[:LINE_CHARS] for p in pieces[:room])
            if len(self.kept) >= HEAD_LINES:
                self.partial = ""
        return len(text)

    def flush(self) -> None:
        """Nothing is buffered elsewhere."""

    def isatty(self) -> bool:
        return False

    @property
    def total(self) -> int:
        """Lines written, counting an unfinished last line."""
        return self.lines + self.open_line

    def render(self, indent: str = "  | ") -> str:
        """The kept lines, then ``… N more lines`` when some were cut; "" when nothing printed."""
        shown = [*self.kept, self.partial] if self.partial else list(self.kept)
        if not shown:
            return ""
        out = [indent + line for line in shown]
        if self.total > len(shown):
            out.append(f"{indent}… {self.total - len(shown)} more lines")
        return "\n".join(out)


@contextlib.contextmanager
def capture_output(head: OutputHead) -> Iterator[OutputHead]:
    """Send ``print`` output (stdout and stderr) to ``head`` for the body's duration."""
    with contextlib.redirect_stdout(head), contextlib.redirect_stderr(head):  # type: ignore[type-var]
        yield head
