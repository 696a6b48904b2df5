"""Per-learner feedback, Markdown and HTML: what passed, what failed and why, per function.

A failed check shows the message, the named mistake and its hint when one matched, and the
minimal failing call hypothesis found. Hidden inputs beyond that call are never shown.

Learner text (the id, messages of the learner's exceptions, problems naming its files, the
failing call) goes through :mod:`grader.outputs.escape`: a code span in Markdown, escaped in HTML,
control and bidi characters shown as escapes in both.
"""

from __future__ import annotations

from itertools import groupby

from grader.outputs import escape
from grader.outputs.escape import md_inline
from grader.results import SubmissionResult, TestOutcome

STATUS = {
    "passed": "passed",
    "failed": "failed",
    "not_implemented": "not implemented",
    "fault": "stopped",
    "error": "grader error",
}


def _pts(x: float) -> str:
    return f"{x:g}"


def _by_function(outcomes: list[TestOutcome]) -> list[tuple[tuple[str, str], list[TestOutcome]]]:
    key = lambda o: (o.topic, o.function)  # noqa: E731
    order = {k: i for i, k in enumerate(dict.fromkeys(key(o) for o in outcomes))}
    return [
        (k, list(g)) for k, g in groupby(sorted(outcomes, key=lambda o: order[key(o)]), key=key)
    ]


def markdown(result: SubmissionResult) -> str:
    lines = [
        f"# Feedback for {md_inline(result.learner)}",
        "",
        f"**Score: {_pts(result.score)} / {_pts(result.max_score)}**",
        "",
        "| topic | points |",
        "|---|---|",
    ]
    lines += [
        f"| {t} | {_pts(got)} / {_pts(top)} |" for t, (got, top) in result.topic_scores().items()
    ]
    if result.missing_topics:
        lines += ["", f"Missing topic files (0 points): {', '.join(result.missing_topics)}."]
    for (topic, function), outcomes in _by_function(result.outcomes):
        got = sum(o.points for o in outcomes)
        top = sum(o.max_points for o in outcomes)
        lines += ["", f"## {topic}.{function} — {_pts(got)} / {_pts(top)}", ""]
        for o in outcomes:
            mark = "✅" if o.status == "passed" else "❌"
            lines.append(
                f"- {mark} {o.check_case} ({_pts(o.points)}/{_pts(o.max_points)}, {STATUS[o.status]})"
            )
            if o.status != "passed":
                lines.append(f"  - {md_inline(o.message)}")
                if o.input and o.status in ("failed", "fault"):
                    lines.append(f"  - minimal failing call: {md_inline(o.input)}")
    if result.problems:
        lines += ["", "Problems with the submission:"] + [
            f"- {md_inline(p)}" for p in result.problems
        ]
    lines += ["", f"_Sandbox: {', '.join(result.sandbox)}._", ""]
    return "\n".join(lines)


def html_page(result: SubmissionResult) -> str:
    e = escape.html
    rows = []
    for (topic, function), outcomes in _by_function(result.outcomes):
        got = sum(o.points for o in outcomes)
        top = sum(o.max_points for o in outcomes)
        rows.append(
            f"<h2>{e(topic)}.{e(function)} <small>{_pts(got)} / {_pts(top)}</small></h2><ul>"
        )
        for o in outcomes:
            cls = "pass" if o.status == "passed" else "fail"
            item = f'<li class="{cls}">{e(o.check_case)} — {_pts(o.points)}/{_pts(o.max_points)} ({e(STATUS[o.status])})'
            if o.status != "passed":
                item += f"<div>{e(o.message)}</div>"
                if o.input and o.status in ("failed", "fault"):
                    item += f"<div>minimal failing call: <code>{e(o.input)}</code></div>"
            rows.append(item + "</li>")
        rows.append("</ul>")
    topics = "".join(
        f"<tr><td>{e(t)}</td><td>{_pts(g)} / {_pts(m)}</td></tr>"
        for t, (g, m) in result.topic_scores().items()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Feedback for {e(result.learner)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
.pass{{color:#196c2e}}.fail{{color:#a40e26}}li div{{color:#333;margin:.2rem 0 .5rem 1rem}}
code{{background:#f3f3f3;padding:0 .2rem}}table{{border-collapse:collapse}}td{{padding:.1rem .8rem}}</style></head>
<body><h1>Feedback for {e(result.learner)}</h1>
<p><strong>Score: {_pts(result.score)} / {_pts(result.max_score)}</strong></p>
<table>{topics}</table>
{"".join(rows)}
<p><em>Sandbox: {e(", ".join(result.sandbox))}.</em></p>
</body></html>
"""
