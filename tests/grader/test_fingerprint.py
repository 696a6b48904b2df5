"""The fingerprint covers every input of a grade, found from the code: editing any file of the
closure in a scratch copy of the kit changes it; editing a renderer does not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader import fingerprint
from grader.engine.process import Limits
from grader.settings import HIDDEN_DIR, GradeSettings

ROOT = fingerprint.ROOT
CLOSURE = [p.relative_to(ROOT).as_posix() for p in fingerprint.kit_files(HIDDEN_DIR)]
#: the inputs the old hand-kept folder list left out, and one of each kind
NAMED = [
    "grader/strategies/__init__.py",
    "grader/strategies/common.py",
    "grader/strategies/losses.py",
    "grader/suites.py",
    "grader/engine/containers.py",
    "grader/engine/answers.py",
    "exercises/tests/_harness.py",
    "exercises/tests/_handles.py",
    "exercises/tests/_data.py",
    "grader/submissions.py",
    "grader/nbgrader/ipynb.py",
    "grader/hidden/test_activations.py",
    "grader/misconceptions/losses.py",
    "grader/engine/expect.py",
    "grader/sandbox/worker.py",
    "grader/sandbox/channel.py",
    "grader/settings.py",
    "reference/activations.py",
    "reference/_validate.py",
    "exercises/tests/data/losses.npz",
]
#: files that cannot change a grade: they render or report it
RENDERERS = [
    "grader/outputs/feedback.py",
    "grader/outputs/gradescope.py",
    "grader/outputs/gradebook.py",
    "grader/report/page.py",
    "grader/grading.py",
    "grader/cli/grading.py",
    "grader/cli/app.py",
]


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    """A scratch copy of the kit (everything the closure can reach, and the renderers)."""
    root = tmp_path_factory.mktemp("kit")
    for folder in ("grader", "reference", "exercises", "lessons"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _print(kit: Path, settings: GradeSettings | None = None) -> str:
    return (settings or GradeSettings()).fingerprint(kit)


def _edited(kit: Path, rel: str) -> str:
    """The fingerprint with one byte appended to ``rel`` (put back afterwards)."""
    path = kit / rel
    before = path.read_bytes()
    try:
        path.write_bytes(before + b"\n")
        return _print(kit)
    finally:
        path.write_bytes(before)


def test_the_named_inputs_and_every_data_file_are_in_the_closure():
    data = [p.relative_to(ROOT).as_posix() for p in (ROOT / "exercises/tests/data").glob("*.npz")]
    assert data and set(data) <= set(CLOSURE)
    assert set(NAMED) <= set(CLOSURE), sorted(set(NAMED) - set(CLOSURE))
    assert all(f"grader/hidden/{p.name}" in CLOSURE for p in HIDDEN_DIR.glob("test_*.py"))


def test_no_renderer_is_in_the_closure():
    assert not set(RENDERERS) & set(CLOSURE)
    assert not [p for p in CLOSURE if p.startswith(("grader/outputs/", "grader/report/"))]


def test_the_scratch_copy_has_the_same_closure_and_fingerprint(kit):
    copied = [
        p.relative_to(kit).as_posix() for p in fingerprint.kit_files(kit / "grader/hidden", kit)
    ]
    assert copied == CLOSURE
    assert _print(kit) == GradeSettings().fingerprint()


@pytest.mark.parametrize("rel", CLOSURE)
def test_editing_any_file_of_the_closure_changes_the_fingerprint(kit, rel):
    assert _edited(kit, rel) != _print(kit)


@pytest.mark.parametrize("rel", RENDERERS)
def test_editing_a_renderer_keeps_the_fingerprint(kit, rel):
    assert _edited(kit, rel) == _print(kit)


def test_every_setting_and_library_version_enters_the_fingerprint(kit, monkeypatch):
    base = _print(kit)
    others = [
        GradeSettings(topics=("losses",)),
        GradeSettings(max_examples=13),
        GradeSettings(shrink=False),
        GradeSettings(limits=Limits(call_timeout=11.0)),
    ]
    assert len({base, *(_print(kit, s) for s in others)}) == 1 + len(others)
    for library in fingerprint.VALUE_LIBRARIES:
        versions = {**fingerprint.library_versions(), library: "0.0.0-other"}
        monkeypatch.setattr(fingerprint, "library_versions", lambda v=versions: v)
        assert _print(kit) != base, library


def test_a_custom_hidden_suite_is_hashed_by_content_not_by_place(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        folder.mkdir()
        (folder / "test_losses.py").write_text("X = 1\n")
    first, second = GradeSettings(hidden_dir=one), GradeSettings(hidden_dir=two)
    assert first.fingerprint() == second.fingerprint()
    (two / "test_losses.py").write_text("X = 2\n")
    assert first.fingerprint() != second.fingerprint()


def test_a_process_given_anothers_parses_gets_the_same_fingerprint_without_parsing(monkeypatch):
    """A pool's processes start with the parent's parses (``remember_reads``): same fingerprint,
    no file parsed again."""
    settings = GradeSettings()
    expected = settings.fingerprint()
    known = fingerprint.known_reads()
    monkeypatch.setattr(fingerprint, "_READS", {})
    fingerprint.remember_reads(known)
    monkeypatch.setattr(fingerprint, "_reads", lambda *a: pytest.fail(f"parsed {a[0]} again"))
    assert settings.fingerprint() == expected


def test_a_parse_is_used_only_for_the_very_source_it_was_made_from(monkeypatch, tmp_path):
    """An entry for other contents of the same file is never taken: the file is parsed anew."""
    module = tmp_path / "m.py"
    module.write_text("import json\n")
    monkeypatch.setattr(fingerprint, "_READS", {})
    fingerprint.remember_reads([((module, b"import os\n", tmp_path), frozenset({tmp_path / "x"}))])
    assert fingerprint.reads(module, tmp_path) == frozenset()  # json is not a file of the kit
