"""grader/similarity/page.py: flagged pairs get a side-by-side section, the closest unflagged
ones are listed for context, and nothing is taken from the network."""

from __future__ import annotations

import numpy as np

from grader.similarity.page import CLOSEST_SHOWN, render
from grader.similarity.pairs import Pair
from tests.grader.report.browser import Tables


def pair(a: str, b: str, score: float, flagged: bool) -> Pair:
    p = Pair("losses", a, b, score, score, 100, flagged)
    if flagged:
        p.code = ("x = '<i>'\n", "y = '<i>'\n")
        p.slices = (np.array([[0], [4]]), np.array([[0], [4]]))
    return p


def test_flagged_pairs_link_to_their_side_by_side_and_the_closest_others_are_listed():
    pairs = [pair("a", "b", 0.9, True)] + [
        pair(f"c{i}", f"d{i}", 0.4 - i / 100, False) for i in range(CLOSEST_SHOWN + 3)
    ]
    page = render(pairs, 0.5)
    dom = Tables(page)
    assert [r[:3] for r in dom.body_rows("flagged")] == [["losses", "a", "b"]]
    assert len(dom.body_rows("closest")) == CLOSEST_SHOWN
    assert "#pair-0" in dom.links and 'id="pair-0"' in page
    assert "<i>" not in page and "&lt;i&gt;" in page
    assert not [u for u in dom.links if u.startswith(("http", "//"))]


def test_a_class_with_nothing_alike_still_renders():
    dom = Tables(render([pair("a", "b", 0.0, False)], 0.5))
    assert dom.body_rows("flagged") == []


def test_side_by_side_sections_stop_at_the_cap_but_every_flagged_pair_is_listed():
    from grader.similarity.page import SIDE_BY_SIDE_SHOWN

    pairs = [pair(f"a{i:03d}", "b", 0.9, True) for i in range(SIDE_BY_SIDE_SHOWN + 2)]
    page = render(pairs, 0.5)
    assert len(Tables(page).body_rows("flagged")) == SIDE_BY_SIDE_SHOWN + 2
    assert page.count("<section") == SIDE_BY_SIDE_SHOWN
    assert "The 2 less similar flagged pairs" in page


def test_a_huge_file_is_shown_cut_to_code_shown_in_each_pair_with_the_rest_counted():
    """A 2 MB topic file (the limit) that is flagged with many copies would be written whole
    into every side-by-side section it is in: the page would grow to hundreds of MB. Each side
    shows its first CODE_SHOWN characters, the shared code still marked, and counts the rest."""
    from grader.similarity.page import CODE_SHOWN

    huge = "z = 1\n" + "# pad\n" * 350_000
    pairs = []
    for i in range(10):
        p = pair(f"a{i}", "big", 0.9, True)
        p.code = ("z = 1\n", huge)
        p.slices = (np.array([[0], [5]]), np.array([[0, CODE_SHOWN - 2], [5, len(huge)]]))
        pairs.append(p)
    page = render(pairs, 0.5)
    assert len(page) < 10 * 2 * CODE_SHOWN  # not 10 copies of 2.1 MB
    assert page.count(f"{len(huge) - CODE_SHOWN} more characters not shown") == 10
    assert page.count('<mark class="b">') == 20 and page.count("<mark") == page.count("</mark>")
