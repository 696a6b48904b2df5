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

    here = {name: nrs[COLUMN] for name, nrs in denied.items() if nrs[COLUMN] is not None}

    def check():
        return {name: _errno_of(nr, 0, 0, 0, 0, 0) for name, nr in here.items()}

    assert _in_filtered_child(check) == dict.fromkeys(here, errno.EPERM)


def test_a_clone_into_a_new_namespace_is_refused_and_clone3_says_enosys():
    """``clone(CLONE_NEWUSER)`` then the new mount API mounted a tmpfs past the sandbox's limits
    in an audit; ``clone3`` hides its flags from the filter, so it reports ENOSYS and the C
    library falls back to ``clone`` (threads keep starting: the next test)."""
    numbers = syscall_filter.ARCHES[platform.machine()][1]
    sigchld = 17

    def check():
        out = {}
        for name, flag in (("newuser", 0x10000000), ("newns", 0x00020000), ("newnet", 0x40000000)):
            out[name] = _errno_of(numbers["clone"], flag | sigchld, 0, 0, 0, 0)
        out["clone3"] = _errno_of(numbers["clone3"], 0, 0)
        return out

    assert _in_filtered_child(check) == {
        "newuser": errno.EPERM,
        "newns": errno.EPERM,
        "newnet": errno.EPERM,
        "clone3": errno.ENOSYS,
    }


def test_threads_and_a_torch_thread_pool_still_start():
    def check():
        import threading

        import torch

        seen = []
        workers = [threading.Thread(target=seen.append, args=(i,)) for i in range(4)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        torch.set_num_threads(2)
        total = float((torch.ones(256, 256) @ torch.ones(256, 256)).sum())
        return {"threads": len(seen), "torch": int(total)}

    assert _in_filtered_child(check) == {"threads": 4, "torch": 256**3}


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
