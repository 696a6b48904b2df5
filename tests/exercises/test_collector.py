"""A failing case says what the learner's code did: exit() or another BaseException in a function
is that function's failure with its type and line (the check goes on), a forgotten ``return`` is
named, input() is named, and a written function calling a stub says which stub."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exercises.tests._runner import run_check
from grader.release.build import ROOT


def _rows(tmp_path: Path, snippet: str, topic: str = "activations", stub: str = "") -> dict:
    folder = tmp_path / "learner"
    folder.mkdir()
    for name in ("activations", "forward"):
        shutil.copyfile(ROOT / "solutions" / f"{name}.py", folder / f"{name}.py")
    if stub:
        shutil.copyfile(ROOT / "exercises" / f"{stub}.py", folder / f"{stub}.py")
    with (folder / f"{topic}.py").open("a") as fh:
        fh.write("\n" + snippet)
    return {r.function: r for r in run_check([topic], where=str(folder), timeout=5)}


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("    exit()\n", "called exit() (SystemExit) (at activations.py:"),
        ("    sys.exit(0)\n", "called exit() with status 0 (SystemExit) (at activations.py:"),
        ("    raise Sneaky('boom')\n", "raised Sneaky: boom (at activations.py:"),
    ],
    ids=["exit", "sys-exit", "own-baseexception"],
)
def test_a_baseexception_in_a_function_fails_it_with_type_and_line_and_the_rest_run(
    tmp_path, body, said
):
    snippet = f"import sys\nclass Sneaky(BaseException):\n    pass\ndef relu(x):\n{body}"
    rows = _rows(tmp_path, snippet)
    assert rows["relu"].status == "failed" and said in rows["relu"].messages[0]
    assert all(r.status == "passed" for f, r in rows.items() if f != "relu")


def test_a_forgotten_return_is_named(tmp_path):
    rows = _rows(tmp_path, "def relu(x):\n    y = np.maximum(x, 0)\n")
    assert "returned None — a missing `return`?" in rows["relu"].messages[0]
    assert "dtype object" not in rows["relu"].messages[0]


def test_reading_input_is_named_not_pytests_capture_message(tmp_path):
    rows = _rows(tmp_path, "def relu(x):\n    input('n? ')\n    return np.maximum(x, 0)\n")
    message = rows["relu"].messages[0]
    assert "read input (input() or sys.stdin)" in message and "-s" not in message


def test_a_written_function_calling_a_stub_names_the_stub(tmp_path):
    rows = _rows(tmp_path, "", topic="forward", stub="activations")
    mlp = rows["mlp_forward"]
    assert mlp.status == "not implemented"
    assert mlp.messages[0].startswith("forward.mlp_forward calls activations.")
    assert "not implemented yet" in mlp.messages[0]
