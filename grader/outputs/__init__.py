"""What ``gradelab grade`` writes: Gradescope results, feedback, the CSV and the gradebook."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
