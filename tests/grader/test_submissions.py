"""grader/submissions.py: what counts as a submission, and zips that cannot hurt us."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from grader.submissions import MAX_FILE_BYTES, SubmissionError, discover, read_folder, read_zip


def make_zip(path: Path, entries: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def test_a_folder_takes_topic_files_at_its_root_or_under_exercises(tmp_path: Path):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "losses.py").write_text("A = 1\n")
    (tmp_path / "exercises" / "conv.py").write_text("B = 2\n")
    (tmp_path / "notes.txt").write_text("not a topic\n")
    sub = read_folder(tmp_path, "ann")
    assert sub.learner == "ann" and sorted(sub.files) == ["conv", "losses"]


def test_the_root_file_wins_over_exercises_and_the_duplicate_is_reported(tmp_path: Path):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "losses.py").write_text("ROOT = 1\n")
    (tmp_path / "exercises" / "losses.py").write_text("NESTED = 1\n")
    sub = read_folder(tmp_path)
    assert sub.files["losses"] == b"ROOT = 1\n" and any(
        "several losses.py" in p for p in sub.problems
    )


def test_content_hash_depends_on_content_not_on_packaging(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "rnn.py").write_text("X = 1\n")
    zipped = make_zip(tmp_path / "b.zip", {"b/exercises/rnn.py": b"X = 1\n"})
    assert read_folder(tmp_path / "a").content_hash == read_zip(zipped).content_hash
    changed = make_zip(tmp_path / "c.zip", {"rnn.py": b"X = 2\n"})
    assert read_zip(changed).content_hash != read_folder(tmp_path / "a").content_hash


def test_zip_path_escapes_and_links_are_ignored_and_reported(tmp_path: Path):
    z = make_zip(
        tmp_path / "evil.zip",
        {"../losses.py": b"ESCAPE = 1\n", "/abs/conv.py": b"ABS = 1\n", "rnn.py": b"OK = 1\n"},
        links={"forward.py": "/etc/passwd"},
    )
    sub = read_zip(z)
    assert sorted(sub.files) == ["rnn"]
    text = " ".join(sub.problems)
    assert "../losses.py: unsafe path" in text and "symbolic link" in text
    assert not (tmp_path.parent / "losses.py").exists()


def test_a_zip_bomb_is_refused_without_being_unpacked(tmp_path: Path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("losses.py", b"#" * (MAX_FILE_BYTES * 4))
    assert path.stat().st_size < 100_000
    sub = read_zip(path)
    assert "losses" not in sub.files and "bytes" in " ".join(sub.problems)


def test_a_corrupt_zip_raises_a_named_error(tmp_path: Path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(SubmissionError, match="not a readable zip"):
        read_zip(bad)


def test_a_class_folder_yields_one_submission_per_learner_and_keeps_broken_ones(tmp_path: Path):
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "losses.py").write_text("A = 1\n")
    make_zip(tmp_path / "bob.zip", {"losses.py": b"B = 1\n"})
    (tmp_path / "cid.zip").write_bytes(b"garbage")
    found = discover([tmp_path])
    assert [s.learner for s in found] == ["ann", "bob", "cid"]
    assert found[2].files == {} and "not a readable zip" in found[2].problems[0]


def test_discover_names_a_missing_path(tmp_path: Path):
    with pytest.raises(SubmissionError, match="no such file"):
        discover([tmp_path / "nope"])


def test_a_plain_file_given_as_a_submission_is_refused_not_graded(tmp_path: Path):
    """``gradelab grade notes.txt`` graded a learner "notes" 0/371.5, exit 0."""
    (tmp_path / "afile.txt").write_text("hi\n")
    with pytest.raises(SubmissionError, match=r"not a \.zip"):
        discover([tmp_path / "afile.txt"])


def test_an_output_folder_inside_or_equal_to_a_submissions_folder_is_refused(tmp_path: Path):
    from grader.submissions import check_output_outside

    klass = tmp_path / "class"
    klass.mkdir()
    for out in (klass, klass / "out", klass / "a" / "b"):
        with pytest.raises(SubmissionError, match="inside the submissions folder"):
            check_output_outside(out, [klass])
    check_output_outside(tmp_path / "out", [klass])
    check_output_outside(tmp_path / "class-out", [klass])


def test_every_entry_of_a_class_folder_is_a_submission_or_a_named_problem(tmp_path: Path):
    """``bob.ZIP`` and ``carol.zip `` (LMS downloads) were skipped without a word, and so was
    ``dave.py`` handed in alone; hidden files (``.DS_Store``) are no one's."""
    klass = tmp_path / "class"
    (klass / "alice").mkdir(parents=True)
    (klass / "alice" / "losses.py").write_text("A = 1\n")
    make_zip(klass / "bob.ZIP", {"losses.py": b"B = 1\n"})
    make_zip(klass / "carol.zip ", {"losses.py": b"C = 1\n"})
    (klass / "dave.py").write_text("D = 1\n")
    (klass / ".DS_Store").write_bytes(b"\0")
    found = {s.learner: s for s in discover([klass])}
    assert sorted(found) == ["alice", "bob", "carol", "dave"]
    assert found["bob"].files["losses"] == b"B = 1\n"
    assert found["carol"].files["losses"] == b"C = 1\n"
    assert found["dave"].files == {} and "a single file" in found["dave"].problems[0]


def test_topic_files_beside_learner_folders_are_refused_not_graded_as_one_learner(tmp_path):
    """A stray ``activations.py`` at the class root made the class folder one learner whose
    "helper modules" were everyone's work; one learner's backup folder is still hers."""
    klass = tmp_path / "class2"
    for learner in ("alice", "bob"):
        (klass / learner).mkdir(parents=True)
        (klass / learner / "losses.py").write_text("A = 1\n")
    (klass / "activations.py").write_text("stray = 1\n")
    with pytest.raises(SubmissionError, match="beside learner folders"):
        discover([klass])
    ann = tmp_path / "ann"
    (ann / "backup").mkdir(parents=True)
    (ann / "losses.py").write_text("A = 1\n")
    (ann / "backup" / "losses.py").write_text("OLD = 1\n")
    assert [s.learner for s in discover([ann])] == ["ann"]


def test_a_helper_that_is_a_fifo_or_a_folder_is_ignored_with_a_problem(tmp_path: Path):
    """A FIFO named ``helpers.py`` (``tar x`` recreates them) blocked the class's intake for
    ever; a folder named so made its learner's whole submission unreadable."""
    import os

    (tmp_path / "losses.py").write_text("from . import helpers\n")
    os.mkfifo(tmp_path / "helpers.py")
    (tmp_path / "util.py").mkdir()
    (tmp_path / "util.py" / "inner.py").write_text("X = 1\n")
    sub = read_folder(tmp_path)
    assert "losses" in sub.files and "helpers" not in sub.files
    assert any("helpers.py is not a regular file" in p for p in sub.problems)
    assert any("util.py is not a regular file" in p for p in sub.problems)
