"""The ``gradelab`` command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from exercises.tests._cli import check as learner_check
from exercises.tests._cli import gradelab_app
from grader.console import options as values
from grader.console.errors import ErrorBoundary, fail

if TYPE_CHECKING:
    from grader.grading import GradeOptions


def _kit_version() -> str:
    from grader import __version__

    return __version__


app = gradelab_app(
    "Exercises, a PyTorch reference and an autograder for an introductory deep-learning course.",
    _kit_version,
)
app.info.cls = ErrorBoundary  # every command: an instructor's mistake is one line, exit 2
console = Console(emoji=False)  # learner ids and messages: ':bomb:' is shown as typed
SHOWN_PAIRS = 20  # flagged similarity pairs listed on the console (all are in similarity.csv)


@app.command()
def demo(
    device: str = typer.Option("auto", help="auto (CUDA when available), cpu or cuda"),
    only: list[str] = typer.Option(None, "--only", help="run only these demos (repeatable)"),
    seed: int = typer.Option(0, help="seed for every random choice"),
    out: str = typer.Option("out/demo", help="folder for figures (PNG) and results (JSON)"),
) -> None:
    """Run the reference demos: real small models trained on CPU or CUDA."""
    from reference.demos import run_all

    raise typer.Exit(run_all(device=device, only=only or None, seed=seed, out=out, console=console))


# the learner's `gradelab check`, the same definition: same options, same code, same output
app.command()(learner_check)


@app.command()
def release(
    topics: list[str] = typer.Argument(None, help="topics to release (default: all)"),
    topic: list[str] = typer.Option(
        None, "--topic", "-t", help="a topic to release (repeatable, as for grade)"
    ),
    check_only: bool = typer.Option(
        False, "--check", help="write nothing; fail when exercises/ is out of date"
    ),
    bundle: Path = typer.Option(
        None, help="also build the student release in this folder (+ .zip)"
    ),
) -> None:
    """Regenerate exercises/ (stubs and public-test data) from solutions/ and the reference."""
    from grader.release.build import build_exercises
    from grader.release.strip import ReleaseError

    try:
        report = build_exercises(topics=[*(topics or []), *(topic or [])] or None, check=check_only)
    except (ReleaseError, ValueError) as exc:
        console.print(f"[red]release failed: {exc}")
        raise typer.Exit(2) from None
    if check_only:
        if report.stale:
            console.print(
                "[red]out of date (run `gradelab release`):[/] " + ", ".join(report.stale)
            )
            raise typer.Exit(1)
        console.print("[green]exercises/ is in sync with solutions/ and the reference")
    else:
        console.print(
            f"wrote {len(report.written)} changed files under exercises/"
            + ("" if report.written else " (everything was up to date)")
        )
    if bundle is not None:
        from grader.release.bundle import build_bundle

        zip_path = build_bundle(bundle)
        console.print(f"student release: {bundle}/ and {zip_path}")


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
    from grader.outputs.escape import console as shown
    from grader.settings import GradeSettings, check_environment
    from grader.submissions import SubmissionError

    check_environment()
    try:
        settings = GradeSettings(
            topics=tuple(topic or ()) or GradeSettings.topics,
            max_examples=max_examples,
            shrink=shrink,
            limits=Limits(test_budget=test_budget, submission_budget=submission_budget),
        )
        shown_to = _visibility_or_exit(visibility, settings.topics)  # options first, then files
        check_output_outside(out, list(submissions))
        found = discover(list(submissions))
        check_unique(found)  # before the intake names anyone: nothing would be graded
    except (SubmissionError, ValueError) as exc:
        console.print(shown(str(exc), "red"), highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    options = GradeOptions(
        settings,
        out=out,
        jobs=jobs or cpus_available(),
        cluster=cluster or None,
        cluster_timeout=cluster_timeout,
        visibility=shown_to,
    )
    errors: tuple[type[Exception], ...] = (SubmissionError, ValueError)
    if dry_run:
        _intake_or_exit(found, roster, None)
        try:
            shown_grade.print_plan(console, plan(found, options), len(found))
        except errors as exc:
            console.print(shown(str(exc), "red"), highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        return
    with exclusive(out):  # one run writes an --out at a time (OutputBusy, exit 2)
        _grade_into(found, roster, out, options, errors)


def _grade_into(
    found: list, roster: Path | None, out: Path, options: GradeOptions, errors: tuple
) -> None:
    """Grade ``found`` into ``out`` (held by this run), print and write the results."""
    from grader.console import grade as shown_grade
    from grader.executors import Terminated, stop_on_sigterm
    from grader.grading import grade as run_grade
    from grader.outputs.escape import console as shown

    intake = _intake_or_exit(found, roster, out)
    if options.cluster:  # the workers' sandboxes are reported once the cluster is reached
        from grader.cluster import ClusterError

        errors += (ClusterError,)
    else:
        shown_grade.print_local_sandbox(console)
    bar = shown_grade.GradeProgress(console, len(found))
    try:
        with stop_on_sigterm():
            report = run_grade(found, options, bar.progress, bar.notify)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Terminated): one way out for both
        bar.stop()
        intake.write()
        _interrupted(len(bar.recorded), len(found), out, isinstance(exc, Terminated))
        raise typer.Exit(143 if isinstance(exc, Terminated) else 130) from None
    except errors as exc:
        bar.stop()
        console.print(shown(str(exc), "red"), highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    finally:
        bar.stop()
    intake.write()  # with the grades: a run that reached no grader writes nothing
    console.print(shown_grade.class_table(report))
    shown_grade.print_regrades(console, report, out)
    shown_grade.print_written(console, out)
    _class_report(out)  # the whole gradebook of --out, as grades.csv
    if report.failed:
        shown_grade.print_not_graded(console, report.failed)
        raise typer.Exit(1)


def _class_report(out: Path) -> None:
    """Write out/class/ from the whole gradebook and print its summary (and the warning, when
    its learners' grades do not compare)."""
    from grader.report import write_class_report
    from grader.report.summary import summary_lines

    report = write_class_report(out)
    for line in summary_lines(report):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


@app.command()
def report(
    out: Path = typer.Argument(
        ..., help="the --out folder of `gradelab grade` (holds the gradebook)"
    ),
) -> None:
    """Write the class report (item analysis, common mistakes) under OUT/class/ from the gradebook."""
    from grader.report.load import NoGradebookError

    try:
        _class_report(out)
    except NoGradebookError as exc:
        console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from None


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
    from grader.outputs.escape import console as shown
    from grader.report.load import NoGradebookError

    try:
        result, target = export_gradebook(out, roster, lms.lower(), to)
    except (RosterError, NoGradebookError, ValueError) as exc:
        console.print(shown(str(exc), "red"), highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if result.warning:
        console.print(result.warning, style="bold yellow", markup=False, highlight=False)
    console.print(
        f"{result.exported} of {result.graded} graded learners exported to {target}",
        markup=False,
        highlight=False,
    )
    for learner, why in result.unmatched:
        console.print(shown(f"  {learner}: {why}", "yellow"), highlight=False, soft_wrap=True)
    if result.unmatched:
        console.print(f"listed in {companion_path(target)}", markup=False, highlight=False)


def _visibility_or_exit(values: list[str] | None, topics: tuple[str, ...]) -> dict[str, str] | None:
    """``--visibility`` values as a visibility map (the parser ``gradescope`` uses)."""
    from grader.autograder.config import ConfigError, parse_visibility

    if not values:
        return None
    try:
        return parse_visibility(values, topics)
    except ConfigError as exc:
        console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from None


def _intake_or_exit(found: list, roster: Path | None, out: Path | None) -> _Intake:
    """Name the class's bad submissions and roster gaps now; ``OUT/submissions.csv`` is written
    when the returned value's ``write()`` is called (never for a ``--dry-run``: ``out`` None)."""
    from grader.intake import check_class, console_lines
    from grader.lms.roster import RosterError, read_roster
    from grader.outputs.escape import console as shown

    try:
        members = [m.learner for m in read_roster(roster)] if roster else None
    except (RosterError, OSError) as exc:
        console.print(shown(str(exc), "red"), highlight=False)
        raise typer.Exit(2) from None
    findings = check_class(found, members)
    for line in console_lines(findings, out / "submissions.csv" if out is not None else None):
        console.print(shown(line, "yellow"), highlight=False)
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
    console.print(
        f"{how}: {recorded} of {total} results recorded in {out / 'gradebook.sqlite'}; "
        f"resume with: {again}",
        markup=False,
        highlight=False,
        soft_wrap=True,
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
        console.print(line, markup=False, highlight=False)
    if gaps(sandbox, budget):
        raise typer.Exit(1)


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
    try:
        shown = visibility_map(visibility, topic_visibility or [], topics)
        config = AutograderConfig(topics, shown, max_examples, shrink, sandbox)
        size = build_autograder(out, config)
    except (ConfigError, PackageError) as exc:
        console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from None
    console.print(
        f"wrote {out} ({size / 1e6:.1f} MB): upload it as a Gradescope programming assignment's "
        "autograder (Ubuntu 24.04 base image); see README, Gradescope",
        markup=False,
        highlight=False,
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
    from grader.outputs.escape import console as shown
    from grader.similarity import THRESHOLD, write_similarity
    from grader.submissions import SubmissionError

    try:
        check_output_outside(out, list(klass))
        pairs = write_similarity(
            list(klass), out, topic or None, THRESHOLD if threshold is None else threshold
        )
    except (SubmissionError, ValueError) as exc:
        console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from None
    flagged = [p for p in pairs if p.flagged]
    console.print(f"{len(flagged)} suspicious pairs of {len(pairs)} compared; see {out}/index.html")
    for p in flagged[:SHOWN_PAIRS]:
        console.print(shown(f"  {p.describe()}"), highlight=False, soft_wrap=True)
    if len(flagged) > SHOWN_PAIRS:
        console.print(f"  … and {len(flagged) - SHOWN_PAIRS} more in {out}/similarity.csv")


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

    try:
        learners = build_example_class(out, force=force)
    except ExampleClassError as exc:
        fail(str(exc))
    console.print(f"wrote {len(learners)} submissions under {out}/: {', '.join(learners)}")


#: the --force of the commands that write files an instructor or a learner may edit afterwards
FORCE_HELP = (
    "overwrite files edited since gradelab wrote them (their edited copies are kept under "
    "OUT/.gradelab/replaced/)"
)


def _say(line: str) -> None:
    console.print(line, markup=False, highlight=False)


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

    try:
        written = build_course(out, topic or None, assignment=assignment, force=force, say=_say)
    except NotebookError as exc:
        console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from None
    ensure_kernel()
    console.print(  # the lines above say which were new, updated or unchanged
        f"{out}/nbgrader_config.py and {len(written)} notebook(s) under {out}/source/ are up to date"
    )
    console.print(
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

    try:
        written = build_notebooks(out, topic or None, force=force, say=_say)
    except NotebookError as exc:
        console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from None
    console.print(f"{len(written)} notebook(s) under {out}/ are up to date")  # see the lines above


def main() -> None:
    """Console-script entry point."""
    app()
