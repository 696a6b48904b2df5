"""Attack: fill /dev/shm (memory-backed: filling it takes the machine's RAM) until it refuses.

Capped at 512 MiB as a safety rail for the shared test machine (without bubblewrap nothing else
would stop it before the host's /dev/shm, and its RAM, ran out). ``TARGETS`` (filled in by the
test) gives a unique token for the file names so that the test can clean up after the layer
that cannot stop it.
"""

import numpy as np

TARGETS: dict = {}


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    token = TARGETS.get("token", "gradelab-attack")
    block = b"\1" * (8 << 20)
    for i in range(64):
        with open(f"/dev/shm/{token}-shm-{i}", "wb") as fh:
            fh.write(block)
    return np.zeros_like(x)


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
