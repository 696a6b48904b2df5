"""Processes a learner's code leaves behind: found and ended, by the grader and by the check.

A process that calls ``setsid`` leaves its parent's process group, so killing the group that ran
the learner's code misses it. A *subreaper* (Linux) gets the orphaned descendants of its
children instead of init: after the group is killed, :func:`kill_escaped` ends every child of
ours that started after the learner's process, outside our session, with its subtree.
``grader/engine/process.py`` (the grader's worker) and ``_supervisor.py`` (``gradelab check``)
share it; elsewhere than Linux it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
from collections.abc import Collection

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphaned descendants of our children come to us, not to init (Linux; a no-op elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def processes() -> dict[int, tuple[int, int, int]]:
    """pid → (parent pid, session id, start time in clock ticks), from /proc (empty elsewhere)."""
    table = {}
    with contextlib.suppress(OSError):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    raw = fh.read()
            except OSError:
                continue
            fields = raw[raw.rfind(b")") + 2 :].split()  # after "pid (comm) ": state ppid ...
            table[int(entry)] = (int(fields[1]), int(fields[3]), int(fields[19]))
    return table


def start_time(pid: int) -> int:
    """``pid``'s start time in clock ticks (0 when it cannot be read)."""
    return processes().get(pid, (0, 0, 0))[2]


def kill_escaped(since: int, known: Collection[int], spare: Collection[int] = ()) -> None:
    """SIGKILL and reap our children that escaped a process group we killed, and their subtrees.

    An escapee is a child of ours that we did not start: it started after the process whose
    group was killed (``since``), was not our child before (``known``), is none of ``spare``
    (processes we are still running), and is outside our session (descendants are in the killed
    process's session or in one they made with setsid; a child we started ourselves is in ours).
    """
    me, session = os.getpid(), os.getsid(0)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        table = processes()
        roots = [
            pid
            for pid, (ppid, sid, start) in table.items()
            if ppid == me
            and sid != session
            and start >= since
            and pid not in known
            and pid not in spare
        ]
        if not roots:
            return
        children: dict[int, list[int]] = {}
        for pid, (ppid, _, _) in table.items():
            children.setdefault(ppid, []).append(pid)
        doomed, frontier = set(roots), list(roots)
        while frontier:
            for pid in children.get(frontier.pop(), []):
                if pid not in doomed:
                    doomed.add(pid)
                    frontier.append(pid)
        for pid in doomed:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in roots:  # reap; their killed children come to us and are reaped next round
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(0.001)
