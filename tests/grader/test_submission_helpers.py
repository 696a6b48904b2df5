"""A learner's own helper modules and packages beside the topic files (``from . import helpers``)
are part of the submission (grader/submissions.py): read from folders and zips within the size
limits, written next to the topic files for the sandboxed worker, so grading imports them as
``gradelab check`` does."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from exercises.tests._harness import load_topic
from grader.engine.run import run_hidden_tests
from grader.examples import write_answers
from grader.settings import GradeSettings
from grader.submissions import MAX_HELPER_FILES, read_folder, read_zip

USES_HELPERS = """

from . import helpers
from .mathpkg.core import positive_part


def relu(x):
    return helpers.as_float(positive_part(x))
"""


def learner_with_helpers(folder: Path) -> Path:
    write_answers(folder)
    with (folder / "activations.py").open("a", encoding="utf-8") as fh:
        fh.write(USES_HELPERS)
    (folder / "helpers.py").write_text(
        "import numpy as np\n\ndef as_float(x):\n    return np.asarray(x, dtype=np.float64)\n"
    )
    (folder / "mathpkg").mkdir()
    (folder / "mathpkg" / "__init__.py").write_text("")
    (folder / "mathpkg" / "core.py").write_text(
        "import numpy as np\n\ndef positive_part(x):\n    return np.maximum(x, 0.0)\n"
    )
    return folder


def test_helper_modules_and_packages_are_read_with_the_topic_files(tmp_path: Path):
    sub = read_folder(learner_with_helpers(tmp_path / "ann"))
    assert {"helpers", "mathpkg/__init__", "mathpkg/core"} <= set(sub.files)
    zipped = tmp_path / "ann.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for path in sorted((tmp_path / "ann").rglob("*.py")):
            zf.write(path, f"ann/{path.relative_to(tmp_path / 'ann').as_posix()}")
    assert read_zip(zipped).files == sub.files
    assert read_zip(zipped).content_hash == sub.content_hash


def test_grading_imports_the_helpers_as_check_does(tmp_path: Path):
    sub = read_folder(learner_with_helpers(tmp_path / "ann"))
    folder = sub.write_to(tmp_path / "graded")
    relu = load_topic("activations", str(tmp_path / "ann")).relu  # gradelab check's import
    assert np.array_equal(relu(np.array([-1.0, 2.0])), [0.0, 2.0])
    result = run_hidden_tests(
        folder,
        GradeSettings(topics=tuple(["activations"])),
        learner="ann",
        content_hash="-",
        only_functions={"activations.relu"},
    )
    failing = [(o.check, o.message) for o in result.outcomes if o.status != "passed"]
    assert not failing and result.score == result.max_score > 0


def test_helpers_outside_the_limits_are_left_out_with_a_note(tmp_path: Path):
    folder = tmp_path / "bob"
    folder.mkdir()
    (folder / "losses.py").write_text("A = 1\n")
    (folder / "not-a-module.py").write_text("x = 1\n")  # not importable: not carried
    (folder / "a" / "b" / "c").mkdir(parents=True)
    (folder / "a" / "b" / "c" / "deep.py").write_text("x = 1\n")  # too deep
    (folder / "__init__.py").write_text("x = 1\n")  # the grader's package, not the learner's
    for i in range(MAX_HELPER_FILES + 1):
        (folder / f"h{i:03d}.py").write_text("x = 1\n")
    sub = read_folder(folder)
    helpers = [k for k in sub.files if k != "losses"]
    assert len(helpers) == MAX_HELPER_FILES
    assert all(k.startswith("h") for k in helpers)
    assert any(f"more than {MAX_HELPER_FILES} helper modules" in p for p in sub.problems)
