"""IPython-only lines out of notebook code, so that the cells can run as one Python module.

A notebook cell is IPython, not Python: line magics (``%matplotlib inline``), shell escapes
(``!pip install x``, ``files = !ls``), help (``np.sum?``), ``get_ipython()`` calls (what
nbconvert and jupytext make of magics) and cell magics (``%%bash``) cannot run in a module. They
are dropped and reported, never run: nothing here executes anything, and grading imports the
module in the sandbox, where a shell escape would not be a shell escape anyway.

Only a line that *starts a statement* can be IPython-only, as for IPython itself: a line inside
brackets, inside a string or after a backslash (``     % 2)``, ``     != b)``, a docstring line
``!important``) is Python and is kept (dropping those broke valid code: a ``SyntaxError`` that
cost the learner the whole topic). A dropped line becomes a blank line, or ``pass`` at its
indentation right after a line opening a block, so ``for x in xs:`` / ``    %time f(x)`` stays
valid; line numbers never move.

A cell magic whose body IPython runs as the notebook's own code, in its namespace (``%%time``,
``%%capture``), keeps that body: dropping it dropped every function the cell defined. Any other
cell magic (``%%bash``, ``%%writefile``, ``%%timeit``, whose body is not the notebook's code) is
dropped whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: cell magics whose body runs as ordinary code in the notebook's namespace
BODY_KEPT = frozenset({"time", "capture"})

_SHELL_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=\s*[!%]")
_HELP = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*\?\??$")
_GET_IPYTHON = re.compile(r"^get_ipython\s*\(\s*\)")


@dataclass(frozen=True)
class Extracted:
    """The module source and the IPython-only lines that were left out of it (and notes on
    anything else the learner should know about how their notebook was read)."""

    source: str
    dropped: tuple[str, ...]
    notes: tuple[str, ...] = ()


def ipython_only(line: str) -> bool:
    """True for a line IPython would run that Python cannot (when it starts a statement)."""
    s = line.strip()
    return (
        s.startswith(("%", "!", "?"))
        or bool(_SHELL_ASSIGN.match(s))
        or bool(_HELP.match(s))
        or bool(_GET_IPYTHON.match(s))
    )


@dataclass
class _Lexer:
    """Just enough of Python's tokenizer to know whether the next line starts a statement."""

    depth: int = 0  # open brackets
    quote: str | None = None  # the open triple quote
    backslash: bool = False  # the last line ended with a line continuation

    @property
    def at_statement(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.backslash

    def feed(self, line: str) -> None:
        i, n = 0, len(line)
        if self.quote is not None:
            i = self._close(line, 0, self.quote)
            if i < 0:
                return  # the whole line is inside the string
            self.quote = None
        while i < n:
            c = line[i]
            if c == "#":
                self.backslash = False
                return
            if c in "'\"":
                q = c * 3 if line.startswith(c * 3, i) else c
                end = self._close(line, i + len(q), q)
                if end < 0:
                    if len(q) == 3:
                        self.quote = q
                        return
                    break  # an unterminated one-line string: the line's end ends it
                i = end
                continue
            if c in "([{":
                self.depth += 1
            elif c in ")]}":
                self.depth = max(0, self.depth - 1)
            i += 1
        self.backslash = line.endswith("\\")

    @staticmethod
    def _close(line: str, i: int, quote: str) -> int:
        """Index just past the ``quote`` closing a string from ``i`` on; -1 if not on this line."""
        while i < len(line):
            if line[i] == "\\":
                i += 2
            elif line.startswith(quote, i):
                return i + len(quote)
            else:
                i += 1
        return -1


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def clean_cell(text: str) -> tuple[str, list[str]]:
    """One cell's code with its IPython-only lines blanked (or ``pass``), and those lines."""
    lines = text.splitlines()
    dropped: list[str] = []
    head = text.lstrip()
    if head.startswith("%%"):
        first = head.splitlines()[0].strip()
        dropped.append(first)
        name = first[2:].split(maxsplit=1)
        if name and name[0] in BODY_KEPT:
            at = next(k for k, line in enumerate(lines) if line.strip())
            lines = [*[""] * (at + 1), *lines[at + 1 :]]
        else:
            return "", dropped
    lexer, kept = _Lexer(), []
    in_dropped = False  # inside a dropped get_ipython() statement that spans lines
    opened = False  # the last code line opened a block (``for ...:``), which needs a body
    for line in lines:
        if lexer.at_statement:
            in_dropped = False
        if in_dropped:
            kept.append("")
            lexer.feed(line)
            continue
        if lexer.at_statement and line.strip() and ipython_only(line):
            dropped.append(line.strip())
            indent = _indent(line)
            kept.append(f"{indent}pass" if indent and opened else "")
            if _GET_IPYTHON.match(line.strip()):  # Python: may go on over lines
                lexer.feed(line)
                in_dropped = True
            continue
        kept.append(line)
        lexer.feed(line)
        code = line.split("#", 1)[0].rstrip()
        if code:
            opened = code.endswith(":")
    return "\n".join(kept), dropped


#: a future statement on a line of its own (``from __future__ import annotations``)
FUTURE = re.compile(r"^from[ \t]+__future__[ \t]+import[ \t]+[A-Za-z_][\w \t,]*$", re.MULTILINE)


def join_cells(cells: list[str]) -> Extracted:
    """Join cell sources into a module, leaving out IPython-only lines (reported in ``dropped``).

    A future statement at the top of a later cell is valid in Jupyter, where each cell compiles
    alone, and a ``SyntaxError`` in the middle of a module (a notebook that runs scored 0): such
    statements move to a first line of their own, and lines move down by one only then."""
    parts: list[str] = []
    dropped: list[str] = []
    for text in cells:
        code, gone = clean_cell(text)
        dropped += gone
        parts.append(code.rstrip())
    parts = [p for p in parts if p.strip()]
    if any(FUTURE.search(p) for p in parts[1:]):  # the first cell's too: nothing may precede
        hoisted = dict.fromkeys(m.strip() for p in parts for m in FUTURE.findall(p))
        parts = [FUTURE.sub("", p) for p in parts]  # a blank line each: cells keep their lines
        parts[0] = "; ".join(hoisted) + "\n" + parts[0]
    source = "\n\n\n".join(parts)
    return Extracted(source + "\n" if source else "", tuple(dropped))
