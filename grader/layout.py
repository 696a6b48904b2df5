"""Where a submission's files must be, what it holds, and what a misplaced file would work as.

Shared by discovery (:mod:`grader.submissions`, which notes a submission with nothing gradable)
and the class intake (:mod:`grader.intake`, which lists every misplaced or unknown file); it
imports neither, so neither closes an import cycle through it.
"""

from __future__ import annotations

import difflib
import zipfile
from pathlib import Path, PurePosixPath

from reference import TOPICS

SOURCE_SUFFIXES = (".py", ".ipynb")
NEAR = 0.8  # difflib ratio from which a file name is taken for a misspelt topic name
MAX_LISTED = 200  # names looked at per submission (a zip of 10,000 files is listed in part)


def listed_names(origin: Path) -> list[str]:
    """The relative POSIX names of the files in a submission folder or zip (at most MAX_LISTED)."""
    names: list[str] = []
    try:
        if origin.is_file() and zipfile.is_zipfile(origin):
            with zipfile.ZipFile(origin) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/")]
        elif origin.is_dir():
            for path in sorted(origin.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    names.append(path.relative_to(origin).as_posix())
                if len(names) >= MAX_LISTED:
                    break
    except (OSError, EOFError, ValueError, RuntimeError, NotImplementedError, zipfile.BadZipFile):
        # a hostile or broken zip (member names that are not UTF-8, an unknown compression):
        # listing is best effort, reading it already recorded the problem
        return names
    return [n for n in names[:MAX_LISTED] if "__MACOSX" not in n and "__pycache__" not in n]


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


def nothing_gradable(names: list[str]) -> str:
    """The one feedback paragraph for a submission with no topic file in it."""
    if not names:
        found = "The submission is empty: no files were found."
    else:
        shown = ", ".join(f"`{n}`" for n in names[:10])
        more = f" and {len(names) - 10} more" if len(names) > 10 else ""
        found = f"The submission holds {shown}{more}, but no topic file."
    # a name that already is its topic's was left out for another reason (a link, too large):
    # renaming it is no advice
    hints = sorted({f"`{n}` → `{t}`" for n in names if (t := would_work_as(n)) and t != n})
    fix = f" Renamed or moved, these would be graded: {', '.join(hints)}." if hints else ""
    return (
        f"{found}{fix} Nothing could be graded. Hand in `<topic>.py` files (for example "
        f"`{TOPICS[0]}.py`) at the top of the folder or zip, or under `exercises/`."
    )
