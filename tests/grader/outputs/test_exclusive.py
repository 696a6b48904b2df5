"""``exclusive(out)``: one run writes an output folder at a time, and leaves nothing behind."""

from __future__ import annotations

import fcntl
import os

import pytest

from grader.outputs import LOCK_NAME, OutputBusy, exclusive


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path):
    out = tmp_path / "out"
    with exclusive(out), pytest.raises(OutputBusy, match=f"pid {os.getpid()}"), exclusive(out):
        pass


def test_a_run_leaves_no_lock_file_and_removes_an_out_it_made_and_left_empty(tmp_path):
    """The lock file stayed in every graded --out (a file the instructor never asked for), and
    a run refused before writing (an unreachable Dask scheduler) left an --out it had made."""
    out = tmp_path / "new" / "out"
    with exclusive(out):
        assert (out / LOCK_NAME).read_text() == f"{os.getpid()}\n"
    assert not out.exists()
    with exclusive(out):
        (out / "grades.csv").write_text("learner\n")
    assert sorted(p.name for p in out.iterdir()) == ["grades.csv"]


def test_an_out_that_was_there_is_kept_even_when_empty(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with exclusive(out):
        pass
    assert out.is_dir() and not any(out.iterdir())


def test_a_lock_file_removed_between_open_and_lock_is_opened_again(tmp_path, monkeypatch):
    """The run before unlinks the file while it holds it: a run that opened the old file and
    locked it after would hold a lock nobody else can see, and a third run would get in too."""
    out = tmp_path / "out"
    out.mkdir()
    real = fcntl.flock
    seen: list[int] = []

    def flock_after_the_previous_run_removed_it(fd: int, op: int) -> None:
        if not seen:
            os.unlink(out / LOCK_NAME)  # the previous holder ends between our open and lock
        seen.append(os.fstat(fd).st_ino)
        real(fd, op)

    monkeypatch.setattr(fcntl, "flock", flock_after_the_previous_run_removed_it)
    with exclusive(out):
        monkeypatch.setattr(fcntl, "flock", real)
        assert len(seen) == 2  # opened anew after finding its first file gone
        assert os.stat(out / LOCK_NAME).st_ino == seen[-1]
        with pytest.raises(OutputBusy), exclusive(out):
            pass
