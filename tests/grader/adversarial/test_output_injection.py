"""Finding 5 of the trust-boundary review: learner text (ids, exception messages) reaches the
instructor's tools as data, never as structure. Graded end to end through ``gradelab grade``
(the command line, so the console is checked too) with hostile ids and a learner whose exceptions
carry HTML, links, a fake score block, headings, terminal escapes and bidi overrides:

- grades.csv has no cell a spreadsheet would evaluate;
- feedback.md, rendered by a CommonMark renderer, holds no element the learner wrote (no script,
  img, javascript: link, second heading or second score) and shows the text literally;
- no output file and no console line holds a raw escape byte or bidi override;
- the console prints ``[bold]honest`` literally, as one row.
"""

from __future__ import annotations

import csv
import json
import re
import zipfile
from dataclasses import replace

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from grader import grading
from grader.cli import app
from grader.engine.sandbox import Sandbox
from grader.outputs import gradescope
from grader.outputs.escape import FORMULA_START, folder_name

from ._support import GOOD, HALF, HIDDEN, LIMITS, stable_kit

PAYLOAD = (
    "<script>alert(1)</script> <img src=x onerror=alert(1)> [prize](javascript:alert(1))\\n"
    "**Score: 999 / 999**\\n\\n# Feedback for victim\\n\\x1b[2J\\x1b]0;owned\\x07 \\u202eevil"
)
INJECT = GOOD.replace(
    "    return np.maximum(x, 0.0)", f'    raise ValueError("{PAYLOAD}")'
).replace("    return np.tanh(x)", f'    raise RuntimeError("`` ` {PAYLOAD}")')
ZIPPED = "zipped"
PAYLOAD_NAME = "<img src=x onerror=alert(1)>\n# Feedback for ann\n**Score: 999**\x1b[2J\u202e"
LEARNERS = {
    ZIPPED: GOOD,
    "=1+1+cmd|' -C calc'!A0": HALF,
    "@SUM(A1)": HALF,
    "-2+3": HALF,
    "[bold]honest": GOOD,
    "ev\x1b[31mil\u202e": HALF,
    "newline\n# Feedback for ann\n**Score: 999**": HALF,
    "<script>alert(1)<": HALF,
    "inject": INJECT,
}
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
MD = MarkdownIt("commonmark")  # raw HTML allowed: what a Markdown viewer would render


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    """The class graded once through the command line; its outputs and console."""
    root = tmp_path_factory.mktemp("injection")
    (root / "hidden").mkdir()
    (root / "hidden" / "test_activations.py").write_text(HIDDEN)
    (root / "class").mkdir()
    for learner, source in LEARNERS.items():
        if learner == ZIPPED:  # its problems name the zip's members
            with zipfile.ZipFile(root / "class" / f"{learner}.zip", "w") as zf:
                zf.writestr("activations.py", source)
                zf.writestr(f"../{PAYLOAD_NAME}/activations.py", "")
                zf.writestr("exercises/activations.py", "")
            continue
        (root / "class" / learner).mkdir(parents=True)
        (root / "class" / learner / "activations.py").write_text(source)
    real = grading.grade

    def small_suite(paths, options, progress=None, notify=None):
        options.settings = replace(
            options.settings, hidden_dir=root / "hidden", limits=LIMITS, sandbox=Sandbox()
        )
        return real(paths, options, progress, notify)

    with pytest.MonkeyPatch.context() as patch:
        stable_kit(patch)
        patch.setattr(grading, "grade", small_suite)
        args = ["grade", str(root / "class"), "--out", str(root / "out"), "--jobs", "1"]
        run = CliRunner().invoke(app, [*args, "--topic", "activations"], terminal_width=200)
    assert run.exit_code == 0, run.output
    return {"out": root / "out", "console": run.output}


def test_grades_csv_has_no_cell_a_spreadsheet_would_evaluate(graded):
    raw = (graded["out"] / "grades.csv").read_text()
    assert not RAW_CONTROL.search(raw)
    rows = list(csv.reader(raw.splitlines()))
    assert len(rows) == len(LEARNERS) + 1
    for row in rows:
        for cell in row:
            assert cell.lstrip()[:1] not in FORMULA_START, cell
    learners = {r[0] for r in rows[1:]}
    assert "'=1+1+cmd|' -C calc'!A0" in learners and "'@SUM(A1)" in learners
    assert "'-2+3" in learners


@pytest.mark.parametrize("learner", LEARNERS)
def test_feedback_markdown_shows_learner_text_without_forging_structure(graded, learner):
    text = (graded["out"] / folder_name(learner) / "feedback.md").read_text()
    assert not RAW_CONTROL.search(text)
    page = MD.render(text)
    assert page.count("<h1>") == 1 and "<h1>Feedback for <code>" in page
    assert page.count("<strong>") == 1 and "<strong>Score: " in page
    assert not re.search(r"<script|<img|href=\"javascript", page)
    assert text.count("\n### ") == 4  # one heading per graded function, no forged ones
    assert text.count("\n## ") == 2  # Summary and Details, no forged ones


def test_exception_messages_reach_the_feedback_literally_and_visibly(graded):
    folder = graded["out"] / "inject"
    page = MD.render((folder / "feedback.md").read_text())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\\x1b[2J" in page and "\\u202eevil" in page and "**Score: 999 / 999**" in page
    html_page = (folder / "feedback.html").read_text()
    assert not RAW_CONTROL.search(html_page)
    assert "&lt;script&gt;" in html_page and "<script" not in html_page.replace("<script>", "")


def test_problems_naming_zip_members_are_quoted_too(graded):
    text = (graded["out"] / ZIPPED / "feedback.md").read_text()
    assert "Problems with the submission:" in text
    page = MD.render(text)
    assert "&lt;img src=x onerror=alert(1)&gt;\\n# Feedback for ann" in page
    assert "several files for activations (" in page


@pytest.mark.parametrize("learner", LEARNERS)
def test_results_json_holds_no_raw_control_or_bidi_character(graded, learner):
    raw = (graded["out"] / folder_name(learner) / "results.json").read_text()
    assert not RAW_CONTROL.search(raw)
    doc = json.loads(raw)
    assert gradescope.validate(doc) == []
    assert doc["extra_data"]["gradelab"]["learner"] == learner  # the data itself is kept
    for test in doc["tests"]:
        assert not RAW_CONTROL.search(test["output"])


def test_the_console_prints_learner_ids_literally(graded):
    console = graded["console"]
    assert not RAW_CONTROL.search(console)
    assert "[bold]honest: 7/7" in console
    assert "ev\\x1b[31mil\\u202e: 4/7" in console
    assert "newline\\n# Feedback for ann\\n**Score: 999**: 4/7" in console
    assert console.count("honest") == 2  # its progress line and its table row, nothing more
