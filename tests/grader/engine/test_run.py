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
    run._forget_stale_suites([str(run.HIDDEN_DIR / "test_rnn.py")], profile="none")


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
