"""grader/outputs/escape.py: one rule per output format for learner text, each checked against
what the format's consumer does with it (a CommonMark renderer, a CSV reader, Rich, JSON)."""

from __future__ import annotations

import csv
import html as stdlib_html
import io
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from rich.console import Console

from grader.outputs.escape import (
    FORMULA_START,
    console,
    csv_cell,
    folder_name,
    html,
    json_text,
    md_inline,
    visible,
)

NASTY = [
    "\x1b[2J\x1b]0;pwned\x07",  # terminal: clear screen, set title
    "abc\u202edcba",  # right-to-left override
    "a\u2066b\u2069\u200bc\ufeff",  # isolates, zero-width space, BOM
    "line\nbreak\rcr\ttab\x00nul\x7fdel\x85nel\u2028ls",
]
ANY_TEXT = st.text(
    st.characters(codec="utf-8") | st.sampled_from(list("`*_[]()<>!#|\\=+-@\n\r\t\x1b\u202e ")),
    max_size=40,
)


@pytest.mark.parametrize("text", NASTY)
def test_visible_leaves_no_control_format_or_separator_character(text):
    shown = visible(text)
    assert shown.isprintable()
    assert not re.search(
        "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b\ufeff]", shown
    )


def test_visible_names_the_characters_it_escapes():
    assert visible("\x1b[31m") == "\\x1b[31m"
    assert visible("a\u202eb") == "a\\u202eb"
    assert visible("x\ny\tz\r") == "x\\ny\\tz\\r"
    assert visible("\U000e0041") == "\\U000e0041"  # a tag character (format, astral)
    assert visible("a\nb", keep="\n") == "a\nb"
    assert visible("plain — ✅ café") == "plain — ✅ café"


@pytest.mark.parametrize(
    "char",
    list("\u034f\u115f\u1160\u17b4\u180b\u2065\u3164\ufe00\ufe0f\uffa0\U000e0100"),
)
def test_default_ignorable_characters_outside_cf_are_shown_escaped_in_every_format(char):
    """A character Unicode renders as nothing (combining grapheme joiner, Hangul filler,
    variation selector...) is not a control or format character, yet ``alice`` + it looks exactly
    like ``alice``: a learner could pass for a classmate in grades.csv, the console and the
    report. Every format shows it as an escape, as it does zero-width characters."""
    learner = f"alice{char}"
    code = ord(char)
    name = f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    assert visible(learner) == f"alice{name}"
    assert csv_cell(learner) == f"alice{name}"
    assert html(learner) == f"alice{name}"
    assert name in md_inline(learner) and char not in md_inline(learner)
    assert console(learner).plain == f"alice{name}"
    written = json_text({"learner": learner})
    assert char not in written and json.loads(written) == {"learner": learner}


@pytest.mark.parametrize(
    "cell",
    ["=1+1+cmd|' -C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", " =1", "\uff1d1+1"],
)
def test_csv_cells_a_spreadsheet_would_evaluate_are_neutralised(cell):
    written = csv_cell(cell)
    assert written[0] == "'" or written[0] == "\\"
    buf = io.StringIO()
    csv.writer(buf).writerow([written])
    (back,) = next(csv.reader(io.StringIO(buf.getvalue())))
    assert back[0] not in FORMULA_START | {"\t", "\r"}


def test_csv_cells_that_are_plain_text_or_numbers_are_unchanged():
    assert [csv_cell(c) for c in ("ann", "7", "0.5", "a=b")] == ["ann", "7", "0.5", "a=b"]


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT)
def test_csv_cell_never_starts_with_a_formula_or_control_character(text):
    written = csv_cell(text)
    assert written.lstrip()[:1] not in FORMULA_START or written[0] == "'"
    assert "\n" not in written and "\r" not in written and "\t" not in written


MD = MarkdownIt("commonmark")


@settings(max_examples=400, deadline=None)
@given(text=ANY_TEXT)
def test_md_inline_renders_as_one_code_span_showing_the_text_literally(text):
    """Whatever the text, CommonMark renders ``- x: <md_inline(text)>`` as one list item holding
    exactly one <code> whose content is the visible text: no other element can be forged."""
    rendered = MD.render(f"- x: {md_inline(text)}\n")
    inner = (
        stdlib_html.escape(visible(text), quote=False).replace('"', "&quot;") or " "
    )  # no empty span in CommonMark
    assert rendered == f"<ul>\n<li>x: <code>{inner}</code></li>\n</ul>\n"


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "**Score: 999 / 999**",
        "done\n\n# Feedback for ann\n**Score: 7 / 7**",
        "```\ncode\n```",
        "`` ` ``",
        "| a | b |",
    ],
)
def test_md_inline_forges_no_markdown_structure(text):
    rendered = MD.render(f"# Feedback for {md_inline(text)}\n")
    assert rendered.count("<") == 4  # <h1>, <code>, </code>, </h1>: nothing else
    assert rendered.startswith("<h1>Feedback for <code>") and rendered.endswith("</code></h1>\n")


def test_html_escapes_markup_and_shows_control_characters():
    assert html('<img src=x onerror="alert(1)">') == (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    )
    assert html("a\u202eb\x1bc\nd") == "a\\u202eb\\x1bc\nd"


def test_console_text_is_never_markup_nor_emoji():
    out = io.StringIO()
    term = Console(file=out, width=200, color_system=None, emoji=True, markup=True)
    term.print(console("[bold]honest[/bold] :bomb: \x1b[2J \u202e"))
    assert out.getvalue() == "[bold]honest[/bold] :bomb: \\x1b[2J \\u202e\n"


@settings(max_examples=200, deadline=None)
@given(document=st.recursive(ANY_TEXT, lambda inner: st.lists(inner, max_size=3), max_leaves=6))
def test_json_text_keeps_the_data_and_shows_no_invisible_character(document):
    written = json_text({"learner": document}, indent=2)
    assert json.loads(written) == {"learner": document}
    assert visible(written, keep="\n") == written


# -- learner folders -----------------------------------------------------------------------------

SAFE = re.compile(r"[a-z0-9][a-z0-9_-]*")


@pytest.mark.parametrize(
    "ids",
    [
        ["victim", "victim.", "Victim", "VICTIM", "v\u0456ctim", "victim\n", "victim "],
        [".", "..", "", "...", "learner", "_"],
        ["a/b", "a\\b", "a_b", "a:b", "a\x00b"],
        ["x" * 300, "x" * 301, "x" * 48 + "y"],
        ["con", "CON", "nul", "com1"],
    ],
)
def test_ids_that_look_alike_never_share_a_folder_even_ignoring_case(ids):
    folders = [folder_name(i) for i in ids]
    assert len({f.lower() for f in folders}) == len(ids), folders
    for folder in folders:
        assert SAFE.fullmatch(folder) and len(folder) <= 64, folder


def test_a_plain_id_is_its_own_folder_and_an_odd_one_gets_a_stable_hash():
    assert folder_name("ann") == "ann"
    assert folder_name("bob-2_x") == "bob-2_x"
    assert re.fullmatch(r"victim--[0-9a-f]{12}", folder_name("victim."))
    assert folder_name("victim.") == folder_name("victim.")  # no state: same id, same folder


def test_an_id_that_looks_like_a_hashed_folder_cannot_take_that_folder():
    hashed = folder_name("Victim")
    assert hashed != "Victim" and folder_name(hashed) != hashed


@settings(max_examples=500, deadline=None)
@given(a=ANY_TEXT, b=ANY_TEXT)
def test_two_different_ids_never_share_a_folder(a, b):
    folder_a, folder_b = folder_name(a), folder_name(b)
    assert SAFE.fullmatch(folder_a) and len(folder_a) <= 64
    assert (folder_a.lower() == folder_b.lower()) == (a == b)


@pytest.mark.parametrize("learner", ["class", "export"])
def test_a_learner_named_like_a_kit_folder_in_out_gets_a_folder_of_their_own(tmp_path, learner):
    """``OUT/class/`` (the class report) and ``OUT/export/`` (the LMS exports) are the kit's:
    a learner named ``class`` had their feedback written into the class report's folder (and
    deleting the report to rebuild it deleted their feedback)."""
    from grader.grading import write_outputs
    from grader.lms.export import export_gradebook
    from grader.outputs.gradebook import Gradebook
    from grader.report import write_class_report
    from tests.grader.outputs.test_gradebook import result

    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record(result(learner, "h", 1.0), "fp")
    book.close()
    write_outputs(result(learner, "h", 1.0), tmp_path)
    roster = tmp_path.parent / f"{learner}-roster.csv"
    roster.write_text(f"learner,login\n{learner},x\n")
    _, exported = export_gradebook(tmp_path, roster, "canvas")
    kit = {write_class_report(tmp_path).folder, exported.parent}
    assert {folder.name for folder in kit} == {"class", "export"}
    mine = tmp_path / folder_name(learner)
    assert (mine / "feedback.md").is_file() and mine not in kit
    assert not any((folder / "feedback.md").exists() for folder in kit)
