"""The worker's replies to a call (``grader/sandbox/worker.py``): the value, and what
``exercises/tests/_observe.py`` (which it loads by path before any learner code) saw the call do —
the arguments it changed, nested ones included, the ones its result shares memory with, and
the floating-point errors it raised even where the learner silenced them.

The worker runs as a plain script inside the sandbox (its folder on ``sys.path``), so it is
imported here the same way, and serves one learner folder in this process.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]
SANDBOX = ROOT / "grader" / "sandbox"
HANDLES = ROOT / "exercises" / "tests" / "_handles.py"

LEARNER = """
import numpy as np

def mlp_forward(x, layers):
    while layers:  # consumes the caller's list
        W, b, _ = layers.pop(0)
        x = x @ W + b
    return x

def sigmoid(x):
    with np.errstate(all="ignore"):
        return 1 / (1 + np.exp(-x))

def flatten(x):
    return x.reshape(x.shape[0], -1)

def scale(x, factor=2.0):
    return x * factor
"""


@pytest.fixture
def worker(tmp_path):
    (tmp_path / "forward.py").write_text(LEARNER)
    sys.path.insert(0, str(SANDBOX))
    try:
        import worker as module

        yield module.Worker(str(tmp_path), str(HANDLES), None, None)
    finally:
        sys.path.remove(str(SANDBOX))
        for name in [n for n in sys.modules if n == "learner" or n.startswith("learner.")]:
            del sys.modules[name]


def _call(worker, function, *args, **kwargs):
    return worker.handle(
        {
            "op": "call",
            "topic": "forward",
            "function": function,
            "args": list(args),
            "kwargs": kwargs,
        }
    )


def test_a_pure_call_reports_nothing(worker):
    reply = _call(worker, "scale", np.ones(3), factor=3.0)
    assert reply["ok"] and reply["value"].tolist() == [3.0, 3.0, 3.0]
    assert reply["mutated"] == [] and reply["aliased"] == [] and reply["warnings"] == []


def test_a_nested_argument_consumed_by_the_call_is_reported(worker):
    layers = [[np.eye(2), np.zeros(2), "relu"]]
    reply = _call(worker, "mlp_forward", np.ones((1, 2)), layers)
    assert reply["mutated"] == ["#2"]


def test_an_overflow_the_learner_silenced_is_reported(worker):
    reply = _call(worker, "sigmoid", np.array([-1000.0, 1000.0]))
    assert reply["warnings"] == ["RuntimeWarning: overflow encountered in exp"]
    assert np.geterr()["over"] == "warn"  # the worker's own state is back


def test_a_view_returned_is_reported_as_aliased(worker):
    reply = _call(worker, "flatten", np.ones((2, 2, 2)))
    assert reply["aliased"] == ["#1"]


def test_a_kept_result_still_reports_what_the_call_changed(worker):
    layers = [[np.eye(2), np.zeros(2), "relu"]]
    reply = worker.handle(
        {
            "op": "call",
            "topic": "forward",
            "function": "mlp_forward",
            "args": [np.ones((1, 2)), layers],
            "kwargs": {},
            "keep": True,
        }
    )
    assert reply["mutated"] == ["#2"] and "aliased" not in reply


def test_the_observer_is_loaded_before_any_learner_code(worker):
    """A learner module importing first cannot plant its own ``_gradelab_observe``."""
    assert worker.observe.__file__ == str(HANDLES.with_name("_observe.py"))
