"""Where a submission's files must be, what it holds, and what a misplaced file would work as.

Shared by discovery (:mod:`grader.submissions`, which notes a submission with nothing gradable)
and the class intake (:mod:`grader.intake`, which lists every misplaced or unknown file); it
imports neither, so neither closes an import cycle through it.
"""

from __future__ import annotations

import difflib
import os
import zipfile
from pathlib import Path, PurePosixPath

from reference import TOPICS

SOURCE_SUFFIXES = (".py", ".ipynb")
NEAR = 0.8  # difflib ratio from which a file name is taken for a misspelt topic name
MAX_LISTED = 200  # names looked at per submission (a zip of 10,000 files is listed in part)
MAX_NAME_SHOWN = 200  # a listed name longer than this is shortened wherever it is shown
#: folders a tool makes, never a learner's work nor a learner: an archiver's (``__MACOSX``),
#: Python's, Jupyter's, version control's (a GitHub Classroom clone holds ``.git/``), a virtual
#: environment and the caches and editor settings of a learner's release folder
TOOL_FOLDERS = frozenset(
    {
        "__MACOSX",
        "__pycache__",
        ".ipynb_checkpoints",
        ".git",
        ".hg",
        ".svn",
        ".venv",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".vscode",
        ".idea",
    }
)
#: the student release's own files beside the topic stubs (``gradelab release --bundle``):
#: learners work in that folder and often hand it in whole
RELEASE_FILES = frozenset({"README.md", "constraints.txt", "pyproject.toml"})


def posix_name(name: str) -> str:
    """A zip member's name with ``/`` between its parts: Windows archivers (PowerShell's
    Compress-Archive, .NET) write ``ann\\activations.py``. Safety checks (``..``, an absolute
    path, a drive letter) are made on this form."""
    return name.replace("\\", "/")


def shortened(name: str) -> str:
    """A listed name as shown in feedback, the console and ``submissions.csv``: a zip member's
    name may be 65,535 characters, and ten of them made one learner's note megabytes long."""
    if len(name) <= MAX_NAME_SHOWN:
        return name
    return f"{name[:MAX_NAME_SHOWN]}... ({len(name)} characters)"


def in_place(name: str) -> bool:
    """True for a topic file where grading looks: the root or ``exercises/``."""
    path = PurePosixPath(name)
    return (
        path.suffix in SOURCE_SUFFIXES
        and path.stem in TOPICS
        and path.parts[:-1] in ((), ("exercises",))
    )


def in_tool_folder(name: str) -> bool:
    """True for a relative name inside one of :data:`TOOL_FOLDERS` (or a ``*.egg-info`` folder
    ``pip install -e .`` made), at any depth."""
    return any(
        part in TOOL_FOLDERS or part.endswith(".egg-info")
        for part in PurePosixPath(name).parts[:-1]
    )


def release_file(name: str) -> bool:
    """True for a file the student release ships beside the topic stubs: its README, pyproject
    and constraints, a lesson, ``exercises/__init__.py``, the public tests and their data (the
    shape :func:`grader.release.bundle._allowed` builds), so handing in the release folder whole
    is no "unknown" file."""
    parts = PurePosixPath(name).parts
    stem = PurePosixPath(name).stem
    if len(parts) == 1:
        return parts[0] in RELEASE_FILES
    if parts[0] == "lessons":
        return len(parts) == 2 and name.endswith(".md") and stem in TOPICS
    if parts[0] != "exercises":
        return False
    if len(parts) == 2:
        return parts[1] == "__init__.py"
    if parts[1] != "tests":
        return False
    if len(parts) == 3:
        return name.endswith(".py")
    return len(parts) == 4 and parts[2] == "data" and name.endswith(".npz") and stem in TOPICS


def listed_names(origin: Path) -> list[str]:
    """The relative POSIX names of the files in a submission folder or zip (at most MAX_LISTED)."""
    names: list[str] = []
    try:
        if origin.is_file() and zipfile.is_zipfile(origin):
            with zipfile.ZipFile(origin) as zf:
                names = [posix_name(n) for n in zf.namelist() if not n.endswith(("/", "\\"))]
        elif origin.is_dir():
            names = sorted(_files_under(origin))
    except (OSError, EOFError, ValueError, RuntimeError, NotImplementedError, zipfile.BadZipFile):
        # a hostile or broken zip (member names that are not UTF-8, an unknown compression):
        # listing is best effort, reading it already recorded the problem
        return names
    return [n for n in names if not in_tool_folder(n)][:MAX_LISTED]


def _files_under(folder: Path) -> list[str]:
    """The relative names of the regular files under ``folder``: no link followed, no tool
    folder entered (a clone's ``.git/`` holds thousands), at most ten times MAX_LISTED."""
    names: list[str] = []
    for where, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in TOOL_FOLDERS)
        for file in files:
            path = Path(where, file)
            if path.is_file() and not path.is_symlink():
                names.append(path.relative_to(folder).as_posix())
        if len(names) >= 10 * MAX_LISTED:
            break
    return names


def would_work_as(name: str) -> str | None:
    """The path under which ``name`` would have been graded, or None when none is near.

    Same suffix (``.py``/``.ipynb``), file name = a topic name ignoring case, or a name whose
    difflib ratio to a topic is at least :data:`NEAR`; the suggested path is at the root.
    """
    path = PurePosixPath(name)
    suffix = path.suffix.lower()
    if suffix not in SOURCE_SUFFIXES:
        return None
    stem = path.stem.lower()
    topics = {t.lower(): t for t in TOPICS}
    match = topics.get(stem) or next(
        (topics[m] for m in difflib.get_close_matches(stem, list(topics), n=1, cutoff=NEAR)), None
    )
    return f"{match}{suffix}" if match else None


#: why a zip inside a submission (Moodle's download holds each learner's uploaded zip) is not
#: graded, and what to do
UNOPENED_ZIP = (
    "A zip inside a submission is not opened: unzip it into the learner's folder, or put it in "
    "the class folder as <learner>.zip"
)


def nothing_gradable(names: list[str]) -> str:
    """The one feedback paragraph for a submission with no topic file in it."""
    shown = ", ".join(f"`{shortened(n)}`" for n in names[:10])
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    unread = [f"`{n}`" for n in names if in_place(n)]  # where grading looks, yet not read
    if not names:
        found = "The submission is empty: no files were found."
    elif unread:
        found = (
            f"The submission holds {shown}{more}; {', '.join(unread[:10])} could not be read "
            "(the reason is above)."
        )
    else:
        found = f"The submission holds {shown}{more}, but no topic file."
    zips = [f"`{shortened(n)}`" for n in names if n.lower().endswith(".zip")]
    if zips:
        found += f" {UNOPENED_ZIP} ({', '.join(zips[:3])})."
    # a name that already is its topic's was left out for another reason (a link, too large):
    # renaming it is no advice
    hints = sorted(
        {f"`{shortened(n)}` → `{t}`" for n in names if (t := would_work_as(n)) and t != n}
    )
    fix = f" Renamed or moved, these would be graded: {', '.join(hints)}." if hints else ""
    return (
        f"{found}{fix} Nothing could be graded. Hand in `<topic>.py` files (for example "
        f"`{TOPICS[0]}.py`) at the top of the folder or zip, or under `exercises/`."
    )
