"""``gradelab grade``: the class graded into ``--out``, with its intake, progress and summary;
and ``doctor``, the sandbox it would grade in."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from grader.cli.app import app, console, say, stated
from grader.console import options as values

if TYPE_CHECKING:
    from grader.grading import GradeOptions


@app.command()
def grade(
    submissions: list[Path] = typer.Argument(
        ..., help="submission folders/zips, or a class folder of them"
    ),
    out: Path = typer.Option(
        Path("out/grades"), help="where results, feedback, CSV and gradebook go"
    ),
    jobs: int = typer.Option(
        None,
        parser=values.at_least_one,
        show_default=False,
        help="parallel graders (default: the CPUs this process may use)",
    ),
    topic: list[str] = typer.Option(
        None, "--topic", "-t", help="grade only these topics (repeatable)"
    ),
    roster: Path = typer.Option(
        None,
        metavar="CSV",
        help="the class roster (as for export): learners missing on either side are listed",
    ),
    visibility: list[str] = typer.Option(
        None,
        metavar="[TOPIC=]VISIBILITY",
        help="results.json tests' Gradescope visibility: visible, after_due_date (default), "
        "after_published, hidden; TOPIC=VISIBILITY for one topic (repeatable)",
    ),
    max_examples: int = typer.Option(
        12, parser=values.at_least_one, help="hypothesis examples per property test"
    ),
    shrink: bool = typer.Option(
        True,
        help="reduce each failing input to a minimal one for the feedback; --no-shrink gives the "
        "same points with the first failing input as found, and grades mistakes ~2x faster",
    ),
    test_budget: float = typer.Option(
        60.0,
        parser=values.seconds,
        help="wall seconds for all the calls of one hidden test; past it the test fails "
        "(reason: budget)",
    ),
    submission_budget: float = typer.Option(
        300.0,
        parser=values.seconds,
        help="wall seconds for grading one submission; past it its remaining tests fail "
        "(reason: budget), it is recorded, and the next learner starts",
    ),
    cluster: str = typer.Option(
        None,
        help="grade on the workers of this Dask scheduler (tcp://HOST:8786) instead of local "
        "processes (--jobs is then ignored); see README, Grading on a Dask cluster",
    ),
    cluster_timeout: float = typer.Option(
        5.0,
        parser=values.seconds,
        help="seconds to reach the --cluster scheduler and find a worker",
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="list who would be graded and why (new, changed submission, changed kit); grade, "
        "write and reach nothing",
    ),
) -> None:
    """Grade submissions with the hidden tests, in a sandbox, and write the gradebook.

    Exit status: 0 graded, 1 some submissions could not be graded, 2 a mistake in the command (options, paths, environment), 130 Ctrl-C, 143 SIGTERM (both keep what was recorded).
    """
    from grader.class_folder import check_output_outside, discover
    from grader.console import grade as shown_grade
    from grader.engine.process import Limits
    from grader.executors import cpus_available
    from grader.grading import GradeOptions, check_unique, plan
    from grader.outputs import exclusive
    from grader.settings import GradeSettings, check_environment
    from grader.submissions import SubmissionError

    check_environment()
    errors: tuple[type[Exception], ...] = (SubmissionError, ValueError)
    with stated(*errors):
        settings = GradeSettings(
            topics=tuple(topic or ()) or GradeSettings.topics,
            max_examples=max_examples,
            shrink=shrink,
            limits=Limits(test_budget=test_budget, submission_budget=submission_budget),
        )
        shown_to = _visibility(visibility, settings.topics)  # options first, then files
        check_output_outside(out, list(submissions))
        found = discover(list(submissions))
        check_unique(found)  # before the intake names anyone: nothing would be graded
    options = GradeOptions(
        settings,
        out=out,
        jobs=jobs or cpus_available(),
        cluster=cluster or None,
        cluster_timeout=cluster_timeout,
        visibility=shown_to,
    )
    if dry_run:
        _intake(found, roster, None)
        with stated(*errors):
            planned = plan(found, options)
        shown_grade.print_plan(console, planned, len(found))
        return
    with exclusive(out):  # one run writes an --out at a time (OutputBusy, exit 2)
        _grade_into(found, roster, out, options, errors)


def _grade_into(
    found: list, roster: Path | None, out: Path, options: GradeOptions, errors: tuple
) -> None:
    """Grade ``found`` into ``out`` (held by this run), print and write the results."""
    from grader.cli.insight import class_report
    from grader.console import grade as shown_grade
    from grader.executors import Terminated, stop_on_sigterm
    from grader.grading import grade as run_grade

    intake = _intake(found, roster, out)
    if options.cluster:  # the workers' sandboxes are reported once the cluster is reached
        from grader.cluster import ClusterError

        errors += (ClusterError,)
    else:
        shown_grade.print_local_sandbox(console)
    bar = shown_grade.GradeProgress(console, len(found))
    with stated(*errors):  # said once the bar is gone
        try:
            with stop_on_sigterm():
                report = run_grade(found, options, bar.progress, bar.notify)
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Terminated): one way out for both
            bar.stop()
            intake.write()
            _interrupted(len(bar.recorded), len(found), out, isinstance(exc, Terminated))
            raise typer.Exit(143 if isinstance(exc, Terminated) else 130) from None
        finally:
            bar.stop()
    intake.write()  # with the grades: a run that reached no grader writes nothing
    console.print(shown_grade.class_table(report))
    shown_grade.print_regrades(console, report, out)
    shown_grade.print_written(console, out)
    class_report(out)  # the whole gradebook of --out, as grades.csv
    if report.failed:
        shown_grade.print_not_graded(console, report.failed)
        raise typer.Exit(1)


def _visibility(values: list[str] | None, topics: tuple[str, ...]) -> dict[str, str] | None:
    """``--visibility`` values as a visibility map (the parser ``gradescope`` uses)."""
    from grader.autograder.config import ConfigError, parse_visibility

    if not values:
        return None
    with stated(ConfigError):
        return parse_visibility(values, topics)


def _intake(found: list, roster: Path | None, out: Path | None) -> _Intake:
    """Name the class's bad submissions and roster gaps now; ``OUT/submissions.csv`` is written
    when the returned value's ``write()`` is called (never for a ``--dry-run``: ``out`` None)."""
    from grader.intake import check_class, console_lines
    from grader.lms.roster import RosterError, read_roster

    with stated(RosterError, OSError):
        members = [m.learner for m in read_roster(roster)] if roster else None
    findings = check_class(found, members)
    for line in console_lines(findings, out / "submissions.csv" if out is not None else None):
        say(line, "yellow")
    return _Intake(findings, out)


class _Intake:
    """The intake's findings, and ``OUT/submissions.csv`` once the run has outputs."""

    def __init__(self, findings: list, out: Path | None) -> None:
        self.findings, self.out = findings, out

    def write(self) -> None:
        from grader.intake import to_csv
        from grader.outputs import atomic_write

        if self.out is not None:
            atomic_write(self.out / "submissions.csv", to_csv(self.findings))


def _interrupted(recorded: int, total: int, out: Path, terminated: bool = False) -> None:
    """Ctrl-C or SIGTERM: what was kept and the exact command that resumes (unchanged ones are
    reused), on one line that never wraps, so it can be copied whole."""
    import shlex
    import sys

    again = shlex.join(["gradelab", *sys.argv[1:]])
    how = "terminated (SIGTERM)" if terminated else "interrupted"
    say(
        f"{how}: {recorded} of {total} results recorded in {out / 'gradebook.sqlite'}; "
        f"resume with: {again}"
    )


@app.command()
def doctor() -> None:
    """Explain which sandbox layers are active here, what each missing one means, and the fix.

    Exit status: 0 every layer is active, 1 some are missing, 2 a GRADELAB_* setting is wrong.
    """
    from grader.doctor import details, gaps
    from grader.engine import cgroups
    from grader.settings import host_sandbox

    sandbox, budget = host_sandbox(), cgroups.detect()
    for line in details(sandbox, budget):
        say(line)
    if gaps(sandbox, budget):
        raise typer.Exit(1)
