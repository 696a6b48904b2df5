"""grader/outputs/gradebook.py: Gradebook.latest reads each learner's latest grade, or exactly
the submissions a run selects, from rows written by Gradebook.record."""

from __future__ import annotations

from grader.outputs.gradebook import Gradebook


def result(learner: str, content_hash: str, points: float) -> dict:
    outcome = {
        "topic": "losses",
        "function": "mse",
        "check": "c0",
        "points": points,
        "max_points": 1.0,
        "status": "passed" if points else "failed",
        "message": "",
        "diagnosis": None,
        "diagnosis_name": None,
        "input": "",
        "visibility": "after_due_date",
    }
    return {
        "learner": learner,
        "content_hash": content_hash,
        "outcomes": [outcome],
        "score": points,
        "max_score": 1.0,
        "seconds": 0.1,
    }


def test_latest_gives_each_learners_newest_grade_in_learner_order(tmp_path):
    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record(result("bob", "h1", 0.0), "fp")
    book.record(result("ann", "h2", 1.0), "fp")
    book.record(result("bob", "h3", 1.0), "fp")  # bob handed in again
    book.record(result("bob", "h1", 0.0), "fp2")  # ... and the kit changed: h1 regraded
    latest = book.latest()
    book.close()
    assert [(r["learner"], r["content_hash"]) for r in latest] == [("ann", "h2"), ("bob", "h1")]


def test_latest_with_a_selection_keeps_those_submissions_only(tmp_path):
    book = Gradebook(tmp_path / "gradebook.sqlite")
    for learner, content_hash in [("bob", "h1"), ("bob", "h3"), ("ann", "h2"), ("cid", "h4")]:
        book.record(result(learner, content_hash, 1.0), "fp")
    picked = book.latest({"bob": "h1", "ann": "h2"})
    book.close()
    assert [(r["learner"], r["content_hash"]) for r in picked] == [("ann", "h2"), ("bob", "h1")]


def test_a_reused_entry_becomes_current_again_after_a_regrade(tmp_path):
    """Graded under fp, regraded under fp2 (another --topic set), then a run under fp reuses
    the first entry: that entry is what grades.csv, the report and the export must show."""
    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record(result("ann", "h1", 1.0), "fp")
    book.record(result("ann", "h1", 0.0), "fp2")
    assert book.latest_entry("ann").fingerprint == "fp2"
    book.make_current("ann", "h1", "fp")
    assert book.latest_entry("ann").fingerprint == "fp"
    assert [r["score"] for r in book.latest()] == [1.0]
    assert {k: e.fingerprint for k, e in book.current_entries().items()} == {"ann": "fp"}
    book.close()


def test_a_gradebook_from_before_the_current_table_reads_each_learners_newest_row(tmp_path):
    import sqlite3

    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record(result("ann", "h1", 1.0), "fp")
    book.record(result("ann", "h2", 0.0), "fp")
    book.close()
    db = sqlite3.connect(tmp_path / "gradebook.sqlite")
    db.execute("DROP TABLE current")
    db.commit()
    db.close()
    book = Gradebook(tmp_path / "gradebook.sqlite")
    assert [r["content_hash"] for r in book.latest()] == ["h2"]
    book.close()


KILLED = """
import os, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from grader.outputs.gradebook import Gradebook
from tests.grader.outputs.test_gradebook import result
book = Gradebook(Path(sys.argv[1]))
book.record(result("ann", "h1", 1.0), "fp")
os._exit(0)  # killed mid-run: everything is still in the write-ahead log
"""


def test_read_only_sees_a_killed_runs_log_and_writes_nothing_beside_the_file(tmp_path):
    """``--dry-run`` opened the file alone (immutable) and missed the log: a killed first run
    read as "no such table"."""
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "gradebook.sqlite"
    root = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-c", KILLED, str(path), str(root)], check=True)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert "gradebook.sqlite-wal" in before
    book = Gradebook(path, read_only=True)
    assert book.lookup("ann", "h1", "fp") is not None
    assert book.latest_entry("ann").content_hash == "h1"
    book.close()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_file_that_is_not_a_gradebook_is_a_gradebook_error_naming_it(tmp_path):
    import pytest

    from grader.outputs.gradebook import GradebookError

    (tmp_path / "gradebook.sqlite").write_text("garbage\n")
    for read_only in (False, True):
        with pytest.raises(GradebookError, match=r"gradebook\.sqlite: not a readable gradebook"):
            Gradebook(tmp_path / "gradebook.sqlite", read_only=read_only)


def test_deleting_a_submission_row_deletes_its_current_mark(tmp_path):
    """Rows removed by hand (as a partial run is simulated) leave the learner at an older row,
    or out of the class, never a dangling mark that blocks the delete."""
    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record(result("ann", "h1", 1.0), "fp")
    book.record(result("ann", "h2", 0.0), "fp")
    book.record(result("bob", "h3", 0.0), "fp")
    with book.db:
        book.db.execute("DELETE FROM submissions WHERE content_hash IN ('h2', 'h3')")
    assert [(r["learner"], r["content_hash"]) for r in book.latest()] == [("ann", "h1")]
    book.close()


def test_a_full_disk_is_a_gradebook_error_naming_the_file_and_keeping_what_was_recorded(
    tmp_path,
):
    """A full disk raised sqlite3.OperationalError through `gradelab grade`: a traceback, exit
    1, and no word on what was kept or how to go on."""
    import pytest

    from grader.outputs.gradebook import GradebookError

    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record(result("ann", "h1", 1.0), "fp")
    pages = book.db.execute("PRAGMA page_count").fetchone()[0]
    book.db.execute(f"PRAGMA max_page_count = {pages}")  # as a disk with no room left
    big = result("bob", "h2", 0.0)
    big["outcomes"] = big["outcomes"] * 2000
    with pytest.raises(GradebookError, match=r"gradebook\.sqlite: .*full.*same command again"):
        book.record(big, "fp")
    with pytest.raises(GradebookError, match=r"gradebook\.sqlite: "):
        for n in range(100):  # reusing a result writes too
            book.record(result(f"c{n}", "h1", 1.0), "fp")
    assert next(r["learner"] for r in book.latest()) == "ann"  # recorded whole or not at all
    assert "bob" not in [r["learner"] for r in book.latest()]
    book.close()


def test_a_gradebook_that_cannot_be_created_is_not_called_unreadable(tmp_path, monkeypatch):
    """On a full disk, creating the gradebook said "not a readable gradebook": the instructor
    went looking for a damaged file instead of making room."""
    import sqlite3

    import pytest

    from grader.outputs import gradebook
    from grader.outputs.gradebook import GradebookError

    class Full:
        def execute(self, *args):
            exc = sqlite3.OperationalError("database or disk is full")
            exc.sqlite_errorname = "SQLITE_FULL"
            raise exc

        def close(self):
            pass

    monkeypatch.setattr(gradebook.sqlite3, "connect", lambda *a, **k: Full())
    with pytest.raises(GradebookError) as caught:
        Gradebook(tmp_path / "gradebook.sqlite")
    assert "not a readable gradebook" not in str(caught.value)
    assert "disk is full" in str(caught.value) and "same command again" in str(caught.value)
