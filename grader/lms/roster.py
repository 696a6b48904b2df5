"""The class roster: gradelab learner ids and each learner's identity in the LMS.

A roster is a UTF-8 CSV file (a byte-order mark is allowed: Excel writes one) with a header row.
Columns, in any order (others are ignored):

- ``learner`` (required): the gradelab learner id, the submission's folder or zip name;
- ``name``: the learner's name as the LMS shows it;
- ``canvas_id``: Canvas's numeric user ID (the ``ID`` column of a Canvas gradebook export);
- ``sis_id``: the student-information-system id (Canvas ``SIS User ID``, Moodle ``ID number``);
- ``login``: the LMS login (Canvas ``SIS Login ID``, Moodle ``username``);
- ``email``: the e-mail address (Moodle ``Email address``);
- ``section``: the section or group (Canvas ``Section``).

Every value is stripped of surrounding blanks. A learner id must be unique and non-empty; an
export also needs, on every row, one value that identifies the learner in its LMS
(:data:`IDENTIFIERS`), and no two rows may share one (ignoring case, as the LMS matches logins and
e-mail addresses): the LMS would put both rows' grades on one student. Any problem is a
:class:`RosterError` naming the line.

Learner ids are matched exactly (as ``gradelab grade --roster`` does); :func:`alike` says how two
ids that are not equal differ when they differ only in case, surrounding blanks or Unicode form,
so an export can name the roster row a graded learner most likely is.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

COLUMNS = ("learner", "name", "canvas_id", "sis_id", "login", "email", "section")
#: per LMS, the roster columns that can identify a learner there (one is needed on each row)
IDENTIFIERS = {
    "canvas": ("canvas_id", "sis_id", "login"),
    "moodle": ("email", "login", "sis_id"),
}


class RosterError(ValueError):
    """The roster cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Member:
    """One roster row: a learner id and its LMS identity (empty strings where not given)."""

    learner: str
    line: int
    identity: dict[str, str] = field(default_factory=dict)

    def get(self, column: str) -> str:
        return self.identity.get(column, "")


def parse_roster(data: bytes, source: str = "roster", lms: str | None = None) -> list[Member]:
    """The roster in ``data`` (CSV bytes), in file order; ``lms`` checks its identifiers too."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RosterError(
            f"{source}: not UTF-8 text (line {line}, byte {exc.start}); save it as "
            "'CSV UTF-8' and try again"
        ) from None
    if not text.strip():
        raise RosterError(f"{source}: the file is empty; it needs a header row with 'learner'")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip().lower() for h in rows[0]]
    if "learner" not in header:
        hint = "; it looks separated by ';': save it comma-separated" if ";" in rows[0][0] else ""
        raise RosterError(
            f"{source}: no 'learner' column in the header (found: {', '.join(header) or 'none'}); "
            f"known columns: {', '.join(COLUMNS)}{hint}"
        )
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise RosterError(f"{source}: column(s) named twice in the header: {', '.join(repeated)}")
    if lms is not None and not set(IDENTIFIERS[lms]) & set(header):
        raise RosterError(
            f"{source}: a {lms} export needs one of the columns {', '.join(IDENTIFIERS[lms])} "
            "to identify learners"
        )
    members: list[Member] = []
    first: dict[str, int] = {}
    problems: list[str] = []
    holders: dict[tuple[str, str], int] = {}  # (identifier column, value casefolded) → line
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines are layout
        if len(row) != len(header):
            problems.append(f"line {number}: {len(row)} cells, the header has {len(header)}")
            continue
        values = {h: cell.strip() for h, cell in zip(header, row, strict=True) if h in COLUMNS}
        learner = values.pop("learner")
        if not learner:
            problems.append(f"line {number}: empty learner id")
        elif learner in first:
            problems.append(f"line {number}: learner {learner!r} already on line {first[learner]}")
        elif lms is not None and not any(values.get(c) for c in IDENTIFIERS[lms]):
            problems.append(
                f"line {number}: learner {learner!r} has none of {', '.join(IDENTIFIERS[lms])}"
            )
        else:
            first[learner] = number
            members.append(Member(learner, number, values))
            for column in IDENTIFIERS[lms] if lms is not None else ():
                value = values.get(column, "")
                held = holders.setdefault((column, value.casefold()), number)
                if value and held != number:
                    problems.append(
                        f"line {number}: learner {learner!r} has the {column} of line {held} "
                        f"({value!r})"
                    )
    if problems:
        shown = "; ".join(problems[:10]) + ("; …" if len(problems) > 10 else "")
        raise RosterError(f"{source}: {len(problems)} bad row(s): {shown}")
    if not members:
        raise RosterError(f"{source}: the roster lists no learners (only a header)")
    return members


#: what two ids naming one learner may differ in, tried in this order
_LOOSER = (
    ("surrounding blanks", str.strip),
    ("Unicode form (NFC/NFD)", lambda text: unicodedata.normalize("NFC", text)),
    ("case", str.casefold),
)


def alike(a: str, b: str) -> str | None:
    """How ``a`` and ``b`` differ when they differ only in surrounding blanks, Unicode
    normalisation or case (``"case"``, ``"surrounding blanks, case"``); None when they are equal
    or differ in more than that."""
    differences = []
    for what, looser in _LOOSER:
        if a == b:
            break
        loose_a, loose_b = looser(a), looser(b)
        if (loose_a, loose_b) != (a, b):
            differences.append(what)
        a, b = loose_a, loose_b
    return ", ".join(differences) if differences and a == b else None


def loose_key(learner: str) -> str:
    """``learner`` with everything :func:`alike` ignores taken out: ids alike share it."""
    for _, looser in _LOOSER:
        learner = looser(learner)
    return learner


def read_roster(path: Path, lms: str | None = None) -> list[Member]:
    """The roster at ``path`` (see :func:`parse_roster`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"{path}: cannot read the roster: {exc.strerror or exc}") from None
    return parse_roster(data, str(path), lms)
