"""Attack: spin forever in sigmoid, ignoring every signal that can be ignored."""

import signal

import numpy as np

for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM, signal.SIGXCPU):
    signal.signal(_sig, signal.SIG_IGN)


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    n = 0
    while True:
        n += 1


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
