"""Attack: allocate and touch 10 GB in sigmoid."""

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    hog = np.ones(10 * 10**9 // 8)
    return hog[: np.size(x)].reshape(np.shape(x))


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
