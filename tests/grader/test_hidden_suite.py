"""The hidden tests as a whole: the solutions score 100 %, the untouched stubs score 0 with
"not implemented" everywhere, and every catalogued mistake is caught and named (mutation score
100 %, DESIGN.md §4)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from grader.engine.run import HIDDEN_DIR, run_hidden_tests
from grader.examples import mistake_source
from grader.misconceptions import catalogue
from grader.release.build import ROOT
from grader.settings import GradeSettings
from reference import TOPICS

GRADED = [t for t in TOPICS if (HIDDEN_DIR / f"test_{t}.py").exists()]


def _copy(source: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for topic in TOPICS:
        shutil.copyfile(ROOT / source / f"{topic}.py", folder / f"{topic}.py")
    return folder


@pytest.fixture(scope="module")
def solutions_dir(tmp_path_factory) -> Path:
    return _copy("solutions", tmp_path_factory.mktemp("solutions"))


@pytest.mark.parametrize("topic", GRADED)
def test_solutions_score_full_marks(solutions_dir: Path, topic: str):
    result = run_hidden_tests(
        solutions_dir, GradeSettings(topics=tuple([topic])), learner="solutions", content_hash="-"
    )
    failing = [(o.name, o.message) for o in result.outcomes if o.status != "passed"]
    assert not failing and result.score == result.max_score > 0


@pytest.mark.parametrize("topic", GRADED)
def test_untouched_stubs_score_zero_with_not_implemented(tmp_path: Path, topic: str):
    folder = _copy("exercises", tmp_path / "stubs")
    result = run_hidden_tests(
        folder, GradeSettings(topics=tuple([topic])), learner="stubs", content_hash="-"
    )
    assert result.score == 0
    for o in result.outcomes:
        if o.function.isupper():  # a module-level value (e.g. HORIZONTAL_EDGE) has no raise
            assert o.status == "failed"
        else:
            assert (
                o.status == "not_implemented"
                and o.message == f"not implemented yet: {topic}.{o.function}"
            )


MUTANTS = [m for t in GRADED for entries in catalogue(t).values() for m in entries]


@pytest.mark.parametrize("mistake", MUTANTS, ids=lambda m: m.key)
def test_every_catalogued_mistake_is_caught_and_named(solutions_dir: Path, tmp_path: Path, mistake):
    folder = _copy("solutions", tmp_path / "mutant")
    with (folder / f"{mistake.topic}.py").open("a") as fh:
        fh.write("\n\n" + mistake_source(mistake.key)[2])  # the mistake as a learner's own code
    result = run_hidden_tests(
        folder,
        GradeSettings(topics=tuple([mistake.topic])),
        learner="mutant",
        content_hash="-",
        only_functions={mistake.target},
    )
    assert result.outcomes, f"no hidden test grades {mistake.target}"
    assert result.score < result.max_score, (
        f"{mistake.key} ({mistake.name}) passes every hidden test"
    )
    named = {o.diagnosis for o in result.outcomes}
    assert mistake.key in named, (
        f"{mistake.key} fails but is not named; diagnoses: {sorted(filter(None, named))}; "
        f"messages: {[o.message[:120] for o in result.outcomes if o.status != 'passed']}"
    )
    others = sorted(n for n in named if n and n != mistake.key)
    assert not others, f"{mistake.key} is also named as another mistake: {others}"


def test_the_torch_lstm_truth_reuses_modules_yet_answers_each_input_as_a_fresh_one():
    """grader/hidden/test_rnn.py keeps one nn.LSTM per (D, H) and overwrites its weights: every
    answer is bit-identical to the one a module built for that input alone gives, whatever came
    before, and a repeated input comes from the answer cache as a copy the caller may change."""
    from grader.engine import answers
    from grader.hidden import test_rnn

    rng = np.random.default_rng(7)
    cases = []
    for N, T, D, H in [(2, 3, 2, 3), (1, 2, 2, 3), (3, 4, 1, 4), (2, 3, 2, 3)]:
        cases.append(
            tuple(
                rng.normal(size=shape)
                for shape in [(N, T, D), (N, H), (N, H), (D, 4 * H), (H, 4 * H), (4 * H,)]
            )
        )
    fresh = []
    for case in cases:  # a new module and no cached answer for each
        test_rnn._LSTMS.clear()
        answers.clear()
        fresh.append(test_rnn.torch_lstm(*case))
    answers.clear()
    reused = [test_rnn.torch_lstm(*case) for case in cases]  # (2, 3) is used three times
    assert len(test_rnn._LSTMS) == 2
    for got, want in zip(reused, fresh, strict=True):
        assert np.array_equal(got[0], want[0])
        assert np.array_equal(got[1][0], want[1][0]) and np.array_equal(got[1][1], want[1][1])
    hits = answers.stats()["hits"]
    again = test_rnn.torch_lstm(*cases[0])
    assert answers.stats()["hits"] == hits + 1
    again[0][...] = 0.0
    assert np.array_equal(test_rnn.torch_lstm(*cases[0])[0], fresh[0][0])
