"""grader.outputs.atomic_write: whole files, readable modes that follow the umask."""

from __future__ import annotations

import os
import stat

from grader.outputs import atomic_write


def test_output_files_are_0644_under_umask_022(tmp_path):
    """mkstemp's 0600 is not kept: staff sharing the output folder can read the files."""
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "grades.csv", "a,b\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "grades.csv").stat().st_mode) == 0o644
    assert (tmp_path / "grades.csv").read_text() == "a,b\n"


def test_output_file_mode_respects_a_stricter_umask(tmp_path):
    """An instructor who sets umask 077 gets 0600 files."""
    old = os.umask(0o077)
    try:
        atomic_write(tmp_path / "x.md", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "x.md").stat().st_mode) == 0o600


def test_a_full_disk_names_the_file_asked_for_and_leaves_no_temporary(tmp_path, monkeypatch):
    """ENOSPC from the write itself carries no file name: `gradelab gradescope --out` on a full
    disk printed "No space left on device" and nothing else."""
    import errno

    import pytest

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as caught:
        atomic_write(tmp_path / "autograder.zip", b"x")
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename == str(tmp_path / "autograder.zip")
    assert list(tmp_path.iterdir()) == []
