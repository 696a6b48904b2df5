"""grader/class_folder.py: every entry of a class folder is a learner's submission or a named
problem; nothing is skipped in silence, nothing outside the folder is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.class_folder import check_output_outside, discover
from grader.submissions import SubmissionError
from tests.grader._submission_files import GOOD, make_zip


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


def test_a_learner_folder_or_zip_that_is_a_symlink_is_never_followed(tmp_path: Path):
    """A class entry linking outside the class (another class, /etc) was read or listed: a
    linked zip was graded, a linked folder's file names went into the feedback."""
    outside = tmp_path / "outside"
    (outside / "secret-folder").mkdir(parents=True)
    (outside / "secret-folder" / "activations.py").write_bytes(GOOD)
    make_zip(outside / "secret.zip", {"activations.py": GOOD})
    klass = tmp_path / "class"
    (klass / "ann").mkdir(parents=True)
    (klass / "ann" / "activations.py").write_bytes(GOOD)
    (klass / "mal").symlink_to(outside / "secret-folder")
    (klass / "zed.zip").symlink_to(outside / "secret.zip")
    found = {s.learner: s for s in discover([klass])}
    assert found["ann"].files == {"activations": GOOD}
    for learner in ("mal", "zed"):
        assert found[learner].files == {}
        (problem,) = found[learner].problems
        assert "symbolic link: not followed" in problem and "activations.py" not in problem


@pytest.mark.parametrize("tool", ["__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git"])
def test_a_folder_a_tool_made_in_a_class_folder_is_no_learner(tmp_path: Path, tool: str):
    """A class unzipped on macOS (``__MACOSX/``), browsed in Jupyter (``.ipynb_checkpoints/``),
    run from (``__pycache__/``) or kept in git (``.git/``) got a learner of that name graded 0,
    in grades.csv and in the LMS export's unmatched list."""
    klass = tmp_path / "class"
    (klass / "alice").mkdir(parents=True)
    (klass / "alice" / "losses.py").write_text("A = 1\n")
    (klass / tool / "alice").mkdir(parents=True)
    (klass / tool / "alice" / "._losses.py").write_bytes(b"\0")
    (klass / ".hidden").mkdir()  # any other hidden folder is still a learner's
    assert [s.learner for s in discover([klass])] == [".hidden", "alice"]


def test_a_learner_named_exercises_or_activations_py_is_one_learner_of_the_class(tmp_path):
    """A learner folder named ``exercises`` (or a folder named ``activations.py``) beside the
    others made the class folder look like one submission: beside learner folders the whole
    class run stopped ("holds topic files of its own"), beside learner zips the class was graded
    as one learner and every zip dropped without a word. Such a folder is now a learner; a stray
    topic file beside learner zips is refused as beside learner folders."""
    folders = tmp_path / "folders"
    for learner in ("ann", "bob", "exercises", "activations.py"):
        (folders / learner).mkdir(parents=True)
        (folders / learner / "losses.py").write_text(f"WHO = {learner!r}\n")
    found = {s.learner: s.files for s in discover([folders])}
    assert sorted(found) == ["activations.py", "ann", "bob", "exercises"]
    assert found["exercises"]["losses"] == b"WHO = 'exercises'\n"

    zips = tmp_path / "zips"
    (zips / "exercises").mkdir(parents=True)
    (zips / "exercises" / "losses.py").write_text("E = 1\n")
    make_zip(zips / "ann.zip", {"losses.py": b"A = 1\n"})
    make_zip(zips / "bob.zip", {"bob/losses.py": b"B = 1\n"})
    found = {s.learner: s.files for s in discover([zips])}
    assert found == {
        "ann": {"losses": b"A = 1\n"},
        "bob": {"losses": b"B = 1\n"},
        "exercises": {"losses": b"E = 1\n"},
    }

    (zips / "exercises" / "losses.py").unlink()
    (zips / "exercises").rmdir()
    (zips / "losses.py").write_text("stray = 1\n")
    with pytest.raises(SubmissionError, match="beside learner folders"):
        discover([zips])
