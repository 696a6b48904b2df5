"""grader/similarity (write_similarity) on a class folder: similarity.csv and index.html, the
disguised copy flagged among honest learners, learner text escaped, the page loads from disk."""

from __future__ import annotations

import csv
import shutil

import pytest

from grader.similarity import write_similarity
from tests.grader.report.browser import Tables, load
from tests.grader.similarity.independent import ROOT, disguised_copy, independent_activations

EVIL = "=cmd|'calc'!A0<b>"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("similarity")
    klass = root / "class"
    files = {
        "model": (ROOT / "solutions" / "activations.py").read_text(),
        "honest": independent_activations(),
        EVIL: disguised_copy(independent_activations()),
        "stubs": (ROOT / "exercises" / "activations.py").read_text(),
    }
    for learner, code in files.items():
        (klass / learner).mkdir(parents=True)
        (klass / learner / "activations.py").write_text(code)
    shutil.copyfile(ROOT / "solutions" / "losses.py", klass / "model" / "losses.py")
    out = root / "out"
    pairs = write_similarity([klass], out, ["activations", "losses"])
    return out, pairs


def test_only_the_copier_and_the_copied_are_flagged(written):
    _, pairs = written
    flagged = [(p.topic, p.learner_a, p.learner_b) for p in pairs if p.flagged]
    assert flagged == [("activations", EVIL, "honest")]
    assert len(pairs) == 6  # 4 learners handed in activations; only one handed in losses


def test_similarity_csv_lists_pairs_sharing_code_with_formula_safe_ids(written):
    out, pairs = written
    with (out / "similarity.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["flagged"] == "yes"
    assert rows[0]["learner_a"] == "'" + EVIL  # a spreadsheet shows it, never runs it
    assert float(rows[0]["similarity_a"]) > 0.9
    assert len(rows) == sum(1 for p in pairs if p.shared_tokens)
    assert not any("stubs" in (r["learner_a"], r["learner_b"]) for r in rows)  # shares nothing


def test_the_page_loads_from_disk_and_shows_the_pair_side_by_side(written):
    out, _ = written
    page = (out / "index.html").read_text()
    assert EVIL not in page  # the id is escaped...
    assert "=cmd|&#x27;calc&#x27;!A0&lt;b&gt;" in page
    loaded = load(out / "index.html")
    assert loaded.console == []
    assert [u.rsplit("/", 1)[-1] for u in loaded.fetched] == ["index.html"]
    dom = Tables(loaded.dom)
    assert [row[1:3] for row in dom.body_rows("flagged")] == [[EVIL, "honest"]]
    assert '<mark class="a">' in loaded.dom and '<mark class="b">' in loaded.dom


def test_unknown_topics_and_bad_thresholds_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown topic"):
        write_similarity([tmp_path], tmp_path / "o", ["nope"])
    with pytest.raises(ValueError, match="threshold"):
        write_similarity([tmp_path], tmp_path / "o", ["losses"], threshold=0)


def test_two_submissions_of_one_learner_are_refused_as_grade_refuses_them(tmp_path):
    """``dup/`` and ``dup.zip`` in one class: ``grade`` names both (exit 2), but ``similarity``
    kept one of them in silence, so a copy in the other was never compared."""
    import zipfile

    klass = tmp_path / "class"
    (klass / "dup").mkdir(parents=True)
    (klass / "dup" / "activations.py").write_text("A = 1\n")
    with zipfile.ZipFile(klass / "dup.zip", "w") as zf:
        zf.writestr("activations.py", "B = 2\n")
    with pytest.raises(ValueError, match=r"share a learner id.*dup\.zip"):
        write_similarity([klass], tmp_path / "out", ["activations"])
    assert not (tmp_path / "out").exists()


def test_progress_hears_each_topic_once_in_order_with_the_total(tmp_path):
    """A class of hundreds takes minutes: ``progress(total, topic)`` is called as each topic is
    compared, so the command line can show how far it is."""
    klass = tmp_path / "class"
    for learner in ("ann", "bob"):
        shutil.copytree(ROOT / "solutions", klass / learner, ignore=shutil.ignore_patterns("_*"))
    heard: list[tuple[int, str]] = []
    topics = ["losses", "activations", "rag"]
    write_similarity([klass], tmp_path / "out", topics, progress=lambda *a: heard.append(a))
    assert heard == [(3, "losses"), (3, "activations"), (3, "rag")]
