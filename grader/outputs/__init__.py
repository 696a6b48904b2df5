"""What ``gradelab grade`` writes: Gradescope results, feedback, the CSV and the gradebook."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

#: held by the run writing an output folder (``gradelab grade --out``); holds its pid
LOCK_NAME = ".gradelab-grading.lock"


def _umask() -> int:
    """The process umask (reading it means setting it; it is put back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``path`` so a crash leaves either the old file or the new one, never half of one.

    The file gets mode ``0o666 & ~umask`` (0644 under the usual umask 022), as ``open`` would
    give it; ``mkstemp`` alone would leave it 0600, unreadable to a course's other staff.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:  # named by the file asked for, not the temporary one beside it
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:  # ENOSPC, EIO from the write
            raise named(exc, path) from None
        raise


def named(exc: OSError, path: Path | str) -> OSError:
    """``exc`` naming ``path`` when the system call named no file (a write or fsync failing
    with ENOSPC, EDQUOT or EIO): the CLI's error line then says which file, not only why."""
    if exc.filename is not None:
        return exc
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))


class OutputBusy(OSError):
    """Another run holds the output folder; an ``OSError`` naming it, so the CLI's error
    boundary prints one line (exit 2)."""

    def __init__(self, out: Path, pid: str) -> None:
        who = f"another gradelab run (pid {pid})" if pid else "another gradelab run"
        why = f"{who} is writing here now: wait for it to end, or give another --out"
        super().__init__(errno.EBUSY, why, str(out))

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold ``out`` for one run: a second run writing there at the same time (another terminal,
    a cron job) is :class:`OutputBusy` before it writes anything, instead of both rewriting the
    learners' files, ``grades.csv`` and ``class/`` from each other's half-made gradebook.

    An advisory ``flock`` on ``out/.gradelab-grading.lock``: the kernel drops it when the
    process ends, however it ends, so a killed run never leaves ``out`` locked. The run that
    ends removes the file (while it still holds it: a run that opened it meanwhile sees its
    path gone and opens a new one), and ``out`` itself if this run made it and wrote nothing
    there, so a run refused or stopped early leaves the folder as it found it. Where locks are
    not supported (no ``fcntl``, some network file systems) the run goes on unlocked."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        yield
        return
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    lock = out / LOCK_NAME
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise OutputBusy(out, pid if pid.isdigit() else "") from None
        except OSError:  # ENOLCK: a file system without locks
            pass
        if _same_file(fd, lock):
            break
        os.close(fd)  # the run before removed it between our open and our lock: open anew
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        lock.unlink(missing_ok=True)  # still held: nobody locks this inode after us
        os.close(fd)
        if made:
            with suppress(OSError):
                out.rmdir()  # only when empty: this run made it and wrote nothing


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        here = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)
