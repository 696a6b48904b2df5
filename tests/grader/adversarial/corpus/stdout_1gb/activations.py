"""Attack: print 1 GB (to stdout and straight to the file descriptors) in sigmoid."""

import os
import sys

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    chunk = "y" * (1 << 20)
    for i in range(1024):
        if i % 2:
            os.write(1, chunk.encode())
        else:
            sys.stdout.write(chunk)
    return 1.0 / (1.0 + np.exp(-x))


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
