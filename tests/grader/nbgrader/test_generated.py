"""Re-running a generator (``gradelab nbgrader``/``notebooks --out DIR``) never loses an edit:
untouched files are updated, edited ones refused by name unless forced (and then kept aside),
and a crash mid-write leaves every file whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.nbgrader import course as course_mod
from grader.nbgrader.course import HiddenTest, NotebookError, build_course, build_notebooks
from grader.nbgrader.generated import STATE, EditedFiles, read_manifest, write_files

ROOT = Path(__file__).resolve().parents[3]


def _files(out: Path) -> list[str]:
    """Every file under out but the manifest's own state folder."""
    return sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and STATE not in p.relative_to(out).parts
    )


def test_an_untouched_file_is_updated_and_an_unchanged_one_left_alone(tmp_path):
    write_files(tmp_path, {"a.txt": b"a1", "sub/b.txt": b"b1"})
    report = write_files(tmp_path, {"a.txt": b"a2", "sub/b.txt": b"b1"})
    assert report.updated == ["a.txt"] and report.unchanged == ["sub/b.txt"]
    assert (tmp_path / "a.txt").read_bytes() == b"a2"


def test_an_edited_file_refuses_the_whole_write_naming_it_and_nothing_changes(tmp_path):
    write_files(tmp_path, {"a.txt": b"a1", "b.txt": b"b1"})
    (tmp_path / "b.txt").write_bytes(b"the instructor's edit")
    with pytest.raises(EditedFiles, match=r"b\.txt \(edited since gradelab wrote it\)") as info:
        write_files(tmp_path, {"a.txt": b"a2", "b.txt": b"b2"})
    assert set(info.value.edited) == {"b.txt"} and "--force" in str(info.value)
    assert (tmp_path / "a.txt").read_bytes() == b"a1"  # refused before writing anything
    assert (tmp_path / "b.txt").read_bytes() == b"the instructor's edit"


def test_force_overwrites_an_edited_file_and_keeps_its_bytes_aside(tmp_path):
    write_files(tmp_path, {"b.txt": b"b1"})
    (tmp_path / "b.txt").write_bytes(b"edit")
    report = write_files(tmp_path, {"b.txt": b"b2"}, force=True)
    assert (tmp_path / "b.txt").read_bytes() == b"b2"
    kept = tmp_path / report.replaced["b.txt"]
    assert kept.read_bytes() == b"edit" and STATE in kept.relative_to(tmp_path).parts
    assert write_files(tmp_path, {"b.txt": b"b3"}).updated == ["b.txt"]  # ours again


def test_a_file_gradelab_never_wrote_is_refused_unless_it_is_what_would_be_written(tmp_path):
    (tmp_path / "hand.txt").write_bytes(b"mine")
    (tmp_path / "same.txt").write_bytes(b"same")
    with pytest.raises(EditedFiles, match="not written by gradelab") as info:
        write_files(tmp_path, {"hand.txt": b"gen", "same.txt": b"same"})
    assert set(info.value.edited) == {"hand.txt"}
    assert write_files(tmp_path, {"same.txt": b"same"}).unchanged == ["same.txt"]
    assert write_files(tmp_path, {"same.txt": b"new"}).updated == ["same.txt"]  # adopted


def test_a_written_file_has_the_umask_s_permissions_or_keeps_the_ones_it_had(tmp_path):
    """Temporaries are 0600: renamed as they are, a shared course became unreadable to others."""
    import os

    old = os.umask(0o022)
    try:
        write_files(tmp_path, {"a.txt": b"a1"})
        assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
        (tmp_path / "a.txt").chmod(0o640)
        write_files(tmp_path, {"a.txt": b"a2"})
        assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def test_an_unreadable_manifest_counts_every_existing_file_as_edited(tmp_path):
    write_files(tmp_path, {"a.txt": b"a1"})
    (tmp_path / STATE / "manifest.json").write_text("{not json")
    with pytest.raises(EditedFiles):
        write_files(tmp_path, {"a.txt": b"a2"})


def test_a_failure_mid_write_leaves_old_or_new_bytes_and_the_rerun_goes_on(tmp_path, monkeypatch):
    from grader.nbgrader import generated

    write_files(tmp_path, {"a.txt": b"a1", "b.txt": b"b1", "c.txt": b"c1"})
    real_replace, calls = generated.os.replace, []

    def crash_on_b(src, dst):
        calls.append(dst)
        if str(dst).endswith("b.txt"):
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(generated.os, "replace", crash_on_b)
    with pytest.raises(OSError, match="disk full"):
        write_files(tmp_path, {"a.txt": b"a2", "b.txt": b"b2", "c.txt": b"c2"})
    monkeypatch.setattr(generated.os, "replace", real_replace)
    assert [(tmp_path / n).read_bytes() for n in ("a.txt", "b.txt", "c.txt")] == [
        b"a2",
        b"b1",
        b"c1",
    ]
    assert _files(tmp_path) == ["a.txt", "b.txt", "c.txt"]  # no temporary beside them
    write_files(tmp_path, {"a.txt": b"a3", "b.txt": b"b3", "c.txt": b"c3"})  # not refused
    assert (tmp_path / "b.txt").read_bytes() == b"b3"


KILLED = """
import os, sys
from pathlib import Path
from grader.nbgrader import generated
out = Path(sys.argv[1])
real = os.fsync
def die_on_second_file(fd):
    if Path(f"/proc/self/fd/{fd}").resolve().name.startswith(".b.txt"):
        os._exit(9)  # a kill: no finally, no clean-up
    real(fd)
generated.os.fsync = die_on_second_file
generated.write_files(out, {"a.txt": b"a2" * 1000, "b.txt": b"b2" * 100000})
"""


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc")
def test_a_process_killed_mid_write_leaves_no_half_written_file(tmp_path):
    write_files(tmp_path, {"a.txt": b"a1", "b.txt": b"b1"})
    done = subprocess.run([sys.executable, "-c", KILLED, str(tmp_path)], cwd=ROOT, check=False)
    assert done.returncode == 9
    assert (tmp_path / "b.txt").read_bytes() == b"b1"  # whole, the old bytes
    assert (tmp_path / "a.txt").read_bytes() == b"a2" * 1000
    assert _files(tmp_path) == ["a.txt", "b.txt"]  # the temporary is under .gradelab/tmp
    assert any((tmp_path / STATE / "tmp").iterdir())
    write_files(tmp_path, {"a.txt": b"a3", "b.txt": b"b3"})  # both recognised as untouched
    assert not any((tmp_path / STATE / "tmp").iterdir())  # and the leftover cleared


@pytest.fixture
def quick_tests(monkeypatch):
    """Skip grading the solutions (minutes): one made-up hidden test per topic; records calls."""
    calls = []

    def fake(topic, max_examples=12):
        calls.append(topic)
        return [HiddenTest("f", "check", 0, 1.0)]

    monkeypatch.setattr(course_mod, "hidden_tests", fake)
    return calls


def test_rebuilding_a_course_rewrites_nothing_and_keeps_the_instructors_edit(tmp_path, quick_tests):
    """The reported bug: a re-run replaced notebooks the instructor had edited."""
    out = tmp_path / "course"
    first = build_course(out, ["activations", "losses"])
    before = {p: p.read_bytes() for p in first}
    lines: list[str] = []
    build_course(out, ["activations", "losses"], say=lines.append)
    assert {p: p.read_bytes() for p in first} == before  # stable cell ids: same bytes
    assert any(line.startswith("unchanged:") for line in lines)

    edited = out / "source" / "gradelab" / "losses.ipynb"
    edited.write_bytes(before[edited].replace(b"Autograded tests", b"Our own words"))
    quick_tests.clear()
    with pytest.raises(NotebookError, match=r"source/gradelab/losses\.ipynb \(edited"):
        build_course(out, ["activations", "losses"])
    assert quick_tests == []  # refused before grading any solution
    assert b"Our own words" in edited.read_bytes()

    build_course(out, ["activations", "losses"], force=True)
    assert edited.read_bytes() == before[edited]
    kept = list((out / STATE / "replaced").rglob("losses.ipynb"))
    assert len(kept) == 1 and b"Our own words" in kept[0].read_bytes()


def test_an_untouched_course_notebook_is_updated_when_the_kit_changes(
    tmp_path, quick_tests, monkeypatch
):
    out = tmp_path / "course"
    (path,) = build_course(out, ["activations"])
    recorded = read_manifest(out)[f"source/gradelab/{path.name}"]
    monkeypatch.setattr(
        course_mod, "hidden_tests", lambda topic, max_examples=12: [HiddenTest("g", "new", 0, 2.0)]
    )
    build_course(out, ["activations"])
    assert (
        "'g', 'new'" in path.read_text()
        and read_manifest(out)[f"source/gradelab/{path.name}"] != recorded
    )


def test_an_edited_nbgrader_config_is_refused_too(tmp_path, quick_tests):
    out = tmp_path / "course"
    build_course(out, ["activations"])
    (out / "nbgrader_config.py").write_text("c = get_config()\nc.Execute.timeout = 30\n")
    with pytest.raises(NotebookError, match=r"nbgrader_config\.py"):
        build_course(out, ["activations"])


def test_a_learner_notebook_the_learner_worked_in_is_never_overwritten(tmp_path):
    (path,) = build_notebooks(tmp_path, ["activations"])
    path.write_text(path.read_text().replace("raise NotImplementedError", "return x  #"))
    with pytest.raises(NotebookError, match=r"activations\.ipynb"):
        build_notebooks(tmp_path, ["activations"])
    assert "return x  #" in path.read_text()


def test_a_full_disk_names_the_file_being_written(tmp_path, monkeypatch):
    """ENOSPC from the write carries no file name: `gradelab notebooks` on a full disk said only
    "No space left on device"."""
    import errno
    import os

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as caught:
        write_files(tmp_path, {"sub/a.ipynb": b"{}"})
    assert caught.value.errno == errno.ENOSPC
    assert str(caught.value.filename).startswith(str(tmp_path))  # the manifest is written first
