"""grader/similarity/fingerprint.py: copydetect's fingerprints ignore names, comments and order,
the stub is boilerplate, and highlighted code is escaped."""

from __future__ import annotations

import numpy as np
import pytest

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


def _sources() -> dict[str, str]:
    """Files that share all, much, little or none of their code, with repeated lines (a hash
    at several positions), an empty file and one that is all boilerplate."""
    half = MODEL[: len(MODEL) // 2]
    repeated = "def f(x):\n" + "    y = np.maximum(x, 0.0) * np.exp(-x) + 1.0\n" * 12
    return {
        "model": MODEL,
        "copy": disguised_copy(MODEL),
        "half": half + "\n# mine\n" + INDEPENDENT_TAIL,
        "repeated": repeated,
        "repeated-twice": repeated + repeated,
        "stub": STUB,
        "empty": "",
    }


INDEPENDENT_TAIL = (
    "def g(v):\n    total = 0\n    for i in range(10):\n        total += v[i] ** 2\n"
    "    return total\n"
)


def test_overlap_gives_copydetects_compare_files_numbers_and_slices_for_every_pair():
    """The array implementation is copydetect's ``compare_files`` (the reference) to the
    token, with and without the boilerplate removed."""
    from copydetect import compare_files

    for boilerplate in (None, boilerplate_hashes(STUB)):
        prints = {name: fingerprint(code, boilerplate) for name, code in _sources().items()}
        for a in prints:
            for b in prints:
                tokens, similarity, slices = compare_files(prints[a], prints[b])
                found = overlap(prints[a], prints[b])
                assert found.tokens == tokens, (a, b)
                assert found.similarity == pytest.approx(similarity, abs=0), (a, b)
                for mine, theirs in zip(found.slices, slices, strict=True):
                    assert np.array_equal(mine.reshape(2, -1), theirs.reshape(2, -1)), (a, b)
                bare = overlap(prints[a], prints[b], slices=False)
                assert (bare.tokens, bare.similarity) == (found.tokens, found.similarity)


class _CountingTable(dict):
    """A fingerprint's hash table that counts the entries read from it."""

    reads = 0

    def __getitem__(self, key):
        type(self).reads += 1
        return super().__getitem__(key)

    def items(self):
        type(self).reads += len(self)
        return super().items()


def test_a_class_reads_each_files_hash_table_once_not_once_per_pair(monkeypatch):
    """Per pair only array work: copydetect's ``compare_files`` built an array from the hash
    table for every shared hash of every pair (0.56 ms a pair, minutes per topic for a class of
    1,000); the table is now read once per file, however many classmates it is compared with."""
    from grader.similarity import pairs

    def counted(code, boilerplate=None):
        found = fingerprint(code, boilerplate)
        found.hash_idx = _CountingTable(found.hash_idx)
        return found

    monkeypatch.setattr(pairs, "fingerprint", counted)
    codes = {f"l{i}": MODEL if i % 2 else disguised_copy(MODEL) for i in range(12)}
    _CountingTable.reads = 0
    found = pairs.compare_topic("activations", codes, stub=STUB)
    assert len(found) == 66 and all(p.flagged for p in found)
    entries = len(fingerprint(MODEL, boilerplate_hashes(STUB)).hash_idx)
    assert _CountingTable.reads <= 12 * entries * 1.5
