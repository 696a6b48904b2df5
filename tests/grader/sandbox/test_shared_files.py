"""Kernel state keyed by a file every worker reads: the syscall filter leaves a learner no way
to set it or to read it exactly.

Workers graded side by side read the same inodes (the Python installation, the packages,
``/dev/null``) through read-only binds, and the kernel keys file locks, directory notifications,
futexes on a file's page, the page cache and the dentry cache by inode (or folder): each carried a signal between two
bubblewrap sandboxes of two uids (``tests/grader/adversarial/test_collusion.py`` grades such a
pair end to end). Here each mechanism is checked at the filter itself: the *classmate* is this
test process (no filter), the learner a forked child that installed it.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import mmap
import multiprocessing
import os
import platform
import struct
import time
from pathlib import Path

import pytest

from grader.sandbox import syscall_filter

from ._filtered import in_filtered_child

pytestmark = pytest.mark.skipif(not syscall_filter.supported(), reason="no filter for this arch")
FUTEX = 98 if platform.machine() == "aarch64" else 202
FUTEX_WAIT, FUTEX_WAKE, FUTEX_PRIVATE = 0, 1, 128
F_OFD_GETLK, F_OFD_SETLK = 36, 37


def _flock(ltype: int) -> bytes:
    return struct.pack("hhqqi", ltype, 0, 0, 0, 0)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A file the learner may only read, as the sandbox's shared files are."""
    path = tmp_path / "shared.py"
    path.write_bytes(b"x = 1\n" * 2048)
    path.chmod(0o444)
    return path


def test_a_lock_taken_under_the_filter_is_seen_by_no_one(shared: Path):
    """flock, a POSIX record lock and an open-file-description lock all succeed for the learner
    and lock nothing: while it holds them, a classmate takes conflicting locks at once."""
    held_r, held_w = os.pipe()
    done_r, done_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the learner: reports through the pipe
        try:
            syscall_filter.install()
            fds = [os.open(shared, os.O_RDONLY) for _ in range(3)]
            fcntl.flock(fds[0], fcntl.LOCK_SH)
            fcntl.fcntl(fds[1], fcntl.F_SETLK, _flock(fcntl.F_RDLCK))
            fcntl.fcntl(fds[2], F_OFD_SETLK, _flock(fcntl.F_RDLCK))
            os.write(held_w, b"1")
            os.read(done_r, 1)
        finally:
            os._exit(0)
    try:
        assert os.read(held_r, 1) == b"1"  # the learner's three lock calls succeeded
        probe = os.open(shared, os.O_RDONLY)
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # no BlockingIOError: nothing held
        posix = fcntl.fcntl(probe, fcntl.F_GETLK, _flock(fcntl.F_WRLCK))
        ofd = fcntl.fcntl(probe, F_OFD_GETLK, _flock(fcntl.F_WRLCK))
        os.close(probe)
    finally:
        os.write(done_w, b"1")
        os.waitpid(pid, 0)
    assert struct.unpack("hhqqi", posix)[0] == fcntl.F_UNLCK
    assert struct.unpack("hhqqi", ofd)[0] == fcntl.F_UNLCK


def test_directory_notifications_and_leases_are_refused(shared: Path):
    """dnotify (``F_NOTIFY``) signalled the learner when a classmate read a file of a shared
    folder; a lease (``F_SETLEASE``) signals on a classmate's open. Both: EPERM."""

    def check():
        out = {}
        folder = os.open(shared.parent, os.O_RDONLY)
        own = os.open(shared.parent / "own", os.O_RDONLY | os.O_CREAT, 0o600)
        for name, fd, cmd, arg in (
            ("dnotify", folder, fcntl.F_NOTIFY, fcntl.DN_ACCESS | fcntl.DN_MULTISHOT),
            ("lease", own, fcntl.F_SETLEASE, fcntl.F_RDLCK),
        ):
            try:
                fcntl.fcntl(fd, cmd, arg)
                out[name] = 0
            except OSError as exc:
                out[name] = exc.errno
        return out

    assert in_filtered_child(check) == {"dnotify": errno.EPERM, "lease": errno.EPERM}


def _futex(address: int, op: int, value: int, seconds: float | None) -> tuple[int, int]:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    whole = int(seconds or 0)
    timeout = (ctypes.c_long * 2)(whole, int(((seconds or 0) - whole) * 1e9))
    ctypes.set_errno(0)
    result = libc.syscall(
        ctypes.c_long(FUTEX),
        ctypes.c_void_p(address),
        ctypes.c_long(op),
        ctypes.c_long(value),
        ctypes.byref(timeout) if seconds is not None else None,
        None,
        ctypes.c_long(0),
    )
    return int(result), ctypes.get_errno() if result == -1 else 0


def test_a_process_shared_futex_never_sleeps_so_no_classmate_can_wake_it(shared: Path):
    """A futex on a file's page is keyed by the inode, so a classmate's FUTEX_WAKE woke the
    learner's FUTEX_WAIT. Without the private flag a wait returns 0 at once (a spurious wake-up)
    and a wake wakes no one; a private futex still sleeps until its timeout."""

    def check():
        import numpy as np

        with open(shared, "rb") as fh:
            page = mmap.mmap(fh.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ)
        word = np.frombuffer(page, dtype=np.uint32, count=1)
        address, value = word.ctypes.data, int(word[0])
        began = time.monotonic()
        shared_wait = _futex(address, FUTEX_WAIT, value, 5.0)
        shared_took = time.monotonic() - began
        began = time.monotonic()
        private_wait = _futex(address, FUTEX_WAIT | FUTEX_PRIVATE, value, 0.2)
        private_took = time.monotonic() - began
        return {
            "shared wait": list(shared_wait),
            "shared wait slept": shared_took > 1.0,
            "shared wake": list(_futex(address, FUTEX_WAKE, 1, None)),
            "private wait": list(private_wait),
            "private wait slept": private_took > 0.1,
        }

    assert in_filtered_child(check) == {
        "shared wait": [0, 0],
        "shared wait slept": False,
        "shared wake": [0, 0],
        "private wait": [-1, errno.ETIMEDOUT],
        "private wait slept": True,
    }


def _count(lock, total) -> None:  # pragma: no cover - runs in the multiprocessing children
    for _ in range(200):
        with lock:
            value = total.value
            time.sleep(0)
            total.value = value + 1


def test_process_shared_locks_still_exclude_under_the_filter():
    """multiprocessing's Lock is a process-shared semaphore (a futex without the private flag):
    it spins instead of sleeping, and still excludes: no increment is lost."""

    def check():
        context = multiprocessing.get_context("fork")
        lock, total = context.Lock(), context.Value("i", 0, lock=False)
        workers = [context.Process(target=_count, args=(lock, total)) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        queue = context.Queue()
        child = context.Process(target=queue.put, args=("through a queue",))
        child.start()
        got = queue.get(timeout=30)
        child.join(30)
        return {"total": total.value, "queue": got}

    assert in_filtered_child(check) == {"total": 600, "queue": "through a queue"}


def _cached(path: Path) -> bool:
    """Is the first page of ``path`` in the page cache? (RWF_NOWAIT: EAGAIN when it is not)"""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.preadv(fd, [bytearray(1)], 0, os.RWF_NOWAIT)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_the_page_cache_of_a_shared_file_can_be_neither_reset_nor_read_exactly(shared: Path):
    """A learner evicted a shared file's pages (``posix_fadvise`` DONTNEED) and a classmate read
    exactly which pages were cached (``preadv2`` RWF_NOWAIT). Under the filter the advice is
    accepted and ignored (the page stays cached for the classmate) and RWF_NOWAIT always says
    EAGAIN, cached or not; Linux AIO, which carries RWF_NOWAIT in memory, is not there."""
    shared.read_bytes()
    assert _cached(shared)  # this host reports page-cache state: the check below can fail

    def check():
        fd = os.open(shared, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        try:
            os.preadv(fd, [bytearray(1)], 0, os.RWF_NOWAIT)
            nowait = 0
        except OSError as exc:
            nowait = exc.errno
        os.close(fd)
        return {"nowait": nowait}

    assert in_filtered_child(check) == {"nowait": errno.EAGAIN}
    assert _cached(shared)  # the learner's advice evicted nothing


def _resolve_cached(path: str) -> int:
    """errno of ``openat2(path, RESOLVE_CACHED)``: ENOENT for a name the dentry cache holds as
    missing, EAGAIN for a name it does not hold (0 if it opened)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    how = struct.pack("QQQ", os.O_RDONLY, 0, 0x20)  # flags, mode, resolve = RESOLVE_CACHED
    ctypes.set_errno(0)
    fd = libc.syscall(ctypes.c_long(437), ctypes.c_int(-100), path.encode(), how, 24)
    if fd >= 0:
        os.close(fd)
        return 0
    return ctypes.get_errno()


def test_the_dentry_cache_cannot_be_probed(shared: Path):
    """A classmate's lookup of a missing name in a shared folder leaves a negative dentry, and
    ``openat2(RESOLVE_CACHED)`` told it apart from a name never looked up: a message left in
    the dentry cache, read by a learner graded beside it or later. Under the filter openat2
    says ENOSYS (the C library opens with openat: opening files is untouched)."""
    looked_up, never = str(shared.parent / "looked-up"), str(shared.parent / "never-looked-up")
    assert not os.path.exists(looked_up)  # the classmate's lookup: a negative dentry now
    assert (_resolve_cached(looked_up), _resolve_cached(never)) == (errno.ENOENT, errno.EAGAIN)

    def check():
        return {
            "looked up": _resolve_cached(looked_up),
            "never": _resolve_cached(never),
            "open": len(shared.read_bytes()),
        }

    assert in_filtered_child(check) == {
        "looked up": errno.ENOSYS,
        "never": errno.ENOSYS,
        "open": len(shared.read_bytes()),
    }
