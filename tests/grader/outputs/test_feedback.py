"""grader.outputs.feedback: summary first, anchors that resolve, passing sections collapsed."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from grader.engine.plugin import TestOutcome
from grader.engine.run import SubmissionResult
from grader.outputs.feedback import anchor, fix_first, html_page, markdown


def _outcome(function: str, points: float, top: float = 2.0, **kw) -> TestOutcome:
    status = "passed" if points == top else "failed"
    return TestOutcome("losses", function, f"check of {function}", points, top, status, **kw)


def _result() -> SubmissionResult:
    outcomes = [
        _outcome("mse", 2.0),
        _outcome("cross_entropy", 0.0, 4.0, diagnosis="no_mean", diagnosis_name="sum, not mean"),
        _outcome("bce", 1.0, message="off by 0.5"),
    ]
    return SubmissionResult("ann", "h", outcomes, sandbox=["process-group"])


def test_fix_first_ranks_functions_by_points_lost():
    assert fix_first(_result()) == [("losses", "cross_entropy", 4.0), ("losses", "bce", 1.0)]


def test_markdown_opens_with_score_mistakes_and_fix_first_then_details():
    text = markdown(_result())
    order = ["**Score: 3 / 8**", "## Summary", "sum, not mean", "Fix first:", "## Details"]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert text.index("`losses.cross_entropy` (4 points lost)") < text.index("`losses.bce`")


def test_html_has_a_toc_whose_anchors_all_resolve_and_collapses_passing_functions():
    page = html_page(_result())
    ids = set(re.findall(r'id="([^"]+)"', page))
    links = re.findall(r'href="#([^"]+)"', page)
    assert links and set(links) <= ids
    assert {anchor("losses", f) for f in ("mse", "cross_entropy", "bce")} <= ids
    assert f'<details id="{anchor("losses", "mse")}">' in page  # passed: collapsed
    assert f'<details id="{anchor("losses", "bce")}" open>' in page  # lost points: open
    assert page.index('id="summary"') < page.index('id="toc"') < page.index('id="details"')


def test_nothing_gradable_feedback_is_the_score_and_what_was_found():
    outcomes = [TestOutcome("losses", f"f{i}", "c", 0.0, 1.0, "not_implemented") for i in range(40)]
    found = "The submission holds `notes.txt`, but no topic file. Nothing could be graded."
    result = SubmissionResult("bob", "h", outcomes, ["losses"], [found])
    text, page = markdown(result), html_page(result)
    assert "notes.txt" in text and "Nothing could be graded." in text and "notes.txt" in page
    assert len(text) < 1000 and "## Details" not in text and "f39" not in text
    assert "<details" not in page and "f39" not in page


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (headless)")
def test_feedback_html_opens_in_headless_chromium(tmp_path):
    """A real browser parses the page into the same sections: summary, contents, details."""
    path = tmp_path / "feedback.html"
    path.write_text(html_page(_result()), encoding="utf-8")
    done = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    assert dom.count("<details") == 3 and 'id="toc"' in dom
    assert f'id="{anchor("losses", "mse")}"' in dom
