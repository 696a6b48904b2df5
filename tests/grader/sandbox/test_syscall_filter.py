"""The worker's seccomp filter, installed in a forked child: every system call reaching state
shared between workers fails with EPERM (also through another numbering of the same call), while
what learner code needs (files, inet sockets, socketpair, fork, NumPy) keeps working."""

from __future__ import annotations

import ctypes
import errno
import json
import os
import platform
import socket

import pytest

from grader.sandbox import syscall_filter

pytestmark = pytest.mark.skipif(not syscall_filter.supported(), reason="no filter for this arch")
COLUMN = list(syscall_filter.ARCHES).index(platform.machine()) if syscall_filter.supported() else 0


def _in_filtered_child(check) -> dict:
    """Run ``check()`` (returning a dict of str → int) in a child that installed the filter."""
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


def _errno_of(nr: int, *args: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(nr), *(ctypes.c_long(a) for a in args))
    return ctypes.get_errno() if result == -1 else 0


def test_every_denied_call_fails_with_eperm():
    denied = syscall_filter.DENIED

    def check():
        return {name: _errno_of(nrs[COLUMN], 0, 0, 0, 0, 0) for name, nrs in denied.items()}

    assert _in_filtered_child(check) == dict.fromkeys(denied, errno.EPERM)


def test_unix_sockets_are_refused_but_inet_sockets_and_socketpair_work():
    def check():
        out = {}
        for name, family in (("unix", socket.AF_UNIX), ("inet", socket.AF_INET)):
            try:
                socket.socket(family).close()
                out[name] = 0
            except OSError as exc:
                out[name] = exc.errno
        a, b = socket.socketpair()
        a.close()
        b.close()
        return out

    assert _in_filtered_child(check) == {"unix": errno.EPERM, "inet": 0}


@pytest.mark.skipif(platform.machine() != "x86_64", reason="x32 numbering exists on x86-64 only")
def test_the_x32_numbering_of_a_call_is_refused_too():
    getpid = 39
    assert _errno_of(getpid) == 0
    assert _in_filtered_child(lambda: {"x32": _errno_of(syscall_filter.X32_BIT | getpid)}) == {
        "x32": errno.EPERM
    }


def test_files_fork_and_numpy_still_work(tmp_path):
    def check():
        import numpy as np

        (tmp_path / "f").write_text("x")
        pid = os.fork()
        if pid == 0:
            os._exit(3)
        _, status = os.waitpid(pid, 0)
        return {
            "file": len((tmp_path / "f").read_text()),
            "child": os.waitstatus_to_exitcode(status),
            "numpy": int(np.linalg.inv(np.eye(3)).sum()),
        }

    assert _in_filtered_child(check) == {"file": 1, "child": 3, "numpy": 3}
