"""The pool's warm-up (grader.warmup): its shares partition the graded tests, together they store
what a full passing run stores, a share done is not done again, and a failing share never stops
the grading. (That it changes no grade: tests/grader/test_determinism.py, through a real pool.)"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest

from grader import executors, warmup
from grader.engine import recordings
from grader.engine import run as engine_run
from grader.engine.errors import GradingError
from grader.engine.recordings import RecordingStore
from grader.engine.run import run_hidden_tests
from grader.examples import write_answers
from grader.settings import GradeSettings
from tests.grader._recording_store import (  # noqa: F401 (the fixtures they define)
    as_a_fresh_process,
    fresh_process_fixture,
    store_fixture,
)

#: a topic with property tests of several functions, quick to grade
SETTINGS = GradeSettings(topics=("activations",), max_examples=4)


def _ids(folder: Path, share: tuple[int, int] | None) -> list[tuple[str, str, str]]:
    """Each graded test's (function, check, case), in the order graded."""
    result = run_hidden_tests(
        folder, SETTINGS, learner="l", content_hash="-", share=share, replay=False
    )
    return [(o.function, o.check, o.case) for o in result.outcomes]


def test_the_shares_of_a_suite_partition_its_graded_tests(tmp_path):
    """Shares (0, 3), (1, 3), (2, 3) hold no test twice, and together every test a full run
    grades, in the full run's order when merged by position."""
    folder = write_answers(tmp_path / "model")
    whole = _ids(folder, None)
    parts = [_ids(folder, (k, 3)) for k in range(3)]
    assert all(parts) and sum(len(p) for p in parts) == len(whole)
    assert sorted(i for p in parts for i in p) == sorted(whole)
    for k, part in enumerate(parts):  # every third test, from the k-th
        assert part == whole[k::3]


@pytest.mark.parametrize("share", [(2, 2), (-1, 2), (0, 0)])
def test_a_share_outside_its_count_is_refused(tmp_path, share):
    with pytest.raises(ValueError, match="0 ≤ k < n"):
        _ids(write_answers(tmp_path / "model"), share)


def test_the_shares_together_store_what_a_full_passing_run_stores(tmp_path, store, monkeypatch):
    """Two warm-up shares leave in the store the same recordings, byte for byte, as one grade of
    the model answers; each share is marked done, the kit is marked warm once both are, and a
    second warm-up draws nothing, whatever its number of shares."""
    first = [warmup.warm_share(0, 2, SETTINGS)]
    assert store.marked("warm-0-of-2") and not store.marked(warmup.WHOLE)
    first.append(warmup.warm_share(1, 2, SETTINGS))
    assert [w.skipped for w in first] == [None, None]
    assert all(w.tests > 0 and w.passed == w.tests for w in first)
    assert store.marked("warm-1-of-2")
    warmed = {p.name: p.read_bytes() for p in store.folder.glob("*.rec")}

    as_a_fresh_process()
    other = RecordingStore(tmp_path / "other", "kit")
    monkeypatch.setattr(recordings, "for_settings", lambda settings: other)
    run_hidden_tests(write_answers(tmp_path / "model"), SETTINGS, learner="m", content_hash="-")
    assert warmed and warmed == {p.name: p.read_bytes() for p in other.folder.glob("*.rec")}

    monkeypatch.setattr(recordings, "for_settings", lambda settings: store)
    assert store.marked(warmup.WHOLE)  # every share of the split: warm for any split
    again = [warmup.warm_share(k, 2, SETTINGS) for k in range(2)]
    again += [warmup.warm_share(k, 3, SETTINGS) for k in range(3)]
    assert [w.skipped for w in again] == ["done by an earlier run of this kit"] * 5
    assert warmup.summary(again, 2) is None
    line = warmup.summary(first, 2)
    assert line is not None and f"{sum(w.tests for w in first)} tests" in line


def test_a_share_is_skipped_without_a_store_or_model_answers(tmp_path, store, monkeypatch):
    monkeypatch.setattr(warmup, "MODEL_ANSWERS", tmp_path / "nowhere")
    skipped = warmup.warm_share(0, 2, SETTINGS).skipped
    assert skipped is not None and "no model answers for activations" in skipped
    assert not store.marked("warm-0-of-2")
    monkeypatch.setattr(recordings, "for_settings", lambda settings: None)
    assert warmup.warm_share(0, 2, SETTINGS).skipped.startswith("no recording store")


def test_a_share_the_model_answers_fail_is_marked_but_not_a_faulted_one(
    tmp_path, store, monkeypatch
):
    """A call that faulted (a timeout on a busy machine) may not fault again: the next run tries
    the share again. A wrong model answer fails the same way on every run: the share is done."""
    model = write_answers(tmp_path / "model")
    monkeypatch.setattr(warmup, "MODEL_ANSWERS", model)
    with (model / "activations.py").open("a", encoding="utf-8") as fh:
        fh.write("\n\ndef relu(x):\n    while True:\n        pass\n")
    limits = SETTINGS.limits.__class__(call_timeout=0.5)
    slow = GradeSettings(topics=("activations",), max_examples=4, limits=limits)
    faulted = warmup.warm_share(0, 1, slow)
    assert faulted.skipped is None and faulted.passed < faulted.tests
    assert not store.marked("warm-0-of-1") and not store.marked(warmup.WHOLE)
    with (model / "activations.py").open("a", encoding="utf-8") as fh:
        fh.write("\n\ndef relu(x):\n    return x\n")
    done = warmup.warm_share(0, 1, SETTINGS)
    assert done.skipped is None and 0 < done.passed < done.tests
    assert store.marked("warm-0-of-1") and store.marked(warmup.WHOLE)


def test_a_share_whose_grading_fails_says_so_and_is_not_marked(tmp_path, store, monkeypatch):
    """The grader failing (a broken hidden suite: GradingError) is an error of the share, not a
    skip; the share stays to be done, and no line claims inputs were drawn."""

    def broken(*args, **kwargs):
        raise GradingError("the hidden tests did not run (pytest exit 4):\nlong log ...")

    monkeypatch.setattr(engine_run, "run_hidden_tests", broken)
    failed = warmup.warm_share(0, 2, SETTINGS)
    assert failed.error == "GradingError: the hidden tests did not run (pytest exit 4):"
    assert failed.skipped is None and not store.marked("warm-0-of-2")
    assert warmup.summary([failed], 2) is None


@pytest.mark.parametrize(
    ("jobs", "learners", "shares"), [(1, 40, 0), (2, 1, 0), (2, 40, 2), (8, 3, 3)]
)
def test_a_pool_warms_up_with_one_share_per_busy_process(monkeypatch, jobs, learners, shares):
    monkeypatch.setenv(recordings.ENV, "/tmp/gradelab-store")
    assert warmup.shares_for(jobs, learners) == shares


def test_no_warm_up_without_a_store(monkeypatch):
    monkeypatch.setenv(recordings.ENV, "off")
    assert warmup.shares_for(4, 40) == 0


class _Pool:
    """Stands for a process pool whose warm-up shares fail or succeed as told."""

    def __init__(self, outcomes: list[BaseException | warmup.Warmed]) -> None:
        self.outcomes = outcomes
        self.submitted: list[tuple] = []

    def submit(self, fn, *args):
        self.submitted.append(args)
        future: Future = Future()
        outcome = self.outcomes[len(self.submitted) - 1]
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
        return future


def test_a_share_that_fails_is_said_and_the_grading_goes_on():
    """A share whose process failed (a broken pool process, a bug) costs only its speed-up: the
    executor says so through notify and returns, for the learners to be graded as without it."""
    told: list[str] = []
    local = executors.LocalExecutor(SETTINGS, jobs=2, notify=told.append)
    pool = _Pool(
        [
            RuntimeError("boom"),
            warmup.Warmed(1, error="GradingError: the hidden tests did not run"),
            warmup.Warmed(2, tests=3, passed=3, seconds=1.0),
        ]
    )
    local._warm_up(pool, 3)  # type: ignore[arg-type]
    assert [args[1:3] for args in pool.submitted] == [(0, 3), (1, 3), (2, 3)]
    assert told[:2] == [
        "warm-up share 1 of 3 failed: RuntimeError: boom",
        "warm-up share 2 of 3 failed: GradingError: the hidden tests did not run",
    ]
    assert "split over 3 processes (3 tests" in told[2]


def test_an_interrupt_during_the_warm_up_stops_the_run():
    local = executors.LocalExecutor(SETTINGS, jobs=2)
    with pytest.raises(KeyboardInterrupt):
        local._warm_up(_Pool([KeyboardInterrupt(), KeyboardInterrupt()]), 2)  # type: ignore[arg-type]


def test_a_cluster_splits_each_machine_among_its_own_workers():
    """Workers of one machine share its store: each machine with two or more workers is split
    among them (no more shares than learners); a lone worker on its machine gets no share."""
    hosts = {"tcp://a:2": "a", "tcp://a:1": "a", "tcp://a:3": "a", "tcp://b:1": "b"}
    assert warmup.cluster_shares(hosts, 40) == [
        ("tcp://a:1", 0, 3),
        ("tcp://a:2", 1, 3),
        ("tcp://a:3", 2, 3),
    ]
    assert warmup.cluster_shares(hosts, 2) == [("tcp://a:1", 0, 2), ("tcp://a:2", 1, 2)]
    assert warmup.cluster_shares(hosts, 1) == []
    assert warmup.cluster_shares({"tcp://b:1": "b", "tcp://c:1": "c"}, 40) == []
