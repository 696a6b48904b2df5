"""What the class's grades say: ``report`` (item analysis, common mistakes), ``export`` (the
gradebook as an LMS's import CSV) and ``similarity`` (learners whose code is alike)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from grader.cli.app import app, say, stated
from grader.console import options as values

SHOWN_PAIRS = 20  # flagged similarity pairs listed on the console (all are in similarity.csv)


@contextmanager
def _topics_bar() -> Iterator[Callable[[int, str], None] | None]:
    """A progress bar on stderr, one step a topic compared (a class of hundreds takes minutes),
    gone when done: stdout holds only the pairs. None where stderr is no terminal (a log or a
    pipe gets nothing of it)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    err = Console(stderr=True)
    if not err.is_terminal:
        yield None
        return
    columns = (TextColumn("compared {task.description}"), BarColumn(), MofNCompleteColumn())
    bar = Progress(*columns, TimeElapsedColumn(), console=err, transient=True)
    task = bar.add_task("…", total=None)  # the total comes with the first topic

    def step(total: int, topic: str) -> None:
        bar.update(task, total=total, advance=1, description=topic)

    with bar:
        yield step


def class_report(out: Path) -> None:
    """Write out/class/ from the whole gradebook and print its summary (and the warning, when
    its learners' grades do not compare)."""
    from grader.report import write_class_report
    from grader.report.summary import summary_lines

    report = write_class_report(out)
    for line in summary_lines(report):
        say(line)


@app.command()
def report(
    out: Path = typer.Argument(
        ..., help="the --out folder of `gradelab grade` (holds the gradebook)"
    ),
) -> None:
    """Write the class report (item analysis, common mistakes) under OUT/class/ from the gradebook."""
    from grader.report.load import NoGradebookError

    with stated(NoGradebookError):
        class_report(out)


@app.command()
def export(
    out: Path = typer.Argument(
        ..., help="the --out folder of `gradelab grade` (holds the gradebook)"
    ),
    lms: str = typer.Option(
        ..., "--format", metavar="canvas|moodle", help="the LMS whose grade-import CSV to write"
    ),
    roster: Path = typer.Option(
        ..., metavar="FILE", help="CSV: learner id and LMS identity (README: Grades into the LMS)"
    ),
    to: Path = typer.Option(
        None, metavar="FILE", help="the CSV to write (default: OUT/export/<format>.csv)"
    ),
) -> None:
    """Write the gradebook as Canvas's or Moodle's grade-import CSV, per topic and total."""
    from grader.lms.export import companion_path, export_gradebook
    from grader.lms.roster import RosterError
    from grader.report.load import NoGradebookError

    with stated(RosterError, NoGradebookError, ValueError):
        result, target = export_gradebook(out, roster, lms.lower(), to)
    if result.warning:
        say(result.warning, "bold yellow")
    say(f"{result.exported} of {result.graded} graded learners exported to {target}")
    for learner, why in result.unmatched:
        say(f"  {learner}: {why}", "yellow")
    if result.unmatched:
        say(f"listed in {companion_path(target)}")


@app.command()
def similarity(
    klass: list[Path] = typer.Argument(
        ..., metavar="CLASS", help="submission folders/zips, or a class folder of them"
    ),
    out: Path = typer.Option(..., "--out", help="folder for similarity.csv and index.html"),
    topic: list[str] = typer.Option(None, "--topic", "-t", help="only these topics (repeatable)"),
    threshold: float = typer.Option(
        None,
        parser=values.share,
        help="flag a pair when this share of either file matches the other (default 0.5)",
    ),
) -> None:
    """Pairs of learners whose code is suspiciously alike, per topic (stubs are boilerplate)."""
    from grader.class_folder import check_output_outside
    from grader.similarity import THRESHOLD, write_similarity
    from grader.submissions import SubmissionError

    with stated(SubmissionError, ValueError), _topics_bar() as step:
        check_output_outside(out, list(klass))
        share = THRESHOLD if threshold is None else threshold
        pairs = write_similarity(list(klass), out, topic or None, share, step)
    flagged = [p for p in pairs if p.flagged]
    say(f"{len(flagged)} suspicious pairs of {len(pairs)} compared; see {out}/index.html")
    for p in flagged[:SHOWN_PAIRS]:
        say(f"  {p.describe()}")
    if len(flagged) > SHOWN_PAIRS:
        say(f"  … and {len(flagged) - SHOWN_PAIRS} more in {out}/similarity.csv")
