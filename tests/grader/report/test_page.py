"""grader/report/page.py: a hostile learner id or message stays text, links go to the folder
gradelab grade wrote, and the page needs nothing from the network."""

from __future__ import annotations

from grader.grading import safe_name
from grader.report import write_class_report
from grader.report.items import analyse_items
from grader.report.mistakes import find_mistakes
from grader.report.page import render
from tests.grader.report.browser import Tables, load
from tests.grader.report.synthetic import klass, outcome

EVIL = '<img src=x onerror=alert(1)>"../../etc'


def hostile_class():
    results = klass({EVIL: [1, 0], "ann": [0, 1], "bob": [1, 1]})
    results[0].outcomes[1] = outcome(
        "c1", 0, message="<script>alert('m')</script>", call="mse(<b>1</b>)"
    )
    return results


def page_of(results) -> str:
    named, unnamed = find_mistakes(results)
    return render(results, analyse_items(results), named, unnamed, {})


def test_learner_text_is_escaped_everywhere():
    page = page_of(hostile_class())
    assert "<img src=x" not in page and "<script>" not in page and "<b>1</b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;alert(&#x27;m&#x27;)&lt;/script&gt;" in page


def test_feedback_links_use_the_folder_grade_wrote():
    dom = Tables(page_of(hostile_class()))
    links = [u for u in dom.links if u.endswith("feedback.html")]
    assert f"../{safe_name(EVIL)}/feedback.html" in links
    assert all(u.startswith("../") and u.count("/") == 2 for u in links)


def test_a_hostile_class_page_loads_in_a_browser_without_running_anything(tmp_path):
    from grader.outputs.gradebook import Gradebook

    book = Gradebook(tmp_path / "gradebook.sqlite")
    for r in hostile_class():
        book.record(r.to_dict() | {"seconds": 0.0}, "fp")
    book.close()
    write_class_report(tmp_path)
    loaded = load(tmp_path / "class" / "index.html")
    assert loaded.console == []  # no alert, no error, no failed image
    assert [u.rsplit("/", 1)[-1] for u in loaded.fetched] == ["index.html"]
    dom = Tables(loaded.dom)
    assert EVIL in [row[0] for row in dom.body_rows("learners")]
    assert len(dom.body_rows("items")) == 2
    assert any("alert('m')" in cell for row in dom.body_rows("mistakes") for cell in row)


def test_each_learner_of_a_mistake_is_its_own_code_box_so_an_id_with_a_comma_stays_one():
    """The mistakes table's "who" cell lists learners with ", ": an id ``ann, bob`` read as two
    learners would blame classmates; each id is its own ``<code>`` element instead."""
    results = klass({"ann, bob": [0, 1], "eve": [0, 1], "zed": [1, 1]})
    page = page_of(results)
    assert "<code>ann, bob</code>, <code>eve</code>" in page
