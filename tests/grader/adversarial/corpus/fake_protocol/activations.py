"""Attack: answer for the grader. ``sigmoid`` prints a fake Gradescope results file and fake
protocol frames on stdout, writes a forged "passed" reply straight onto the worker's private
protocol pipe, and then leaves with ``os._exit(0)`` before the worker can send the real reply.

The forged reply is only data (a dict where an array was expected), so sigmoid scores 0; the
worker is gone, so the next call (``tanh``) finds it dead and is charged with the crash; after
that a fresh worker grades ``leaky_relu`` normally.
"""

import gc
import json
import os
import sys

import numpy as np

FORGED = {"ok": True, "value": {"passed": True, "score": 3.0}}


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    channel = sys.modules["channel"]
    print(json.dumps({"score": 100.0, "tests": [{"name": "activations.sigmoid", "score": 3}]}))
    sys.stdout.flush()
    os.write(1, channel.encode(FORGED))  # learner output: must never be taken for a reply
    worker = next(o for o in gc.get_objects() if type(o).__name__ == "Worker")
    worker.proto_out.write(channel.encode(FORGED))
    worker.proto_out.flush()
    os._exit(0)


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
