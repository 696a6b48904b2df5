"""What the course is built from: the Gradescope autograder zip, the nbgrader course, the learner
notebooks, and an example class to try them on."""

from __future__ import annotations

from pathlib import Path

import typer

from grader.cli.app import app, say, stated
from grader.console import options as values
from grader.console.errors import fail


@app.command()
def gradescope(
    out: Path = typer.Option(
        Path("autograder.zip"), "--out", metavar="FILE", help="the autograder zip to write"
    ),
    visibility: str = typer.Option(
        "after_due_date",
        metavar="VISIBILITY",
        help="tests' visibility: visible, after_due_date, after_published, hidden",
    ),
    topic_visibility: list[str] = typer.Option(
        None,
        "--topic-visibility",
        metavar="TOPIC=VISIBILITY",
        help="one topic's tests' visibility (repeatable)",
    ),
    topic: list[str] = typer.Option(
        None, "--topic", "-t", help="grade only these topics (repeatable)"
    ),
    max_examples: int = typer.Option(
        12, parser=values.at_least_one, help="hypothesis examples per property test"
    ),
    shrink: bool = typer.Option(True, help="minimal failing inputs in the feedback (see grade)"),
    sandbox: str = typer.Option(
        "uid",
        metavar="MODE",
        help="uid: bubblewrap, else an unprivileged uid with the kit closed to it (refused where "
        "neither works); bwrap: bubblewrap only; auto: whatever works (formative use only)",
    ),
) -> None:
    """Build a Gradescope autograder zip (setup.sh, run_autograder) grading with the hidden tests."""
    from grader.autograder.config import AutograderConfig, ConfigError, visibility_map
    from grader.autograder.package import PackageError, build_autograder
    from reference import TOPICS

    topics = tuple(topic) if topic else TOPICS
    _autograder_or_nothing(out)
    with stated(ConfigError, PackageError):
        shown = visibility_map(visibility, topic_visibility or [], topics)
        config = AutograderConfig(topics, shown, max_examples, shrink, sandbox)
        size = build_autograder(out, config)
    say(
        f"wrote {out} ({size / 1e6:.1f} MB): upload it as a Gradescope programming assignment's "
        "autograder (Ubuntu 24.04 base image); see README, Gradescope"
    )


def _autograder_or_nothing(out: Path) -> None:
    """Refuse an ``--out`` file that is not an autograder zip written before (the class download
    ``homework.zip`` given as ``--out``): it would be replaced, and the learners' work lost."""
    import zipfile

    if not out.is_file():
        return  # new (a folder there is named when it is written)
    try:
        with zipfile.ZipFile(out) as zf:
            names = set(zf.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        names = set()
    if out.stat().st_size and not {"setup.sh", "run_autograder"} <= names:
        fail(
            f"{out}: a file is there that is not a gradelab autograder zip; it would be "
            "overwritten: give another --out, or move it away"
        )


@app.command("example-class")
def example_class(
    out: Path = typer.Argument(Path("out/example-class"), help="folder to write the class into"),
    force: bool = typer.Option(
        False,
        "--force",
        help="delete OUT first even when it holds other files than an example class",
    ),
) -> None:
    """Write an example class: model answers, untouched stubs, and planted known mistakes.

    OUT must be new, empty, or an example class written before (it is replaced); any other folder is refused (exit 2) unless --force.
    """
    from grader.examples import ExampleClassError, build_example_class

    with stated(ExampleClassError):
        learners = build_example_class(out, force=force)
    say(f"wrote {len(learners)} submissions under {out}/: {', '.join(learners)}")


#: the --force of the commands that write files an instructor or a learner may edit afterwards
FORCE_HELP = (
    "overwrite files edited since gradelab wrote them (their edited copies are kept under "
    "OUT/.gradelab/replaced/)"
)


@app.command()
def nbgrader(
    out: Path = typer.Option(..., "--out", help="folder for the nbgrader course"),
    topic: list[str] = typer.Option(None, "--topic", "-t", help="only these topics (repeatable)"),
    assignment: str = typer.Option("gradelab", help="the nbgrader assignment name"),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
) -> None:
    """Build an nbgrader course whose autograded cells run gradelab's hidden tests.

    A re-run updates the files it wrote that nobody changed since (OUT/.gradelab/manifest.json); if one was edited since, or was not written by gradelab, it writes nothing, names them and exits 2, unless --force.
    """
    from grader.nbgrader.course import NotebookError, build_course, ensure_kernel

    with stated(NotebookError):
        written = build_course(out, topic or None, assignment=assignment, force=force, say=say)
    ensure_kernel()
    say(  # the lines above say which were new, updated or unchanged
        f"{out}/nbgrader_config.py and {len(written)} notebook(s) under {out}/source/ are up to date"
    )
    say(
        f"next: cd {out} && nbgrader generate_assignment {assignment} --force; "
        f"collect into submitted/<student>/{assignment}/, then nbgrader autograde {assignment}"
    )


@app.command()
def notebooks(
    out: Path = typer.Option(..., "--out", help="folder for the learner notebooks"),
    topic: list[str] = typer.Option(None, "--topic", "-t", help="only these topics (repeatable)"),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
) -> None:
    """Write one learner notebook per topic: lesson, code cells to fill in, a public check.

    A re-run updates the notebooks it wrote that nobody changed since; if one was edited since (a learner's work) or was not written by gradelab, it writes nothing, names them and exits 2, unless --force.
    """
    from grader.nbgrader.course import NotebookError, build_notebooks

    with stated(NotebookError):
        written = build_notebooks(out, topic or None, force=force, say=say)
    say(f"{len(written)} notebook(s) under {out}/ are up to date")  # see the lines above
