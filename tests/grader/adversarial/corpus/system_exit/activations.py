"""Attack (or accident): leave the interpreter from inside a function. ``sigmoid`` calls
``sys.exit(3)``; ``tanh`` raises ``KeyboardInterrupt`` (a BaseException, not an Exception).
"""

import sys

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    sys.exit(3)


def tanh(x):
    raise KeyboardInterrupt


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
