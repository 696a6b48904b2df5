"""Running a check in a forked child that installed the worker's syscall filter (the filter
cannot be removed, so never in the test process itself)."""

from __future__ import annotations

import ctypes
import json
import os
from collections.abc import Callable
from typing import Any

from grader.sandbox import syscall_filter


def in_filtered_child(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``check()`` (returning a JSON-able dict) in a child that installed the filter."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - reports through the pipe
        try:
            os.close(read)
            syscall_filter.install()
            os.write(write, json.dumps(check()).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        text = fh.read()
    os.waitpid(pid, 0)
    return json.loads(text)


def errno_of(nr: int, *args: int) -> int:
    """The errno of the raw system call ``nr`` (0 when it succeeded)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(nr), *(ctypes.c_long(a) for a in args))
    return ctypes.get_errno() if result == -1 else 0
