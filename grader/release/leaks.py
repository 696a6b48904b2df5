"""The student release's last check: no model answer ships, whatever the instructor's tree holds.

The bundle copies files from the instructor's checkout, where anything can lie: a stub the
instructor overwrote with the answer to try the public tests, a scratch file beside the stubs, a
lesson whose code block is the solution. So the bundle is checked as it will ship, by content,
not by path: every solution block of ``solutions/<topic>.py`` (its statements, compared as ASTs,
so formatting, comments and blank lines do not hide one) against every statement list of every
shipped ``.py`` file and every code block of a Markdown file, and its text (whitespace removed)
against every text file. A block of one short statement (``return x``) says nothing on its own
and is left out of the text search; in an AST match it still counts only as a whole run of the
block's statements, in order.
"""

from __future__ import annotations

import ast
import io
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.release.strip import find_blocks

#: shorter whitespace-free block text is too common to be evidence of a leak (``returnx``)
MIN_TEXT = 40
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)


@dataclass(frozen=True)
class Answer:
    """One solution block: where it is, its statements as ASTs, its whitespace-free text."""

    where: str
    statements: tuple[str, ...]
    text: str


def answers(solutions: Path) -> list[Answer]:
    """Every solution block of ``solutions/*.py`` that holds code (a ``# stub:`` line is the
    learner's own starting point and is left out)."""
    found = []
    for path in sorted(solutions.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for block in find_blocks(source, str(path)):
            body = "\n".join(ln for ln in block.lines if not ln.strip().startswith("# stub:"))
            code = textwrap.dedent(body)
            statements = tuple(ast.dump(s) for s in ast.parse(code).body)
            if statements:
                text = re.sub(r"\s+", "", code)
                found.append(Answer(f"solutions/{path.name}:{block.start}", statements, text))
    return found


def _statement_runs(source: str) -> list[list[str]]:
    """ast.dump of every statement list (module, function, loop and branch bodies); none when
    ``source`` is not Python."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    runs = []
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                runs.append([ast.dump(s) for s in body])
    return runs


def _contains(run: list[str], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(tuple(run[i : i + n]) == needle for i in range(len(run) - n + 1))


def leaks_in(name: str, text: str, known: list[Answer]) -> list[str]:
    """``"<name> holds the answer at <where>"`` for each solution block found in one file."""
    sources = [text] if name.endswith(".py") else []
    if name.endswith(".md"):
        sources += [textwrap.dedent(m) for m in _FENCE.findall(text)]
    runs = [run for source in sources for run in _statement_runs(source)]
    flat = re.sub(r"\s+", "", text)
    found = []
    for answer in known:
        as_text = len(answer.text) >= MIN_TEXT and answer.text in flat
        if as_text or any(_contains(run, answer.statements) for run in runs):
            found.append(f"{name} holds the answer at {answer.where}")
    return found


def _text_of(name: str, data: bytes) -> str:
    """What a learner can read in a file: a frozen ``.npz``'s manifest (notes, hints, mistake
    names) and string arrays, which its zip compression would hide from a byte search."""
    if not name.endswith(".npz"):
        return data.decode("utf-8", errors="replace")
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return "\n".join(str(npz[k]) for k in npz.files if npz[k].dtype.kind in "US")


def scan(files: dict[str, bytes], solutions: Path) -> list[str]:
    """Every leak of a solution block into ``files`` (release path → bytes); empty when none."""
    known = answers(solutions)
    found: list[str] = []
    for name, data in sorted(files.items()):
        found += leaks_in(name, _text_of(name, data), known)
    return found
