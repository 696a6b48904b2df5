"""Every CSV gradelab writes: one header row, then rows whose learner-text cells go through
:func:`grader.outputs.escape.csv_cell` (a spreadsheet shows them as text, never evaluates them)."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Sequence

from grader.outputs.escape import csv_cell

__all__ = ["csv_table"]


def csv_table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    text: Collection[str] | None = None,
) -> str:
    """A CSV document (``csv.writer``, ``"\\n"`` line ends): ``header``, then one line per row.

    A cell of a column named in ``text`` (every column when ``text`` is ``None``) is written as
    ``csv_cell(str(cell))``; any other cell as ``csv.writer`` writes it (our own numbers and
    words, e.g. a negative discrimination ``-0.2`` stays a number). The header is ours, written
    as it is. Every row has ``len(header)`` cells, else ``ValueError``.
    """
    unknown = set(text or ()) - set(header)
    if unknown:
        raise ValueError(f"csv_table: text names unknown columns {sorted(unknown)}")
    escaped = [text is None or name in text for name in header]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"csv_table: a row has {len(row)} cells, the header {len(header)}")
        writer.writerow(
            [csv_cell(str(cell)) if esc else cell for cell, esc in zip(row, escaped, strict=True)]
        )
    return buf.getvalue()
