"""grader/engine/worker_setup.py: the worker's environment holds nothing of the grader's, and the
files it reads are readable by it whatever the umask they were copied under."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from grader.engine.worker_setup import clean_env, set_modes, unprivileged_scratch


def test_the_environment_is_built_whole_never_inherited(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "hunter2")
    monkeypatch.setenv("PYTHONPATH", "/instructor/kit")
    env = clean_env("/scratch")
    assert "AWS_SECRET_ACCESS_KEY" not in env and "PYTHONPATH" not in env
    assert env["HOME"] == env["TMPDIR"] == "/scratch"
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1"
    assert env["HF_HUB_OFFLINE"] == "1"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_copy_made_under_umask_077_gets_the_modes_asked_for_in_every_folder(tmp_path: Path):
    old = os.umask(0o077)
    try:
        (tmp_path / "sub" / "mypkg" / "deep").mkdir(parents=True)
        (tmp_path / "sub" / "activations.py").write_text("A = 1\n")
        (tmp_path / "sub" / "mypkg" / "deep" / "util.py").write_text("B = 1\n")
    finally:
        os.umask(old)
    set_modes(tmp_path / "sub", 0o755, 0o644)
    for folder in ("sub", "sub/mypkg", "sub/mypkg/deep"):
        assert _mode(tmp_path / folder) == 0o755
    for file in ("sub/activations.py", "sub/mypkg/deep/util.py"):
        assert _mode(tmp_path / file) == 0o644


@pytest.mark.skipif(os.geteuid() != 0, reason="giving files to another uid needs root")
def test_the_unprivileged_scratch_is_the_worker_uids_alone_and_links_stay_links(tmp_path: Path):
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "activations.py").write_text("A = 1\n")
    (submission / "elsewhere.py").symlink_to("/etc/passwd")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    copy, work = unprivileged_scratch(scratch, submission, 4242)
    assert _mode(scratch) == 0o711  # traversable, not listable
    assert _mode(copy) == 0o700 and copy.stat().st_uid == 4242
    assert _mode(copy / "activations.py") == 0o600
    assert (copy / "elsewhere.py").is_symlink()  # copied as a link, never followed
    assert _mode(Path(work)) == 0o700 and Path(work).stat().st_uid == 4242
