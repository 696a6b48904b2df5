"""What a learner's worker starts with: its environment, its limits, its files (sandbox layer 1).

:class:`~grader.engine.process.WorkerProcess` builds the worker's whole environment with
:func:`clean_env` (nothing of the grader's: no secrets, one BLAS thread, offline model loading),
runs :func:`enter` in the child between fork and exec (the submission's cgroup, then the rlimits),
and prepares the files the worker reads: bound in by bubblewrap, the submission copy is made
readable whatever the umask (:func:`set_modes`); without bubblewrap, the unprivileged uid gets a
copy and a working folder of its own (:func:`unprivileged_scratch`).
"""

from __future__ import annotations

import os
import resource
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.engine.cgroups import Cgroup
    from grader.engine.limits import Limits


def clean_env(scratch: str) -> dict[str, str]:
    """The worker's whole environment: no secrets, one BLAS thread, offline model loading."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": scratch,
        "TMPDIR": scratch,
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "MPLBACKEND": "Agg",
    }


def rlimits(limits: Limits, nproc: bool) -> None:
    """The worker's CPU seconds, address space, file size, open files and no core dumps; with
    ``nproc`` (the worker runs as its own uid) its processes too. Runs in the child."""
    if nproc:  # counted per uid: only meaningful once the worker runs as its own unprivileged uid
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def enter(group: Cgroup | None, limits: Limits, nproc: bool) -> None:
    """Between fork and exec: into the submission's cgroup, then the rlimits."""
    if group is not None:
        group.join()
    rlimits(limits, nproc)


def set_modes(folder: Path, dir_mode: int, file_mode: int, owner: int | None = None) -> None:
    """Every folder (``dir_mode``) and file (``file_mode``) of a grader-made copy, ``folder``
    itself and helper packages' subfolders included, whatever the umask the copy was made under
    (under umask 077 a learner's ``mypkg/`` could not be entered, and her helper import failed);
    with ``owner``, that uid's and gid's too. Symlinks are left alone (the copy holds none)."""
    for root, _, files in os.walk(folder):  # never into a linked folder
        paths = [root] + [
            p
            for p in (os.path.join(root, name) for name in files)
            if os.path.isfile(p) and not os.path.islink(p)
        ]
        for path in paths:
            os.chmod(path, dir_mode if path == root else file_mode)
            if owner is not None:
                os.chown(path, owner, owner)


def unprivileged_scratch(scratch: Path, submission: Path, uid: int | None) -> tuple[Path, str]:
    """Without bubblewrap, the unprivileged uid reaches the submission through the host's folders,
    and the grader's temporary folders (0700) are closed to it: the submission is copied into the
    scratch folder (made traversable, not listable: 0711), beside a working folder (its cwd,
    HOME and TMPDIR), both the worker uid's alone: the uid of a classmate graded at the same
    time (another grading process, another uid) can find the scratch folder in /tmp but open
    neither. Returns (the submission copy, the working folder)."""
    os.chmod(scratch, 0o711)
    copy = scratch / "submission"
    shutil.copytree(submission, copy, symlinks=True)  # a link is copied as a link, not followed
    set_modes(copy, 0o700, 0o600, uid)
    work = scratch / "work"
    work.mkdir(mode=0o700)
    if uid is not None:
        os.chown(work, uid, uid)
    return copy, str(work)
