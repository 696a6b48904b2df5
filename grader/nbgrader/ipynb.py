"""Code out of a notebook: the code cells of an ``.ipynb`` as one ``<topic>.py`` source.

IPython-only lines cannot run as a Python module, so they are dropped and reported
(:mod:`grader.nbgrader.magics`). Cells that hold gradelab's own checks (the autograded test
cells of a ``gradelab nbgrader`` course and the check cell of a learner notebook) are dropped too:
they are not the learner's code; one that defines a function anyway is named in a note, as is a
function defined in several cells (the last one counts, as when the notebook runs top to bottom).
nbformat 3 notebooks (cells under ``worksheets``, code under ``input``) are read as well.

A notebook is learner data read by the grader itself, outside the sandbox, so it is parsed
defensively: nesting deeper than :data:`MAX_DEPTH` is refused by a scan *before* ``json.loads``
(which would otherwise recurse once per bracket), and every field read is checked for its type
(a cell is an object, ``source`` is text or a list of text, ``metadata`` an object, ...). Whatever
the shape, :func:`extract` either returns the code or raises :class:`NotebookError` naming why.
"""

from __future__ import annotations

import ast
import codecs
import json
import re
from typing import Any

from grader.nbgrader.magics import Extracted, join_cells

__all__ = ["Extracted", "NotebookError", "extract", "join_cells", "problem_notes"]

#: a code cell whose source holds this is one of gradelab's check cells, never learner code
CHECK_MARKER = "from grader.nbgrader"
CHECK_TAG = "gradelab-check"
DROPPED_NOTE = "magics and shell escapes dropped"

#: deeper than this is no notebook (nbformat itself nests about 6 deep): refused before parsing
MAX_DEPTH = 64
_STRUCTURE = re.compile(rb'[\[\]{}"]')  # what the depth scan stops at
_STRING_REST = re.compile(rb'(?:[^"\\]|\\.)*"', re.DOTALL)  # after an opening quote
_DEFINED = re.compile(r"^(?:async[ \t]+def|def|class)[ \t]+([A-Za-z_]\w*)", re.MULTILINE)


class NotebookError(ValueError):
    """A notebook that cannot be read; the message says why (for the learner's feedback)."""


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


def _cell_source(index: int, cell: object) -> tuple[str | None, str | None]:
    """(learner code, None) for a learner code cell; (None, its code) for a code cell left out
    as a check cell; (None, None) for any other cell. NotebookError if malformed."""
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
    if kind != "code":
        return None, None
    text = _text(source)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotebookError(f"{where}: source holds an unpaired surrogate (\\u escape)") from None
    return (None, text) if is_check_cell(cell) else (text, None)


def _cells(nb: dict) -> list[object]:
    """The cells of a notebook: nbformat 4's ``cells``, or nbformat 3's worksheets' cells with
    each code cell's ``input`` as its ``source`` (so a v3 notebook is not graded as empty)."""
    if "cells" not in nb and "worksheets" in nb:
        sheets = nb["worksheets"]
        if not isinstance(sheets, list) or not all(
            isinstance(w, dict) and isinstance(w.get("cells", []), list) for w in sheets
        ):
            raise NotebookError("worksheets is not a list of objects holding lists of cells")
        cells: list[object] = [c for w in sheets for c in w.get("cells", [])]
        return [
            {**c, "source": c.get("input", "")} if isinstance(c, dict) and "input" in c else c
            for c in cells
        ]
    if not isinstance(nb.get("cells"), list):
        raise NotebookError(f"cells is {_kind(nb.get('cells'))}, not a list")
    return nb["cells"]


def _what_it_is(raw: bytes) -> str:
    """What a file that is not JSON holds, when that tells the learner what went wrong."""
    if raw.startswith(b"PK\x03\x04"):
        return ": it is a zip archive, not a notebook"
    try:
        text = raw.decode("utf-8")
        if text.strip() and compile(text, "<notebook>", "exec", flags=ast.PyCF_ONLY_AST):
            return ": it is Python source, not a notebook: hand it in as a .py file"
    except Exception:  # not text, not Python (a parser limit too): nothing more to say
        pass
    return ""


def _cell_notes(learner: list[tuple[int, str]], left_out: list[tuple[int, str]]) -> list[str]:
    """Notes on functions defined in several cells, or in a cell that is left out."""
    notes = []
    where: dict[str, list[int]] = {}
    for index, code in learner:
        for name in _DEFINED.findall(code):
            where.setdefault(name, []).append(index + 1)
    for name, cells in where.items():
        if len(cells) > 1:
            listed = ", ".join(map(str, cells[:-1]))
            notes.append(
                f"{name} is defined in cells {listed} and {cells[-1]}: the last one is graded "
                "(as when the notebook runs from top to bottom)"
            )
    for index, code in left_out:
        names = _DEFINED.findall(code)
        if names:
            notes.append(
                f"cell {index + 1} defines {', '.join(names[:5])} but is marked as a test or check "
                "cell (nbgrader grade without solution, or gradelab's own): left out of grading; "
                "put your code in an answer cell"
            )
    return notes


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
        why = f"not valid JSON ({type(exc).__name__}: {exc})"
        raise NotebookError(why + _what_it_is(raw)) from None
    if not isinstance(nb, dict):
        raise NotebookError(f"the top level is {_kind(nb)}, not an object")
    if "metadata" in nb and not isinstance(nb["metadata"], dict):
        raise NotebookError(f"metadata is {_kind(nb['metadata'])}, not an object")
    learner, left_out = [], []
    for i, cell in enumerate(_cells(nb)):
        code, check = _cell_source(i, cell)
        if code is not None:
            learner.append((i, code))
        elif check is not None:
            left_out.append((i, check))
    joined = join_cells([code for _, code in learner])
    return Extracted(joined.source, joined.dropped, tuple(_cell_notes(learner, left_out)))


def problem_notes(name: str, extracted: Extracted) -> list[str]:
    """The feedback lines for a notebook: the IPython-only lines dropped, then its notes."""
    notes = [f"{name}: {note}" for note in extracted.notes]
    if not extracted.dropped:
        return notes
    shown = "; ".join(extracted.dropped[:3]) + ("; ..." if len(extracted.dropped) > 3 else "")
    return [
        f"{name}: {DROPPED_NOTE} before grading ({len(extracted.dropped)}: {shown})",
        *notes,
    ]


def code_cells_size(data: bytes) -> int:
    """The UTF-8 bytes a notebook's code cells hold (0 when it cannot be told: extraction then
    names the reason): parsing is linear, extracting is not, so a notebook whose code could
    never be within the limit is refused before it is extracted."""
    try:  # json's C parser refuses deep nesting with a RecursionError (extraction names it)
        nb = json.loads(data)
        cells = _cells(nb) if isinstance(nb, dict) else []
        return sum(
            len(("".join(src) if isinstance(src, list) else src).encode("utf-8", "surrogatepass"))
            for cell in cells
            if isinstance(cell, dict) and cell.get("cell_type") == "code"
            for src in [cell.get("source", "")]
            if isinstance(src, str)
            or (isinstance(src, list) and all(isinstance(x, str) for x in src))
        )
    except (ValueError, RecursionError):  # not JSON, too deep, a bad shape: extraction says why
        return 0


#: what may come before a notebook's opening brace: byte order marks (longest first: the
#: UTF-32 LE mark begins with UTF-16 LE's), then whitespace and the NULs of UTF-16/32 text
_BOMS = (
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)


_NOT_BLANK = re.compile(rb"[^ \t\r\n\0]")


def looks_like_json(data: bytes) -> bool:
    """True when ``data`` could be a JSON object or array (in UTF-8, -16 or -32): its first
    character, past a byte order mark and whitespace, is a bracket."""
    start = next((len(bom) for bom in _BOMS if data.startswith(bom)), 0)
    first = _NOT_BLANK.search(data, start)
    return first is not None and first.group() in (b"{", b"[")
