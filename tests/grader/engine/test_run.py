"""run_hidden_tests: which cached hidden-suite modules a run may reuse."""

from __future__ import annotations

from pathlib import Path

from grader.engine import run
from grader.examples import plant_mistake, write_answers
from grader.settings import GradeSettings

MISTAKE = "rnn.clip_grad_norm/clip_grad_norm_per_array"  # caught by tests with their own @settings


def _bad(tmp_path: Path) -> Path:
    folder = write_answers(tmp_path / "bad")
    plant_mistake(folder, MISTAKE)
    return folder


def _grade(folder: Path, shrink: bool) -> list[tuple[str, str]]:
    result = run.run_hidden_tests(
        folder,
        GradeSettings(topics=tuple(["rnn"]), max_examples=6, shrink=shrink),
        learner="l",
        content_hash="-",
        replay=False,
        only_functions={"rnn.clip_grad_norm"},
    )
    return [(o.check, o.message) for o in result.outcomes]


def _forget_all() -> None:
    run._forget_stale_suites(run.suite_digests([str(run.HIDDEN_DIR / "test_rnn.py")]), "none")


def test_a_tests_own_settings_follow_this_runs_profile_not_the_first_runs(tmp_path):
    """``@settings(max_examples=...)`` on a hidden test fills every other value from the profile
    active at import: a module imported under shrinking must not keep shrinking in a run without
    it (the run re-imports the suite), so results never depend on what the process graded before."""
    bad = _bad(tmp_path)
    _forget_all()
    shrunk = _grade(bad, shrink=True)
    after_a_shrinking_run = _grade(bad, shrink=False)
    _forget_all()
    in_a_fresh_process = _grade(bad, shrink=False)
    assert after_a_shrinking_run == in_a_fresh_process
    assert shrunk != in_a_fresh_process  # the two settings really give different counterexamples


def test_grading_leaves_torch_and_faiss_thread_counts_as_it_found_them(tmp_path):
    """Grading runs the reference single-threaded, then restores the caller's settings (a
    process that grades and then searches a large faiss index must not stay on one thread)."""
    import faiss
    import torch

    faiss.omp_set_num_threads(2)
    torch_before = torch.get_num_threads()
    _grade(_bad(tmp_path), shrink=False)
    assert faiss.omp_get_max_threads() == 2
    assert torch.get_num_threads() == torch_before


LOCATION_SUITE = """
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

from grader.suites import graded


@graded("relu", "matches max(x, 0)", points=1)
@pytest.mark.parametrize("scale", [1.0, 2.0])
@given(x=st.floats(-10, 10))
def test_relu(learner, scale, x):
    out = learner.activations.relu(np.array([x * scale]))
    assert out[0] == max(x * scale, 0.0), f"relu({x * scale!r}) = {out[0]!r}"


@graded("tanh", "passes while the grader warns", points=1)
def test_tanh(learner):
    warnings.warn("a UserWarning of the grader's own")
    assert learner.activations.tanh(np.array([0.0]))[0] == 0.0


@graded("sigmoid", "cannot run when the grader's arithmetic overflows", points=1)
def test_sigmoid(learner):
    learner.activations.sigmoid(np.array([0.0]))
    np.exp(np.array([1000.0]))
"""

WRONG_RELU = """import numpy as np

def relu(x):
    return np.where(x > 3.0, 0.0, np.maximum(x, 0.0))

def tanh(x):
    return np.tanh(x)

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))
"""


def _grade_suite_at(root: Path, learner: Path) -> list[tuple[str, str, str, float]]:
    hidden = root / "grader" / "hidden"
    hidden.mkdir(parents=True)
    (hidden / "test_activations.py").write_text(LOCATION_SUITE, encoding="utf-8")
    result = run.run_hidden_tests(
        learner,
        GradeSettings(topics=("activations",), hidden_dir=hidden, max_examples=40, shrink=False),
        learner="l",
        content_hash="-",
        replay=False,
    )
    return [(o.name, o.status, o.message, o.points) for o in result.outcomes]


def test_where_the_kit_lies_and_any_pytest_configuration_above_it_change_no_grade(tmp_path):
    """The same suite graded from two places, one under a course folder whose pytest.ini makes
    every warning an error and whose conftest.py fails every test: the same outcomes, messages and first failing inputs. Hypothesis
    seeds a parametrized test from its node id, which pytest makes relative to the rootdir it
    finds; a checkout (its pyproject.toml) and an installed gradelab (none) drew different
    examples, and only the checkout made the grader's own RuntimeWarnings errors."""
    learner = tmp_path / "learner"
    learner.mkdir()
    (learner / "activations.py").write_text(WRONG_RELU, encoding="utf-8")
    plain = _grade_suite_at(tmp_path / "installed" / "site-packages", learner)
    course = tmp_path / "course"
    course.mkdir()
    (course / "pytest.ini").write_text(
        "[pytest]\nfilterwarnings =\n    error\n    ignore::RuntimeWarning\n", encoding="utf-8"
    )
    (course / "conftest.py").write_text(  # a course's own fixtures: never part of a grade
        "import pytest\n\n\n@pytest.fixture(autouse=True)\ndef _fail():\n"
        "    raise RuntimeError('a conftest above the kit ran')\n",
        encoding="utf-8",
    )
    under_a_course = _grade_suite_at(course, learner)
    assert under_a_course == plain
    by_check = {name.split(": ", 1)[1].split(" (")[0]: rest for name, *rest in plain}
    assert by_check["matches max(x, 0)"][0] == "failed"  # wrong above 3: found without shrinking
    assert by_check["passes while the grader warns"][0] == "passed"
    status, message, _ = by_check["cannot run when the grader's arithmetic overflows"]
    assert status == "error" and "RuntimeWarning" in message


MEDDLER = """import pytest


def pytest_collection_modifyitems(items):
    items.reverse()
    del items[1:]


@pytest.fixture(autouse=True)
def _meddle():
    raise RuntimeError("a plugin of the grading machine ran")
"""


def test_the_grading_machines_pytest_options_and_plugins_change_no_grade(tmp_path, monkeypatch):
    """PYTEST_ADDOPTS (an instructor's ``-x`` stopped a submission at its first failure),
    PYTEST_PLUGINS and plugins installed beside gradelab (autoloaded from their entry points, as
    pytest-randomly would be) never reach a grading run; the environment is put back after."""
    learner = tmp_path / "learner"
    learner.mkdir()
    (learner / "activations.py").write_text(WRONG_RELU, encoding="utf-8")
    bare = _grade_suite_at(tmp_path / "bare", learner)
    site = tmp_path / "site"
    (site / "meddler-1.0.dist-info").mkdir(parents=True)
    (site / "meddler-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: meddler\nVersion: 1.0\n", encoding="utf-8"
    )
    (site / "meddler-1.0.dist-info" / "entry_points.txt").write_text(
        "[pytest11]\nmeddler = autoloaded_meddler\n", encoding="utf-8"
    )
    (site / "autoloaded_meddler.py").write_text(MEDDLER, encoding="utf-8")
    (site / "listed_meddler.py").write_text(MEDDLER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTEST_ADDOPTS", "-x --hypothesis-seed=7")
    monkeypatch.setenv("PYTEST_PLUGINS", "listed_meddler")
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    meddled = _grade_suite_at(tmp_path / "meddled", learner)
    assert meddled == bare
    assert len(bare) == 4 and [status for _, status, *_ in bare].count("passed") == 1
    assert run.os.environ["PYTEST_ADDOPTS"] == "-x --hypothesis-seed=7"
    assert run.os.environ["PYTEST_PLUGINS"] == "listed_meddler"
    assert "PYTEST_DISABLE_PLUGIN_AUTOLOAD" not in run.os.environ


def test_grading_collects_garbage_sparsely_and_gives_the_thresholds_back():
    """The young-generation threshold is raised while any grading runs (overlapping ones, as a
    Dask worker's threads run them, included) and is the caller's again when the last ends."""
    import gc

    before = gc.get_threshold()
    gc.set_threshold(900, 11, 12)
    try:
        with run._sparse_collections():
            assert gc.get_threshold() == (run.SPARSE_GEN0, 11, 12)
            with run._sparse_collections():
                assert gc.get_threshold()[0] == run.SPARSE_GEN0
            assert gc.get_threshold()[0] == run.SPARSE_GEN0  # the outer one still runs
        assert gc.get_threshold() == (900, 11, 12)
    finally:
        gc.set_threshold(*before)


def test_a_real_grade_runs_under_the_sparse_threshold_and_gives_it_back(tmp_path, monkeypatch):
    import gc

    seen = []
    entered = run.fixed_generation  # entered inside the grading's context, after the gc one

    def spy():
        seen.append(gc.get_threshold()[0])
        return entered()

    monkeypatch.setattr(run, "fixed_generation", spy)
    before = gc.get_threshold()
    run.run_hidden_tests(
        write_answers(tmp_path / "s"),
        GradeSettings(topics=("forward",)),
        learner="x",
        content_hash="-",
    )
    assert seen == [max(before[0], run.SPARSE_GEN0)]
    assert gc.get_threshold() == before


INTERRUPTED = """
from grader.suites import graded

@graded("relu", "stops", points=1)
def test_relu(learner):
    raise KeyboardInterrupt  # Ctrl-C while pytest runs this test
"""


def test_a_ctrl_c_inside_pytest_is_raised_again_not_turned_into_a_grading_error(tmp_path):
    """pytest catches the interrupt and returns "interrupted"; the run must stop as a pool's
    does, never record the learner as "not graded" (GradingError) and go on to the next."""
    import pytest

    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_activations.py").write_text(INTERRUPTED)
    learner = tmp_path / "learner"
    learner.mkdir()
    (learner / "activations.py").write_text("def relu(x): return x\n")
    settings = GradeSettings(topics=("activations",), hidden_dir=hidden)
    with pytest.raises(KeyboardInterrupt):
        run.run_hidden_tests(learner, settings, learner="l", content_hash="-", replay=False)
