"""The CLI's error boundary: a mistake in what the instructor typed is one line and exit status 2.

Every ``gradelab`` command runs inside :class:`ErrorBoundary` (the app's click group), which
turns these into one red line on stderr naming the path, variable or option, and exit 2 —
never a traceback, and no ``try`` in each command:

- an ``OSError`` on a path the command was given: an ``--out`` that is a file, an unwritable
  ``--to``, a folder where a file is wanted, a full disk (:func:`describe`);
- a gradebook that is not one (:class:`grader.outputs.gradebook.GradebookError`);
- a ``GRADELAB_*`` environment setting with a typo (:class:`grader.settings.SettingError`);
- a numeric option out of range (``typer.BadParameter``, from :mod:`grader.console.options`).

A broken pipe (``gradelab grade ... | head``) is left to click, which exits quietly.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

from grader.outputs.escape import console as shown

EXIT_USAGE = 2


def _stated() -> tuple[type[Exception], ...]:
    """The errors whose message is the one line already (imported when one was raised, so
    ``gradelab -h`` never imports the settings and NumPy with them)."""
    from grader.outputs.gradebook import GradebookError
    from grader.settings import SettingError

    return (GradebookError, SettingError)


def describe(exc: OSError) -> str:
    """``PATH: the problem``: the path the system call named (the target of a rename), and
    what a file in place of a folder, or the reverse, means for an output path."""
    path = exc.filename2 if exc.filename2 is not None else exc.filename
    why = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError) and path is not None and not Path(path).is_dir():
        why = "a file is there, where a folder is needed"
    elif isinstance(exc, NotADirectoryError):
        blocker = None if path is None else _file_in_the_way(Path(_text(path)))
        if blocker is not None:  # name the file, not a path below it the command made up
            return f"{blocker}: a file is there, where a folder is needed"
        why = "a part of this path is a file, where a folder is needed"
    elif isinstance(exc, IsADirectoryError):
        why = "a folder is there, where a file is needed"
    return why if path is None else f"{_text(path)}: {why}"


def _file_in_the_way(path: Path) -> Path | None:
    """The first part of ``path`` that is a file (``out.txt`` of ``out.txt/.gradelab/tmp``)."""
    for part in reversed([path, *path.parents]):
        if part.is_file():
            return part
    return None


def _text(path: Any) -> str:
    return path.decode(errors="backslashreplace") if isinstance(path, bytes) else str(path)


def fail(message: str) -> NoReturn:
    """Print ``message`` as the one error line and exit with status 2."""
    Console(stderr=True, soft_wrap=True).print(shown(message, "red"), highlight=False)
    raise typer.Exit(EXIT_USAGE)


class ErrorBoundary(TyperGroup):
    """The ``gradelab`` group: runs the chosen command and turns the instructor's mistakes
    (see the module's docstring) into :func:`fail`."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except typer.BadParameter as exc:  # the command's options are parsed in here
            fail(exc.format_message())
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise
            fail(describe(exc))
        except Exception as exc:
            if isinstance(exc, _stated()):
                fail(str(exc))
            raise
