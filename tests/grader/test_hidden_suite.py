"""The hidden tests as a whole: the solutions score 100 %, the untouched stubs score 0 with
"not implemented" everywhere, and every catalogued mistake is caught and named (mutation score
100 %, DESIGN.md §4)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

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


def _fresh_nn_lstm(x, h0, c0, W, U, b):
    """torch.nn.LSTM built for this one input, as the hidden test computed it before."""
    lstm = torch.nn.LSTM(W.shape[0], U.shape[0], batch_first=True).double()
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(W.T.copy()))
        lstm.weight_hh_l0.copy_(torch.from_numpy(U.T.copy()))
        lstm.bias_ih_l0.copy_(torch.from_numpy(b))
        lstm.bias_hh_l0.zero_()
        hs, (h_T, c_T) = lstm(
            torch.from_numpy(x), (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None])
        )
    return hs.numpy(), (h_T[0].numpy(), c_T[0].numpy())


def test_the_torch_lstm_truth_reuses_modules_yet_answers_each_input_as_a_fresh_one():
    """grader/hidden/test_rnn.py keeps one nn.LSTM per (D, H) and overwrites its weights: every
    answer is bit-identical to a module built for that input alone, whatever came before, and a
    repeated input comes from the answer cache as a copy the caller may change."""
    from grader.engine import answers
    from grader.hidden.test_rnn import torch_lstm

    rng = np.random.default_rng(7)
    answers.clear()
    for N, T, D, H in [(2, 3, 2, 3), (1, 2, 2, 3), (3, 4, 1, 4), (2, 3, 2, 3)]:
        case = (
            rng.normal(size=(N, T, D)),
            rng.normal(size=(N, H)),
            rng.normal(size=(N, H)),
            rng.normal(size=(D, 4 * H)),
            rng.normal(size=(H, 4 * H)),
            rng.normal(size=4 * H),
        )
        got, want = torch_lstm(*case), _fresh_nn_lstm(*case)
        assert np.array_equal(got[0], want[0])
        assert np.array_equal(got[1][0], want[1][0]) and np.array_equal(got[1][1], want[1][1])
    again = torch_lstm(*case)
    assert answers.stats()["hits"] >= 1
    again[0][...] = 0.0
    assert np.array_equal(torch_lstm(*case)[0], want[0])
