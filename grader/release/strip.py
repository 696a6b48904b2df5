"""Strip solution blocks: ``solutions/<topic>.py`` → ``exercises/<topic>.py``.

A solution block is the body between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, the markers
nbgrader uses. Its first line says what the learner gets instead:

- ``# hint: <text>`` (inside a function) → ``raise NotImplementedError("<topic>.<fn>: <text>")``;
- ``# stub: <code>`` (one or more lines, any level) → the code after ``# stub:``, verbatim.

Everything outside blocks (imports, signatures, docstrings) is kept as it is.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HEADER = (
    "# Generated from solutions/{topic}.py by `gradelab release`.\n"
    "# Learners: replace each `raise NotImplementedError(...)` with your code.\n"
    "# Instructors: edit solutions/{topic}.py instead, then run `gradelab release`.\n"
)


class ReleaseError(ValueError):
    """A malformed solution file; the message names the file and line."""


@dataclass(frozen=True)
class Block:
    """One solution block: where it is, which function holds it, and its source lines."""

    start: int  # 1-based line of the BEGIN marker
    end: int  # 1-based line of the END marker
    function: str | None  # enclosing function, None at module level
    lines: tuple[str, ...]  # the lines strictly between the markers


def _function_spans(source: str) -> list[tuple[int, int, str]]:
    """(first line, last line, name) of every function, from the AST (multi-line signatures too)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [
        (node.lineno, node.end_lineno or node.lineno, node.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def find_blocks(source: str, filename: str = "<solution>") -> list[Block]:
    """Every solution block of ``source``, with its innermost enclosing function."""
    spans = _function_spans(source)
    blocks: list[Block] = []
    open_at: int | None = None
    body: list[str] = []
    for lineno, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if open_at is None:
            if stripped == BEGIN:
                open_at, body = lineno, []
            elif stripped == END:
                raise ReleaseError(f"{filename}:{lineno}: {END} without {BEGIN}")
            continue
        if stripped == BEGIN:
            raise ReleaseError(f"{filename}:{lineno}: nested {BEGIN} (block opened at {open_at})")
        if stripped == END:
            inside = [s for s in spans if s[0] < open_at <= s[1]]
            fn = max(inside)[2] if inside else None
            blocks.append(Block(open_at, lineno, fn, tuple(body)))
            open_at = None
            continue
        body.append(line)
    if open_at is not None:
        raise ReleaseError(f"{filename}:{open_at}: {BEGIN} is never closed")
    return blocks


def _replacement(block: Block, indent: str, topic: str, filename: str) -> list[str]:
    first = next((ln.strip() for ln in block.lines if ln.strip()), "")
    if first.startswith("# stub:"):
        stubs = [ln.strip()[len("# stub:") :].strip() for ln in block.lines]
        stubs = [
            s for s, ln in zip(stubs, block.lines, strict=True) if ln.strip().startswith("# stub:")
        ]
        return [indent + s for s in stubs]
    if first.startswith("# hint:"):
        if block.function is None:
            raise ReleaseError(
                f"{filename}:{block.start}: a module-level block needs '# stub: <code>', not a hint"
            )
        hint = first[len("# hint:") :].strip()
        if not hint:
            raise ReleaseError(f"{filename}:{block.start}: empty hint")
        return _raise_line(indent, f"{topic}.{block.function}: {hint}")
    raise ReleaseError(
        f"{filename}:{block.start}: a solution block must start with '# hint: <text>' "
        "or '# stub: <code>'"
    )


def _raise_line(indent: str, message: str, width: int = 100) -> list[str]:
    """``raise NotImplementedError("<message>")`` laid out as ruff format would lay it out."""
    body = message.replace("\\", "\\\\")
    if '"' in body and "'" not in body:  # ruff's choice: the quote that needs no escaping
        literal = "'" + body + "'"
    else:
        literal = '"' + body.replace('"', '\\"') + '"'
    one_line = f"{indent}raise NotImplementedError({literal})"
    if len(one_line) <= width:
        return [one_line]
    return [f"{indent}raise NotImplementedError(", f"{indent}    {literal}", f"{indent})"]


def strip_solutions(source: str, topic: str, filename: str | None = None) -> str:
    """Return the learner stub for a solution module's ``source``."""
    filename = filename or f"solutions/{topic}.py"
    blocks = find_blocks(source, filename)
    if not blocks:
        raise ReleaseError(f"{filename}: no {BEGIN} block: nothing for learners to write")
    lines = source.splitlines()
    out: list[str] = []
    cursor = 0  # 0-based index of the next line to copy
    for block in blocks:
        begin_line = lines[block.start - 1]
        indent = begin_line[: len(begin_line) - len(begin_line.lstrip())]
        out.extend(lines[cursor : block.start - 1])
        out.extend(_replacement(block, indent, topic, filename))
        cursor = block.end
    out.extend(lines[cursor:])
    return HEADER.format(topic=topic) + "\n".join(out) + "\n"
