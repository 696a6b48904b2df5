"""The ``gradelab`` command line: the app and its rules (:mod:`grader.cli.app`), then one module
per family of commands, each registering its own on the app, in the order ``-h`` lists them:

- :mod:`grader.cli.kit`: ``demo``, ``check``, ``release``;
- :mod:`grader.cli.grading`: ``grade``, ``doctor``;
- :mod:`grader.cli.insight`: ``report``, ``export``, ``similarity``;
- :mod:`grader.cli.course`: ``gradescope``, ``example-class``, ``nbgrader``, ``notebooks``.
"""

from __future__ import annotations

import importlib

from grader.cli.app import app, console

__all__ = ["FAMILIES", "app", "console", "main"]

#: the command modules, in the order ``-h`` lists their commands (the order they register in)
FAMILIES = ("kit", "grading", "insight", "course")
for _family in FAMILIES:
    importlib.import_module(f"{__name__}.{_family}")


def main() -> None:
    """Console-script entry point."""
    app()
