"""Attack (or accident): answers of the wrong kind: the wrong shape, huge values, NaN, and a
million-element array where four elements were expected.
"""

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)[:, None]


def sigmoid(x):
    return np.full(np.shape(x), 1e308)


def tanh(x):
    return np.full(np.shape(x), np.nan)


def leaky_relu(x, alpha=0.01):
    return np.zeros(10**6)
