"""Attack (or accident): unbounded recursion. ``sigmoid`` recurses until Python's limit stops it;
``tanh`` first lifts that limit so the recursion (through C calls) overflows the C stack.
"""

import sys

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    return sigmoid(x)


def _deeper(n):
    return _deeper.__call__(n + 1)


def tanh(x):
    sys.setrecursionlimit(10**8)
    return _deeper(0)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
