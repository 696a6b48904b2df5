"""Fixtures of the tests that grade with a recording store: a process that has recorded
nothing (``fresh_process``, autouse), and one store every grade of the test uses, whatever this
machine's sandbox (``store``). A test module imports both functions to use them."""

from __future__ import annotations

import pytest

from grader.engine import memo, recordings, replay
from grader.engine.recordings import RecordingStore


def as_a_fresh_process() -> None:
    """Forget what this process learnt from grading, as another process would not know it: the
    recorded inputs (:mod:`grader.engine.replay`) and the conversation trees
    (:mod:`grader.engine.memo`)."""
    replay.clear()
    memo.MEMO.clear()


@pytest.fixture(autouse=True, name="fresh_process")
def fresh_process_fixture():
    """Nothing recorded or learnt in this process before or after the test."""
    as_a_fresh_process()
    yield
    as_a_fresh_process()


@pytest.fixture(name="store")
def store_fixture(tmp_path, monkeypatch) -> RecordingStore:
    """A store every grade of the test uses, whatever this machine's sandbox (the rule that
    needs bubblewrap is pinned by its own test in tests/grader/engine/test_recordings.py)."""
    chosen = RecordingStore(tmp_path / "store", "kit")
    monkeypatch.setattr(recordings, "for_settings", lambda settings: chosen)
    return chosen
