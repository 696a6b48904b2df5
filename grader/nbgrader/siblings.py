"""Topics that import other topics (``from . import activations``), as notebooks.

A lone notebook has no package, so ``forward``'s ``from . import activations`` cannot resolve. The
notebook of such a topic starts with a locked setup cell that calls :func:`load_siblings`: it reads
the learner's OWN sibling notebooks (``activations.ipynb`` in the same folder), extracts their code
cells exactly as ``gradelab grade`` does (:func:`grader.nbgrader.ipynb.extract`: magics dropped,
check cells left out), executes each into a fresh module ``gradelab_notebook.<topic>``, and sets
the kernel's ``__package__`` to ``gradelab_notebook`` so the learner's unchanged relative imports
find them. Nothing from ``solutions/`` or ``reference/`` is loaded into the kernel.

:func:`loaded` returns the sources the setup cell executed, so the in-kernel checks grade the
topic together with the same sibling code, as ``gradelab grade`` grades ``forward.py`` next to the
learner's ``activations.py``.
"""

from __future__ import annotations

import ast
import sys
import types
from importlib.machinery import ModuleSpec
from pathlib import Path

from grader.nbgrader.ipynb import extract

PACKAGE = "gradelab_notebook"
_LOADED: dict[str, str] = {}  # topic -> module source the setup cell executed, in load order


def direct_dependencies(source: str) -> list[str]:
    """The topics a module imports with ``from . import a, b`` (in order of appearance)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module is None:
            names.extend(a.name for a in node.names if a.name not in names)
    return names


def dependencies(topic: str, read) -> list[str]:
    """Every topic ``topic`` needs, dependencies first; ``read(t)`` gives topic ``t``'s source."""
    order: list[str] = []

    def visit(t: str, path: tuple[str, ...]) -> None:
        for dep in direct_dependencies(read(t)):
            if dep in path:
                raise ValueError(f"circular topic imports: {' -> '.join((*path, dep))}")
            if dep not in order:
                visit(dep, (*path, dep))
                order.append(dep)

    visit(topic, (topic,))
    return order


def _submitted_twin(folder: Path) -> Path | None:
    """``<course>/submitted/<student>/<assignment>`` for nbgrader's ``autograded`` copy of it.

    ``nbgrader autograde`` writes a student's notebooks into ``autograded/`` one at a time, in
    name order, and runs each there: when ``backprop.ipynb`` runs, ``forward.ipynb`` is not in
    that folder yet, but the learner's own copy is in ``submitted/``.
    """
    parts = folder.resolve().parts
    if "autograded" not in parts:
        return None
    i = len(parts) - 1 - parts[::-1].index("autograded")
    return Path(*parts[:i], "submitted", *parts[i + 1 :])


def notebook_code(folder: Path, topic: str) -> str:
    """The learner's code of ``<folder>/<topic>.ipynb``, as ``gradelab grade`` extracts it
    (under nbgrader autograde, from the submitted copy when the autograded one is not there yet).
    """
    path = Path(folder) / f"{topic}.ipynb"
    twin = _submitted_twin(Path(folder))
    if not path.is_file() and twin is not None and (twin / path.name).is_file():
        path = twin / path.name
    if not path.is_file():
        raise FileNotFoundError(
            f"{path.name} not found in {Path(folder).resolve()}: this notebook imports your "
            f"`{topic}` module, so keep {path.name} in the same folder"
        )
    return extract(path.read_bytes()).source


def _package() -> types.ModuleType:
    pkg = sys.modules.get(PACKAGE)
    if pkg is None:
        pkg = types.ModuleType(PACKAGE, "the learner's sibling notebooks, as one package")
        pkg.__path__ = []  # a package with no files: its modules are registered by hand
        pkg.__spec__ = ModuleSpec(PACKAGE, None, is_package=True)
        pkg.__package__ = PACKAGE
        sys.modules[PACKAGE] = pkg
    return pkg


def load_siblings(topics: list[str], folder: str | Path = ".") -> dict[str, types.ModuleType]:
    """Build ``topics`` (dependencies first) from the sibling notebooks in ``folder``.

    Each becomes ``gradelab_notebook.<topic>``; the IPython kernel's ``__package__`` is set so
    that ``from . import <topic>`` in the notebook's own cells resolves to them.
    """
    pkg = _package()
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - ipykernel depends on IPython
        shell = None
    if shell is not None:
        shell.user_ns["__package__"] = PACKAGE
    _LOADED.clear()
    modules = {}
    for topic in topics:
        source = notebook_code(Path(folder), topic)
        name = f"{PACKAGE}.{topic}"
        module = types.ModuleType(name)
        module.__package__ = PACKAGE
        module.__file__ = str(Path(folder).resolve() / f"{topic}.ipynb")  # where it is expected
        sys.modules[name] = module
        setattr(pkg, topic, module)
        try:
            exec(compile(source, module.__file__, "exec"), module.__dict__)
        except Exception as exc:
            raise RuntimeError(
                f"running the code of your {topic}.ipynb failed: {type(exc).__name__}: {exc}"
            ) from exc
        _LOADED[topic] = source
        modules[topic] = module
    print(f"loaded from this folder: {', '.join(f'{t}.ipynb' for t in topics)}")
    return modules


def loaded() -> dict[str, str]:
    """``{topic: source}`` of the sibling modules the setup cell executed in this kernel."""
    return dict(_LOADED)
