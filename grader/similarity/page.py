"""``similarity/index.html``: the flagged pairs, each with the two files side by side.

Self-contained (inline CSS, no script, nothing from the network) and every learner string
(ids and code) escaped; the shared code is highlighted with copydetect's slices.
"""

from __future__ import annotations

import numpy as np

from grader.report.safe import html_text as e
from grader.similarity.fingerprint import NOISE, highlighted
from grader.similarity.pairs import MIN_SHARED_TOKENS, Pair

#: unflagged pairs shown for context (the closest ones)
CLOSEST_SHOWN = 20
#: flagged pairs shown side by side (the most similar; the page holds both files of each)
SIDE_BY_SIDE_SHOWN = 50
#: characters of each file shown side by side: a learner's 2 MB file (comments normalised away,
#: so still flagged with every copy) would otherwise be written once per pair it is in, a page of
#: hundreds of MB; real answers are a few KB
CODE_SHOWN = 50_000

STYLE = """
body{font-family:system-ui,sans-serif;max-width:100rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}th{background:#eef}
td.num{text-align:right}.sides{display:flex;gap:1rem}.sides>div{flex:1;min-width:0}
pre{background:#f7f7f7;padding:.5rem;overflow:auto;font-size:.8rem;max-height:40rem}
mark.a{background:#f2b6b6}mark.b{background:#b6f2b6}
"""


def _row(p: Pair, anchor: str | None) -> str:
    link = f'<a href="#{anchor}">side by side</a>' if anchor else ""
    return (
        f"<tr><td>{e(p.topic)}</td><td>{e(p.learner_a)}</td><td>{e(p.learner_b)}</td>"
        f"<td class=num>{p.similarity_a:.0%}</td><td class=num>{p.similarity_b:.0%}</td>"
        f"<td class=num>{p.shared_tokens}</td><td>{link}</td></tr>"
    )


def _table(table_id: str, rows: list[str]) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in ("topic", "learner A", "learner B", "A in B", "B in A", "shared tokens", "")
    )
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _listing(code: str, slices: np.ndarray, css_class: str) -> str:
    """``code`` highlighted, its first :data:`CODE_SHOWN` characters only, the rest counted."""
    if len(code) <= CODE_SHOWN:
        return highlighted(code, slices, css_class)
    if slices.size:
        slices = np.minimum(slices[:, slices[0] < CODE_SHOWN], CODE_SHOWN)
    more = len(code) - CODE_SHOWN
    return (
        highlighted(code[:CODE_SHOWN], slices, css_class)
        + f"\n<em>… {more} more characters not shown (the whole file is in the submission)</em>"
    )


def _side_by_side(p: Pair, anchor: str | None) -> str:
    left = _listing(p.code[0], p.slices[0], "a")
    right = _listing(p.code[1], p.slices[1], "b")
    return (
        f'<section id="{anchor}"><h3>{e(p.describe())}</h3><div class="sides">'
        f"<div><h4>{e(p.learner_a)}</h4><pre>{left}</pre></div>"
        f"<div><h4>{e(p.learner_b)}</h4><pre>{right}</pre></div></div></section>"
    )


def render(pairs: list[Pair], threshold: float) -> str:
    flagged = [p for p in pairs if p.flagged]
    closest = [p for p in pairs if not p.flagged][:CLOSEST_SHOWN]
    anchors = [f"pair-{i}" if i < SIDE_BY_SIDE_SHOWN else None for i in range(len(flagged))]
    shown = [(p, a) for p, a in zip(flagged, anchors, strict=True) if a]
    more = len(flagged) - len(shown)
    note = f"<p>The {more} less similar flagged pairs: see the table above.</p>" if more else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Similarity report</title>
<style>{STYLE}</style></head><body>
<h1>Similarity report</h1>
<p>{len(pairs)} pairs compared (per topic, every two learners who handed it in), {len(flagged)}
flagged: at least {threshold:.0%} of
either file found in the other and at least {MIN_SHARED_TOKENS} shared tokens. Code is compared
after the released stub is removed (boilerplate), with names, strings and comments normalised
(copydetect winnowing, matches of {NOISE}+ tokens). A flag is a reason to look, not a verdict.
Every pair that shares any code: <a href="similarity.csv">similarity.csv</a>.</p>
<h2>Flagged pairs</h2>
{_table("flagged", [_row(p, a) for p, a in zip(flagged, anchors, strict=True)])}
<h2>Closest pairs below the threshold</h2>
{_table("closest", [_row(p, None) for p in closest])}
<h2>Side by side</h2>
{"".join(_side_by_side(p, a) for p, a in shown)}
{note}
</body></html>
"""
