"""The student release holds what learners need and nothing instructors keep; it installs and runs."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from grader.release.build import ROOT
from grader.release.bundle import build_bundle
from grader.release.strip import find_blocks
from reference import TOPICS

FORBIDDEN_PARTS = {
    "solutions",
    "reference",
    "grader",
    "hidden",
    "tests/reference",
    "misconceptions",
}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "student"
    build_bundle(out)
    return out


def _solution_blocks() -> list[tuple[str, str]]:
    """(where, dedented source) of every solution block."""
    blocks = []
    for topic in TOPICS:
        source = (ROOT / "solutions" / f"{topic}.py").read_text()
        for b in find_blocks(source):
            body = "\n".join(ln for ln in b.lines if not ln.strip().startswith("# stub:"))
            blocks.append((f"solutions/{topic}.py:{b.start}", textwrap.dedent(body)))
    return blocks


def _statement_dumps(source: str) -> list[str]:
    """ast.dump of every statement list (module and function bodies) of ``source``."""
    tree = ast.parse(source)
    runs = []
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            runs.append([ast.dump(s) for s in body])
    return runs


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_bundle_has_the_learner_files(bundle: Path):
    for topic in TOPICS:
        assert (bundle / "exercises" / f"{topic}.py").is_file()
        assert (bundle / "exercises" / "tests" / f"test_{topic}.py").is_file()
        assert (bundle / "exercises" / "tests" / "data" / f"{topic}.npz").is_file()
        assert (bundle / "lessons" / f"{topic}.md").is_file()
    assert (bundle / "pyproject.toml").is_file() and (bundle / "README.md").is_file()
    with zipfile.ZipFile(bundle.with_suffix(".zip")) as zf:
        names = {Path(n).relative_to("student").as_posix() for n in zf.namelist()}
    assert names == {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}


def test_bundle_has_no_instructor_paths(bundle: Path):
    for path in bundle.rglob("*"):
        rel = path.relative_to(bundle).as_posix()
        assert not any(
            part in rel.split("/") or rel.startswith(part) for part in FORBIDDEN_PARTS
        ), rel


def test_bundle_leaks_no_solution_block(bundle: Path):
    """No statement run of any bundle .py file is a solution block (normalised AST), and no file's
    text contains a block's code (whitespace-normalised), so no answer ships to learners."""
    blocks = [(where, src) for where, src in _solution_blocks() if src.strip()]
    block_dumps = {where: [ast.dump(s) for s in ast.parse(src).body] for where, src in blocks}
    block_text = {where: _normalise(src) for where, src in blocks}
    for path in bundle.rglob("*"):
        if not path.is_file() or path.suffix not in {".py", ".md", ".toml", ".json", ".txt"}:
            continue
        text = path.read_text(encoding="utf-8")
        flat = _normalise(text)
        for where, needle in block_text.items():
            if len(needle) >= 40:
                assert needle not in flat, (
                    f"{path.relative_to(bundle)} contains the block at {where}"
                )
        if path.suffix == ".py":
            for run in _statement_dumps(text):
                for where, dump in block_dumps.items():
                    n = len(dump)
                    assert not any(run[i : i + n] == dump for i in range(len(run) - n + 1)), (
                        f"{path.relative_to(bundle)} contains the block at {where}"
                    )


def test_leak_scan_catches_a_planted_solution(tmp_path: Path):
    """The leak scan can fail: a stub with one real body pasted back in is caught."""
    where, src = next((w, s) for w, s in _solution_blocks() if len(ast.parse(s).body) >= 2)
    planted = tmp_path / "leak.py"
    planted.write_text("def f(x):\n" + textwrap.indent(src, "    ") + "\n")
    dump = [ast.dump(s) for s in ast.parse(src).body]
    runs = _statement_dumps(planted.read_text())
    assert any(run[i : i + len(dump)] == dump for run in runs for i in range(len(run))), where


@pytest.mark.slow
def test_bundle_installs_in_a_fresh_venv_and_check_runs(bundle: Path, tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
    ]
    env = {**os.environ, "PIP_NO_INPUT": "1"}
    subprocess.run([*pip, "-e", str(bundle)], check=True, env=env, capture_output=True)
    proc = subprocess.run(
        [str(venv / "bin" / "gradelab"), "check", "activations", "losses"],
        cwd=bundle,
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"]},
    )
    assert proc.returncode == 1, proc.stderr
    assert "activations.sigmoid" in proc.stdout and "not implemented" in proc.stdout
    assert re.search(r"0/\d+ functions pass", proc.stdout), proc.stdout
    torchless = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import torch"], capture_output=True
    )
    assert torchless.returncode != 0, "the student venv should not need torch"
