"""Learner text in the instructor's tools: one rule per output format, and only here.

Everything a learner controls is data: its id (a folder or zip name), file names inside its zip,
and the messages of the exceptions its code raises. Each output that shows such text passes it
through the one function for that format:

- :func:`visible`: control characters (C0, DEL, C1: terminal escapes such as ``\\x1b[2J``),
  Unicode format characters (bidi overrides such as U+202E, zero-width characters), the other
  default-ignorable characters (Hangul fillers, variation selectors: :data:`IGNORABLE`) and line
  or paragraph separators are written as escapes (``\\x1b``, ``\\u202e``), so what is shown is what
  is there. Every other format below starts from it.
- :func:`csv_cell`: a cell a spreadsheet would evaluate (first non-blank character ``=``, ``+``,
  ``-``, ``@``, or their full-width forms; tab and CR are already escaped) gets a leading ``'``
  (the OWASP CSV-injection rule).
- :func:`md_inline`: Markdown, as an inline code span whose fence is longer than any run of
  backticks in the text: nothing inside can become a heading, a list, a link, HTML or emphasis.
- :func:`html`: HTML-escaped (``<``, ``>``, ``&``, quotes).
- :func:`console`: a Rich ``Text``, never parsed for markup (``[bold]``) or emoji codes.
- :func:`json_text`: JSON whose strings keep their data but show invisible characters as
  ``\\uXXXX`` escapes (valid JSON, decoding gives the same text back).
- :func:`folder_name`: the learner's folder under the output folder, unique per id (below).

Folder names: an id that is already a plain name (lower-case ASCII letters, digits, ``_`` and
``-``, starting with a letter or digit, at most 64 characters, not a reserved device name, not one
of the kit's own folders in the output folder (:data:`KIT_FOLDERS`) and not ending like a hashed
name) is its own folder. Any other id gets its plain form (at most 48
characters, ``learner`` when nothing is left) plus ``--`` and the first 12 hex digits of the
SHA-256 of the id. So the folder of an id never depends on who else is in the class, two ids share
a folder only when their hashes' first 48 bits agree, and ``victim``, ``victim.``, ``Victim``,
``vіctim`` (Cyrillic і), ``.`` and ``a/b`` all get different folders, on case-insensitive file
systems too.
"""

from __future__ import annotations

import hashlib
import html as _html
import json
import re
import unicodedata
from typing import Any

from rich.text import Text

#: Unicode categories shown escaped: controls, format (bidi, zero-width), separators, surrogates
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
#: the other characters Unicode says to render as nothing (Default_Ignorable_Code_Point outside
#: the categories above): combining grapheme joiner, Hangul fillers, Khmer inherent vowels,
#: Mongolian and other variation selectors, unassigned ignorables. ``alice\u3164`` or
#: ``alice\u034f`` would otherwise look exactly like ``alice`` in every output.
IGNORABLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u2065\u3164\ufe00-\ufe0f"
    "\uffa0\ufff0-\ufff8\U000e0000-\U000e0fff]"
)
FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")

_PLAIN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_HASHED = re.compile(r".*--[0-9a-f]{12}")
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{d}{i}" for d in ("com", "lpt") for i in range(10)}
)
#: the folders gradelab itself writes in an output folder, beside the learners': the class
#: report (``class/``) and the LMS exports (``export/``); a learner of that name is hashed
KIT_FOLDERS = frozenset({"class", "export"})
HASH_DIGITS = 12
PREFIX_CHARS = 48


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in HIDDEN_CATEGORIES or IGNORABLE.match(char) is not None


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_char(char: str) -> str:
    """``char`` as the escape :func:`visible` writes for it (``\\n``, ``\\x1b``, ``\\u202e``)."""
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def visible(text: str, keep: str = "") -> str:
    """``text`` with every invisible or control character (but those in ``keep``) as an escape."""
    if text.isprintable() and not IGNORABLE.search(text):  # nothing invisible: as it is
        return text
    return "".join(escape_char(c) if _hidden(c) and c not in keep else c for c in text)


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text, never evaluates (OWASP: prefix ``'``)."""
    shown = visible(text)
    return "'" + shown if shown.lstrip()[:1] in FORMULA_START else shown


def md_inline(text: str) -> str:
    """Markdown showing ``text`` literally, on one line: a code span with a long enough fence."""
    shown = visible(text)
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * (longest + 1)
    if not shown.strip(" "):  # CommonMark keeps a span of spaces as it is (none: one space)
        return f"{fence}{shown or ' '}{fence}"
    pad = " " if shown[0] in "` " or shown[-1] in "` " else ""  # one space each side is stripped
    return f"{fence}{pad}{shown}{pad}{fence}"


def html(text: str) -> str:
    """HTML text (element content or a quoted attribute) showing ``text`` literally."""
    return _html.escape(visible(text, keep="\n"), quote=True)


def console(text: str, style: str = "") -> Text:
    """Rich text showing ``text`` literally: no markup, no emoji codes, escapes visible."""
    return Text(visible(text), style=style)


def json_text(document: Any, **dumps: Any) -> str:
    """``json.dumps`` with invisible characters inside strings written as ``\\uXXXX``.

    ``json.dumps`` already escapes C0 controls inside strings, so a raw newline left in its output
    is layout (``indent``) and is kept; everything else invisible can only be inside a string.
    """
    raw = json.dumps(document, ensure_ascii=False, **dumps)
    if raw.isascii() and "\x7f" not in raw:
        return raw

    def escape(char: str) -> str:
        code = ord(char)
        if code <= 0xFFFF:
            return f"\\u{code:04x}"
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"

    return "".join(escape(c) if c != "\n" and _hidden(c) else c for c in raw)


def folder_name(learner: str) -> str:
    """The learner's output folder: the id itself when plain, else a plain form and its hash."""
    taken = _RESERVED | KIT_FOLDERS
    if _PLAIN.fullmatch(learner) and learner not in taken and not _HASHED.fullmatch(learner):
        return learner
    plain = re.sub(r"[^a-z0-9_-]+", "_", learner.lower()).strip("_-")[:PREFIX_CHARS]
    digest = hashlib.sha256(learner.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_DIGITS]
    return f"{plain.rstrip('_-') or 'learner'}--{digest}"
