"""Attack: crash the interpreter: write to address 0 through ctypes (SIGSEGV)."""

import ctypes

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    ctypes.memmove(0, b"boom", 4)
    return x


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
