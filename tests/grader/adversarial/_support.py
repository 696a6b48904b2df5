"""Shared pieces of the adversarial tests: the tiny hidden suite, the sandboxes to run under, how
attack submissions are staged, and how processes left behind are found.

Processes are found two ways, so that neither an orphan re-parented to this process nor one
re-parented to init goes unseen:

- **descendants**: this test process makes itself a child subreaper, so every process started
  below it (worker, bubblewrap, anything a learner forks, even after a setsid and a double fork)
  stays in its subtree until reaped; any new member of that subtree, zombies included, is left
  behind;
- **marker**: every worker's environment names a per-test temporary folder (its ``HOME``/
  ``TMPDIR`` scratch lives there), so a scan of ``/proc/*/environ`` and ``cmdline`` finds forks of
  the worker wherever they ended up.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import stat
import struct
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader import fingerprint
from grader.engine.process import Limits
from grader.engine.sandbox import Sandbox, detect

REPO = Path(__file__).resolve().parents[3]
CORPUS = Path(__file__).resolve().parent / "corpus"
PR_SET_CHILD_SUBREAPER = 36

#: The hidden suite's functions and their points (max 7): one graded test each, fixed inputs.
POINTS = {"relu": 2.0, "sigmoid": 3.0, "tanh": 1.0, "leaky_relu": 1.0}
HIDDEN = """
import numpy as np
from grader.engine.expect import expect_close, reference
from grader.suites import graded

X = np.array([-3.0, -0.5, 0.25, 2.0])


@graded("relu", "matches the reference", points=2)
def test_relu(learner):
    expect_close(learner.activations.relu(X), reference("activations", "relu", X), learner)


@graded("sigmoid", "matches the reference", points=3)
def test_sigmoid(learner):
    expect_close(learner.activations.sigmoid(X), reference("activations", "sigmoid", X), learner)


@graded("tanh", "matches the reference", points=1)
def test_tanh(learner):
    expect_close(learner.activations.tanh(X), reference("activations", "tanh", X), learner)


@graded("leaky_relu", "matches the reference", points=1)
def test_leaky_relu(learner):
    expect_close(
        learner.activations.leaky_relu(X), reference("activations", "leaky_relu", X), learner
    )
"""
GOOD = """import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
"""
HALF = GOOD.replace(
    "    return 1.0 / (1.0 + np.exp(-x))", "    raise NotImplementedError('sigmoid: todo')"
)

#: Small, fast limits: a hang costs 1.5 s, 64 KiB of output is a flood, 1 GiB of address space.
LIMITS = Limits(
    call_timeout=1.5,
    start_timeout=60.0,
    cpu_seconds=30,
    memory_bytes=1 << 30,
    output_bytes=64 * 1024,
    reply_bytes=8 << 20,
    processes=64,
)


def sandboxes() -> list:
    """rlimits-only (layer 1 alone) always; bubblewrap when this machine's probe passes."""
    found = detect("auto")
    return [
        pytest.param(Sandbox(), id="rlimits-only"),
        pytest.param(
            found,
            id="bubblewrap",
            marks=pytest.mark.skipif(found.bwrap is None, reason="bubblewrap unavailable here"),
        ),
    ]


# -- staging attack submissions ------------------------------------------------------------------


def stage(name: str, klass: Path, targets: dict) -> Path:
    """Put the attack ``name`` into the class folder as learner ``name`` (folder or zip)."""
    builders = {
        "non_utf8": _non_utf8,
        "zip_dotdot": _zip_dotdot,
        "zip_bomb": _zip_bomb,
        "zip_bomb_lying": _zip_bomb_lying,
        "zip_encrypted": _zip_encrypted,
        "symlink_outside": _symlink_outside,
    }
    if name in builders:
        return builders[name](klass, name, targets)
    folder = klass / name
    folder.mkdir(parents=True)
    source = (CORPUS / name / "activations.py").read_text()
    if "TARGETS: dict = {}" in source:
        source = source.replace("TARGETS: dict = {}", f"TARGETS: dict = {targets!r}", 1)
    (folder / "activations.py").write_text(source)
    return folder


def _non_utf8(klass: Path, name: str, targets: dict) -> Path:
    folder = klass / name
    folder.mkdir(parents=True)
    docstring = b'"""Activations, caf\xe9 \xff: Latin-1 bytes, not UTF-8."""\n'
    (folder / "activations.py").write_bytes(docstring + GOOD.encode())
    return folder


def _zip_dotdot(klass: Path, name: str, targets: dict) -> Path:
    token = targets["token"]
    path = klass / f"{name}.zip"
    wrong = b"def relu(x):\n    return x * 0\n"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("activations.py", GOOD)
        zf.writestr("../activations.py", wrong)
        zf.writestr(f"../../{token}-escaped/activations.py", wrong)
        zf.writestr(f"/tmp/{token}-abs/activations.py", wrong)
        zf.writestr("..\\..\\activations.py", wrong)
        zf.writestr("C:/activations.py", wrong)
        link = zipfile.ZipInfo("exercises/activations.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, str(REPO / "solutions" / "activations.py"))
    return path


def _zip_bomb(klass: Path, name: str, targets: dict) -> Path:
    path = klass / f"{name}.zip"
    info = zipfile.ZipInfo("activations.py")
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as zf, zf.open(info, "w", force_zip64=True) as fh:
        fh.write(GOOD.encode() + b"#")
        block = b"#" * (1 << 20)
        for _ in range(100):
            fh.write(block)
    return path


def _zip_bomb_lying(klass: Path, name: str, targets: dict) -> Path:
    path = klass / f"{name}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activations.py", GOOD.encode() + b"#" * (8 << 20))
    raw = bytearray(path.read_bytes())
    struct.pack_into("<I", raw, 22, 100)  # local header: uncompressed size
    struct.pack_into("<I", raw, raw.rfind(b"PK\x01\x02") + 24, 100)  # central directory too
    path.write_bytes(bytes(raw))
    return path


def _zip_encrypted(klass: Path, name: str, targets: dict) -> Path:
    path = klass / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("activations.py", GOOD)
    raw = bytearray(path.read_bytes())
    struct.pack_into("<H", raw, 6, 1)  # local header: general purpose flag bit 0 (encrypted)
    struct.pack_into("<H", raw, raw.rfind(b"PK\x01\x02") + 8, 1)
    path.write_bytes(bytes(raw))
    return path


def _symlink_outside(klass: Path, name: str, targets: dict) -> Path:
    folder = klass / name
    folder.mkdir(parents=True)
    (folder / "activations.py").symlink_to(REPO / "solutions" / "activations.py")
    (folder / "exercises").symlink_to(REPO / "solutions", target_is_directory=True)
    return folder


# -- processes -----------------------------------------------------------------------------------


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def process_table() -> dict[int, tuple[int, str]]:
    """pid → (ppid, state) for every process this machine shows us."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                raw = Path(f"/proc/{entry}/stat").read_bytes()
            except OSError:
                continue
            fields = raw[raw.rfind(b")") + 2 :].split()
            table[int(entry)] = (int(fields[1]), fields[0].decode())
    return table


def descendants(root: int, table: dict[int, tuple[int, str]]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, frontier = set(), [root]
    while frontier:
        for pid in children.get(frontier.pop(), []):
            if pid not in found:
                found.add(pid)
                frontier.append(pid)
    return found


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError:
        return b""


@dataclass
class ProcessWatch:
    """Which processes existed below us before an attack; which are left after it."""

    marker: str
    before: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        become_subreaper()
        self.before = descendants(os.getpid(), process_table())

    def _suspects(self) -> dict[int, str]:
        """New processes below us or carrying the marker: pid → "pid [state] cmdline"."""
        table = process_table()
        suspects = descendants(os.getpid(), table) - self.before
        marker = self.marker.encode()
        for pid in table:
            if marker in _read(f"/proc/{pid}/environ") or marker in _read(f"/proc/{pid}/cmdline"):
                suspects.add(pid)
        suspects.discard(os.getpid())
        found = {}
        for pid in sorted(suspects):
            cmdline = _read(f"/proc/{pid}/cmdline").replace(b"\0", b" ").decode(errors="replace")
            if "multiprocessing.resource_tracker" in cmdline:
                continue  # the coordinator's own helper for jobs > 1, not a learner's process
            found[pid] = f"{pid} [{table.get(pid, (0, '?'))[1]}] {cmdline[:160]}"
        return found

    def left_behind(self) -> list[str]:
        return list(self._suspects().values())

    def kill_left_behind(self) -> None:
        """After a failure: do not let one attack's leftovers spoil the next test."""
        suspects = self._suspects()
        for pid in suspects:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 3
        for pid in suspects:
            while time.monotonic() < deadline:
                try:
                    if os.waitpid(pid, os.WNOHANG)[0]:
                        break
                except ChildProcessError:
                    break
                time.sleep(0.01)


# -- a service on 127.0.0.1 for the network attack ----------------------------------------------


class Listener:
    """Accepts connections on 127.0.0.1 in a thread and keeps whatever they send."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1.0)
                data = b""
                with contextlib.suppress(OSError):
                    while chunk := conn.recv(65536):
                        data += chunk
                self.received.append(data)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def hidden_suite_only(hidden_dir: Path, root: Path = fingerprint.ROOT) -> list[Path]:
    """A kit of the hidden suite's files alone: a fingerprint that other edits of the repository
    (a neighbour's work tree, a file being saved) cannot change between two runs of a test."""
    return sorted(p for p in hidden_dir.rglob("*.py") if "__pycache__" not in p.parts)


def stable_kit(patch: pytest.MonkeyPatch) -> None:
    """Fingerprint with :func:`hidden_suite_only` for the rest of the test."""
    patch.setattr(fingerprint, "kit_files", hidden_suite_only)
