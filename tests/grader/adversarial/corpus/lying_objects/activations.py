"""Attack: return objects that lie about what they are.

``relu`` returns an object whose ``__eq__`` says it equals anything and whose ``__array__`` and
``__float__`` invent values; ``sigmoid`` returns an ndarray subclass that overrides comparisons,
ufuncs and array functions to claim equality; ``tanh`` returns an object array of liars. The
worker hands the grader plain data only (base-class ndarrays of numbers), so the lies never
reach a comparison.
"""

import numpy as np


class Liar:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __array__(self, dtype=None, copy=None):
        return np.full(4, 0.5)

    def __float__(self):
        return 0.5

    def __len__(self):
        return 4

    def __bool__(self):
        return True


class LyingArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.shape(self), dtype=bool)

    __hash__ = None

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.ones(np.shape(self), dtype=bool)

    def __array_function__(self, func, types, args, kwargs):
        return True

    def __float__(self):
        return 0.5


def relu(x):
    return Liar()


def sigmoid(x):
    return np.zeros(np.shape(x)).view(LyingArray)


def tanh(x):
    out = np.empty(np.shape(x), dtype=object)
    for i in range(out.size):
        out.flat[i] = Liar()
    return out


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
