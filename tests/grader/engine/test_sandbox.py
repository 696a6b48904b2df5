"""grader/engine/sandbox.py: as root, each grading process's workers run as an unprivileged uid of
their own, so learners graded at once (``--jobs N``, Dask workers on one host) share no per-uid
limit such as RLIMIT_NPROC (one learner holding 480 threads left a classmate unable to start 30)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.engine.process import Limits, WorkerProcess
from grader.engine.sandbox import WORKER_UID_BASE, detect

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the uid drop is for a root grader")

UID = "import os\n\ndef uid(x):\n    return [os.getuid(), os.geteuid()]\n"


def test_each_grading_process_has_a_worker_uid_of_its_own():
    sandbox = detect("auto")
    if sandbox.drop_uid is None:
        pytest.skip("no uid drop here")
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "from grader.engine.sandbox import detect; print(detect('auto').worker_uid())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    mine = sandbox.worker_uid()
    assert mine == WORKER_UID_BASE + os.getpid()
    assert int(other.stdout) != mine and int(other.stdout) >= WORKER_UID_BASE


def test_learner_code_runs_as_that_uid(tmp_path: Path):
    sandbox = detect("auto")
    if not sandbox.bwrap:
        pytest.skip("bubblewrap unavailable here: no uid drop without it")
    (tmp_path / "who.py").write_text(UID)
    with WorkerProcess(tmp_path, Limits(call_timeout=30), sandbox=sandbox) as worker:
        assert worker.call("who", "uid", [0], {}) == [sandbox.worker_uid()] * 2
