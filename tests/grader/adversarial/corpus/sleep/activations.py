"""Attack: sigmoid sleeps for 11 days, holding its worker (and a grading slot) hostage."""

import time

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    time.sleep(10**6)
    return 1.0 / (1.0 + np.exp(-x))


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
