"""The ``gradelab`` app every command module registers on, its console, and its error rule.

The rule: a mistake the instructor can fix (a path, an option, a roster, a class folder that is
not one) is one red line on stderr and exit status 2, its text escaped as learner text is
(:func:`grader.console.errors.fail`): a class folder's names come from learners, and an error
naming them must never clear the terminal or reorder the line (``\\x1b[2J``, a bidi override).
A command names the errors it states with :func:`stated`; the app's group
(:class:`grader.console.errors.ErrorBoundary`) states the ones every command shares.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from exercises.tests._cli import gradelab_app
from grader.console.errors import ErrorBoundary, fail
from grader.outputs.escape import console as shown


def _kit_version() -> str:
    from grader import __version__

    return __version__


app = gradelab_app(
    "Exercises, a PyTorch reference and an autograder for an introductory deep-learning course.",
    _kit_version,
)
app.info.cls = ErrorBoundary  # every command: an instructor's mistake is one line, exit 2
console = Console(emoji=False)  # learner ids and messages: ':bomb:' is shown as typed


@contextmanager
def stated(*errors: type[Exception], prefix: str = "") -> Iterator[None]:
    """Inside the block, one of ``errors`` is the command's stated failure: its message (after
    ``prefix``) becomes the one error line on stderr, escaped, and the exit status 2."""
    try:
        yield
    except errors as exc:
        fail(f"{prefix}{exc}")


def say(line: str, style: str = "") -> None:
    """One line on the console as typed: no markup, no highlighting, escapes made visible."""
    console.print(shown(line, style), highlight=False, soft_wrap=True)
