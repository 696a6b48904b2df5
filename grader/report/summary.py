"""What the console shows of a class report: the commonest mistakes and the flagged tests."""

from __future__ import annotations

from grader.outputs.escape import visible
from grader.report import ClassReport
from grader.report.tables import fmt

SHOWN = 5


def summary_lines(report: ClassReport) -> list[str]:
    """Plain-text lines for the terminal, learner text included: print them without markup.

    Every line goes through :func:`grader.outputs.escape.visible`, so a learner's id or message
    carrying a terminal escape (``\\x1b[2J``) or a bidi override shows it, never acts on it."""
    lines = [report.warning] if report.warning else []
    lines.append(f"class report: {report.folder}/index.html (items.csv, mistakes.csv)")
    if not report.learners:  # a gradebook with no result yet (its first run stopped early)
        lines.append("no graded learner in this gradebook yet: nothing to report")
        return [visible(line) for line in lines]
    top = report.top_mistakes(SHOWN)
    if top:
        lines.append(f"most common mistakes ({len(top)} shown):")
        for m in top:
            label = m.name if m.named else f"unnamed: {m.name}"
            learners = "learners" if m.count != 1 else "learner "
            lines.append(f"  {m.count:>3} {learners}  {m.topic}.{m.function}  {label}")
    else:
        lines.append("no wrong answers in this class")
    flagged = report.flagged
    if flagged:
        lines.append(f"flagged hidden tests ({len(flagged)}; see items.csv):")
        for it in flagged[:20]:
            lines.append(
                f"  {it.name}  pass rate {fmt(it.pass_rate, 2)}, discrimination "
                f"{fmt(it.discrimination, 2) or 'undefined'}: {'; '.join(it.flags)}"
            )
        if len(flagged) > 20:
            lines.append(f"  … and {len(flagged) - 20} more")
    else:
        lines.append("no hidden test flagged")
    return [visible(line) for line in lines]
