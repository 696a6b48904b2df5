"""Attack: smuggle a pickle back to the grader. Unpickling it would run ``touch CANARY`` in the
grader; the channel never unpickles, so the canary file must never appear.

``relu`` returns the pickle as bytes, ``sigmoid`` the malicious object itself, ``tanh`` the pickle
disguised as a string (strings do cross the channel, as text, never unpickled).
"""

import os
import pickle

import numpy as np

TARGETS: dict = {}


class Payload:
    def __reduce__(self):
        return (os.system, (f"touch {TARGETS.get('canary', '/tmp/gradelab-pickle-canary')}",))


def relu(x):
    return pickle.dumps(Payload())


def sigmoid(x):
    return Payload()


def tanh(x):
    return pickle.dumps(Payload(), protocol=0).decode("latin-1")


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
