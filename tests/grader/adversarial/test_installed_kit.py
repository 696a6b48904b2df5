"""Attack: read the hidden tests, the reference and the solutions where the sandbox binds them in
by accident: the kit installed into a folder the sandbox shows learner code.

In a checkout with an editable install (this one) the kit lives outside every bound folder. But
``pip install .`` (or a wheel) copies ``grader/`` (the hidden tests), ``reference/`` and
``solutions/`` into the environment's site-packages, which bubblewrap binds in whole; a kit kept
under ``/usr`` or installed into the base Python is bound in with them. Here a stand-in installed
kit (a folder holding the kit's packages) is bound in as a second site-packages folder and made
the kit's root: learner code must find its packages empty.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.engine import sandbox as sandbox_module
from grader.engine.process import WorkerProcess

from ._support import LIMITS, sandboxes

SECRET = "the hidden suite's secret"
LOOK = textwrap.dedent(
    """
    import glob, os, sys

    def look():
        found = {}
        for folder in sys.path:
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


@pytest.fixture
def installed_kit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site-packages folder holding the kit's packages, bound into the sandbox beside the real
    one, and taken for the kit's root (as in an installed kit: sandbox.py is in it)."""
    site = tmp_path / "site-packages"
    for name in ("grader/hidden/test_activations.py", "reference/activations.py"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"# {SECRET}\n")
    (site / "solutions").mkdir()
    (site / "solutions" / "activations.py").write_text(f"# {SECRET}\n")
    for folder in (site, *site.rglob("*")):
        folder.chmod(0o755 if folder.is_dir() else 0o644)
    tmp_path.chmod(0o755)
    real = sandbox_module._interpreter

    def with_kit() -> tuple[str, list[tuple[str, str]]]:
        python, packages = real()
        return python, [*packages, (str(site), "/gradelab/site-packages-kit")]

    monkeypatch.setattr(sandbox_module, "_interpreter", with_kit)
    monkeypatch.setattr(sandbox_module, "KIT_ROOT", site, raising=False)
    return site


@pytest.mark.parametrize("sandbox", [p for p in sandboxes() if p.id == "bubblewrap"])
def test_an_installed_kit_is_empty_inside_the_sandbox(sandbox, installed_kit, tmp_path):
    folder = tmp_path / "learner"
    folder.mkdir()
    (folder / "spy.py").write_text(LOOK)
    with WorkerProcess(folder, LIMITS, sandbox=sandbox) as worker:
        found = worker.call("spy", "look", [], {})
    assert not any(SECRET in str(seen) for seen in found.values())
    # the stand-in is bound in (the attack looked in the right place), its packages empty
    assert found == {"grader": [], "reference": [], "solutions": []}
