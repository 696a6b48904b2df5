"""Code out of a notebook: the code cells of an ``.ipynb`` as one ``<topic>.py`` source.

IPython-only lines cannot run as a Python module, so they are dropped and reported: line magics
(``%time``), cell magics (a cell starting with ``%%``: the whole cell), shell escapes (``!pip``,
``x = !ls``) and help lines (``obj?``). Cells that hold gradelab's own checks (the autograded test
cells of a ``gradelab nbgrader`` course and the check cell of a learner notebook) are dropped too:
they are not the learner's code.

A notebook is learner data read by the grader itself, outside the sandbox, so it is parsed
defensively: nesting deeper than :data:`MAX_DEPTH` is refused by a scan *before* ``json.loads``
(which would otherwise recurse once per bracket), and every field read is checked for its type
(a cell is an object, ``source`` is text or a list of text, ``metadata`` an object, ...). Whatever
the shape, :func:`extract` either returns the code or raises :class:`NotebookError` naming why.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

#: a code cell whose source holds this is one of gradelab's check cells, never learner code
CHECK_MARKER = "from grader.nbgrader"
CHECK_TAG = "gradelab-check"
DROPPED_NOTE = "magics and shell escapes dropped"

#: deeper than this is no notebook (nbformat itself nests about 6 deep): refused before parsing
MAX_DEPTH = 64
_STRUCTURE = re.compile(rb'[\[\]{}"]')  # what the depth scan stops at
_STRING_REST = re.compile(rb'(?:[^"\\]|\\.)*"', re.DOTALL)  # after an opening quote

_SHELL_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=\s*[!%]")
_HELP = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*\?\??$")


class NotebookError(ValueError):
    """A notebook that cannot be read; the message says why (for the learner's feedback)."""


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
    """A gradelab check cell (by tag or by its import), or an nbgrader autograded test cell.

    Fields of the wrong type count as absent (a validated cell never has them: :func:`extract`).
    """
    source = cell.get("source", "")
    source = _text(source) if _is_text(source) else ""
    meta = _field(cell, "metadata", dict)
    nb = _field(meta, "nbgrader", dict)
    tags = _field(meta, "tags", list)
    return (
        CHECK_TAG in tags
        or CHECK_MARKER in source
        or (bool(nb.get("grade")) and not nb.get("solution"))
    )


def _field(obj: dict, key: str, kind: type) -> Any:
    value = obj.get(key)
    return value if isinstance(value, kind) else kind()


def _is_text(source: object) -> bool:
    return isinstance(source, str) or (
        isinstance(source, list) and all(isinstance(s, str) for s in source)
    )


def _text(source: str | list[str]) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), "null" if value is None else "a number"
    )


def check_depth(data: bytes, limit: int = MAX_DEPTH) -> None:
    """Raise :class:`NotebookError` if the JSON in ``data`` nests more than ``limit`` deep.

    One linear pass over the bytes (each byte is looked at once: a scan restarting at every quote
    of an unterminated string once took hours on a 2 MiB notebook of ``\\"``): string literals
    are skipped whole (so brackets inside text do not count), every other ``[``/``{`` opens a
    level and ``]``/``}`` closes one. For valid JSON this is exactly its nesting depth; for invalid JSON it may be anything, and parsing then fails
    on its own (never by recursing deeper than ``limit``).
    """
    depth, pos = 0, 0
    while (found := _STRUCTURE.search(data, pos)) is not None:
        token, pos = found.group(), found.end()
        if token == b'"':  # skip the string literal whole, each byte once
            rest = _STRING_REST.match(data, pos)
            if rest is None:
                return  # unterminated: not JSON (parsing says so); the rest is inside it
            pos = rest.end()
        elif token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                raise NotebookError(f"nested more than {limit} levels deep")
        else:
            depth -= 1


def _cell_source(index: int, cell: object) -> str | None:
    """The source of a learner code cell, None for any other cell; NotebookError if malformed."""
    where = f"cell {index + 1}"
    if not isinstance(cell, dict):
        raise NotebookError(f"{where} is {_kind(cell)}, not an object")
    kind = cell.get("cell_type")
    if not isinstance(kind, str):
        raise NotebookError(f"{where}: cell_type is {_kind(kind)}, not text")
    for key, wanted in (("metadata", dict), ("tags", list), ("nbgrader", dict)):
        holder = cell if key == "metadata" else cell.get("metadata") or {}
        value = holder.get(key)
        if value is not None and not isinstance(value, wanted):
            raise NotebookError(f"{where}: {key} is {_kind(value)}, not {_kind(wanted())}")
    source = cell.get("source", "")
    if not _is_text(source):
        what = _kind(source)
        if isinstance(source, list):
            what += " holding " + _kind(next(s for s in source if not isinstance(s, str)))
        raise NotebookError(f"{where}: source is {what}, not text or a list of text")
    if kind != "code" or is_check_cell(cell):
        return None
    text = _text(source)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotebookError(f"{where}: source holds an unpaired surrogate (\\u escape)") from None
    return text


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
    """The learner's code cells of a notebook's JSON, in order.

    Raises :class:`NotebookError` (a ``ValueError``) naming the reason for anything that is not a
    readable notebook: any shape, depth or type of JSON, invalid UTF-8, a bad cell.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    check_depth(raw)
    try:
        nb = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSON, UTF-8, int-size errors are ValueErrors
        raise NotebookError(f"not valid JSON ({type(exc).__name__}: {exc})") from None
    if not isinstance(nb, dict):
        raise NotebookError(f"the top level is {_kind(nb)}, not an object")
    if not isinstance(nb.get("cells"), list):
        raise NotebookError(f"cells is {_kind(nb.get('cells'))}, not a list")
    if "metadata" in nb and not isinstance(nb["metadata"], dict):
        raise NotebookError(f"metadata is {_kind(nb['metadata'])}, not an object")
    cells = [_cell_source(i, cell) for i, cell in enumerate(nb["cells"])]
    return join_cells([c for c in cells if c is not None])


def problem_note(name: str, extracted: Extracted) -> str | None:
    """The feedback line for a notebook whose IPython-only lines were dropped (None if none)."""
    if not extracted.dropped:
        return None
    shown = "; ".join(extracted.dropped[:3]) + ("; ..." if len(extracted.dropped) > 3 else "")
    return f"{name}: {DROPPED_NOTE} before grading ({len(extracted.dropped)}: {shown})"
