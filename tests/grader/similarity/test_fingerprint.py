"""grader/similarity/fingerprint.py: copydetect's fingerprints ignore names, comments and order,
the stub is boilerplate, and highlighted code is escaped."""

from __future__ import annotations

from grader.similarity.fingerprint import boilerplate_hashes, fingerprint, highlighted, overlap
from tests.grader.similarity.independent import ROOT, disguised_copy

STUB = (ROOT / "exercises" / "activations.py").read_text()
MODEL = (ROOT / "solutions" / "activations.py").read_text()


def test_the_stub_leaves_no_fingerprint_once_it_is_boilerplate():
    assert fingerprint(STUB, boilerplate_hashes(STUB)).hashes == set()
    assert fingerprint(STUB).hashes  # without the boilerplate it has some


def test_renaming_rewording_and_reordering_hide_nothing():
    bp = boilerplate_hashes(STUB)
    found = overlap(fingerprint(MODEL, bp), fingerprint(disguised_copy(MODEL), bp))
    assert min(found.similarity) > 0.9


def test_the_boilerplate_is_not_counted_as_shared():
    bp = boilerplate_hashes(STUB)
    found = overlap(fingerprint(STUB, bp), fingerprint(MODEL, bp))
    assert found.similarity == (0.0, 0.0) and found.tokens == 0


def test_highlighted_code_is_escaped_and_marks_the_shared_part():
    code = "def f(x):\n    return '<script>' + " + " + ".join(f"x * {i}" for i in range(20)) + "\n"
    a, b = fingerprint(code), fingerprint(code)
    shared = overlap(a, b)
    html = highlighted(code, shared.slices[0], "a")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<mark class="a">' in html
    assert (
        highlighted("<b>", overlap(fingerprint("x"), fingerprint("y")).slices[0], "a")
        == "&lt;b&gt;"
    )


def test_fixture_copy_is_really_disguised():
    copy = disguised_copy(MODEL)
    assert "def sigmoid(x" not in copy and "inp" in copy  # renamed
    assert copy.index("def softmax_backward") < copy.index("def sigmoid (")  # reordered
    assert "my own note" in copy  # comments rewritten


def test_highlighted_code_shows_bidi_and_zero_width_characters_as_escapes():
    """A learner's U+202E (right-to-left override) or U+2066 once reordered the code the
    instructor read on the side-by-side page; line breaks and tabs stay as they are."""
    code = "def f(x):\n\treturn x  # \u202e)x(lave\u2066 \u200b\n" + "    y = x * 2\n" * 30
    for slices in (overlap(fingerprint(code), fingerprint(code)).slices[0], None):
        if slices is None:
            slices = overlap(fingerprint("x"), fingerprint("y")).slices[0]  # nothing shared
        html = highlighted(code, slices, "a")
        assert not any(c in html for c in "\u202e\u2066\u200b")
        assert "\\u202e" in html and "\\u2066" in html and "\\u200b" in html
        assert "\n\treturn x" in html
