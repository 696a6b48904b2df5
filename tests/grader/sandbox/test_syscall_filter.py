"""The worker's seccomp filter, installed in a forked child: every system call reaching state
shared between workers fails with EPERM (also through another numbering of the same call), while
what learner code needs (files, inet sockets, socketpair, fork, NumPy) keeps working."""

from __future__ import annotations

import errno
import os
import platform
import socket

import pytest

from grader.sandbox import syscall_filter

from ._filtered import errno_of, in_filtered_child

pytestmark = pytest.mark.skipif(not syscall_filter.supported(), reason="no filter for this arch")
COLUMN = list(syscall_filter.ARCHES).index(platform.machine()) if syscall_filter.supported() else 0


def test_every_denied_call_fails_with_eperm():
    denied = syscall_filter.DENIED

    here = {name: nrs[COLUMN] for name, nrs in denied.items() if nrs[COLUMN] is not None}

    def check():
        return {name: errno_of(nr, 0, 0, 0, 0, 0) for name, nr in here.items()}

    assert in_filtered_child(check) == dict.fromkeys(here, errno.EPERM)


def test_a_clone_into_a_new_namespace_is_refused_and_clone3_says_enosys():
    """``clone(CLONE_NEWUSER)`` then the new mount API mounted a tmpfs past the sandbox's limits
    in an audit; ``clone3`` hides its flags from the filter, so it reports ENOSYS and the C
    library falls back to ``clone`` (threads keep starting: the next test)."""
    numbers = syscall_filter.ARCHES[platform.machine()][1]
    sigchld = 17

    def check():
        out = {}
        for name, flag in (("newuser", 0x10000000), ("newns", 0x00020000), ("newnet", 0x40000000)):
            out[name] = errno_of(numbers["clone"], flag | sigchld, 0, 0, 0, 0)
        out["clone3"] = errno_of(numbers["clone3"], 0, 0)
        return out

    assert in_filtered_child(check) == {
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

    assert in_filtered_child(check) == {"threads": 4, "torch": 256**3}


#: families a network namespace does not confine: Unix (abstract addresses: the host's without
#: bubblewrap), VSOCK (the hypervisor's host and other guests), packet, TIPC, RDS, Bluetooth, ALG
OTHER_FAMILIES = {
    "unix": 1,
    "packet": 17,
    "rds": 21,
    "tipc": 30,
    "bluetooth": 31,
    "alg": 38,
    "vsock": 40,
}


def test_only_the_socket_families_a_network_namespace_confines_are_allowed():
    """IPv4, IPv6 and netlink sockets open (and socketpair, which connects nothing outside the
    process); every other family is refused before the kernel looks for it."""

    def check():
        out = {}
        families = {"inet": socket.AF_INET, "inet6": socket.AF_INET6, **OTHER_FAMILIES}
        for name, family in families.items():
            kind = socket.SOCK_DGRAM if name in ("packet", "rds", "tipc") else socket.SOCK_STREAM
            try:
                socket.socket(family, kind).close()
                out[name] = 0
            except OSError as exc:
                out[name] = exc.errno
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW) as sock:
            out["netlink"] = 0 if sock.fileno() >= 0 else -1
        a, b = socket.socketpair()
        a.close()
        b.close()
        return out

    assert in_filtered_child(check) == {
        "inet": 0,
        "inet6": 0,
        "netlink": 0,
        **dict.fromkeys(OTHER_FAMILIES, errno.EPERM),
    }


def test_every_call_the_filter_has_no_room_for_says_enosys():
    """``clone3``, the futex calls that carry their flags in memory or are newer than the
    filter, and Linux AIO: ENOSYS, the answer of a kernel without them."""
    here = {n: nrs[COLUMN] for n, nrs in syscall_filter.NOT_HERE.items() if nrs[COLUMN] is not None}

    def check():
        return {name: errno_of(nr, 0, 0, 0, 0, 0) for name, nr in here.items()}

    assert in_filtered_child(check) == dict.fromkeys(here, errno.ENOSYS)


@pytest.mark.skipif(platform.machine() != "x86_64", reason="x32 numbering exists on x86-64 only")
def test_the_x32_numbering_of_a_call_is_refused_too():
    getpid = 39
    assert errno_of(getpid) == 0
    assert in_filtered_child(lambda: {"x32": errno_of(syscall_filter.X32_BIT | getpid)}) == {
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

    assert in_filtered_child(check) == {"file": 1, "child": 3, "numpy": 3}
