"""Submission files for the intake tests: a topic file that imports, zips as learners make them."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

#: a topic file (activations.py) that imports
GOOD = b"def relu(x):\n    return x\n"


def make_zip(path: Path, entries: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    """A zip at ``path`` of ``entries`` (name → bytes) and symbolic ``links`` (name → target)."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path
