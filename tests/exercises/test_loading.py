"""A topic file that does not load is one row saying why in the learner's terms: a sibling
imported without the package-relative form, a file saved as UTF-16, an empty file, ``exit()`` or
another BaseException at import (with its line)."""

from __future__ import annotations

import shutil
from pathlib import Path

from exercises.tests._runner import run_check
from grader.release.build import ROOT


def _learner(tmp_path: Path) -> Path:
    folder = tmp_path / "learner"
    folder.mkdir()
    for name in ("activations", "forward"):
        shutil.copyfile(ROOT / "solutions" / f"{name}.py", folder / f"{name}.py")
    return folder


def _load_row(folder: Path, topic: str) -> str:
    results = run_check([topic], where=str(folder), timeout=5)
    assert [r.status for r in results] == ["does not load"], results
    return results[0].messages[0]


def test_importing_a_sibling_topic_without_the_dot_says_to_use_from_dot_import(tmp_path):
    folder = _learner(tmp_path)
    path = folder / "forward.py"
    path.write_text(path.read_text().replace("from . import activations", "import activations"))
    message = _load_row(folder, "forward")
    assert "`from . import activations`" in message
    assert "pip install" not in message and "not installed" not in message


def test_importing_an_own_helper_without_the_dot_says_to_use_from_dot_import(tmp_path):
    folder = _learner(tmp_path)
    (folder / "myhelpers.py").write_text("def clip(x):\n    return x\n")
    with (folder / "activations.py").open("a") as fh:
        fh.write("\nimport myhelpers\n")
    message = _load_row(folder, "activations")
    assert "`from . import myhelpers`" in message and "pip install" not in message


def test_a_file_saved_as_utf16_is_said_to_be_not_utf8(tmp_path):
    folder = _learner(tmp_path)
    path = folder / "activations.py"
    path.write_bytes(path.read_text().encode("utf-16"))
    message = _load_row(folder, "activations")
    assert "not UTF-8 text (saved as UTF-16?)" in message and "None:None" not in message


def test_an_empty_file_is_one_row_not_one_missing_row_per_function(tmp_path):
    folder = _learner(tmp_path)
    (folder / "activations.py").write_text("\n")
    assert "activations.py is empty" in _load_row(folder, "activations")


def test_exit_at_import_is_one_row_with_its_line(tmp_path):
    folder = _learner(tmp_path)
    path = folder / "activations.py"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, "exit()"]) + "\n")
    message = _load_row(folder, "activations")
    assert f"called exit() (SystemExit) (at activations.py:{len(lines) + 1})" in message
