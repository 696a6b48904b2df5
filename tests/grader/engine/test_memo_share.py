"""grader/engine/memo_share.py: what one process's trees learn, another process walks, and its
learner's worker still receives the very requests, in the very order, it receives alone; every
outcome is the same. Records read back as written, or not at all.

"Another process" is this one with its recordings and trees forgotten
(:func:`as_a_fresh_process`) and a journal of another name in the same folder.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.engine import memo, memo_share
from grader.engine.memo import Learnt, Memo
from grader.engine.memo_share import Journal, encode_record, read_records
from grader.results import Status, TestOutcome
from tests.grader._recording_store import (  # noqa: F401 (the fixtures they define)
    as_a_fresh_process,
    fresh_process_fixture,
    store_fixture,
)
from tests.grader.engine.test_memo import _grade, _logged_learner


@pytest.fixture(autouse=True)
def no_journal() -> Iterator[None]:
    memo_share.detach()
    yield
    memo_share.detach()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shared = tmp_path / "memo"
    shared.mkdir(mode=0o700)
    return shared


def _learnt(n: int = 0, status: Status = Status.PASSED) -> Learnt:
    outcome = TestOutcome("t", "f", f"check {n}", 1.5, 2.0, status, message="ü ✓", input="x=[1]")
    steps = [(b"request one " + bytes([n]), bytes(32)), (b"", b"\xff" * 32)]
    return Learnt(("grader/hidden/test_t.py::test_f", "ab" * 32, 6, True), steps, outcome)


# -- records -----------------------------------------------------------------------------------


def test_records_read_back_as_the_conversations_they_were():
    written = [_learnt(0), _learnt(1, Status.FAILED)]
    data = b"".join(encode_record(item) for item in written)
    found, used, bad = read_records(data)
    assert found == written and used == len(data) and not bad
    assert type(found[0].key) is tuple  # as the plugin's keys are


def test_a_record_still_being_written_is_read_once_whole():
    first, second = encode_record(_learnt(0)), encode_record(_learnt(1))
    for cut in (1, 20, len(second) - 1):
        found, used, bad = read_records(first + second[:cut])
        assert found == [_learnt(0)] and used == len(first) and not bad
    assert read_records(second)[0] == [_learnt(1)]


def test_a_record_that_fails_its_digest_ends_the_reading_there():
    first, second, third = (encode_record(_learnt(n)) for n in range(3))
    broken = bytearray(second)
    broken[-40] ^= 1  # a request byte
    found, used, bad = read_records(first + bytes(broken) + third)
    assert found == [_learnt(0)] and used == len(first) and bad


def test_a_journal_learns_what_the_others_published_and_publishes_only_its_own(folder):
    mine, theirs = Journal(folder, "a.memo"), Journal(folder, "b.memo")
    there, here = Memo(), Memo()
    theirs.absorb(there)  # starts collecting
    assert there.add(("k",), [(b"ask", b"reply")], _learnt().outcome)
    assert theirs.publish(there) == 1 and theirs.publish(there) == 0

    assert mine.absorb(here) == 1
    assert here.trees.keys() == {("k",)}
    assert mine.publish(here) == 0  # what it absorbed is theirs, not sent back
    assert mine.absorb(here) == 0  # read once


def test_a_file_that_failed_a_check_is_not_read_again(folder):
    mine, here = Journal(folder, "a.memo"), Memo()
    data = encode_record(_learnt(0)) + b"\0" * 40 + encode_record(_learnt(1))
    (folder / "b.memo").write_bytes(data)
    os.chmod(folder / "b.memo", 0o600)
    assert mine.absorb(here) == 1 and mine.broken == {"b.memo"}
    with (folder / "b.memo").open("ab") as fh:
        fh.write(encode_record(_learnt(2)))
    assert mine.absorb(here) == 0


def test_a_folder_or_a_file_others_may_write_is_not_read(folder):
    theirs, there = Journal(folder, "b.memo"), Memo()
    theirs.absorb(there)
    there.add(("k",), [], _learnt().outcome)
    theirs.publish(there)
    os.chmod(folder / "b.memo", 0o622)
    assert Journal(folder, "a.memo").absorb(Memo()) == 0
    os.chmod(folder / "b.memo", 0o600)
    os.chmod(folder, 0o777)
    assert Journal(folder, "a.memo").absorb(Memo()) == 0
    os.chmod(folder, 0o700)
    assert Journal(folder, "a.memo").absorb(Memo()) == 1


# -- grading -----------------------------------------------------------------------------------


def test_a_learner_graded_from_another_process_trees_gets_the_same_requests_and_outcomes(
    tmp_path, folder, store
):
    """The model answers are graded in one process, which publishes its trees; in another, a
    learner whose relu changes its answers after 3 calls walks them: the worker's log of what it
    was asked, in order, and the outcomes are those of grading it alone in a fresh process."""
    model, _ = _logged_learner(tmp_path, "model", stateful=False)
    without_trees, log_without = _logged_learner(tmp_path, "a", stateful=True)
    with_trees, log_with = _logged_learner(tmp_path, "b", stateful=True)

    alone = _grade(without_trees)
    as_a_fresh_process()
    memo_share.attach(folder)  # process one
    _grade(model)
    assert memo_share.JOURNAL.published == len(memo.MEMO.trees) > 0
    as_a_fresh_process()
    memo_share.JOURNAL = Journal(folder, "two.memo")  # process two
    after = _grade(with_trees)

    assert memo_share.JOURNAL.absorbed > 0
    assert memo.MEMO.hits > 0  # tests answered from the first process's trees
    assert [vars(o) for o in after] == [vars(o) for o in alone]
    assert any(o.status == Status.FAILED for o in after)
    assert log_with.read_text() == log_without.read_text()
    assert memo.MEMO.conflicts == 0


def test_a_learner_answering_as_another_process_learner_is_answered_wholly_from_its_trees(
    tmp_path, folder, store
):
    first, _ = _logged_learner(tmp_path, "first", stateful=False, mistake=None)
    second, _ = _logged_learner(tmp_path, "second", stateful=False, mistake=None)
    memo_share.attach(folder)
    before = _grade(first)
    as_a_fresh_process()
    memo_share.JOURNAL = Journal(folder, "two.memo")
    assert _grade(second) == before
    assert memo.MEMO.hits == len(before) and memo.MEMO.misses == 0
    assert memo_share.JOURNAL.published == 0  # nothing new learnt: nothing to send back


def test_nothing_is_shared_without_a_recording_store(tmp_path, folder):
    """Without bubblewrap grading keeps no store, and learner code could reach the folder."""
    model, _ = _logged_learner(tmp_path, "model", stateful=False)
    memo_share.attach(folder)
    _grade(model)
    assert memo.MEMO.trees and list(folder.iterdir()) == []


def test_nothing_is_shared_with_gradelab_memo_off(tmp_path, folder, store, monkeypatch):
    monkeypatch.setenv(memo.ENV, "off")
    model, _ = _logged_learner(tmp_path, "model", stateful=False)
    memo_share.attach(folder)
    _grade(model)
    assert list(folder.iterdir()) == []


def test_a_key_holding_tuples_reads_back_hashable_as_it_was():
    item = Learnt(("node", ("a", 1), 6, True), [], _learnt().outcome)
    (found,), _, _ = read_records(encode_record(item))
    assert found == item and hash(found.key) == hash(item.key)


def test_what_cannot_be_read_now_never_fails_the_grade(folder):
    """A file that cannot be opened (here a folder of that name) is passed over; a shared
    folder gone (the pool stopped) gives nothing."""
    theirs, there = Journal(folder, "b.memo"), Memo()
    theirs.absorb(there)
    there.add(("k",), [], _learnt().outcome)
    theirs.publish(there)
    (folder / "c.memo").mkdir(mode=0o700)
    assert Journal(folder, "a.memo").absorb(Memo()) == 1
    assert Journal(folder / "gone", "a.memo").absorb(Memo()) == 0


# -- the Dask workers of one machine -----------------------------------------------------------


def test_a_run_folder_is_private_and_the_folders_of_stale_runs_go(tmp_path):
    store = tmp_path / "store"
    old = memo_share.run_folder(store, "run1")
    (old / "w-1.memo").write_bytes(b"x")
    recent = memo_share.run_folder(store, "run2")
    assert old.parent == recent.parent == store / memo_share.RUNS
    assert all(p.stat().st_mode & 0o777 == 0o700 for p in (old.parent, old, recent))
    day_ago = time.time() - memo_share.STALE_SECONDS - 60
    for path in (old, old / "w-1.memo"):
        os.utime(path, (day_ago, day_ago))
    memo_share.run_folder(store, "run3")
    assert not old.exists() and recent.exists()
    with pytest.raises(ValueError):
        memo_share.run_folder(store, "../elsewhere")


def test_attach_names_the_file_by_host_and_process_and_keeps_a_journal_attached(tmp_path):
    memo_share.attach(tmp_path)
    journal = memo_share.JOURNAL
    assert journal.name == f"{socket.gethostname()}-{os.getpid()}{memo_share.SUFFIX}"
    memo_share.attach(tmp_path)
    assert memo_share.JOURNAL is journal  # read offsets kept
    memo_share.attach(tmp_path / "other")
    assert memo_share.JOURNAL.folder == tmp_path / "other"


def test_a_dask_task_shares_trees_only_with_a_store_and_a_run(tmp_path, monkeypatch):
    from grader.cluster import tasks
    from grader.engine import recordings
    from grader.engine.recordings import RecordingStore
    from grader.settings import GradeSettings

    settings = GradeSettings(("activations",))
    monkeypatch.setattr(recordings, "for_settings", lambda s: None)
    tasks._share_trees(settings, "abc123")
    assert memo_share.JOURNAL is None
    store = RecordingStore(tmp_path / "store", "kit")
    monkeypatch.setattr(recordings, "for_settings", lambda s: store)
    tasks._share_trees(settings, "")
    assert memo_share.JOURNAL is None
    tasks._share_trees(settings, "abc123")
    assert memo_share.JOURNAL.folder == store.folder / memo_share.RUNS / "abc123"


def test_a_worker_makes_its_run_folder_and_clears_stale_runs_once_per_run(tmp_path):
    store = tmp_path / "store"
    memo_share.attach_run(store, "run1")
    journal = memo_share.JOURNAL
    stale = store / memo_share.RUNS / "old"
    stale.mkdir(mode=0o700)
    day_ago = time.time() - memo_share.STALE_SECONDS - 60
    os.utime(stale, (day_ago, day_ago))
    memo_share.attach_run(store, "run1")  # the next task of the same run: nothing made or scanned
    assert memo_share.JOURNAL is journal and stale.exists()
    memo_share.attach_run(store, "run2")
    assert memo_share.JOURNAL.folder == store / memo_share.RUNS / "run2" and not stale.exists()
