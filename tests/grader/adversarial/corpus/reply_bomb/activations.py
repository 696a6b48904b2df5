"""Attack: replies that expand when the grader reads them (the channel's zip bombs).

``relu`` writes a frame header announcing a 4-EiB reply; ``sigmoid`` returns a stride-0 view: 8
bytes of memory that claim to be a 16-GiB array once copied; ``tanh`` returns a list nested
100 000 deep; ``leaky_relu`` writes a frame whose header announces a 10^12-element array backed
by 8 bytes. Every one must be refused by size before anything is allocated for it.
"""

import gc
import json
import struct
import time

import numpy as np


def _protocol_out():
    return next(o for o in gc.get_objects() if type(o).__name__ == "Worker").proto_out


def relu(x):
    out = _protocol_out()
    out.write(struct.pack(">Q", 1 << 62))
    out.flush()
    time.sleep(60)


def sigmoid(x):
    return np.broadcast_to(np.float64(0.5), (1 << 31,))


def tanh(x):
    nested = []
    for _ in range(100_000):
        nested = [nested]
    return nested


def leaky_relu(x, alpha=0.01):
    header = json.dumps(
        {"v": 1, "body": {"$a": 0}, "arrays": [{"dtype": "<f8", "shape": [10**12]}]}
    ).encode()
    payload = struct.pack(">I", len(header)) + header + b"\0" * 8
    out = _protocol_out()
    out.write(struct.pack(">Q", len(payload)) + payload)
    out.flush()
    time.sleep(60)
