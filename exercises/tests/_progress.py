"""The channel a checking child process reports its progress on, one JSON object per line.

The child (:mod:`exercises.tests._child`) writes each event (``collected``, ``import``,
``start``, ``result``, ``done``; see :class:`exercises.tests._results.Tally`) to a pipe of its
own, on a high file descriptor the learner's prints never reach: what the learner's code writes
to stdout, stderr or fd 1 cannot be taken for a verdict, and closing or redirecting fds 0-63
leaves the pipe alone. Each event carries the writer's pid, so a process the learner's code
forked, carrying on with the check, is not heard; :meth:`Reporter.send` ends such a copy at its
next event. Standard library only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

HIGH_FD = 700  # the child moves its end of the pipe to this descriptor or above
LOST = 86  # the child's exit status when its pipe was closed or replaced by the learner's code


class Reporter:
    """The child's end: :meth:`send` one event; a forked copy of the child exits instead."""

    def __init__(self, fd: int) -> None:
        import fcntl

        self.fd = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, HIGH_FD)
        os.close(fd)
        self.pid = os.getpid()
        self.identity = self._identity()

    def _identity(self) -> tuple[int, int]:
        st = os.fstat(self.fd)
        return st.st_dev, st.st_ino

    def send(self, event: dict[str, Any]) -> None:
        if os.getpid() != self.pid:  # a fork of the learner's, back in the check: not its job
            os._exit(0)
        line = (json.dumps({**event, "pid": self.pid}) + "\n").encode()
        try:
            if self._identity() != self.identity:
                raise OSError("replaced")
            view = memoryview(line)
            while view:
                view = view[os.write(self.fd, view) :]
        except OSError:
            os._exit(LOST)


class Events:
    """The parent's end: bytes in, the events of process ``pid`` out (others are dropped)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.buffer = b""

    def feed(self, data: bytes) -> Iterator[dict[str, Any]]:
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("pid") == self.pid:
                yield event
