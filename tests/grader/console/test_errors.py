"""grader/console/errors.py: an OSError on an output path reads as the path and what is wrong
with it, in the instructor's terms."""

from __future__ import annotations

import errno
import os

import pytest

from grader.console.errors import describe


def _raised(call) -> OSError:
    with pytest.raises(OSError) as caught:
        call()
    return caught.value


def test_a_file_where_a_folder_is_needed_is_named_as_such(tmp_path):
    (tmp_path / "afile").write_text("x\n")
    exc = _raised(lambda: (tmp_path / "afile").mkdir(parents=True, exist_ok=True))
    assert describe(exc) == f"{tmp_path / 'afile'}: a file is there, where a folder is needed"
    # below a file: the file is named, not the path the command made up under it
    exc = _raised(lambda: (tmp_path / "afile" / "x" / "y").mkdir(parents=True, exist_ok=True))
    assert describe(exc) == f"{tmp_path / 'afile'}: a file is there, where a folder is needed"


def test_a_folder_where_a_file_is_needed_names_the_target_of_a_rename(tmp_path):
    (tmp_path / "src").write_text("x\n")
    (tmp_path / "dst").mkdir()
    exc = _raised(lambda: os.replace(tmp_path / "src", tmp_path / "dst"))
    assert describe(exc) == f"{tmp_path / 'dst'}: a folder is there, where a file is needed"


def test_other_errors_keep_the_systems_wording():
    exc = PermissionError(errno.EACCES, "Permission denied", "/sys/x.csv")
    assert describe(exc) == "/sys/x.csv: Permission denied"
    assert describe(OSError(errno.ENOSPC, "No space left on device")) == "No space left on device"
