"""Code out of a notebook: the code cells of an ``.ipynb`` as one ``<topic>.py`` source.

IPython-only lines cannot run as a Python module, so they are dropped and reported: line magics
(``%time``), cell magics (a cell starting with ``%%``: the whole cell), shell escapes (``!pip``,
``x = !ls``) and help lines (``obj?``). Cells that hold gradelab's own checks (the autograded test
cells of a ``gradelab nbgrader`` course and the check cell of a learner notebook) are dropped too:
they are not the learner's code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

#: a code cell whose source holds this is one of gradelab's check cells, never learner code
CHECK_MARKER = "from grader.nbgrader"
CHECK_TAG = "gradelab-check"
DROPPED_NOTE = "magics and shell escapes dropped"

_SHELL_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=\s*[!%]")
_HELP = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*\?\??$")


@dataclass(frozen=True)
class Extracted:
    """The module source and the IPython-only lines that were left out of it."""

    source: str
    dropped: tuple[str, ...]


def _ipython_only(line: str) -> bool:
    s = line.strip()
    return (
        s.startswith(("%", "!"))
        or bool(_SHELL_ASSIGN.match(s))
        or bool(_HELP.match(s) and not s.startswith("#"))
    )


def is_check_cell(cell: dict) -> bool:
    """A gradelab check cell (by tag or by its import), or an nbgrader autograded test cell."""
    source = _text(cell.get("source", ""))
    meta = cell.get("metadata") or {}
    nb = meta.get("nbgrader") or {}
    tags = meta.get("tags") or []
    return (
        CHECK_TAG in tags
        or CHECK_MARKER in source
        or (bool(nb.get("grade")) and not nb.get("solution"))
    )


def _text(source: str | list[str]) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def join_cells(cells: list[str]) -> Extracted:
    """Join cell sources into a module, leaving out IPython-only lines (reported in ``dropped``)."""
    parts: list[str] = []
    dropped: list[str] = []
    for text in cells:
        if text.lstrip().startswith("%%"):
            dropped.append(text.strip().splitlines()[0])
            continue
        kept = []
        for line in text.splitlines():
            if _ipython_only(line):
                dropped.append(line.strip())
            else:
                kept.append(line)
        parts.append("\n".join(kept).rstrip())
    source = "\n\n\n".join(p for p in parts if p.strip())
    return Extracted(source + "\n" if source else "", tuple(dropped))


def extract(data: bytes | str) -> Extracted:
    """The learner's code cells of a notebook's JSON, in order; raises ``ValueError`` if unreadable."""
    try:
        nb = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a readable notebook ({exc})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("not a notebook: no list of cells")
    cells = [
        _text(c.get("source", ""))
        for c in nb["cells"]
        if isinstance(c, dict) and c.get("cell_type") == "code" and not is_check_cell(c)
    ]
    return join_cells(cells)


def problem_note(name: str, extracted: Extracted) -> str | None:
    """The feedback line for a notebook whose IPython-only lines were dropped (None if none)."""
    if not extracted.dropped:
        return None
    shown = "; ".join(extracted.dropped[:3]) + ("; ..." if len(extracted.dropped) > 3 else "")
    return f"{name}: {DROPPED_NOTE} before grading ({len(extracted.dropped)}: {shown})"
