"""``gradelab gradescope``: the autograder zip a Gradescope programming assignment runs.

Layout (Gradescope unpacks it into ``/autograder/source``)::

    setup.sh                   installs bubblewrap, Python >= 3.11 and gradelab (scripts.py)
    run_autograder             grades /autograder/submission (scripts.py, run.py)
    gradelab-autograder.json   topics, visibility per topic, examples, shrinking (config.py)
    gradelab/                  the project's source tree: pyproject.toml, requirements.lock,
                               README.md, grader/ (with the hidden tests), reference/,
                               exercises/, lessons/; never solutions/ or caches

The zip is deterministic (sorted entries, fixed timestamps): the same project and settings give
the same bytes, so a rebuilt autograder that did not change need not be uploaded again.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from grader.autograder.config import CONFIG_NAME, AutograderConfig
from grader.autograder.scripts import RUN_AUTOGRADER, SETUP_SH
from grader.outputs import atomic_write

PROJECT = Path(__file__).resolve().parents[2]
#: what of the project the autograder needs (packages the install finds, and its metadata)
SHIPPED = (
    "pyproject.toml",
    "requirements.lock",
    "README.md",
    "grader",
    "reference",
    "exercises",
    "lessons",
)
SKIPPED_PARTS = frozenset({"__pycache__", "solutions"})
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".egg-info")
EPOCH = (1980, 1, 1, 0, 0, 0)  # zip's earliest timestamp: no build time in the bytes


class PackageError(RuntimeError):
    """The project tree lacks something the autograder must ship."""


def project_files(project: Path = PROJECT) -> list[tuple[str, Path]]:
    """(path inside the zip, file) for the shipped part of the project, sorted."""
    files = []
    for name in SHIPPED:
        top = project / name
        if not top.exists():
            raise PackageError(f"{top} is missing: build the autograder from a gradelab checkout")
        candidates = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in candidates:
            rel = path.relative_to(project)
            if any(part in SKIPPED_PARTS or part.startswith(".") for part in rel.parts):
                continue
            if path.name.endswith(SKIPPED_SUFFIXES) or path.is_symlink():
                continue
            files.append((f"gradelab/{rel.as_posix()}", path))
    return sorted(files)


def _entry(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    zf.writestr(info, data)


def autograder_zip(config: AutograderConfig, project: Path = PROJECT) -> bytes:
    """The autograder zip's bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        _entry(zf, "setup.sh", SETUP_SH.encode(), executable=True)
        _entry(zf, "run_autograder", RUN_AUTOGRADER.encode(), executable=True)
        _entry(zf, CONFIG_NAME, config.to_json().encode())
        for name, path in project_files(project):
            _entry(zf, name, path.read_bytes())
    return buf.getvalue()


def build_autograder(out: Path, config: AutograderConfig, project: Path = PROJECT) -> int:
    """Write the autograder zip to ``out``; returns its size in bytes."""
    data = autograder_zip(config, project)
    atomic_write(out, data)
    return len(data)
