"""Reading and fingerprinting one submission (a folder or zip of ``<topic>.py`` files).

A submission is a folder or ``.zip`` holding ``<topic>.py`` files at its root or under
``exercises/``; a class folder holds one submission (folder or zip) per learner, named after the
learner (:mod:`grader.class_folder` finds them). Zips are read defensively: no absolute or ``..``
paths, no links, an entry count read from the end record before anything is parsed, bounded
sizes, and only topic files and helpers are inflated (a data set zipped beside the code is never
read and counts toward no limit), so a zip cannot write outside the folder it is unpacked into.
In folders, a symbolic link is never followed (``exercises/``, a topic file or a helper), and a
file that cannot be read (permission denied, a FIFO) is a problem for that file alone.
The learner's own helper modules and packages beside the topic files (``helpers.py``,
``mypkg/__init__.py``, ``mypkg/util.py``; at most two folders deep, :data:`MAX_HELPER_FILES` of
them, each within :data:`MAX_FILE_BYTES`) travel with them, so ``from . import helpers`` works in
grading as it does under ``gradelab check``.
A ``<topic>.ipynb`` counts as ``<topic>.py``: its code cells are extracted (IPython magics and shell
escapes dropped, with a note in the feedback); a ``.py`` beside it wins. A notebook may weigh up to
:data:`MAX_NOTEBOOK_BYTES` (its plots are base64 in it); its code is held to :data:`MAX_FILE_BYTES`.

Everything here is learner data read outside the sandbox: whatever a zip, a notebook or a file
name holds, reading it ends in a :class:`Submission` (its ``problems`` naming what could not be
read) and never stops the class. Learner ids come from file names, which need not be valid UTF-8:
undecodable bytes are kept visible as ``\\xNN`` so the id is always printable text.
"""

from __future__ import annotations

import codecs
import hashlib
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader import archive
from grader.layout import (
    SOURCE_SUFFIXES,
    in_tool_folder,
    listed_names,
    posix_name,
    shortened,
)
from reference import TOPICS

MAX_FILE_BYTES = 2 * 1024 * 1024  # a topic file larger than this is not a real answer
#: a notebook's outputs (plots as base64) make it larger than its code; its code is then held
#: to MAX_FILE_BYTES like a .py file's
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_TOTAL_BYTES = 64 * 1024 * 1024  # of the members that are read (code), never of data
MAX_HELPER_FILES = 64  # helper modules carried beside the topic files


class SubmissionError(ValueError):
    """A submission that cannot be read safely; the message says why."""


@dataclass(frozen=True)
class Submission:
    """One learner's files: topic name → source bytes, plus where they came from."""

    learner: str
    origin: Path
    files: dict[str, bytes]  # "activations" -> bytes; helpers too: "helpers", "mypkg/__init__"
    problems: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        """sha256 over the sorted topic files: equal content, equal hash, wherever it came from.

        A submission with no files at all hashes its problems too (which name the files it
        holds), so an empty folder and one holding only ``notes.txt`` differ in grades.csv."""
        digest = hashlib.sha256()
        for topic in sorted(self.files):
            digest.update(topic.encode() + b"\0" + hashlib.sha256(self.files[topic]).digest())
        if not self.files:  # nothing gradable: an empty folder and a folder of junk still differ
            for problem in self.problems:
                digest.update(b"\1" + problem.encode("utf-8", "surrogateescape") + b"\0")
        return digest.hexdigest()

    def write_to(self, folder: Path) -> Path:
        """Materialise the topic files flat in ``folder`` (for the worker)."""
        folder.mkdir(parents=True, exist_ok=True)
        for topic, data in self.files.items():
            if "/" in topic and helper_of(f"{topic}.py") != topic:
                continue  # only keys made by helper_of name files below the folder
            (folder / f"{topic}.py").parent.mkdir(parents=True, exist_ok=True)
            (folder / f"{topic}.py").write_bytes(data)
        return folder


def topic_of(name: str) -> str | None:
    """``activations.py`` or ``exercises/activations.py`` (any leading folder) → ``activations``."""
    path = PurePosixPath(name)
    if path.suffix not in SOURCE_SUFFIXES or path.stem not in TOPICS:
        return None
    parents = [p for p in path.parent.parts if p not in ("", ".")]
    if len(parents) > 2 or (parents and parents[-1] != "exercises" and len(parents) > 1):
        return None
    return path.stem


def helper_of(name: str) -> str | None:
    """``helpers.py``, ``mypkg/__init__.py``, ``mypkg/sub/util.py`` (also under ``exercises/``)
    → the module key ``helpers``, ``mypkg/__init__``, ... ; None for anything else (topic files,
    a root ``__init__.py``, names that are not Python identifiers, deeper files)."""
    path = PurePosixPath(name)
    parts = [p for p in path.parts if p not in ("", ".")]
    if parts and parts[0] == "exercises":
        parts = parts[1:]
    if not parts or path.suffix != ".py" or len(parts) > 3:
        return None
    names = [*parts[:-1], parts[-1][: -len(".py")]]
    if not all(n.isidentifier() and n.isascii() for n in names):
        return None
    if names[0] in TOPICS or names == ["__init__"]:
        return None  # a topic is no helper; the root package is the grader's own
    return "/".join(names)


def _add_helper(
    helpers: dict[str, bytes], problems: list[str], name: str, size: int, read: object
) -> None:
    """Carry the helper ``name`` (``read()`` gives its bytes) within the limits."""
    key = helper_of(name)
    if key is None or key in helpers:
        return
    if len(helpers) >= MAX_HELPER_FILES:
        _too_many_helpers(problems, name)
        return
    if size > MAX_FILE_BYTES:
        problems.append(f"{shortened(name)} is {size} bytes (limit {MAX_FILE_BYTES}): ignored")
        return
    try:
        data = read()  # type: ignore[operator]
    except Exception as exc:  # BadZipFile, zlib.error, an encrypted entry, ...: as for topics
        problems.append(f"{shortened(name)} cannot be read from the zip ({_why(exc)}): ignored")
        return
    if len(data) > MAX_FILE_BYTES:
        problems.append(f"{shortened(name)} expands past {MAX_FILE_BYTES} bytes: ignored")
        return
    helpers[key] = data


#: the end of the one problem saying helper modules past :data:`MAX_HELPER_FILES` are ignored
_HELPERS_PAST = "and every helper module after it ignored"


def _too_many_helpers(problems: list[str], name: str) -> None:
    """Say once (not once per file: 3,000 helpers made 2,936 lines of feedback) that the
    helper modules from ``name`` on are ignored."""
    if not any(p.endswith(_HELPERS_PAST) for p in problems):
        problems.append(
            f"more than {MAX_HELPER_FILES} helper modules: {shortened(name)} {_HELPERS_PAST}"
        )


def _limit(name: str) -> int:
    """The most bytes a topic file may hold: a notebook carries its outputs."""
    return MAX_NOTEBOOK_BYTES if name.endswith(".ipynb") else MAX_FILE_BYTES


def _pick(candidates: dict[str, list[tuple[str, bytes]]]) -> tuple[dict[str, bytes], list[str]]:
    """Prefer a root-level file over ``exercises/``; report duplicates."""
    files, problems = {}, []
    for topic, found in sorted(candidates.items()):
        found.sort(key=lambda item: (item[0].count("/"), item[0].endswith(".ipynb"), item[0]))
        files[topic] = found[0][1]
        same = sum(name == found[0][0] for name, _ in found)
        if same > 1:  # a zip may hold one name several times (unzip keeps the last, we the first)
            problems.append(f"{found[0][0]} is in the zip {same} times; graded the first")
        elif len(found) > 1:
            names = ", ".join(shortened(name) for name, _ in found)
            problems.append(f"several files for {topic} ({names}); graded {found[0][0]}")
        if found[0][0].endswith(".ipynb"):
            files[topic], notes = _from_notebook(found[0][0], found[0][1])
            problems += notes
            if not notes and not files[topic].strip():
                problems.append(f"{found[0][0]} has no code in its code cells: nothing to grade")
        else:
            problems += _not_code(found[0][0], files[topic])
    return files, problems


def _not_code(name: str, data: bytes) -> list[str]:
    """Why the topic file ``name`` cannot be the learner's code (it is graded all the same,
    and every check fails): said once, as ``gradelab check`` does, not in every failed check."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return [f"{name} is saved as UTF-16 (or UTF-32): save it as UTF-8 and hand it in again"]
    if b"\0" in data:
        return [
            f"{name} holds NUL bytes (a binary file, or text saved as UTF-16): save it as UTF-8 "
            "text and hand it in again"
        ]
    if not data.strip():
        return [f"{name} is empty: nothing in it could be graded"]
    return []


def _from_notebook(name: str, data: bytes) -> tuple[bytes, list[str]]:
    """A notebook's code cells as module source, and the feedback notes on how it was read."""
    from grader.nbgrader.ipynb import code_cells_size, extract, looks_like_json, problem_notes

    if len(data) > MAX_FILE_BYTES and not looks_like_json(data):
        # not JSON, and too large to be told apart from Python source cheaply (telling it takes
        # a parse: minutes and gigabytes for 30 MB); held to the limit of a .py file
        why = (
            f"{name}: this notebook could not be read: not JSON (a notebook starts with '{{') "
            f"and {len(data)} bytes, more than a code file may be ({MAX_FILE_BYTES}); "
            "graded as an empty file"
        )
        return b"", [why]
    code_size = code_cells_size(data) if len(data) > MAX_FILE_BYTES else 0
    if code_size > MAX_FILE_BYTES:  # extracting 30 MB of code took 10 s, to be refused after
        why = f"{name}: its code is {code_size} bytes (limit {MAX_FILE_BYTES}): ignored"
        return b"", [why]
    try:
        extracted = extract(data)
    except ValueError as exc:
        return b"", [f"{name}: this notebook could not be read: {exc}; graded as an empty file"]
    source = extracted.source.encode("utf-8")
    if len(source) > MAX_FILE_BYTES:
        why = f"{name}: its code is {len(source)} bytes (limit {MAX_FILE_BYTES}): ignored"
        return b"", [why]
    return source, problem_notes(name, extracted)


def learner_id(path: Path) -> str:
    """The learner id a submission's file name gives: its name (a zip's without ``.zip``, in any
    case, and without trailing spaces) as text.

    Bytes that are not UTF-8 (kept by the file system as surrogates) become ``\\xNN``.
    """
    name = path.name
    if path.is_file():
        name = name.rstrip()
        name = name[:-4] if name.lower().endswith(".zip") else path.stem
    return decoded_name(name)


def decoded_name(name: str) -> str:
    """A file name as valid text: bytes the file system could not decode become ``\\xNN``."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _why(exc: BaseException) -> str:
    """An exception as a reason, shortened: zipfile's messages quote the member's whole name."""
    return shortened(f"{type(exc).__name__}: {exc}")


def _read_file(path: Path, rel: str, limit: int, problems: list[str]) -> bytes | None:
    """A learner's regular file, or None with the reason in ``problems`` (a link, a FIFO or a
    device, too large, permission denied: that file alone, never the whole submission)."""
    if path.is_symlink():
        problems.append(f"{rel} is a symbolic link: ignored")
        return None
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block the read, a device never end
            problems.append(f"{rel} is not a regular file: ignored")
            return None
        if info.st_size > limit:
            problems.append(f"{rel} is {info.st_size} bytes (limit {limit}): ignored")
            return None
        with path.open("rb") as fh:
            data = fh.read(limit + 1)  # a file growing while read is still bounded
    except OSError as exc:  # permission denied, a name too long, gone meanwhile
        problems.append(f"{rel} cannot be read ({exc.strerror or type(exc).__name__}): ignored")
        return None
    if len(data) > limit:
        problems.append(f"{rel} is larger than {limit} bytes: ignored")
        return None
    return data


def read_folder(folder: Path, learner: str | None = None) -> Submission:
    candidates: dict[str, list[tuple[str, bytes]]] = {}
    problems: list[str] = []
    for base in (folder, folder / "exercises"):
        if base.is_symlink():  # it may point anywhere: /etc, another learner
            problems.append(f"{base.relative_to(folder).as_posix()} is a symbolic link: ignored")
            continue
        if not base.is_dir():
            continue
        try:  # glob would skip a folder it may not list, without a word
            listed_here = sorted(p for p in base.iterdir() if p.suffix in SOURCE_SUFFIXES)
        except OSError as exc:
            where = base.relative_to(folder).as_posix()
            problems.append(f"{where} cannot be listed ({exc.strerror or type(exc).__name__})")
            continue
        for path in listed_here:
            rel = path.relative_to(folder).as_posix()
            topic = topic_of(rel)
            if topic is None:
                continue
            data = _read_file(path, rel, _limit(rel), problems)
            if data is not None:
                candidates.setdefault(topic, []).append((rel, data))
    helpers: dict[str, bytes] = {}
    for pattern in ("*.py", "*/*.py", "*/*/*.py", "exercises/*/*/*.py"):
        for path in sorted(folder.glob(pattern)):
            rel = path.relative_to(folder).as_posix()
            if helper_of(rel) is None or helper_of(rel) in helpers:
                continue
            parts = path.relative_to(folder).parts
            if any(folder.joinpath(*parts[: k + 1]).is_symlink() for k in range(len(parts))):
                problems.append(f"{rel} is (or lies in) a symbolic link: ignored")
                continue
            if len(helpers) >= MAX_HELPER_FILES:
                _too_many_helpers(problems, rel)
                continue
            data = _read_file(path, rel, MAX_FILE_BYTES, problems)
            if data is not None:
                _add_helper(helpers, problems, rel, len(data), lambda d=data: d)
    files, more = _pick(candidates)
    return Submission(
        learner or learner_id(folder), folder, {**helpers, **files}, tuple(problems + more)
    )


def _entry_count(path: Path) -> int | None:
    """The entries a zip declares or holds, whichever is more (the count stops just past
    :data:`MAX_ZIP_ENTRIES`); None if unknown."""
    declared = archive.declared_entries(path)
    if declared is None:
        return None
    return max(declared, archive.counted_entries(path, MAX_ZIP_ENTRIES + 1))


def too_many_entries(path: Path) -> bool:
    count = _entry_count(path) if path.is_file() else None
    return count is not None and count > MAX_ZIP_ENTRIES


def _too_many_message(path: Path) -> str:
    declared = archive.declared_entries(path) or 0
    many = declared if declared > MAX_ZIP_ENTRIES else f"more than {MAX_ZIP_ENTRIES}"
    return f"{decoded_name(path.name)}: {many} entries (limit {MAX_ZIP_ENTRIES})"


def read_zip(path: Path, learner: str | None = None) -> Submission:
    if too_many_entries(path):
        raise SubmissionError(_too_many_message(path))
    try:
        zf = zipfile.ZipFile(path)
    except Exception as exc:  # any malformed archive (bad names, sizes, headers)
        raise SubmissionError(
            f"{decoded_name(path.name)}: not a readable zip ({type(exc).__name__}: {exc})"
        ) from None
    candidates: dict[str, list[tuple[str, bytes]]] = {}
    problems: list[str] = []
    helpers: dict[str, bytes] = {}
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise SubmissionError(f"{path.name}: {len(infos)} entries (limit {MAX_ZIP_ENTRIES})")
        strip = common_prefix([posix_name(i.filename) for i in infos])
        wanted = [(i, member_rel(posix_name(i.filename), strip)) for i in infos if not i.is_dir()]
        wanted = [(i, rel) for i, rel in wanted if topic_of(rel) or helper_of(rel)]
        # no more than a member's declared size is returned (a lying header is a BadZipFile)
        # and archive.inflate bounds the work of getting it, so the declared sizes of what is read
        # bound the work; data is not read
        if sum(i.file_size for i, _ in wanted) > MAX_ZIP_TOTAL_BYTES:
            raise SubmissionError(f"{path.name}: unpacks to more than {MAX_ZIP_TOTAL_BYTES} bytes")
        for info in infos:
            name = posix_name(info.filename)  # Windows archivers write ann\\activations.py
            pure = PurePosixPath(name)
            unsafe = name.startswith("/") or ".." in pure.parts
            if unsafe or (pure.parts and ":" in pure.parts[0]):
                problems.append(f"{shortened(name)}: unsafe path, ignored")
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                problems.append(f"{shortened(name)}: symbolic link, ignored")
                continue
            rel = member_rel(name, strip)
            topic = topic_of(rel)
            if info.is_dir() or (topic is None and helper_of(rel) is None):
                continue  # data, notes, anything else: never inflated
            if topic is None:  # at most MAX_HELPER_FILES of them, each read to the limit + 1
                _add_helper(helpers, problems, rel, info.file_size, lambda i=info: _read(zf, i))
                continue
            limit = _limit(rel)
            if info.file_size > limit:
                problems.append(
                    f"{shortened(name)} is {info.file_size} bytes (limit {limit}): ignored"
                )
                continue
            try:
                data = archive.inflate(zf, info, limit)  # never trust the declared size alone
            except Exception as exc:  # BadZipFile, zlib.error, EOFError, ...
                # a lying size (bad CRC), an encrypted entry, an unknown compression, truncation
                problems.append(
                    f"{shortened(name)} cannot be read from the zip ({_why(exc)}): ignored"
                )
                continue
            if len(data) > limit:
                problems.append(f"{shortened(name)} expands past {limit} bytes: ignored")
                continue
            candidates.setdefault(topic, []).append((rel, data))
    files, more = _pick(candidates)
    return Submission(
        learner or learner_id(path), path, {**helpers, **files}, tuple(problems + more)
    )


def member_rel(name: str, strip: str) -> str:
    return name[len(strip) :] if strip and name.startswith(strip) else name


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A helper module's bytes (never more than the limit + 1); an unreadable member raises,
    and :func:`_add_helper` names it (carried empty, it failed to import without a word)."""
    return archive.inflate(zf, info, MAX_FILE_BYTES)


#: what an archiver adds beside a zipped folder: never a second top folder of the learner's
OS_JUNK = ("__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini")


def os_junk(name: str) -> bool:
    """A file the learner's OS, archiver or tools made (``__MACOSX/``, ``.DS_Store``,
    ``._x.py``, anything under ``.git/``, ``.ipynb_checkpoints/`` or ``__pycache__/``)."""
    parts = PurePosixPath(name).parts
    return bool(parts) and (
        parts[0] in OS_JUNK or parts[-1] in OS_JUNK or parts[-1][:2] == "._" or in_tool_folder(name)
    )


def common_prefix(names: list[str]) -> str:
    """``learner/`` when every entry of a zip sits under one top folder (a zipped folder);
    macOS's ``__MACOSX/`` beside it does not count (it made the folder's helpers unimportable)."""
    names = [n for n in names if n and not os_junk(n)]
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1 and all("/" in n for n in names):
        top = tops.pop()
        if top != "exercises":
            return top + "/"
    return ""


def listed(origin: Path) -> list[str]:
    """:func:`grader.layout.listed_names`, but nothing for a symbolic link (its target may be
    anywhere) or a zip declaring more entries than it may hold (listing would parse them all),
    and without the files an OS or archiver adds (``.DS_Store``, ``__MACOSX/``)."""
    if origin.is_symlink() or too_many_entries(origin):
        return []
    return [n for n in listed_names(origin) if not os_junk(n)]
