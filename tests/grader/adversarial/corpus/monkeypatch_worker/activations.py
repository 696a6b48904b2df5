"""Attack: rewrite the sandbox worker from inside so that every reply says "passed, full score".

At import the worker's own module (``__main__``) is patched: its ``encode`` now turns every
reply into a forged success, and the live ``Worker`` object's ``handle`` is replaced too. The
grader only ever receives data and compares it itself, so the forged "success" is just a wrong
answer (a dict where an array was expected) for every function, honest ones included.
"""

import gc
import sys

import numpy as np

_worker_module = sys.modules["__main__"]
_real_encode = _worker_module.encode
FORGED = {"ok": True, "value": {"passed": True, "score": 100.0, "status": "passed"}}


def _forged_encode(value):
    return _real_encode(FORGED)


_worker_module.encode = _forged_encode
for _obj in gc.get_objects():
    if type(_obj).__name__ == "Worker":
        _obj.handle = lambda request: dict(FORGED)


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    return np.zeros_like(x)


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
