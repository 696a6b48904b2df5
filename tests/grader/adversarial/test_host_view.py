"""What learner code sees of the host: under bubblewrap, no host path of the virtual environment,
the worker's folder, the repository or the submission; not in ``/proc`` (mount table, command
lines, environment, memory map: there is no ``/proc`` but ``cpuinfo``), not in the interpreter's
own paths, not in the installed packages' records of where they came from.

Without bubblewrap there is no mount namespace: the worker runs from the host's paths and the
host's ``/proc`` is there, which is asserted as the documented gap (and shows the probe finds a
leak when there is one).
"""

from __future__ import annotations

import sys
import textwrap

import pytest

from grader.engine.process import WORKER, WorkerProcess

from ._support import LIMITS, REPO, sandboxes

LOOK = textwrap.dedent(
    """
    import glob, os, sys

    def look():
        seen = {}
        for name in ("self/mountinfo", "1/cmdline", "1/environ", "self/cmdline", "self/environ",
                     "self/maps", "1/mountinfo", "mounts"):
            try:
                with open(f"/proc/{name}", "rb") as fh:
                    seen[name] = fh.read().decode(errors="replace")
            except OSError as exc:
                seen[name] = f"unreadable: {exc.strerror}"
        import numpy
        seen["interpreter"] = repr([sys.executable, sys.prefix, sys.path, numpy.__file__])
        seen["environment"] = repr([dict(os.environ), os.getcwd()])
        records = []
        for folder in sys.path:
            for pattern in ("__editable__*", "*.dist-info/direct_url.json", "*.pth"):
                for path in glob.glob(os.path.join(folder, pattern)):
                    try:
                        with open(path, errors="replace") as fh:
                            records.append(fh.read())
                    except OSError:
                        pass
        seen["records"] = "\\n".join(records)
        seen["listing"] = repr({d: sorted(os.listdir(d)) for d in ("/", "/proc", "/tmp")})
        return seen
    """
)


@pytest.mark.parametrize("sandbox", sandboxes())
def test_learner_code_sees_no_host_path_of_the_grader_or_the_submission(sandbox, tmp_path):
    folder = tmp_path / "learner-submission-folder"
    folder.mkdir()
    (folder / "spy.py").write_text(LOOK)
    secrets = {
        "virtual environment": sys.prefix,
        "worker folder": str(WORKER.parent),
        "repository": str(REPO),
        "submission": str(folder),
    }
    with WorkerProcess(folder, LIMITS, sandbox=sandbox) as worker:
        seen = worker.call("spy", "look", [], {})
    leaks = sorted(
        f"{what} in {where}"
        for where, text in seen.items()
        for what, path in secrets.items()
        if path in text
    )
    if sandbox.bwrap:
        assert leaks == []
        assert seen["self/mountinfo"].startswith("unreadable")
        assert seen["1/cmdline"].startswith("unreadable")
        assert "site-packages/numpy" in seen["interpreter"]  # the packages are there, elsewhere
    else:  # the documented gap: no mount namespace, the host's /proc
        assert "worker folder in self/cmdline" in leaks
        assert "submission in self/cmdline" in leaks
