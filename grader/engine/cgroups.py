"""One resource budget per submission: a cgroup holding the worker and everything it starts.

Rlimits bind one process each: five forked children may each use the whole memory limit, and
nothing bounds the CPU a submission takes from the learners graded beside it. Where the grader may
create cgroups, each worker starts inside a fresh one (joined between fork and exec, so bubblewrap
and every descendant are in it and cannot leave) with

- **memory**: ``Limits.memory_bytes`` for all its processes together (tmpfs files included), no
  swap; the kernel's OOM killer acts inside the group only, and a call during which it killed
  anything ends as a ``memory`` fault even if the survivors answered;
- **pids**: ``Limits.processes`` processes and threads at once (a fork bomb gets ``EAGAIN``, also
  as root and without bubblewrap);
- **cpu**: ``Limits.cpus`` cores of CPU time (a quota per 100 ms period), so a busy-looping
  submission cannot starve the others.

:func:`detect` probes once per process: cgroup v2 (the unified hierarchy, controllers enabled
below the grader's own cgroup or its parent), else v1 (one hierarchy per controller, below the
grader's own cgroup). A cgroup is removed when its worker closes, its remaining processes killed
first; ones left by a grader that died (named ``gradelab-<pid>-<n>``, the pid no longer running)
are removed by the next grader's probe. Where none can be had, :attr:`CgroupSupport.problem` says
why and grading goes on with per-process rlimits only.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import itertools
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

WANTED = ("memory", "pids", "cpu")
PERIOD_US = 100_000
PREFIX = "gradelab-"
_counter = itertools.count()
_LIVE: set[Cgroup] = set()


@dataclass(frozen=True)
class CgroupSupport:
    """Where this grader can make cgroups: version, parent folder per controller, or why not."""

    version: int | None = None
    parents: tuple[tuple[str, str], ...] = ()  # (controller, parent folder); v2: one folder
    problem: str | None = None

    @property
    def controllers(self) -> list[str]:
        return [c for c, _ in self.parents]

    @property
    def layer(self) -> str | None:
        """``cgroup-v1(memory+pids+cpu)``, as the report lists it; None when unavailable."""
        if self.version is None:
            return None
        return f"cgroup-v{self.version}({'+'.join(self.controllers)})"

    @property
    def warning(self) -> str | None:
        if self.version is not None and "cpu" in self.controllers:
            return None
        text = self.problem or "the cpu controller is not available"
        return (
            f"no cgroup budget per submission ({text}): memory and CPU are limited per process "
            "only, so a submission's children together can take more memory than the limit and "
            "a busy submission slows the others graded beside it. Run the grader as root or in "
            "a delegated cgroup (systemd-run --scope -p Delegate=yes) to have one."
            if self.version is None
            else f"no CPU budget per submission ({text}): memory and processes are budgeted."
        )

    def create(self, memory_bytes: int, processes: int, cpus: float) -> Cgroup:
        """A fresh cgroup with these budgets (OSError if the kernel refuses)."""
        name = f"{PREFIX}{os.getpid()}-{next(_counter)}"
        group = Cgroup(self.version or 0, [Path(parent) / name for _, parent in self.parents])
        group.folders = list(dict.fromkeys(group.folders))  # v2: one folder for all controllers
        _LIVE.add(group)
        try:
            for folder in group.folders:
                folder.mkdir()
            group.limit(dict(self.parents), memory_bytes, processes, cpus)
        except OSError:
            group.remove()
            raise
        return group


@dataclass(eq=False)
class Cgroup:
    """One worker's cgroup (one folder per controller on v1, one folder on v2)."""

    version: int
    folders: list[Path] = field(default_factory=list)
    _ooms: int = 0
    _oom_fd: int | None = None  # memory.events (v2) / memory.oom_control (v1); -1: none here

    def limit(self, parents: dict[str, str], memory: int, processes: int, cpus: float) -> None:
        def folder(controller: str) -> Path | None:
            return (
                Path(parents[controller]) / self.folders[0].name if controller in parents else None
            )

        quota = max(1000, int(cpus * PERIOD_US))
        if self.version == 2:
            base = self.folders[0]
            writes = [("memory.max", memory), ("memory.swap.max", 0), ("memory.oom.group", 1)]
            writes += [("pids.max", processes), ("cpu.max", f"{quota} {PERIOD_US}")]
            for name, value in writes:
                if (base / name).exists():
                    (base / name).write_text(str(value))
            return
        for controller, name, value in (
            ("memory", "memory.limit_in_bytes", memory),
            ("memory", "memory.memsw.limit_in_bytes", memory),
            ("pids", "pids.max", processes),
            ("cpu", "cpu.cfs_period_us", PERIOD_US),
            ("cpu", "cpu.cfs_quota_us", quota),
        ):
            path = folder(controller)
            if path is not None and (path / name).exists():
                (path / name).write_text(str(value))

    def join(self) -> None:
        """Move the calling process in (run in the child between fork and exec)."""
        pid = str(os.getpid()).encode()
        for folder in self.folders:
            fd = os.open(folder / "cgroup.procs", os.O_WRONLY)
            try:
                os.write(fd, pid)
            finally:
                os.close(fd)

    def oom_kills(self) -> int:
        """How many processes the OOM killer has killed in this group so far.

        Asked after every call of a submission: the counter file is found and opened once, then
        re-read from offset 0 (a cgroup file shows its current value on each read)."""
        if self._oom_fd is None:
            self._oom_fd = self._open_oom_counter()
        if self._oom_fd < 0:
            return 0
        try:
            text = os.pread(self._oom_fd, 4096, 0).decode()
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def _open_oom_counter(self) -> int:
        """A read-only descriptor of the first file that counts ``oom_kill``; -1 when none does."""
        for folder in self.folders:
            for name in ("memory.events", "memory.oom_control"):
                try:
                    fd = os.open(folder / name, os.O_RDONLY)  # not inherited by the worker
                except OSError:
                    continue
                try:
                    if b"oom_kill " in os.pread(fd, 4096, 0):
                        return fd
                except OSError:
                    pass
                os.close(fd)
        return -1

    def oom_pending(self) -> bool:
        """Did the OOM killer act since :meth:`went_over` last asked (without consuming it)?"""
        return self.oom_kills() > self._ooms

    def went_over(self) -> bool:
        """Did the OOM killer act since the last time we asked?"""
        now = self.oom_kills()
        over, self._ooms = now > self._ooms, now
        return over

    def pids(self) -> set[int]:
        found: set[int] = set()
        for folder in self.folders:
            with contextlib.suppress(OSError):
                found |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
        return found

    def kill(self) -> None:
        """SIGKILL every process in the group until none is left (they cannot leave it)."""
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            left = self.pids()
            if not left:
                return
            for pid in left:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.005)

    def remove(self) -> None:
        """Kill what is left and remove the folders (a few tries: the kernel frees them late)."""
        self.kill()
        if self._oom_fd is not None and self._oom_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._oom_fd)
        self._oom_fd = None
        for folder in self.folders:
            for _ in range(200):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)
        _LIVE.discard(self)


@atexit.register
def _remove_live() -> None:  # a grader that exits normally leaves none behind
    for group in list(_LIVE):
        group.remove()


def _mounts() -> dict[str, Path]:
    """Mounted cgroup hierarchies: controller → mount point (``""`` for the v2 hierarchy)."""
    found: dict[str, Path] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            left, _, right = line.partition(" - ")
            fields, kind = left.split(), right.split()
            if len(fields) < 5 or len(kind) < 3 or fields[3] != "/":
                continue
            if kind[0] == "cgroup2":
                found.setdefault("", Path(fields[4]))
            elif kind[0] == "cgroup":
                for option in kind[2].split(","):
                    if option in WANTED:
                        found.setdefault(option, Path(fields[4]))
    return found


def _own() -> dict[str, str]:
    """This process's cgroup path per controller (``""``: v2), from /proc/self/cgroup."""
    own: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                own[controller] = path
    return own


def _sweep(parent: Path) -> None:
    """Remove cgroups left by graders that died (their pid is no longer running)."""
    with contextlib.suppress(OSError):
        for folder in parent.glob(f"{PREFIX}*"):
            pid = folder.name[len(PREFIX) :].split("-")[0]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                Cgroup(0, [folder]).remove()


def _v2(mount: Path, own: str) -> CgroupSupport:
    here = mount / own.lstrip("/")
    problems = []
    for parent in (here, here.parent):
        if not parent.is_relative_to(mount):
            continue
        try:
            available = (parent / "cgroup.controllers").read_text().split()
            missing = [c for c in WANTED if c in available and c not in _enabled(parent)]
            if missing:
                (parent / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in missing))
            enabled = [c for c in WANTED if c in _enabled(parent)]
            if "memory" not in enabled or "pids" not in enabled:
                raise OSError(f"memory and pids are not both available below {parent}")
            support = CgroupSupport(2, tuple((c, str(parent)) for c in enabled))
            _sweep(parent)
            support.create(1 << 30, 64, 1.0).remove()
            return support
        except OSError as exc:
            problems.append(f"{parent}: {exc.strerror or exc}")
    return CgroupSupport(problem="cgroup v2: " + "; ".join(problems))


def _enabled(folder: Path) -> list[str]:
    return (folder / "cgroup.subtree_control").read_text().split()


def _v1(mounts: dict[str, Path], own: dict[str, str]) -> CgroupSupport:
    parents = []
    for controller in WANTED:
        if controller in mounts and controller in own:
            parents.append((controller, str(mounts[controller] / own[controller].lstrip("/"))))
    if "memory" not in dict(parents):
        return CgroupSupport(problem="no memory controller mounted (cgroup v1)")
    support = CgroupSupport(1, tuple(parents))
    try:
        for _, parent in parents:
            _sweep(Path(parent))
        support.create(1 << 30, 64, 1.0).remove()
    except OSError as exc:
        return CgroupSupport(problem=f"cgroup v1: cannot create cgroups: {exc}")
    return support


@functools.cache
def detect() -> CgroupSupport:
    """Probe once per process: v2 where its hierarchy has the controllers, else v1, else none."""
    if os.environ.get("GRADELAB_CGROUPS", "auto") == "none":
        return CgroupSupport(problem="turned off (GRADELAB_CGROUPS=none)")
    mounts, own = _mounts(), _own()
    v2 = None
    if "" in mounts and "" in own:
        controllers = (
            (mounts[""] / "cgroup.controllers").read_text().split()
            if (mounts[""] / "cgroup.controllers").exists()
            else []
        )
        if "memory" in controllers:
            v2 = _v2(mounts[""], own[""])
            if v2.version:
                return v2
    if "memory" in mounts:
        v1 = _v1(mounts, own)
        if v1.version or v2 is None:
            return v1
    return v2 or CgroupSupport(problem="no cgroup hierarchy with a memory controller is mounted")
