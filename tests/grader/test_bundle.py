"""The student release holds what learners need and nothing instructors keep; it installs and runs."""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
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


def _install_command(readme: str) -> list[str]:
    """The one install command of the bundle's README (the ``pip install`` line of its first
    code block)."""
    block = readme.split("```bash", 1)[1].split("```", 1)[0]
    lines = [ln.strip() for ln in block.splitlines() if ln.strip().startswith("pip install")]
    assert len(lines) == 1, block
    return shlex.split(lines[0])


def test_the_readme_installs_with_one_command_pinned_by_the_shipped_constraints(bundle: Path):
    command = _install_command((bundle / "README.md").read_text())
    assert command[:2] == ["pip", "install"] and command[command.index("-c") + 1] == (
        "constraints.txt"
    )
    pins = (bundle / "constraints.txt").read_text()
    assert pins.split("\n", 1)[1] == (ROOT / "requirements.lock").read_text()
    student = (bundle / "pyproject.toml").read_text()
    torch = re.search(r"^torch==(\S+)", pins, re.M).group(1)
    assert f'"torch=={torch}"' in student  # the optional real embedder pins torch as we do


def test_the_release_asks_for_the_python_its_pinned_versions_exist_for(bundle: Path):
    """requires-python was >=3.10 while constraints.txt pins numpy 2.4 (Python >= 3.11): pip
    began the install on 3.10 and failed on numpy with no word about the Python version."""
    import tomllib

    ours = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    student = tomllib.loads((bundle / "pyproject.toml").read_text())["project"]
    assert student["requires-python"] == ours
    assert f"(Python {ours})" in (bundle / "README.md").read_text()


@pytest.mark.slow
def test_bundle_installs_in_a_fresh_venv_from_its_readme_and_checks_every_topic(
    bundle: Path, tmp_path: Path
):
    """The README's one command in a fresh venv (pip's cache reused, as on a learner's second
    try), then `gradelab check` on the stubs (every topic: not implemented) and on finished
    work (every function of every topic passes, RAG's faiss included); no PyTorch comes along."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bin_dir = venv / "bin"
    env = {**os.environ, "PIP_NO_INPUT": "1", "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env.pop("VIRTUAL_ENV", None)
    command = _install_command((bundle / "README.md").read_text())
    install = subprocess.run(
        [str(bin_dir / "python"), "-m", *command[:2], "-q", *command[2:]],
        cwd=bundle,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard
    )
    assert install.returncode == 0, install.stderr[-3000:]
    check_env = {"PATH": env["PATH"]}
    stubs = subprocess.run(
        [str(bin_dir / "gradelab"), "check"],
        cwd=bundle,
        capture_output=True,
        text=True,
        env=check_env,
        timeout=600,
    )
    assert stubs.returncode == 1, stubs.stdout + stubs.stderr
    for topic in TOPICS:
        assert re.search(rf"^{topic}\.\w+\s+not implemented", stubs.stdout, re.M), topic
    finished = tmp_path / "finished"
    finished.mkdir()
    for topic in TOPICS:
        shutil.copyfile(ROOT / "solutions" / f"{topic}.py", finished / f"{topic}.py")
    done = subprocess.run(
        [str(bin_dir / "gradelab"), "check", "--path", str(finished)],
        cwd=bundle,
        capture_output=True,
        text=True,
        env=check_env,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"^(\d+)/\1 functions pass", done.stdout, re.M), done.stdout[-500:]
    torchless = subprocess.run([str(bin_dir / "python"), "-c", "import torch"], capture_output=True)
    assert torchless.returncode != 0, "the exercises need no PyTorch: the install stays small"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the instructor's files a student release is built from."""
    root = tmp_path / "project"
    for part in ("solutions", "exercises", "lessons"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("requirements.lock", "pyproject.toml"):
        shutil.copyfile(ROOT / name, root / name)
    return root


def _answer_body(topic: str = "activations") -> tuple[str, str]:
    """(function name, body) of a solution function whose block has several statements."""
    source = (ROOT / "solutions" / f"{topic}.py").read_text()
    for block in find_blocks(source):
        body = textwrap.dedent("\n".join(block.lines))
        if block.function and len(ast.parse(body).body) >= 2:
            return block.function, body
    raise AssertionError("no multi-statement block")


def test_a_stub_overwritten_with_the_answer_is_refused(tree: Path, tmp_path: Path):
    """An instructor who copied solutions/ over exercises/ to try the public tests, then released
    one topic (`gradelab release -t conv --bundle ...`), shipped every other answer."""
    from grader.release.bundle import BundleError

    shutil.copyfile(tree / "solutions" / "losses.py", tree / "exercises" / "losses.py")
    with pytest.raises(BundleError, match=r"exercises/losses.py.*gradelab release"):
        build_bundle(tmp_path / "student", tree)
    assert not (tmp_path / "student").exists() and not (tmp_path / "student.zip").exists()


@pytest.mark.parametrize(
    ("stray", "what"),
    [
        ("exercises/scratch.py", "a scratch file beside the stubs"),
        ("exercises/tests/data/old_topic.npz", "data of a topic that is not released"),
        ("lessons/instructor_notes.md", "a Markdown file that is not a topic's lesson"),
    ],
)
def test_files_outside_the_release_are_refused_not_shipped(tree: Path, tmp_path: Path, stray, what):
    """Every .py/.npz/.md under exercises/ and lessons/ used to ship, whatever it was."""
    from grader.release.bundle import BundleError

    (tree / stray).write_bytes(b"# " + what.encode() + b"\n")
    with pytest.raises(BundleError, match="not part of the student release"):
        build_bundle(tmp_path / "student", tree)


@pytest.mark.parametrize("where", ["lesson code block", "public-test helper"])
def test_an_answer_reformatted_into_a_shipped_file_is_refused(tree: Path, tmp_path: Path, where):
    """The content check compares ASTs: a solution body reindented, with its comments gone, in
    a lesson's code block or in a helper of the public tests, is still the answer."""
    from grader.release.bundle import BundleError

    name, body = _answer_body()
    code = ast.unparse(ast.parse(body))  # no comments, other layout
    pasted = f"def {name}_worked_example(x):\n" + textwrap.indent(code, "        ") + "\n"
    pasted = pasted.replace("        ", "  ")
    if where == "lesson code block":
        lesson = tree / "lessons" / "activations.md"
        lesson.write_text(lesson.read_text() + f"\n```python\n{pasted}```\n")
    else:
        (tree / "exercises" / "tests" / "_examples.py").write_text(pasted)
    with pytest.raises(
        BundleError, match=r"would ship a model answer: .*solutions/activations\.py"
    ):
        build_bundle(tmp_path / "student", tree)


@pytest.mark.parametrize("target", [".", "exercises", "grader", "lessons/x", ".."])
def test_a_bundle_folder_that_is_or_holds_the_project_is_refused(tree: Path, target: str):
    """`--bundle .` deleted the project (build_bundle rmtree'd its folder first)."""
    from grader.release.bundle import BundleError

    (tree / "grader").mkdir()
    before = sorted(p.relative_to(tree) for p in tree.rglob("*"))
    with pytest.raises(BundleError, match=r"overlaps|holds the project"):
        build_bundle(tree / target, tree)
    assert sorted(p.relative_to(tree) for p in tree.rglob("*")) == before


def test_a_folder_of_other_files_is_never_deleted(tree: Path, tmp_path: Path):
    """`--bundle out` (where the grades are) deleted out/grades; only an empty folder or a
    student release written before is replaced."""
    from grader.release.bundle import BundleError

    out = tmp_path / "out"
    (out / "grades").mkdir(parents=True)
    (out / "grades" / "gradebook.sqlite").write_bytes(b"precious")
    with pytest.raises(BundleError, match="not a student release"):
        build_bundle(out, tree)
    assert (out / "grades" / "gradebook.sqlite").read_bytes() == b"precious"
    release = tmp_path / "student-2026.1"
    first = build_bundle(release, tree)
    (release / "leftover.txt").write_text("from the last release")
    assert build_bundle(release, tree) == first == tmp_path / "student-2026.1.zip"
    assert not (release / "leftover.txt").exists()
    with zipfile.ZipFile(first) as zf:
        assert all(n.startswith("student-2026.1/") for n in zf.namelist())


def test_a_zip_beside_the_folder_that_is_no_student_release_is_never_overwritten(
    tree: Path, tmp_path: Path
):
    """`--bundle homework` beside the class download `homework.zip` replaced the download with
    the release: the learners' submissions were gone. Only a release zip written before is."""
    from grader.release.bundle import BundleError

    download = tmp_path / "homework.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr("alice/activations.py", "precious = 1\n")
    before = download.read_bytes()
    with pytest.raises(BundleError, match=r"homework\.zip: .*not a student release"):
        build_bundle(tmp_path / "homework", tree)
    assert download.read_bytes() == before and not (tmp_path / "homework").exists()
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(BundleError, match=r"junk\.zip: "):
        build_bundle(tmp_path / "junk", tree)
    again = build_bundle(tmp_path / "release", tree)  # a release zip written before: replaced
    assert build_bundle(tmp_path / "release", tree) == again


def test_a_full_disk_names_the_file_being_written(tree: Path, tmp_path: Path, monkeypatch):
    """ENOSPC from a write names no file: `release --bundle` on a full disk said only "No space
    left on device"."""
    import errno

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(OSError) as caught:
        build_bundle(tmp_path / "student", tree)
    assert str(caught.value.filename).startswith(str(tmp_path / "student"))
