"""Attack (or accident): the module raises while it is imported."""

import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


raise RuntimeError("this submission refuses to be imported")
