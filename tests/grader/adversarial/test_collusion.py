"""Colluding learners: nothing one worker leaves behind reaches another, before or beside it.

One *writer* learner leaves a signal in every channel we could think of (kernel keyrings, System V
and POSIX IPC, abstract and TCP sockets, files in ``/tmp``, ``/dev/shm`` and ``/var/tmp``, its
name in the process list, and the kernel state keyed by a file every worker reads: file locks,
directory notifications, futexes on the file's page, the file's pages in the page cache, missing
names looked up in its folder) and keeps the live ones open. One *reader* per channel answers
``sigmoid`` correctly only when it sees the writer's signal in its channel, else with zeros: alone
it scores 4 of 7. The readers are graded after the writer was graded and its worker is gone, and
while a second writer's worker is still running beside them; each score must stay 4, and no
kernel object of the writer's survives the run.

Without bubblewrap the syscall filter still closes the kernel channels (keyrings, IPC, Unix
sockets); what layer 1 cannot close (files outside the scratch folder, TCP on 127.0.0.1, the
process list) is spelled out in ``GAPS`` and asserted open there. A control run with today's
fallback (no bubblewrap, no filter) shows every reader does see its writer, so each check can fail.
"""

from __future__ import annotations

import ctypes
import os
import platform
import socket
import tempfile
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from grader import grading
from grader.engine.process import WorkerProcess
from grader.engine.sandbox import Sandbox
from grader.grading import GradeOptions, grade
from grader.settings import GradeSettings

from ._support import GOOD, HIDDEN, LIMITS, remove, sandboxes, stable_kit

#: channel → whether its signal outlives the writer (else: only while the writer runs)
CHANNELS = {
    "user_keyring": True,
    "session_keyring": True,
    "sysv_shm": True,
    "sysv_msg": True,
    "sysv_sem": True,
    "posix_mq": True,
    "abstract_socket": False,
    "tcp_localhost": False,
    "tmp_file": True,
    "dev_shm_file": True,
    "var_tmp_file": True,
    "process_list": False,
    "flock_shared_file": False,
    "posix_lock_shared_file": False,
    "ofd_lock_shared_file": False,
    "dnotify_shared_folder": False,
    "futex_shared_file": False,
    "page_cache_shared_file": False,
    "dentry_cache_shared_folder": True,
}
#: what layer 1 alone cannot close: asserted open without bubblewrap, closed with it
GAPS = {
    "tmp_file": "without a mount namespace /tmp is the host's",
    "dev_shm_file": "without a mount namespace /dev/shm is the host's",
    "var_tmp_file": "without a mount namespace the worker's uid writes wherever it may",
    "tcp_localhost": "without a network namespace 127.0.0.1 is shared",
    "process_list": "without a pid namespace every process is visible in /proc",
}
ALONE, SEEN = 4.0, 7.0  # a reader's score without and with its writer's signal

CHANNEL_CODE = """
import ctypes, os, platform, socket, time

import numpy as np

TOKEN = {token!r}
PORT = {port}
SYSV = {sysv}
ARM = platform.machine() == "aarch64"
ADD_KEY, KEYCTL = (217, 219) if ARM else (248, 250)
RINGS = {{"user_keyring": -4, "session_keyring": -3}}
FILES = {{"tmp_file": "/tmp", "dev_shm_file": "/dev/shm", "var_tmp_file": "/var/tmp"}}
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
L = ctypes.c_long
KEEP = []  # live channels stay open while this worker runs
FUTEX = 98 if ARM else 202
LOCKS = ("flock_shared_file", "posix_lock_shared_file", "ofd_lock_shared_file")
SHARED_FILES = ("dnotify_shared_folder", "futex_shared_file", "page_cache_shared_file") + LOCKS
SHARED_FILES += ("dentry_cache_shared_folder",)


def shared_file(channel):
    # a file of NumPy's that every worker can read and none imports (its tests), one per channel
    import glob, zlib
    tests = sorted(glob.glob(os.path.join(os.path.dirname(np.__file__), "*", "tests", "test_*.py")))
    start = zlib.crc32(TOKEN.encode())
    return tests[(start + SHARED_FILES.index(channel)) % len(tests)]


def lock(fd, channel, kind):
    import fcntl, struct
    if channel == "flock_shared_file":
        return fcntl.flock(fd, fcntl.LOCK_SH if kind == "read" else fcntl.LOCK_EX | fcntl.LOCK_NB)
    cmd = {{"posix_lock_shared_file": (fcntl.F_SETLK, fcntl.F_GETLK),
           "ofd_lock_shared_file": (37, 36)}}[channel][kind == "test"]
    ltype = fcntl.F_RDLCK if kind == "read" else fcntl.F_WRLCK
    got = fcntl.fcntl(fd, cmd, struct.pack("hhqqi", ltype, 0, 0, 0, 0))
    if kind == "test" and struct.unpack("hhqqi", got)[0] != fcntl.F_UNLCK:
        raise BlockingIOError("a lock is held")


def futex_word(path):
    import mmap
    with open(path, "rb") as fh:
        page = mmap.mmap(fh.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ)
    KEEP.append(page)
    word = np.frombuffer(page, dtype=np.uint32, count=1)
    return word.ctypes.data, int(word[0])


def forever(step):
    import threading

    def loop():
        while True:
            try:
                step()
            except Exception:
                time.sleep(0.01)
    threading.Thread(target=loop, daemon=True).start()


def plant_shared(channel, path):
    if channel in LOCKS:
        fd = os.open(path, os.O_RDONLY)
        KEEP.append(fd)
        lock(fd, channel, "read")
    elif channel == "dnotify_shared_folder":  # read the file again and again
        forever(lambda: (open(path, "rb").read(), time.sleep(0.02)))
    elif channel == "futex_shared_file":  # sleep on the file's first word, again and again
        address, value = futex_word(path)
        forever(lambda: (libc.syscall(L(FUTEX), L(address), L(0), L(value),
                                      ctypes.byref((L * 2)(1, 0)), L(0), L(0)), time.sleep(0.01)))
    elif channel == "page_cache_shared_file":  # keep the file's first page in the page cache
        fd = os.open(path, os.O_RDONLY)
        forever(lambda: (os.pread(fd, 1, 0), time.sleep(0.01)))
    elif channel == "dentry_cache_shared_folder":  # look up a name no one else would
        os.path.exists(f"{{path}}-{{TOKEN}}")


def seen_shared(channel, path):
    if channel in LOCKS:
        fd = os.open(path, os.O_RDONLY)
        try:
            lock(fd, channel, "test")
            return False
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
    if channel == "dnotify_shared_folder":  # a signal when anyone reads a file of the folder
        import fcntl, signal
        got = []
        signal.signal(signal.SIGIO, lambda *_: got.append(1))
        folder = os.open(os.path.dirname(path), os.O_RDONLY)
        KEEP.append(folder)
        fcntl.fcntl(folder, fcntl.F_NOTIFY, fcntl.DN_ACCESS | fcntl.DN_MULTISHOT)
        end = time.monotonic() + 0.5
        while not got and time.monotonic() < end:
            time.sleep(0.01)
        return bool(got)
    if channel == "futex_shared_file":  # FUTEX_WAKE answers how many it woke
        address, _ = futex_word(path)
        for _ in range(20):
            if libc.syscall(L(FUTEX), L(address), L(1), L(1), L(0), L(0), L(0)) > 0:
                return True
            time.sleep(0.01)
        return False
    if channel == "dentry_cache_shared_folder":  # is that missing name in the dentry cache?
        how = (ctypes.c_uint64 * 3)(os.O_RDONLY, 0, 0x20)  # RESOLVE_CACHED
        name = f"{{path}}-{{TOKEN}}".encode()
        ctypes.set_errno(0)
        libc.syscall(L(437), L(-100), name, ctypes.byref(how), L(24))  # openat2
        return ctypes.get_errno() == 2  # ENOENT from the cache; EAGAIN when not there
    if channel == "page_cache_shared_file":  # evict the page, wait, see whether it came back
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            time.sleep(0.3)
            try:
                os.preadv(fd, [bytearray(1)], 0, os.RWF_NOWAIT)
                return True
            except BlockingIOError:
                return False
        finally:
            os.close(fd)
    return False


def plant(channel):
    if channel in RINGS:
        key = libc.syscall(L(ADD_KEY), b"user", TOKEN.encode(), b"1", L(1), L(RINGS[channel]))
        if key > 0:
            libc.syscall(L(KEYCTL), L(15), L(key), L(300), L(0), L(0))  # expires in any case
    elif channel == "sysv_shm":
        libc.shmget(SYSV, 4096, 0o1666)
    elif channel == "sysv_msg":
        libc.msgget(SYSV + 1, 0o1666)
    elif channel == "sysv_sem":
        libc.semget(SYSV + 2, 1, 0o1666)
    elif channel == "posix_mq":
        libc.mq_open(f"/{{TOKEN}}".encode(), os.O_CREAT | os.O_RDWR, 0o666, None)
    elif channel == "abstract_socket":
        s = socket.socket(socket.AF_UNIX)
        s.bind(f"\\0{{TOKEN}}")
        s.listen(8)
        KEEP.append(s)
    elif channel == "tcp_localhost":
        s = socket.socket()
        s.bind(("127.0.0.1", PORT))
        s.listen(8)
        KEEP.append(s)
    elif channel in FILES:
        with open(f"{{FILES[channel]}}/{{TOKEN}}-{{channel}}", "w") as fh:
            fh.write("1")
    elif channel == "process_list":
        libc.prctl(15, TOKEN[-15:].encode(), 0, 0, 0)  # PR_SET_NAME: /proc/<pid>/comm
    elif channel in SHARED_FILES:
        plant_shared(channel, shared_file(channel))


def seen(channel):
    if channel in RINGS:
        found = libc.syscall(L(KEYCTL), L(10), L(RINGS[channel]), b"user", TOKEN.encode(), L(0))
        return found > 0
    if channel == "sysv_shm":
        return libc.shmget(SYSV, 0, 0) >= 0
    if channel == "sysv_msg":
        return libc.msgget(SYSV + 1, 0) >= 0
    if channel == "sysv_sem":
        return libc.semget(SYSV + 2, 0, 0) >= 0
    if channel == "posix_mq":
        return libc.mq_open(f"/{{TOKEN}}".encode(), os.O_RDONLY, 0, None) >= 0
    if channel in ("abstract_socket", "tcp_localhost"):
        family = socket.AF_UNIX if channel == "abstract_socket" else socket.AF_INET
        address = f"\\0{{TOKEN}}" if channel == "abstract_socket" else ("127.0.0.1", PORT)
        with socket.socket(family) as s:
            s.settimeout(0.5)
            return s.connect_ex(address) == 0
    if channel in FILES:
        return os.path.exists(f"{{FILES[channel]}}/{{TOKEN}}-{{channel}}")
    if channel == "process_list":
        for pid in os.listdir("/proc"):
            if pid.isdigit() and pid != str(os.getpid()):
                try:
                    with open(f"/proc/{{pid}}/comm") as fh:
                        if fh.read().strip() == TOKEN[-15:]:
                            return True
                except OSError:
                    pass
    if channel in SHARED_FILES:
        return seen_shared(channel, shared_file(channel))
    return False
"""


def _source(token: str, port: int, sysv: int, role: str, channel: str = "") -> str:
    code = CHANNEL_CODE.format(token=token, port=port, sysv=sysv)
    if role == "writer":
        plants = "".join(
            f"\ntry:\n    plant({c!r})\nexcept Exception:\n    pass\n" for c in CHANNELS
        )
        return code + plants + "\n" + GOOD
    sigmoid = (
        "\n\ndef sigmoid(x):\n"
        "    try:\n"
        f"        ok = seen({channel!r})\n"
        "    except Exception:\n"
        "        ok = False\n"
        "    return 1.0 / (1.0 + np.exp(-x)) if ok else np.zeros_like(x)\n"
    )
    return code + "\n" + GOOD.replace("def sigmoid(x):", "def _unused_sigmoid(x):") + sigmoid


class Pair:
    """A writer and one reader per channel, with a fresh token, port and System V key."""

    def __init__(self, root: Path) -> None:
        self.token = f"gl{uuid.uuid4().hex[:13]}"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.sysv = 0x61000000 + int(self.token[-6:], 16)
        self.root = root
        self.hidden = root / "hidden"
        self.hidden.mkdir()
        (self.hidden / "test_activations.py").write_text(HIDDEN)
        self.writer = root / "writer" / "a-writer"
        self.readers = root / "readers"
        self.writer.mkdir(parents=True)
        (self.writer / "activations.py").write_text(self._code("writer"))
        for channel in CHANNELS:
            (self.readers / channel).mkdir(parents=True)
            (self.readers / channel / "activations.py").write_text(self._code("reader", channel))

    def _code(self, role: str, channel: str = "") -> str:
        return _source(self.token, self.port, self.sysv, role, channel)

    def options(self, sandbox: Sandbox) -> GradeOptions:
        return GradeOptions(
            GradeSettings(
                topics=("activations",), hidden_dir=self.hidden, limits=LIMITS, sandbox=sandbox
            ),
            out=self.root / "out",
            jobs=1,
        )

    def scores(self, report: grading.GradeReport) -> dict[str, float]:
        return {r["learner"]: r["score"] for r in report.results if r["learner"] in CHANNELS}

    def leftovers(self) -> list[str]:
        """Kernel objects and files of the writer's still there (as root and as ``nobody``)."""
        found = [f"file {p}" for p in self._files() if p.exists()]
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.shmget(self.sysv, 0, 0) >= 0:
            found.append("sysv shm")
        if libc.msgget(self.sysv + 1, 0) >= 0:
            found.append("sysv msg")
        if libc.semget(self.sysv + 2, 0, 0) >= 0:
            found.append("sysv sem")
        mq = libc.mq_open(f"/{self.token}".encode(), os.O_RDONLY, 0, None)
        if mq >= 0:
            os.close(mq)
            found.append("posix mq")
        found += [f"key ({who})" for who in self._keys(invalidate=False)]
        return found

    def clean(self) -> None:
        """Remove whatever the writer left (after a control run, or a failed assertion)."""
        libc = ctypes.CDLL(None, use_errno=True)
        for path in self._files():
            remove(path)
        for getter, offset, ipc_rmid in ((libc.shmget, 0, 0), (libc.msgget, 1, 0)):
            ident = getter(self.sysv + offset, 0, 0)
            if ident >= 0:
                (libc.shmctl if offset == 0 else libc.msgctl)(ident, ipc_rmid, None)
        sem = libc.semget(self.sysv + 2, 0, 0)
        if sem >= 0:
            libc.semctl(sem, 0, 0)
        libc.mq_unlink(f"/{self.token}".encode())
        self._keys(invalidate=True)

    def _files(self) -> list[Path]:
        folders = {"tmp_file": "/tmp", "dev_shm_file": "/dev/shm", "var_tmp_file": "/var/tmp"}
        return [Path(f) / f"{self.token}-{c}" for c, f in folders.items()]

    def _keys(self, invalidate: bool) -> list[str]:
        """Which uids (this one, and ``nobody`` when root) still find the key in their rings."""
        uids = [os.getuid()] + ([65534] if os.getuid() == 0 else [])
        found = []
        for uid in uids:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child reports through the pipe
                os.close(read)
                try:
                    if uid != os.getuid():
                        os.setgroups([])
                        os.setgid(uid)
                        os.setuid(uid)
                    os.write(write, b"1" if _search_keys(self.token, invalidate) else b"0")
                finally:
                    os._exit(0)
            os.close(write)
            answer = os.read(read, 1)
            os.close(read)
            os.waitpid(pid, 0)
            if answer == b"1":
                found.append(f"uid {uid}")
        return found


def _search_keys(token: str, invalidate: bool) -> bool:
    """KEYCTL_SEARCH the user and session keyrings for ``token`` (KEYCTL_INVALIDATE it too)."""
    arm = platform.machine() == "aarch64"
    keyctl = 219 if arm else 250
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    any_found = False
    for ring in (-4, -3):
        key = libc.syscall(
            keyctl, ctypes.c_long(10), ctypes.c_long(ring), b"user", token.encode(), 0
        )
        if key > 0:
            any_found = True
            if invalidate:
                libc.syscall(keyctl, ctypes.c_long(21), ctypes.c_long(key), 0, 0, 0)
    return any_found


def _expected(sandbox: Sandbox) -> dict[str, float]:
    """Readers see their writer only through a documented gap (without bubblewrap)."""
    return {c: SEEN if not sandbox.bwrap and c in GAPS else ALONE for c in CHANNELS}


@pytest.fixture(autouse=True)
def _stable_fingerprint(monkeypatch, tmp_path):
    stable_kit(monkeypatch)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))


def _run(pair: Pair, sandbox: Sandbox) -> dict[str, float]:
    """The writer graded first (its worker gone after), then the readers graded while a second
    writer's worker runs beside them: a signal that outlives its worker and one that needs it
    running both have their chance."""
    (first,) = grade([pair.writer.parent], pair.options(sandbox)).results
    assert first["score"] == SEEN  # the writer itself is an honest, correct learner
    with WorkerProcess(pair.writer, LIMITS, sandbox=sandbox) as writer:
        assert writer.inspect("activations")["error"] is None  # imported: signals planted
        return pair.scores(grade([pair.readers], pair.options(sandbox)))


@pytest.mark.parametrize("sandbox", sandboxes())
def test_a_readers_score_does_not_depend_on_a_colluding_writer(sandbox, tmp_path):
    pair = Pair(tmp_path)
    try:
        scores = _run(pair, sandbox)
        left = pair.leftovers()
    finally:
        pair.clean()
    assert scores == _expected(sandbox)
    if sandbox.bwrap:
        assert left == []  # nothing of the writer's survives the run
    else:  # the kernel objects never came to be; files outside the scratch folder are a gap
        assert [x for x in left if not x.startswith("file ")] == []


def test_every_channel_is_real_without_the_filter_and_bubblewrap(tmp_path):
    """The control: today's fallback (no bubblewrap, no syscall filter) lets every reader see
    its writer, so every check above would catch a channel that is left open."""
    pair = Pair(tmp_path)
    try:
        scores = _run(pair, replace(Sandbox(None, None), syscall_filter=False))
    finally:
        pair.clean()
    assert scores == dict.fromkeys(CHANNELS, SEEN)
    assert pair.leftovers() == []  # and the test removed what it planted


def test_every_gap_is_a_channel():
    assert set(GAPS) <= set(CHANNELS)
