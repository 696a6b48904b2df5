"""grader/submissions.py: what counts as a submission, and zips that cannot hurt us."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from grader.class_folder import discover
from grader.submissions import MAX_FILE_BYTES, SubmissionError, read_folder, read_zip
from tests.grader._submission_files import GOOD, make_zip


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
    assert sub.files["losses"] == b"ROOT = 1\n"
    said = "several files for losses (losses.py, exercises/losses.py); graded losses.py"
    assert said in sub.problems


def test_several_files_for_one_topic_are_each_named_notebooks_included(tmp_path: Path):
    """A .py and a notebook, or two notebooks, for one topic were "several losses.py files":
    the learner could not tell which files were meant."""
    (tmp_path / "exercises").mkdir()
    (tmp_path / "losses.py").write_text("ROOT = 1\n")
    (tmp_path / "losses.ipynb").write_text('{"cells": [], "nbformat": 4}')
    (tmp_path / "exercises" / "losses.ipynb").write_text('{"cells": [], "nbformat": 4}')
    sub = read_folder(tmp_path)
    said = "several files for losses (losses.py, losses.ipynb, exercises/losses.ipynb)"
    assert any(p.startswith(said) and p.endswith("graded losses.py") for p in sub.problems)


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


def test_an_unreadable_file_is_a_problem_for_that_file_alone(tmp_path: Path, monkeypatch):
    """A permission-denied helper made the whole submission 'could not be read' (0 points)."""
    (tmp_path / "activations.py").write_bytes(GOOD)
    (tmp_path / "helpers.py").write_bytes(b"x = 1\n")
    real_open = Path.open

    def denied(self, *args, **kwargs):
        if self.name == "helpers.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    sub = read_folder(tmp_path)
    assert sub.files == {"activations": GOOD}
    assert sub.problems == ("helpers.py cannot be read (Permission denied): ignored",)


def _notebook(code: str, image_bytes: int) -> bytes:
    import json

    output = {
        "output_type": "display_data",
        "metadata": {},
        "data": {"image/png": "A" * image_bytes},
    }
    cell = {"cell_type": "code", "metadata": {}, "source": code, "outputs": [output]}
    return json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}
    ).encode()


def test_a_notebook_with_large_plots_is_graded_by_its_code_in_a_folder_or_a_zip(tmp_path: Path):
    """A notebook over 2 MiB because of its plots was ignored whole (the learner scored 0)."""
    data = _notebook(GOOD.decode(), 3 * MAX_FILE_BYTES // 2)
    assert len(data) > MAX_FILE_BYTES
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "activations.ipynb").write_bytes(data)
    zipped = make_zip(tmp_path / "z.zip", {"activations.ipynb": data})
    for sub in (read_folder(tmp_path / "f"), read_zip(zipped)):
        assert sub.files == {"activations": GOOD} and sub.problems == ()


def test_a_notebook_whose_code_alone_is_too_large_is_ignored_with_the_reason(tmp_path: Path):
    code = "X = 1\n" + "#" * MAX_FILE_BYTES + "\n"
    (tmp_path / "activations.ipynb").write_bytes(_notebook(code, 0))
    sub = read_folder(tmp_path)
    assert sub.files == {"activations": b""}
    assert "its code is" in sub.problems[0] and f"limit {MAX_FILE_BYTES}" in sub.problems[0]


def test_data_files_in_a_zip_are_never_read_nor_counted_against_its_size_limit(tmp_path: Path):
    """A learner who zipped their data set (70 MiB unpacked) beside the code had the whole zip
    refused as a bomb; only what is read (code) counts."""
    from grader.submissions import MAX_ZIP_TOTAL_BYTES

    path = tmp_path / "ann.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activations.py", GOOD)
        zf.writestr("data/train.bin", b"\0" * (MAX_ZIP_TOTAL_BYTES + 1024))
    sub = read_zip(path)
    assert sub.files == {"activations": GOOD} and sub.problems == ()


def test_a_zip_declaring_too_many_entries_is_refused_before_its_directory_is_parsed(
    tmp_path: Path, monkeypatch
):
    """The entry count came from parsing every entry (millions of empty entries: gigabytes of
    ZipInfo) — now from the end record; and the refused zip is not listed either."""
    from grader import submissions

    make_zip(tmp_path / "many.zip", {f"f{i}.txt": b"" for i in range(30)})
    monkeypatch.setattr(submissions, "MAX_ZIP_ENTRIES", 20)

    def no_parse(*args, **kwargs):
        raise AssertionError("the central directory was parsed")

    monkeypatch.setattr(submissions.zipfile, "ZipFile", no_parse)
    (sub,) = discover([tmp_path])
    assert sub.files == {} and sub.problems == ("many.zip: 30 entries (limit 20)",)


def test_a_zip_declaring_few_entries_but_holding_many_is_refused_without_parsing_them(
    tmp_path: Path, monkeypatch
):
    """zipfile parses the whole central directory whatever the end record declares: a 50 MB zip
    declaring 1 entry but holding a million (all pointing at one local header) took 30 s and
    500 MB, twice (read, then listed). The directory is now counted header by header, stopping
    just past the limit, and the zip is refused in one line without being parsed or listed."""
    import struct

    from grader import submissions

    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, 1, 0) + b"a"
    names = [b"%d" % i for i in range(30)]
    directory = b"".join(
        struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, len(n), *[0] * 6) + n
        for n in names
    )
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(local), 0)
    (tmp_path / "liar.zip").write_bytes(local + directory + end)
    monkeypatch.setattr(submissions, "MAX_ZIP_ENTRIES", 20)

    def no_parse(*args, **kwargs):
        raise AssertionError("the central directory was parsed")

    monkeypatch.setattr(submissions.zipfile, "ZipFile", no_parse)
    (sub,) = discover([tmp_path])
    assert sub.files == {} and sub.problems == ("liar.zip: more than 20 entries (limit 20)",)


def test_macos_archive_junk_beside_a_zipped_folder_keeps_its_helpers_importable(tmp_path: Path):
    """`__MACOSX/` beside `ann/` stopped `ann/` being stripped: helpers.py became `ann/helpers`,
    not importable as `from . import helpers` next to activations.py."""
    path = make_zip(
        tmp_path / "ann.zip",
        {
            "ann/activations.py": GOOD,
            "ann/helpers.py": b"X = 1\n",
            "__MACOSX/ann/._activations.py": b"\0\5\0",
            "ann/.DS_Store": b"\0",
        },
    )
    sub = read_zip(path)
    assert sub.files == {"activations": GOOD, "helpers": b"X = 1\n"}


def test_a_name_twice_in_one_zip_says_which_copy_is_graded(tmp_path: Path):
    path = tmp_path / "dup.zip"
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "w") as zf:
        zf.writestr("activations.py", GOOD)
        zf.writestr("activations.py", b"def relu(x):\n    return 0\n")
    sub = read_zip(path)
    assert sub.files == {"activations": GOOD}
    assert sub.problems == ("activations.py is in the zip 2 times; graded the first",)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "is empty"),
        (b"\n  \n\t\n", "is empty"),
        ("A = 1\n".encode("utf-16"), "UTF-16"),
        (b"A = 1\n\0\0", "NUL bytes"),
    ],
)
def test_a_topic_file_that_cannot_be_code_is_named_in_the_problems(
    tmp_path: Path, data: bytes, why: str
):
    """An empty ``activations.py`` was graded as a module without the functions (every check:
    "has no attribute 'sigmoid'"), a UTF-16 one as "source code string cannot contain null
    bytes": the feedback never said what was wrong with the file, as ``gradelab check`` does."""
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "activations.py").write_bytes(data)
    make_zip(tmp_path / "bob.zip", {"bob/activations.py": data})
    for sub in discover([tmp_path]):
        assert "activations" in sub.files  # still graded (0 points), with the reason
        assert any(p.startswith("activations.py ") and why in p for p in sub.problems), sub.problems


def test_a_zip_made_on_windows_with_backslashes_is_read_like_any_other(tmp_path: Path):
    """Windows PowerShell's Compress-Archive writes ``ann\\activations.py``: every such zip was
    "unsafe path, ignored" and scored 0. Backslashes are separators; escapes stay refused."""
    from grader.intake import survey

    ann = make_zip(
        tmp_path / "ann.zip", {"ann\\activations.py": b"A = 1\n", "ann\\helpers.py": b"H = 1\n"}
    )
    bob = make_zip(tmp_path / "bob.zip", {"exercises\\losses.py": b"B = 1\n"})
    for sub, topics in ((read_zip(ann), ["activations", "helpers"]), (read_zip(bob), ["losses"])):
        assert sorted(sub.files) == topics and sub.problems == ()
        assert survey(sub) == []
    evil = make_zip(
        tmp_path / "evil.zip",
        {"..\\losses.py": b"E = 1\n", "C:\\conv.py": b"E = 1\n", "rnn.py": b"OK = 1\n"},
    )
    sub = read_zip(evil)
    assert sorted(sub.files) == ["rnn"]
    assert sum("unsafe path" in p for p in sub.problems) == 2


def test_a_large_notebook_that_is_not_json_is_refused_without_parsing_it_as_python(
    tmp_path: Path, monkeypatch
):
    """A 30 MB ``activations.ipynb`` of Python source took 134 s and gigabytes outside the sandbox
    (telling the learner "it is Python source" parses it first). Past the code limit, a notebook
    not starting with a bracket is refused in one line without being parsed; one in UTF-16 (or
    with a byte order mark and leading blank lines) is still read."""
    import json

    from grader.nbgrader import ipynb

    def no_parse(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(ipynb, "extract", no_parse)
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "activations.ipynb").write_bytes(b"x = 1\n" * (MAX_FILE_BYTES // 6 + 1))
    (sub,) = discover([tmp_path])
    assert sub.files == {"activations": b""}
    assert "not JSON" in sub.problems[0] and "graded as an empty file" in sub.problems[0]

    monkeypatch.undo()
    cell = {"cell_type": "code", "source": "X = 1\n", "outputs": [{"data": "A" * MAX_FILE_BYTES}]}
    text = "\n  " + json.dumps({"cells": [cell]})
    (tmp_path / "ann" / "activations.ipynb").write_bytes(text.encode("utf-16"))
    (sub,) = discover([tmp_path])
    assert sub.files == {"activations": b"X = 1\n"} and sub.problems == ()


def test_an_unreadable_helper_in_a_zip_is_named_not_carried_empty(tmp_path: Path):
    """An encrypted (or corrupt) ``helpers.py`` in a zip was carried as an empty module without
    a word: ``from .helpers import f`` then failed in every check with no reason given. It is
    now left out with the reason, as an unreadable topic file is; zipfile's message (which
    quotes the member's whole name, up to 65,535 characters) is shortened."""
    import struct

    path = make_zip(
        tmp_path / "ann.zip",
        {"activations.py": GOOD, "helpers.py": b"X = 1\n", "h" * 5000 + ".py": b"Y = 1\n"},
    )
    data = bytearray(path.read_bytes())
    for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at != -1:
            if b"helpers.py" in data[at : at + 60] or b"hhhh" in data[at : at + 60]:
                struct.pack_into("<H", data, at + flags, 1)  # "encrypted"
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    sub = read_zip(path)
    assert sub.files == {"activations": GOOD}
    assert any(p.startswith("helpers.py cannot be read from the zip") for p in sub.problems)
    assert len(sub.problems) == 2 and all(len(p) < 1000 for p in sub.problems)


def test_helper_modules_past_the_limit_are_one_problem_not_one_per_file(tmp_path: Path):
    """3,000 ``h<N>.py`` beside a topic file gave 2,936 lines of feedback, one per file past
    MAX_HELPER_FILES; now one line, in a folder as in a zip, and the topic is still graded."""
    from grader.submissions import MAX_HELPER_FILES

    helpers = {f"h{i}.py": b"X = 1\n" for i in range(MAX_HELPER_FILES + 100)}
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "activations.py").write_bytes(GOOD)
    for name, data in helpers.items():
        (tmp_path / "ann" / name).write_bytes(data)
    zipped = make_zip(tmp_path / "bob.zip", {"activations.py": GOOD, **helpers})
    for sub in (read_folder(tmp_path / "ann"), read_zip(zipped)):
        assert sub.files["activations"] == GOOD
        (problem,) = sub.problems
        assert problem.startswith(f"more than {MAX_HELPER_FILES} helper modules: h")


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_bzip2_or_lzma_bomb_is_never_inflated_past_the_limit(tmp_path, monkeypatch, method):
    """zipfile gives a bzip2/LZMA decompressor all the compressed bytes asked for, with no bound
    on what comes out: a 911-byte zip (a bzip2 member declaring 100 bytes, holding 1 GiB of
    zeros) took 2 GB of memory before its CRC was checked; a few kB more take all of it. No
    decompression step now yields more than the limit + 1 bytes, and the member is named."""
    import bz2
    import lzma
    import struct

    from grader import submissions

    monkeypatch.setattr(submissions, "MAX_FILE_BYTES", 10_000)
    path = tmp_path / "ann.zip"
    with zipfile.ZipFile(path, "w", compression=method) as zf:
        zf.writestr("activations.py", b"\0" * (8 * 1024 * 1024))
        zf.writestr("helpers.py", b"\0" * (8 * 1024 * 1024))
        zf.writestr("losses.py", GOOD)
    data = bytearray(path.read_bytes())  # both bombs declare 100 bytes
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while at != -1:
            if data[at + name_at : at + name_at + 9] != b"losses.py":
                struct.pack_into("<I", data, at + size_at, 100)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    largest = [0]

    def spying(kind):
        class Spy:
            def __init__(self, *args, **kwargs):
                self._d = kind(*args, **kwargs)

            def decompress(self, *args, **kwargs):
                out = self._d.decompress(*args, **kwargs)
                largest[0] = max(largest[0], len(out))
                return out

            def __getattr__(self, name):
                return getattr(self._d, name)

        return Spy

    monkeypatch.setattr(bz2, "BZ2Decompressor", spying(bz2.BZ2Decompressor))
    monkeypatch.setattr(lzma, "LZMADecompressor", spying(lzma.LZMADecompressor))
    sub = read_zip(path)
    assert sub.files == {"losses": GOOD}
    assert largest[0] <= 10_001
    assert set(sub.problems) == {
        "helpers.py expands past 10000 bytes: ignored",
        "activations.py expands past 10000 bytes: ignored",
    }


def test_a_notebook_whose_code_cells_are_too_large_is_refused_before_extraction(
    tmp_path: Path, monkeypatch
):
    """Extracting 30 MB of code cells (within MAX_NOTEBOOK_BYTES) took ~10 s per topic outside
    the sandbox, only to be refused as over MAX_FILE_BYTES afterwards. The code cells' size is
    now read first (one JSON parse) and such a notebook refused without extraction; a notebook
    large only by its plots is still extracted."""
    import json

    from grader.nbgrader import ipynb

    big = {"cells": [{"cell_type": "code", "source": ["X = 1\n"] * (MAX_FILE_BYTES // 6 + 1)}]}
    (tmp_path / "activations.ipynb").write_text(json.dumps(big))

    def no_extract(*args, **kwargs):
        raise AssertionError("extracted")

    monkeypatch.setattr(ipynb, "extract", no_extract)
    sub = read_folder(tmp_path)
    assert sub.files == {"activations": b""}
    (problem,) = sub.problems
    assert problem.startswith("activations.ipynb: its code is ") and "limit" in problem
    monkeypatch.undo()
    (tmp_path / "activations.ipynb").write_bytes(_notebook(GOOD.decode(), 3 * MAX_FILE_BYTES // 2))
    assert read_folder(tmp_path).files == {"activations": GOOD}


def test_a_folder_that_cannot_be_listed_is_named_not_skipped_in_silence(
    tmp_path: Path, monkeypatch
):
    """An exercises/ folder without read permission was skipped by glob: the learner's files
    there were silently missing."""
    import os

    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "activations.py").write_bytes(GOOD)
    blocked = str(tmp_path / "exercises")
    real_listdir, real_scandir = os.listdir, os.scandir

    def deny(real):
        def call(path="."):
            if os.fspath(path) == blocked:
                raise PermissionError(13, "Permission denied", blocked)
            return real(path)

        return call

    monkeypatch.setattr(os, "listdir", deny(real_listdir))
    monkeypatch.setattr(os, "scandir", deny(real_scandir))
    sub = read_folder(tmp_path)
    assert sub.files == {}
    assert "exercises cannot be listed (Permission denied)" in sub.problems
