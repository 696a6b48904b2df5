"""Per-learner feedback, Markdown and HTML: what passed, what failed and why, per function.

Layout (both formats): the score; the diagnosed mistakes by name; the functions to fix first
(most points lost first, at most :data:`FIX_FIRST`); the per-topic table; then the detail per
function. In HTML each function is a ``<details id="fn-<topic>-<function>">`` reached from a
table of contents, open when it lost points and collapsed when it passed. A submission with no
topic file gets its score and its problems (ending with one paragraph saying what was found),
nothing else.

A failed check shows the message, the named mistake and its hint when one matched, and the
minimal failing call hypothesis found. Hidden inputs beyond that call are never shown.

Learner text (the id, messages of the learner's exceptions, problems naming its files, the
failing call) goes through :mod:`grader.outputs.escape`: a code span in Markdown, escaped in HTML,
control and bidi characters shown as escapes in both.
"""

from __future__ import annotations

import re
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


FIX_FIRST = 3  # functions named under "Fix first"


def _pts(x: float) -> str:
    return f"{x:g}"


def _by_function(outcomes: list[TestOutcome]) -> list[tuple[tuple[str, str], list[TestOutcome]]]:
    key = lambda o: (o.topic, o.function)  # noqa: E731
    order = {k: i for i, k in enumerate(dict.fromkeys(key(o) for o in outcomes))}
    return [
        (k, list(g)) for k, g in groupby(sorted(outcomes, key=lambda o: order[key(o)]), key=key)
    ]


def anchor(topic: str, function: str) -> str:
    """The HTML id of a function's section: ``fn-<topic>-<function>``, other characters ``-``."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"fn-{topic}-{function}")


def _nothing_gradable(result: SubmissionResult) -> bool:
    """No topic file at all: every graded topic is missing."""
    return bool(result.missing_topics) and all(
        o.topic in result.missing_topics for o in result.outcomes
    )


def mistakes(result: SubmissionResult) -> list[tuple[str, str]]:
    """The named mistakes, once each: (``topic.function``, mistake name), in test order."""
    named = [(f"{o.topic}.{o.function}", o.diagnosis_name) for o in result.outcomes]
    return [(fn, name) for fn, name in dict.fromkeys(named) if name]


def fix_first(result: SubmissionResult) -> list[tuple[str, str, float]]:
    """(topic, function, points lost) of the functions that lost most, most first."""
    lost = [
        (topic, function, sum(o.max_points - o.points for o in outcomes))
        for (topic, function), outcomes in _by_function(result.outcomes)
        if topic not in result.missing_topics
    ]
    ranked = sorted((x for x in lost if x[2] > 0), key=lambda x: -x[2])
    return ranked[:FIX_FIRST]


def markdown(result: SubmissionResult) -> str:
    """feedback.md: summary first (score, named mistakes, fix first), then the detail."""
    lines = [
        f"# Feedback for {md_inline(result.learner)}",
        "",
        f"**Score: {_pts(result.score)} / {_pts(result.max_score)}**",
    ]
    if _nothing_gradable(result):
        lines += [line for p in result.problems for line in ("", md_inline(p))]
        lines += ["", f"_Sandbox: {', '.join(result.sandbox)}._", ""]
        return "\n".join(lines)
    lines += ["", "## Summary", ""]
    named = mistakes(result)
    lines += ["Mistakes the grader recognised:"] if named else ["No known mistake recognised."]
    lines += [f"- `{fn}`: {md_inline(name)}" for fn, name in named]
    first = fix_first(result)
    if first:
        lines += ["", "Fix first:"]
        lines += [f"- `{t}.{f}` ({_pts(lost)} points lost)" for t, f, lost in first]
    lines += ["", "| topic | points |", "|---|---|"]
    lines += [
        f"| {t} | {_pts(got)} / {_pts(top)} |" for t, (got, top) in result.topic_scores().items()
    ]
    if result.missing_topics:
        lines += ["", f"Missing topic files (0 points): {', '.join(result.missing_topics)}."]
    if result.problems:
        lines += ["", "Problems with the submission:"] + [
            f"- {md_inline(p)}" for p in result.problems
        ]
    lines += ["", "## Details"]
    for (topic, function), outcomes in _by_function(result.outcomes):
        if topic in result.missing_topics:
            continue  # named once above, not once per check
        got = sum(o.points for o in outcomes)
        top = sum(o.max_points for o in outcomes)
        lines += ["", f"### {topic}.{function} — {_pts(got)} / {_pts(top)}", ""]
        for o in outcomes:
            mark = "✅" if o.status == "passed" else "❌"
            lines.append(
                f"- {mark} {o.check_case} ({_pts(o.points)}/{_pts(o.max_points)}, {STATUS[o.status]})"
            )
            if o.status != "passed":
                lines.append(f"  - {md_inline(o.message)}")
                if o.input and o.status in ("failed", "fault"):
                    lines.append(f"  - minimal failing call: {md_inline(o.input)}")
    lines += ["", f"_Sandbox: {', '.join(result.sandbox)}._", ""]
    return "\n".join(lines)


def _html_function(topic: str, function: str, outcomes: list[TestOutcome]) -> str:
    """One function's ``<details>``: open when it lost points, collapsed when it passed."""
    e = escape.html
    got = sum(o.points for o in outcomes)
    top = sum(o.max_points for o in outcomes)
    items = []
    for o in outcomes:
        cls = "pass" if o.status == "passed" else "fail"
        item = f'<li class="{cls}">{e(o.check_case)} — {_pts(o.points)}/{_pts(o.max_points)} ({e(STATUS[o.status])})'
        if o.status != "passed":
            item += f"<div>{e(o.message)}</div>"
            if o.input and o.status in ("failed", "fault"):
                item += f"<div>minimal failing call: <code>{e(o.input)}</code></div>"
        items.append(item + "</li>")
    is_open = " open" if got < top else ""
    return (
        f'<details id="{anchor(topic, function)}"{is_open}><summary><strong>{e(topic)}.'
        f"{e(function)}</strong> {_pts(got)} / {_pts(top)}</summary><ul>{''.join(items)}</ul>"
        "</details>"
    )


def html_page(result: SubmissionResult) -> str:
    """feedback.html: score, summary, table of contents, then one ``<details>`` per function."""
    e = escape.html
    score = f"<p><strong>Score: {_pts(result.score)} / {_pts(result.max_score)}</strong></p>"
    if _nothing_gradable(result):
        body = score + "".join(f"<p>{e(p)}</p>" for p in result.problems)
    else:
        link = lambda t, f: f'<a href="#{anchor(t, f)}"><code>{e(t)}.{e(f)}</code></a>'  # noqa: E731
        named = "".join(
            f"<li>{link(*fn.split('.', 1))}: {e(name)}</li>" for fn, name in mistakes(result)
        )
        first = "".join(
            f"<li>{link(t, f)} ({_pts(lost)} points lost)</li>" for t, f, lost in fix_first(result)
        )
        topics = "".join(
            f"<tr><td>{e(t)}</td><td>{_pts(g)} / {_pts(m)}</td></tr>"
            for t, (g, m) in result.topic_scores().items()
        )
        graded = [
            (k, v) for k, v in _by_function(result.outcomes) if k[0] not in result.missing_topics
        ]
        toc = "".join(f"<li>{link(t, f)}</li>" for (t, f), _ in graded)
        missing = (
            f"<p>Missing topic files (0 points): {e(', '.join(result.missing_topics))}.</p>"
            if result.missing_topics
            else ""
        )
        problems = "".join(f"<li>{e(p)}</li>" for p in result.problems)
        body = (
            f'{score}<section id="summary"><h2>Summary</h2>'
            + (f"<p>Mistakes the grader recognised:</p><ul>{named}</ul>" if named else "")
            + ("" if named else "<p>No known mistake recognised.</p>")
            + (f'<p>Fix first:</p><ol id="fix-first">{first}</ol>' if first else "")
            + f"<table>{topics}</table>{missing}"
            + (f"<p>Problems with the submission:</p><ul>{problems}</ul>" if problems else "")
            + f'</section><nav id="toc"><h2>Contents</h2><ul>{toc}</ul></nav>'
            + '<section id="details"><h2>Details</h2>'
            + "".join(_html_function(t, f, o) for (t, f), o in graded)
            + "</section>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Feedback for {e(result.learner)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
.pass{{color:#196c2e}}.fail{{color:#a40e26}}li div{{color:#333;margin:.2rem 0 .5rem 1rem}}
details{{margin:.4rem 0}}summary{{cursor:pointer}}
code{{background:#f3f3f3;padding:0 .2rem}}table{{border-collapse:collapse}}td{{padding:.1rem .8rem}}</style></head>
<body><h1>Feedback for {e(result.learner)}</h1>
{body}
<p><em>Sandbox: {e(", ".join(result.sandbox))}.</em></p>
</body></html>
"""
