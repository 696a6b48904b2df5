"""The learner's ``gradelab`` command: ``gradelab check`` with ``--version`` and ``-h``.

Built with typer, as the instructor's ``gradelab`` (``grader/cli/``) is: the instructor's
``check`` is this same :func:`check` registered on its app, so both CLIs parse, document and
print a check identically. Learner-safe: typer, NumPy and pytest (the student release's
dependencies); nothing of the grader is imported.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import typer

from ._cli_style import install as _conventional_help
from ._limits import DEFAULT_TIMEOUT

_conventional_help()
HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}


def _student_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    for package in ("gradelab-exercises", "gradelab"):  # the student release, or the whole kit
        try:
            return version(package)
        except PackageNotFoundError:
            continue
    return "unknown (not installed: run the install command of the README)"


def gradelab_app(about: str, version: Callable[[], str] = _student_version) -> typer.Typer:
    """A ``gradelab`` command line with the conventions both CLIs share: ``-h``/``--help``,
    ``--version`` (printing ``gradelab <version()>``), help on no arguments, no completion."""
    app = typer.Typer(
        name="gradelab",
        help=about,
        no_args_is_help=True,
        add_completion=False,
        context_settings=HELP_OPTIONS,
    )

    def print_version(value: bool) -> None:
        if value:
            print(f"gradelab {version()}")
            raise typer.Exit()

    @app.callback()
    def _root(
        show_version: bool = typer.Option(
            False,
            "--version",
            callback=print_version,
            is_eager=True,
            help="print the version and exit",
        ),
    ) -> None:
        pass

    return app


app = gradelab_app("Check your exercises locally.")


def check(
    topics: list[str] = typer.Argument(None, help="topics to check (default: all)"),
    topic: list[str] = typer.Option(
        None, "--topic", "-t", help="a topic to check (repeatable, as for grade)"
    ),
    path: str = typer.Option(
        None, help="folder holding your <topic>.py files (default: exercises/)"
    ),
    timeout: float = typer.Option(
        None,
        help=f"seconds one call may take before it is stopped and named (default "
        f"{DEFAULT_TIMEOUT:g}, or GRADELAB_TIMEOUT; 0: no limit)",
    ),
    watch: bool = typer.Option(
        False, "--watch", help="check again each time a topic file is saved"
    ),
) -> None:
    """Run the public tests on your exercises and show a per-function table.

    Exit status: 0 every function passes, 1 some do not, 2 an unknown topic, 130 Ctrl-C."""
    from . import _runner

    chosen = [*(topics or []), *(topic or [])] or None  # `-t X` as in gradelab grade; X alone too
    if watch:
        from ._watch import watch as watch_files

        raise typer.Exit(watch_files(chosen, path, timeout))
    raise typer.Exit(_runner.check_and_print(chosen, path, timeout))


app.command()(check)


def main(argv: list[str] | None = None) -> int:
    """Run the learner CLI on ``argv`` (default: the command line); its exit status."""
    try:
        app(args=argv, prog_name="gradelab")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
