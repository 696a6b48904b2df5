"""grader/report/summary.py: the console lists the commonest mistakes and the flagged tests."""

from __future__ import annotations

from pathlib import Path

from grader.report import ClassReport
from grader.report.items import analyse_items
from grader.report.mistakes import find_mistakes
from grader.report.summary import SHOWN, summary_lines
from tests.grader.report.synthetic import klass, outcome


def report_of(results) -> ClassReport:
    named, unnamed = find_mistakes(results)
    return ClassReport(Path("out/class"), len(results), analyse_items(results), named, unnamed)


KINDS = [
    "output should be 1, got 2",
    "output should be 1, got 2",  # the same wrong answer as the first learner's
    "output has shape (2,), expected (1,)",
    "losses.mse raised KeyError: 'x'",
    "output should be a numeric array, got dtype object",
    "output should be an array, got list",
    "output[0] = nan, expected 1.0 (max abs error nan, 1 of 1 entries differ)",
]


def test_summary_names_the_commonest_mistakes_and_the_flagged_tests():
    results = klass({f"l{i}": [1, 0] for i in range(len(KINDS))})
    for r, message in zip(results, KINDS, strict=True):  # six kinds of wrong c1
        r.outcomes[1] = outcome("c1", 0, message=message)
    lines = summary_lines(report_of(results))
    assert lines[0] == "class report: out/class/index.html (items.csv, mistakes.csv)"
    assert lines[1] == f"most common mistakes ({SHOWN} shown):"
    assert lines[2] == "    2 learners  losses.mse  unnamed: c1 (wrong value)"
    assert sum(line.startswith("    1 learner  ") for line in lines) == SHOWN - 1
    flagged = lines[lines.index("flagged hidden tests (2; see items.csv):") + 1 :]
    assert flagged == [
        "  losses.mse: c0  pass rate 1, discrimination undefined: nobody fails",
        "  losses.mse: c1  pass rate 0, discrimination undefined: nobody passes",
    ]


def test_a_clean_class_says_so():
    clean = summary_lines(report_of(klass({"a": [1], "b": [1], "c": [1]})))
    assert "no wrong answers in this class" in clean


def test_summary_lines_show_learner_text_with_escapes_visible():
    """Every summary line goes to the terminal: the warning naming a learner whose id carries a
    terminal escape is printed with the escape visible, never as the raw byte."""
    report = report_of(klass({"a": [1], "b": [0]}))
    report.warning = "WARNING: graded on different topics: x (ev\x1b[2Jil\u202e)"
    lines = summary_lines(report)
    assert lines[0] == "WARNING: graded on different topics: x (ev\\x1b[2Jil\\u202e)"
    assert not any("\x1b" in line or "\u202e" in line for line in lines)


def test_an_empty_gradebook_says_no_learner_is_graded_not_that_nobody_was_wrong():
    """`gradelab report` on a gradebook whose first run was stopped before any result said
    "no wrong answers in this class": read as a class that did everything right."""
    lines = summary_lines(report_of([]))
    assert "no wrong answers in this class" not in lines
    assert any("no graded learner" in line for line in lines), lines
