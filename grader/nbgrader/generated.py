"""Files a command generates, written so that a re-run never loses anybody's edits.

``gradelab nbgrader --out DIR`` and ``gradelab notebooks --out DIR`` write files that people then
edit: an instructor rewords a lesson or adds a cell in ``source/<assignment>/<topic>.ipynb`` or
changes the timeout in ``nbgrader_config.py``; a learner fills in a learner notebook. A re-run
(new hidden tests, a fixed lesson) must update what it wrote and nobody touched, and must never
silently replace the rest.

``DIR/.gradelab/manifest.json`` records, for each file written, the sha256 of the bytes written.
On a re-run each file to write is

- *new* (absent): written;
- *untouched* (its bytes hash to a recorded value): replaced by the new content, or left as it is
  when that is the same;
- *edited* (present, hash not recorded: changed since it was written, or never written by this
  manifest: a course built by an older gradelab, a file put there by hand; unless its bytes are
  exactly what would be written): the run refuses before writing anything, with
  :class:`EditedFiles` naming each file and why. With ``force`` they are overwritten, their bytes
  first moved to ``DIR/.gradelab/replaced/<UTC time>/<path>``, so even a forced run loses nothing.

A write is atomic: the bytes go to a temporary file under ``DIR/.gradelab/tmp/`` (never beside the
target: nbgrader copies every file of ``source/<assignment>/`` into the student release, so a
temporary left there by a crash would hand a solution notebook to the students), are flushed to
disk and ``os.replace``-d onto the target. Before the rename the manifest records the old and the
new hash both as the file's own, so a crash at any point leaves every file whole and recognised
as untouched by the next run; after the last rename it keeps only the new hashes.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader.outputs import named

STATE = ".gradelab"  # under the output folder: manifest, temporaries, replaced copies
MANIFEST = "manifest.json"


class EditedFiles(ValueError):
    """A re-run would overwrite files edited since they were written; the message names them."""

    def __init__(self, out: Path, edited: Mapping[str, str]) -> None:
        self.edited = dict(edited)
        listed = "; ".join(f"{rel} ({why})" for rel, why in sorted(edited.items()))
        super().__init__(
            f"{out}: nothing written: {len(edited)} file(s) changed since gradelab wrote them "
            f"would be overwritten: {listed}. Move them away to get the new version, or give "
            f"--force to overwrite them (their current bytes are kept under {out / STATE}/replaced/)"
        )


@dataclass
class WriteReport:
    """What a write did, by path relative to the output folder."""

    written: list[str] = field(default_factory=list)  # new files
    updated: list[str] = field(default_factory=list)  # untouched files, new content
    unchanged: list[str] = field(default_factory=list)  # untouched files, same content
    replaced: dict[str, str] = field(default_factory=dict)  # edited, forced: rel -> kept copy

    def lines(self) -> list[str]:
        """One line per kind of action taken, for the console."""
        out = []
        for what, names in (
            ("new", self.written),
            ("updated", self.updated),
            ("unchanged", self.unchanged),
        ):
            if names:
                out.append(f"{what}: {', '.join(names)}")
        out += [
            f"overwritten (--force): {rel}; its edited copy: {k}"
            for rel, k in self.replaced.items()
        ]
        return out


def digest(data: bytes) -> str:
    """The sha256 the manifest records for ``data``."""
    return hashlib.sha256(data).hexdigest()


def read_manifest(out: Path) -> dict[str, list[str]]:
    """``{relative path: [hashes written]}``; empty when absent or unreadable (then every
    existing file counts as edited, the safe side)."""
    try:
        data = json.loads((out / STATE / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        return {
            str(rel): [str(h) for h in hashes]
            for rel, hashes in files.items()
            if isinstance(hashes, list)
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write_manifest(out: Path, files: Mapping[str, list[str]]) -> None:
    body = json.dumps({"version": 1, "files": dict(sorted(files.items()))}, indent=1) + "\n"
    _atomic_write(out, out / STATE / MANIFEST, body.encode())


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def edited_files(
    out: Path, contents: Mapping[str, bytes | None], manifest: Mapping[str, list[str]] | None = None
) -> dict[str, str]:
    """``{relative path: why}`` of the files a write of ``contents`` would overwrite though
    someone changed them. A content of None (not known yet) only checks recorded files, so a
    command can refuse before the slow work of producing the content."""
    recorded = read_manifest(out) if manifest is None else manifest
    edited = {}
    for rel, new in contents.items():
        path = out / rel
        if path.is_symlink() or (path.exists() and not path.is_file()):
            edited[rel] = "not a regular file"
            continue
        old = _current(path)
        if old is None or (new is not None and old == new):
            continue
        if rel in recorded:
            if digest(old) not in recorded[rel]:
                edited[rel] = "edited since gradelab wrote it"
        elif new is not None:
            edited[rel] = "not written by gradelab (no record in its manifest)"
    return edited


def write_files(out: Path, contents: Mapping[str, bytes], *, force: bool = False) -> WriteReport:
    """Write ``contents`` (``{path relative to out: bytes}``) under ``out`` as the module
    docstring says; raises :class:`EditedFiles` (nothing written) unless ``force``."""
    out = Path(out)
    manifest = read_manifest(out)
    edited = edited_files(out, contents, manifest)
    if edited and not force:
        raise EditedFiles(out, edited)
    clear_temporaries(out)
    report = WriteReport()
    replaced_dir: Path | None = None
    for rel, new in contents.items():
        path = out / rel
        old = None if path.is_symlink() or not path.is_file() else _current(path)
        if old == new:
            report.unchanged.append(rel)
            continue
        if rel in edited:
            if replaced_dir is None:
                (out / STATE / "replaced").mkdir(parents=True, exist_ok=True)
                stamp = time.strftime("%Y%m%dT%H%M%SZ-", time.gmtime())
                replaced_dir = Path(tempfile.mkdtemp(prefix=stamp, dir=out / STATE / "replaced"))
            kept = replaced_dir / rel
            kept.parent.mkdir(parents=True, exist_ok=True)
            if old is not None:
                shutil.copy2(path, kept)  # the edited file stays in place until replaced
            else:
                os.replace(path, kept)  # a link or a folder in the way: moved aside whole
            report.replaced[rel] = kept.relative_to(out).as_posix()
        (report.written if old is None else report.updated).append(rel)
        manifest[rel] = sorted({digest(new), *([digest(old)] if old is not None else [])})
        _write_manifest(out, manifest)  # a crash from here on leaves old or new: both ours
        _atomic_write(out, path, new)
    for rel, new in contents.items():
        manifest[rel] = [digest(new)]  # every file now holds exactly what was generated
    _write_manifest(out, manifest)
    return report


def _atomic_write(out: Path, path: Path, data: bytes) -> None:
    """``path`` holds its old bytes or ``data``, never a part of them."""
    tmp_dir = out / STATE / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        try:
            _write_then_rename(tmp_dir, path, data)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            # the target's folder is another file system (a mount under out): rename within it
            _write_then_rename(path.parent, path, data)
    except OSError as exc:  # ENOSPC from the write names no file: name the one asked for
        raise named(exc, path) from None


def _mode(path: Path) -> int:
    """The replaced file's permissions, or a new file's under the umask (``mkstemp`` makes
    0600 files: a course shared with graders or a hub would become unreadable to them)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write_then_rename(tmp_dir: Path, path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=tmp_dir, prefix=f".{path.name[:40]}.", suffix=".tmp")
    try:
        os.fchmod(fd, _mode(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def clear_temporaries(out: Path) -> None:
    """Remove the temporaries a crashed run left under ``out/.gradelab/tmp``."""
    shutil.rmtree(Path(out) / STATE / "tmp", ignore_errors=True)
