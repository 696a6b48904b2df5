"""grader.intake: empty, junk and misplaced submissions are named, with the path that works."""

from __future__ import annotations

import zipfile

from grader.class_folder import discover
from grader.intake import check_class, survey, to_csv
from grader.layout import nothing_gradable, would_work_as
from grader.submissions import read_folder

SOURCE = b"def relu(x):\n    return x\n"


def _class(tmp_path):
    root = tmp_path / "class"
    (root / "empty").mkdir(parents=True)
    (root / "junk").mkdir()
    (root / "junk" / "notes.txt").write_text("todo")
    (root / "junk" / "data.bin").write_bytes(b"\0\1")
    (root / "nested" / "sub").mkdir(parents=True)
    (root / "nested" / "sub" / "activations.py").write_bytes(SOURCE)
    (root / "cased").mkdir()
    (root / "cased" / "Activations.py").write_bytes(SOURCE)
    (root / "cased" / "losses.py").write_bytes(SOURCE)
    (root / "good").mkdir()
    (root / "good" / "activations.py").write_bytes(SOURCE)
    with zipfile.ZipFile(root / "nb.zip", "w") as zf:
        zf.writestr("hw/activation.ipynb", "{}")
    return root


def test_misplaced_files_get_the_path_that_would_have_worked():
    assert would_work_as("sub/activations.py") == "activations.py"
    assert would_work_as("Activations.py") == "activations.py"
    assert would_work_as("activation.ipynb") == "activations.ipynb"
    assert would_work_as("notes.txt") is None


def test_class_findings_name_empty_junk_misplaced_and_roster_gaps(tmp_path):
    subs = discover([_class(tmp_path)])
    found = {(f.learner, f.status, f.file, f.would_work_as) for f in check_class(subs, None)}
    assert ("empty", "no-code", "", "") in found
    assert ("junk", "no-code", "data.bin, notes.txt", "") in found
    assert ("junk", "unknown", "notes.txt", "") in found
    assert ("nested", "misplaced", "sub/activations.py", "activations.py") in found
    assert ("cased", "misplaced", "Activations.py", "activations.py") in found
    assert ("nb", "misplaced", "activation.ipynb", "activations.ipynb") in found
    assert not [f for f in found if f[0] == "good"]
    assert not [f for f in found if f[0] == "cased" and f[1] == "no-code"]
    roster = check_class(subs, ["good", "cased", "absent"])
    statuses = {(f.learner, f.status) for f in roster}
    assert ("absent", "no-submission") in statuses
    assert ("empty", "not-in-roster") in statuses
    assert ("good", "not-in-roster") not in statuses


def test_submissions_csv_has_a_header_and_one_row_per_finding(tmp_path):
    findings = survey(read_folder(_class(tmp_path) / "nested"))
    lines = to_csv(findings).splitlines()
    assert lines[0] == "learner,status,file,would_work_as"
    assert "nested,misplaced,sub/activations.py,activations.py" in lines


def test_empty_and_junk_submissions_have_different_content_hashes(tmp_path):
    subs = {s.learner: s for s in discover([_class(tmp_path)])}
    assert subs["empty"].files == subs["junk"].files == {}
    assert subs["empty"].content_hash != subs["junk"].content_hash


def test_nothing_gradable_feedback_is_one_short_paragraph_naming_what_was_found():
    text = nothing_gradable(["notes.txt", "sub/activations.py"])
    assert "\n" not in text and len(text) < 600
    assert "`notes.txt`" in text and "`sub/activations.py` → `activations.py`" in text
    assert nothing_gradable([]).startswith("The submission is empty")


def test_a_topic_file_left_out_for_another_reason_gets_no_rename_advice():
    """A zip whose ``activations.py`` is a symbolic link holds a topic-named file that is not
    graded: "`activations.py` → `activations.py`" was the advice."""
    text = nothing_gradable(["activations.py", "Losses.py"])
    assert "`activations.py` →" not in text and "`Losses.py` → `losses.py`" in text


def test_a_dry_run_points_to_no_submissions_csv():
    from grader.intake import Finding, console_lines

    lines = console_lines([Finding("bob", "no-code")], None)
    assert lines[-1] == "1 learner(s) with submission problems: not written (--dry-run)"


def test_a_zip_member_named_dot_is_no_file_and_stops_nothing(tmp_path):
    """A member named ``.`` made the survey's common-folder check raise IndexError: a traceback
    and no grade for anyone in the class."""
    klass = tmp_path / "class"
    klass.mkdir()
    with zipfile.ZipFile(klass / "mallory.zip", "w") as zf:
        zf.writestr(".", b"")
        zf.writestr("activations.py", SOURCE)
    (klass / "alice").mkdir()
    (klass / "alice" / "activations.py").write_bytes(SOURCE)
    subs = discover([klass])
    assert [s.learner for s in subs] == ["alice", "mallory"]
    assert all(isinstance(survey(s), list) for s in subs)
    check_class(subs, None)


def test_os_junk_is_no_unknown_file_and_a_linked_learner_is_not_listed(tmp_path):
    """.DS_Store and AppleDouble files filled submissions.csv with 'unknown' rows; a learner
    folder linking outside the class had the outside files listed as theirs."""
    root = tmp_path / "class"
    (root / "ann").mkdir(parents=True)
    (root / "ann" / "activations.py").write_bytes(SOURCE)
    (root / "ann" / ".DS_Store").write_bytes(b"\0")
    (root / "ann" / "._activations.py").write_bytes(b"\0")
    with zipfile.ZipFile(root / "bob.zip", "w") as zf:
        zf.writestr("bob/activations.py", SOURCE)
        zf.writestr("bob/Thumbs.db", b"\0")
        zf.writestr("__MACOSX/bob/._activations.py", b"\0")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "passwords.txt").write_text("x")
    (root / "mal").symlink_to(outside)
    findings = check_class(discover([root]), None)
    assert [(f.learner, f.status, f.file) for f in findings] == [("mal", "no-code", "")]


def test_a_topic_file_in_place_that_could_not_be_read_is_named_with_the_reason(tmp_path):
    """A 3 MB ``activations.py`` was listed as "no gradable code (found: activations.py)" and
    its feedback said "holds `activations.py`, but no topic file": both read as a grader bug."""
    from grader.intake import console_lines
    from grader.submissions import MAX_FILE_BYTES

    root = tmp_path / "class"
    (root / "big").mkdir(parents=True)
    (root / "big" / "activations.py").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    (root / "half").mkdir()
    (root / "half" / "activations.py").write_bytes(SOURCE)
    (root / "half" / "losses.py").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    subs = discover([root])
    findings = check_class(subs, None)
    assert [(f.learner, f.status, f.file) for f in findings] == [
        ("big", "no-code", "activations.py"),
        ("big", "unreadable", "activations.py"),
        ("half", "unreadable", "losses.py"),
    ]
    lines = console_lines(findings, root / "submissions.csv")
    assert "limit" in lines[0] and "limit" in lines[1], lines
    note = subs[0].problems[-1]
    assert "but no topic file" not in note and "could not be read" in note, note


def test_a_zip_inside_a_learner_folder_and_a_git_clone_are_explained(tmp_path):
    """Moodle's "download all submissions" gives a folder per learner holding the zip they
    uploaded: it was "unknown file hw.zip" with no way out; a GitHub Classroom clone's
    ``.git/`` files were each an "unknown" row."""
    from grader.intake import console_lines

    root = tmp_path / "class"
    (root / "ann").mkdir(parents=True)
    with zipfile.ZipFile(root / "ann" / "hw.zip", "w") as zf:
        zf.writestr("activations.py", SOURCE)
    (root / "bob" / ".git" / "objects").mkdir(parents=True)
    (root / "bob" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "bob" / ".git" / "objects" / "ab").write_bytes(b"\0")
    (root / "bob" / "activations.py").write_bytes(SOURCE)
    findings = check_class(discover([root]), None)
    assert [(f.learner, f.status, f.file) for f in findings] == [
        ("ann", "no-code", "hw.zip"),
        ("ann", "unknown", "hw.zip"),
    ]
    line = console_lines(findings, root / "submissions.csv")[0]
    assert "unzip" in line, line


def test_roster_gaps_that_differ_only_in_unicode_form_case_or_blanks_say_so(tmp_path):
    """A folder named on macOS (``Zoë`` decomposed, NFD) against a typed roster (NFC) printed
    "Zoë: not in the roster" and "Zoë: no submission", two lines that look the same; ``export``
    already says how they differ."""
    import unicodedata

    from grader.intake import console_lines

    root = tmp_path / "class"
    (root / unicodedata.normalize("NFD", "Zoë")).mkdir(parents=True)
    (root / "Bob").mkdir()
    subs = discover([root])
    findings = check_class(subs, [unicodedata.normalize("NFC", "Zoë"), "bob", "carol"])
    gaps = [f for f in findings if f.status in ("not-in-roster", "no-submission")]
    assert [(f.status, bool(f.why)) for f in gaps] == [
        ("not-in-roster", True),
        ("not-in-roster", True),
        ("no-submission", True),
        ("no-submission", True),
        ("no-submission", False),
    ]
    text = "\n".join(console_lines(findings, root / "submissions.csv"))
    assert "Unicode form (NFC/NFD)" in text and "case" in text


def test_a_learner_who_hands_in_the_whole_student_release_has_no_unknown_files(tmp_path):
    """Learners work in the release folder (`pip install -e .`, `gradelab check`) and hand it
    in whole: each was "unknown file README.md; unknown file constraints.txt; ... (+24 more)",
    a console line per learner that buried the real problems."""
    root = tmp_path / "class"
    ann = root / "ann"
    release = [
        "README.md",
        "constraints.txt",
        "pyproject.toml",
        "lessons/activations.md",
        "exercises/__init__.py",
        "exercises/losses.py",
        "exercises/tests/__init__.py",
        "exercises/tests/_cli.py",
        "exercises/tests/test_losses.py",
        "exercises/tests/data/losses.npz",
        "gradelab_exercises.egg-info/PKG-INFO",
        ".pytest_cache/v/cache/lastfailed",
        ".venv/lib/python3.12/site-packages/numpy/__init__.py",
        "exercises/__pycache__/losses.cpython-312.pyc",
    ]
    for name in release:
        (ann / name).parent.mkdir(parents=True, exist_ok=True)
        (ann / name).write_bytes(SOURCE)
    (ann / "exercises" / "scratch.txt").write_text("mine")
    with zipfile.ZipFile(root / "ben.zip", "w") as zf:
        for name in release:
            zf.writestr(f"ben/{name}", SOURCE)
    findings = check_class(discover([root]), None)
    assert [(f.learner, f.status, f.file) for f in findings] == [
        ("ann", "unknown", "exercises/scratch.txt")
    ]


def test_a_single_file_in_a_class_folder_is_named_with_what_to_do(tmp_path):
    """Canvas's "Download Submissions" is flat: `doejane_12345_678_activations.py`. Each file
    was a learner with "no gradable code (found: nothing)", though a .py was found; the console
    now names the file and the folder it belongs in."""
    from grader.intake import console_lines

    root = tmp_path / "class"
    root.mkdir()
    (root / "doejane_12345_678_activations.py").write_bytes(SOURCE)
    (root / "smithbob_LATE_2345_680_hw.zip").write_bytes(b"PK")  # a zip is a submission
    (root / "dave.py").write_bytes(SOURCE)
    subs = discover([root])
    findings = check_class(subs, None)
    by = {f.learner: f for f in findings if f.status == "no-code"}
    assert by["doejane_12345_678_activations"].file == "doejane_12345_678_activations.py"
    assert by["dave"].file == "dave.py"
    text = "\n".join(console_lines(findings, root / "submissions.csv"))
    assert "found: nothing" not in text.split("smithbob")[0]
    assert "doejane/activations.py" in text and "Canvas" in text
    assert "a folder named after" in text
    canvas = next(s for s in subs if s.learner.startswith("doejane"))
    assert any("doejane/activations.py" in p for p in canvas.problems)  # the feedback too


def test_a_zip_member_name_of_sixty_thousand_characters_is_shortened_wherever_shown(tmp_path):
    """A zip member's name may be 65,535 characters: one such name filled the console, the
    learner's feedback (ten names: megabytes) and submissions.csv. Each is now shortened to 200
    characters and its length, in the console, the feedback note and the CSV."""
    from grader.intake import console_lines

    root = tmp_path / "class"
    root.mkdir()
    long = "x" * 60000 + ".txt"
    with zipfile.ZipFile(root / "zed.zip", "w") as zf:
        zf.writestr(long, b"")
        zf.writestr("Activation.py", SOURCE)
    (sub,) = discover([root])
    findings = check_class([sub], None)
    shown = "x" * 200 + "... (60004 characters)"
    assert all(len(p) < 2000 and shown in p for p in sub.problems[-1:])
    assert [f.file for f in findings if f.status == "unknown"] == [shown]
    assert all(len(line) < 2000 for line in console_lines(findings, None))
    assert len(to_csv(findings)) < 2000
    assert len(nothing_gradable([long] * 10)) < 5000


def test_a_submission_with_nothing_listed_says_why_in_the_console(tmp_path):
    """A corrupt zip, a zip of too many entries or a FIFO named ``activations.py`` showed
    "no gradable code (found: nothing)" in the console, as an empty folder does, the reason
    only in the feedback; the console line now gives it (an empty folder still has none)."""
    import os

    from grader import submissions
    from grader.intake import console_lines

    root = tmp_path / "class"
    (root / "empty").mkdir(parents=True)
    (root / "piped").mkdir()
    os.mkfifo(root / "piped" / "activations.py")
    (root / "broken.zip").write_bytes(b"PK\3\4 not really")
    with zipfile.ZipFile(root / "many.zip", "w") as zf:
        for i in range(submissions.MAX_ZIP_ENTRIES + 1):
            zf.writestr(f"f{i}.txt", b"")
    lines = console_lines(check_class(discover([root]), None), None)
    assert lines[:4] == [
        "broken: no gradable code (found: nothing); broken.zip: not a readable zip "
        "(BadZipFile: File is not a zip file)",
        "empty: no gradable code (found: nothing)",
        f"many: no gradable code (found: nothing); many.zip: {submissions.MAX_ZIP_ENTRIES + 1} "
        f"entries (limit {submissions.MAX_ZIP_ENTRIES})",
        "piped: no gradable code (found: nothing); activations.py is not a regular file: ignored",
    ]
