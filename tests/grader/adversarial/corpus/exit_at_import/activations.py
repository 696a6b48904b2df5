"""Attack: kill the worker while it imports the module, before any function can be called."""

import os

import numpy as np

os._exit(7)


def relu(x):
    return np.maximum(x, 0.0)
