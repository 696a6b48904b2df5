"""A mistake is named only when confirmed (grader/engine/expect.py, confirm): its catalogued variant
must reproduce the learner's output on the failing input and on more inputs drawn in the trusted
process; otherwise the feedback says what is wrong without a name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader.engine.expect import variants
from grader.engine.run import run_hidden_tests
from grader.examples import write_answers
from grader.settings import GradeSettings

#: learners whose bug agrees with a catalogued mistake on a small failing input only
LOOKALIKES = [
    pytest.param(
        "activations.softmax",
        "def softmax(x, axis=-1):\n"
        "    e = np.exp(x - np.max(x, axis=-1, keepdims=True))\n"
        "    return e / np.sum(e, axis=-1, keepdims=True)  # ignores axis\n",
        "activations.softmax/softmax_over_whole_array",
        id="softmax-ignoring-axis",
    ),
    pytest.param(
        "activations.elu_grad",
        "def elu_grad(x, alpha=1.0):\n"
        "    return np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))  # 1 at 0\n",
        "activations.elu_grad/elu_grad_without_alpha",
        id="elu-grad-one-at-zero",
    ),
]


@pytest.mark.parametrize(("target", "source", "wrong_name"), LOOKALIKES)
def test_a_mistake_that_only_agrees_on_the_failing_input_is_not_named(
    tmp_path: Path, target: str, source: str, wrong_name: str
):
    topic = target.split(".")[0]
    folder = write_answers(tmp_path / "learner")
    with (folder / f"{topic}.py").open("a", encoding="utf-8") as fh:
        fh.write("\n\n" + source)
    result = run_hidden_tests(
        folder,
        GradeSettings(topics=tuple([topic])),
        learner="x",
        content_hash="-",
        only_functions={target},
    )
    failed = [o for o in result.outcomes if o.status != "passed"]
    assert failed, "the bug is not caught at all"
    assert all(o.diagnosis != wrong_name for o in result.outcomes), [
        (o.check, o.message) for o in failed
    ]
    assert all(o.message for o in failed)  # still says what is wrong


def test_variants_change_every_kind_of_input_and_keep_the_failing_one_intact():
    x = np.array([[0.0, 1.0]])
    got = variants([x], {"axis": 0})
    assert len(got) == 5 and np.array_equal(x, [[0.0, 1.0]])
    shapes = {a[0].shape for a, _ in got}
    assert shapes == {(1, 2), (2, 2), (1, 4)}  # same shape varied, more rows, more columns
    assert any(a[0][0, 0] != 0.0 for a, _ in got)  # a zero moves off the kink
    assert all(k == {"axis": 0} for _, k in got)
    sizes = variants([5, 3], {"padding": 1})
    assert ([6, 3], {"padding": 1}) in sizes and ([5, 3], {"padding": 2}) in sizes
    assert variants(["q", ["a"]], {}) == [(["q more", ["a more", "a again"]], {})]
