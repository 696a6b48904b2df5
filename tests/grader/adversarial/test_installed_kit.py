"""Attack: read the hidden tests, the reference and the solutions where the sandbox binds them in
by accident: the kit installed into a folder the sandbox shows learner code.

In a checkout with an editable install (this one) the kit lives outside every bound folder. But
``pip install .`` (or a wheel) copies ``grader/`` (the hidden tests), ``reference/`` and
``solutions/`` into the environment's site-packages, which bubblewrap binds in whole; a kit kept
under ``/usr``, installed into the base Python or the system's, or an old copy left there, is
bound in with them. Two stand-ins: this kit installed (a site folder holding the kit's packages,
bound in as a second site-packages folder and made the kit's root), and another gradelab
installed into a Python prefix the sandbox binds (a site folder with its ``dist-info``). Learner
code must find their packages empty.
"""

from __future__ import annotations

import shutil
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.engine import sandbox as sandbox_module
from grader.engine.process import WorkerProcess

from ._support import LIMITS, sandboxes

SECRET = "the hidden suite's secret"
LOOK = textwrap.dedent(
    """
    import glob, os, sys

    def look(folders):
        found = {}
        for folder in folders:
            for name in ("grader/hidden/test_activations.py", "reference/activations.py",
                         "solutions/activations.py", "grader", "reference", "solutions"):
                path = os.path.join(folder, name)
                if os.path.isfile(path):
                    with open(path) as fh:
                        found[name] = fh.read()
                elif os.path.isdir(path):
                    found[name] = sorted(os.listdir(path))
        return found
    """
)


def _stand_in(site: Path) -> Path:
    """A site folder holding the kit's secret packages (world-readable, as installed)."""
    for name in ("grader/hidden/test_activations.py", "reference/activations.py"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"# {SECRET}\n")
    (site / "solutions").mkdir()
    (site / "solutions" / "activations.py").write_text(f"# {SECRET}\n")
    for path in site.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return site


@pytest.fixture
def this_kit_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """This kit as ``pip install .`` leaves it: its packages in a bound site-packages folder."""
    site = _stand_in(tmp_path / "site-packages")
    real = sandbox_module._interpreter

    def with_kit() -> tuple[str, list[tuple[str, str]]]:
        python, packages = real()
        return python, [*packages, (str(site), "/gradelab/site-packages-kit")]

    monkeypatch.setattr(sandbox_module, "_interpreter", with_kit)
    monkeypatch.setattr(sandbox_module, "KIT_ROOT", site, raising=False)
    return "/gradelab/site-packages-kit"


@pytest.fixture
def another_gradelab_in_a_bound_prefix(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An older gradelab installed into a Python prefix the sandbox binds whole (as it binds
    ``/usr`` and the base interpreter's prefix); not under /tmp, which the sandbox's own tmpfs
    covers."""
    prefix = Path(tempfile.mkdtemp(prefix="gradelab-prefix-", dir="/var/tmp"))
    try:
        prefix.chmod(0o755)
        site = _stand_in(prefix / "lib" / "python3.11" / "site-packages")
        (site / "gradelab-0.0.1.dist-info").mkdir(mode=0o755)
        real = sandbox_module._python_paths
        monkeypatch.setattr(sandbox_module, "_python_paths", lambda: [*real(), str(prefix)])
        yield str(site)
    finally:
        shutil.rmtree(prefix)


@pytest.mark.parametrize("sandbox", [p for p in sandboxes() if p.id == "bubblewrap"])
@pytest.mark.parametrize("where", ["this_kit_installed", "another_gradelab_in_a_bound_prefix"])
def test_an_installed_kit_is_empty_inside_the_sandbox(sandbox, where, request, tmp_path):
    folder = request.getfixturevalue(where)
    learner = tmp_path / "learner"
    learner.mkdir()
    (learner / "spy.py").write_text(LOOK)
    with WorkerProcess(learner, LIMITS, sandbox=sandbox) as worker:
        found = worker.call("spy", "look", [[folder]], {})
    assert not any(SECRET in str(seen) for seen in found.values())
    # the stand-in is bound in (the attack looked in the right place), its packages empty
    assert found == {"grader": [], "reference": [], "solutions": []}
