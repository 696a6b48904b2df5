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


PROBE = """import os  # nothing the worker has not imported: this Python may be closed to the uid

def reach(out, grader):
    found = {"uid": os.getuid()}
    try:
        with open(os.path.join(out, "forged.json"), "w") as fh:
            fh.write("{}")
        found["write"] = "written"
    except OSError as exc:
        found["write"] = type(exc).__name__
    try:
        os.kill(grader, 0)
        found["signal"] = "sent"
    except OSError as exc:
        found["signal"] = type(exc).__name__
    fd = os.open(os.path.join(os.environ["TMPDIR"], "mine"), os.O_CREAT | os.O_WRONLY)
    os.close(fd)  # its own TMPDIR is writable
    found["cwd"] = os.path.basename(os.getcwd())
    return found
"""


@pytest.fixture
def without_bubblewrap(monkeypatch):
    """This process's sandbox as a root grader where bubblewrap does not work, and an unprivileged
    uid can run this Python (its probe is :func:`test_the_uid_drop_probe_tells_whether_...`;
    here the learner code imports nothing the worker has not, so a Python installed under
    /root, closed to other users, serves too)."""
    import grader.engine.sandbox as sandbox

    monkeypatch.setattr(sandbox, "find_bwrap", lambda: None)
    monkeypatch.setattr(sandbox, "_probe_uid_drop", lambda base: None)
    detect.cache_clear()
    yield detect("auto")
    detect.cache_clear()


def test_the_uid_drop_probe_tells_whether_the_uid_can_import_the_standard_library():
    """Without bubblewrap the worker reads Python's files through the host's folders: a Python
    installed under /root (0700) cannot import ``signal`` once the uid is dropped. The probe says
    so (and then there is no drop, and the warning gives the reason), or passes where it can."""
    import sysconfig

    from grader.engine.sandbox import _probe_uid_drop

    stdlib = Path(sysconfig.get_path("stdlib"))
    uid = WORKER_UID_BASE + os.getpid()
    readable = subprocess.run(
        [sys.executable, "-c", f"import os; os.setgid({uid}); os.setuid({uid}); "
         f"os.listdir({str(stdlib)!r})"],
        capture_output=True,
    ).returncode == 0  # fmt: skip
    said = _probe_uid_drop(WORKER_UID_BASE)
    assert (said is None) == readable, said
    if said is not None:
        assert said.startswith("an unprivileged uid cannot run this Python: ")


def test_without_bubblewrap_a_root_grader_still_drops_the_uid(without_bubblewrap, tmp_path):
    """Where bubblewrap fails (a container forbidding namespaces, as Gradescope's), a root grader
    ran learner code as root: it could rewrite results.json and the gradebook, and kill the
    grader. Now the worker still drops to its unprivileged uid (after loading every gradelab
    file it runs), and the sandbox's layers say so."""
    sandbox = without_bubblewrap
    assert sandbox.bwrap is None and sandbox.drop_uid == WORKER_UID_BASE
    assert "unprivileged-uid" in sandbox.layers and "bubblewrap" not in sandbox.layers
    assert "cannot signal the grader" in (sandbox.warning or "")
    out = tmp_path / "out"
    out.mkdir(mode=0o755)  # as an output folder is: others may read, not write
    learner = tmp_path / "learner"
    learner.mkdir(mode=0o700)  # a grader-made copy under a private temporary folder
    (learner / "probe.py").write_text(PROBE)
    with WorkerProcess(learner, Limits(call_timeout=30), sandbox=sandbox) as worker:
        found = worker.call("probe", "reach", [str(out), os.getpid()], {})
        assert found == {
            "uid": sandbox.worker_uid(),
            "write": "PermissionError",
            "signal": "PermissionError",
            "cwd": "work",
        }
        assert worker.call("probe", "reach", [str(out), os.getpid()], {})["uid"] != 0
    assert not (out / "forged.json").exists()


SNOOP = """import os

def snoop(tmp):
    found = []
    for name in os.listdir(tmp):
        if name.startswith("gradelab-scratch-") and name not in os.getcwd():  # not its own
            for part in ("submission/secret.py", "work"):
                try:
                    path = os.path.join(tmp, name, part)
                    found.append(open(path).read() if part.endswith(".py") else os.listdir(path))
                except OSError:
                    pass
    return found
"""


def test_without_bubblewrap_a_classmate_graded_at_once_cannot_read_the_copy(
    without_bubblewrap, tmp_path
):
    """The submission's copy and working folder sit in /tmp, where any uid can list them: they
    are the worker uid's alone, so a classmate's worker (another grading process, another uid)
    finds the folder but opens neither."""
    import tempfile
    from dataclasses import replace

    sandbox = without_bubblewrap
    victim, snooper = tmp_path / "victim", tmp_path / "snooper"
    victim.mkdir()
    snooper.mkdir()
    (victim / "secret.py").write_text("ANSWER = 42\n\ndef ok():\n    return 1\n")
    (snooper / "probe.py").write_text(SNOOP)
    other = replace(sandbox, drop_uid=sandbox.drop_uid + 1)  # as another grading process's
    with (
        WorkerProcess(victim, Limits(call_timeout=30), sandbox=other) as first,
        WorkerProcess(snooper, Limits(call_timeout=30), sandbox=sandbox) as second,
    ):
        assert first.call("secret", "ok", [], {}) == 1  # its copy is in place
        assert second.call("probe", "snoop", [tempfile.gettempdir()], {}) == []
