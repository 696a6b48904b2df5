"""``class/index.html``: the class report as one self-contained page.

No script, no stylesheet or font from the network: the CSS is inline and the figures are
``data:`` URIs, so the page opens from disk anywhere. Every learner-derived string (ids,
messages, calls) is escaped; links to feedback go through :func:`grader.grading.safe_name`,
the folder name ``gradelab grade`` wrote.
"""

from __future__ import annotations

from urllib.parse import quote

from grader.grading import safe_name
from grader.report.items import Item
from grader.report.mistakes import Mistake
from grader.report.safe import html_text as e
from grader.report.tables import fmt, listed
from grader.results import SubmissionResult

STYLE = """
body{font-family:system-ui,sans-serif;max-width:80rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
th{background:#eef}td.num{text-align:right}tr.flagged{background:#fff3cd}
code{background:#f3f3f3;padding:0 .2rem;word-break:break-all}img{max-width:100%}
.flag{color:#a40e26;font-weight:600}
.figures{display:flex;flex-wrap:wrap;gap:2rem;align-items:flex-start}figure{margin:0}
"""


def _table(table_id: str, head: list[str], rows: list[str]) -> str:
    th = "".join(f"<th>{e(h)}</th>" for h in head)
    return (
        f'<table id="{table_id}"><thead><tr>{th}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _item_rows(items: list[Item]) -> list[str]:
    rows = []
    for it in items:
        cls = ' class="flagged"' if it.flags else ""
        rows.append(
            f"<tr{cls}><td>{e(it.name)}</td><td class=num>{fmt(it.points)}</td>"
            f"<td class=num>{it.graded}</td><td class=num>{fmt(it.pass_rate)}</td>"
            f"<td class=num>{fmt(it.mean_points)}</td><td class=num>{fmt(it.discrimination)}</td>"
            f'<td class="flag">{e("; ".join(it.flags))}</td></tr>'
        )
    return rows


def _mistake_rows(mistakes: list[Mistake]) -> list[str]:
    rows = []
    for m in mistakes:
        example = f"<code>{e(m.example_call)}</code><br>" if m.example_call else ""
        who = ", ".join(f"<code>{e(learner)}</code>" for learner in m.learners)  # one box each
        rows.append(
            f"<tr><td>{'named' if m.named else 'unnamed'}</td><td>{e(m.name)}</td>"
            f"<td>{e(m.topic)}.{e(m.function)}</td><td class=num>{m.count}</td>"
            f"<td>{who}</td><td>{example}{e(m.example_message)}</td></tr>"
        )
    return rows


def _learner_rows(results: list[SubmissionResult]) -> list[str]:
    return [
        f'<tr><td><a href="../{quote(safe_name(r.learner))}/feedback.html">{e(r.learner)}</a></td>'
        f"<td class=num>{fmt(r.score)} / {fmt(r.max_score)}</td></tr>"
        for r in results
    ]


def _figure(key: str, title: str, alt: str, figures: dict[str, str]) -> str:
    if not figures.get(key):
        return ""
    return f'<figure><h2>{title}</h2><img id="{key}" alt="{alt}" src="{figures[key]}"></figure>'


def render(
    results: list[SubmissionResult],
    items: list[Item],
    named: list[Mistake],
    unnamed: list[Mistake],
    figures: dict[str, str],
) -> str:
    """The page; ``figures`` maps "distribution" and "heatmap" to image ``data:`` URIs."""
    flagged = sum(1 for it in items if it.flags)
    mean = sum(r.score for r in results) / len(results) if results else 0.0
    top = max((r.max_score for r in results), default=0.0)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Class report</title>
<style>{STYLE}</style></head><body>
<h1>Class report</h1>
<p>{len(results)} learners, {len(items)} hidden tests, mean score {fmt(mean, 2)} / {fmt(top)};
{flagged} tests flagged; {len(named)} catalogued mistakes seen. Tables as CSV:
<a href="items.csv">items.csv</a>, <a href="mistakes.csv">mistakes.csv</a>.</p>
<div class="figures">
{_figure("distribution", "Score distribution", "histogram of total scores", figures)}
{_figure("heatmap", "Topics × learners", "fraction of each topic's points per learner", figures)}
</div>
<h2>Common mistakes</h2>
<p>Catalogued mistakes by name; failures no catalogue entry explains grouped by what failed
(same checks, same kind of wrong value), the {min(len(unnamed), 5)} most common listed.</p>
{_table("mistakes", ["kind", "mistake", "function", "learners", "who", "example (minimal failing call)"], _mistake_rows(listed(named, unnamed)))}
<h2>Hidden tests</h2>
<p>Discrimination: correlation of the test's points with the rest of the learner's score.
Flagged: nobody fails, nobody passes, negative, or below 0.2 unless the pass rate is above 0.95.</p>
{_table("items", ["test", "points", "graded", "pass rate", "mean points", "discrimination", "flags"], _item_rows(items))}
<h2>Learners</h2>
{_table("learners", ["learner (feedback)", "score"], _learner_rows(results))}
</body></html>
"""
