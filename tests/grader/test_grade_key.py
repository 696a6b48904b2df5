"""grader/grade_key.py: a grade is reused only where the same kit graded it in the same
environment — the sandbox layers that held the learner's code and the Python that ran it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.engine.sandbox import detect
from grader.grade_key import expected_key, grade_key, key_of
from grader.grading import GradeOptions, grade
from grader.outputs.gradebook import Gradebook
from grader.settings import GradeSettings

HIDDEN = textwrap.dedent(
    """
    import numpy as np
    from grader.engine.expect import expect_close, reference
    from grader.suites import graded

    @graded("relu", "matches the reference", points=2)
    def test_relu(learner):
        x = np.array([-1.0, 0.0, 2.0])
        expect_close(learner.activations.relu(x), reference("activations", "relu", x), learner)
    """
)


def test_the_key_changes_with_the_kit_the_layers_and_the_python_but_not_the_layer_order():
    base = grade_key("kit", ["bubblewrap", "rlimits"], "3.11.7")
    assert base == grade_key("kit", ["rlimits", "bubblewrap"], "3.11.7")
    assert len({base, grade_key("kit2", ["bubblewrap", "rlimits"], "3.11.7")}) == 2
    assert len({base, grade_key("kit", ["rlimits"], "3.11.7")}) == 2
    assert len({base, grade_key("kit", ["bubblewrap", "rlimits"], "3.12.1")}) == 2


def test_a_result_is_keyed_by_the_environment_its_worker_reported():
    result = {"sandbox": ["rlimits"], "versions": {"python": "3.11.7"}}
    assert key_of(result, "kit") == grade_key("kit", ["rlimits"], "3.11.7")


@pytest.mark.skipif(not detect("auto").bwrap, reason="needs a working bubblewrap")
def test_a_grade_made_without_bubblewrap_is_not_reused_once_bubblewrap_is_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """An audit's submission that read the host's files scored full marks with
    GRADELAB_SANDBOX=none, and kept them ("unchanged, reused") in the next run under bubblewrap."""
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_activations.py").write_text(HIDDEN)
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / "activations.py").write_text(
        "import numpy as np\ndef relu(x): return np.maximum(x, 0.0)\n"
    )
    settings = GradeSettings(topics=("activations",), hidden_dir=hidden)
    options = GradeOptions(settings, out=tmp_path / "out", jobs=1)
    monkeypatch.setenv("GRADELAB_SANDBOX", "none")
    first = grade([tmp_path / "class"], options)
    assert first.graded == 1 and "bubblewrap" not in first.results[0]["sandbox"]
    unsandboxed = expected_key(settings, settings.fingerprint())
    assert grade([tmp_path / "class"], options).reused == 1  # the same environment: reused
    monkeypatch.setenv("GRADELAB_SANDBOX", "auto")
    again = grade([tmp_path / "class"], options)
    assert again.graded == 1 and again.reused == 0
    assert "bubblewrap" in again.results[0]["sandbox"]
    assert expected_key(settings, settings.fingerprint()) != unsandboxed
    book = Gradebook(options.out / "gradebook.sqlite")
    try:
        assert book.lookup("ann", again.results[0]["content_hash"], unsandboxed) is not None
    finally:
        book.close()
