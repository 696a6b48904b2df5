"""Attack: leave daemons behind. sigmoid double-forks four children into sessions of their own
(so killing the worker's process group misses them), orphans them, makes them ignore the polite
signals, keeps the worker's pipes open in them, and returns at once. The daemons would live on
after grading unless the grader finds and kills them.
"""

import os
import signal
import time

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def _daemon():
    os.setsid()
    if os.fork() > 0:
        os._exit(0)  # the middle process exits: the daemon is orphaned
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        time.sleep(0.05)


def sigmoid(x):
    for _ in range(4):
        pid = os.fork()
        if pid == 0:
            try:
                _daemon()
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
    return np.zeros_like(x)


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
