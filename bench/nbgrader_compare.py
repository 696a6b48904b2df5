"""Grading speed against nbgrader: the same notebooks graded by ``nbgrader autograde`` (on the
course ``gradelab nbgrader`` builds) and by ``gradelab grade``. Target: gradelab ≥ 10× faster.

Two learners hand in every topic's notebook: the model answers (the source notebooks) and the
same with one catalogued mistake planted in a solution cell. Each repeat runs both tools as a
fresh command, pinned to one core, first on the model answers alone, then on both learners: the
figures are the time per submission end to end (each tool's start-up spread over two learners)
and the time one more submission adds (the difference), which is what a class costs per learner.
Ratios are taken per repeat. Both tools must give the same totals, or the benchmark fails.
Every timed gradelab run finds the replay recordings that an untimed first run stored
(:mod:`grader.engine.recordings`), so no repeat depends on what the machine graded before.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from bench.report import Row, one_core, ratio_spread, spread, timed, with_store
from grader.examples import mistake_source
from grader.nbgrader.course import ASSIGNMENT, build_course, ensure_kernel
from reference import TOPICS

SECTION = "grading vs nbgrader"
MISTAKE = "activations.sigmoid_grad/sigmoid_grad_as_sigmoid"
STUDENTS = ("model-answers", "one-mistake")


def _env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}


def plant(notebook: Path, key: str) -> None:
    """Append the mistake to the solution cell that defines its function."""
    _, function, code = mistake_source(key)
    nb = nbformat.read(notebook, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and f"def {function}(" in c.source)
    cell.source += "\n\n" + code
    nbformat.write(nb, notebook)


def prepare(course: Path, topics: list[str]) -> Path:
    """Build the course, release it, hand in both learners; return the class folder for gradelab."""
    ensure_kernel()
    build_course(course, topics)
    timed(
        [sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
        env=_env(),
        cwd=course,
    )
    source = course / "source" / ASSIGNMENT
    klass = course / "class"
    for student in STUDENTS:
        folder = course / "submitted" / student / ASSIGNMENT
        shutil.copytree(source, folder)
        if student == "one-mistake":
            plant(folder / f"{MISTAKE.split('.')[0]}.ipynb", MISTAKE)
        shutil.copytree(folder, klass / student, ignore=shutil.ignore_patterns(".*"))
    return klass


def nbgrader_totals(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s: gb.find_submission(ASSIGNMENT, s).score for s in STUDENTS}


def gradelab_totals(out: Path) -> dict[str, float]:
    import csv

    with (out / "grades.csv").open() as fh:
        return {r["learner"]: float(r["total"]) for r in csv.DictReader(fh)}


def rows(args: argparse.Namespace) -> list[Row]:
    topics = ["activations"] if args.quick else list(TOPICS)
    n = len(STUDENTS)
    gradelab = str(Path(sys.executable).parent / "gradelab")
    runs: dict[str, list[float]] = {"nb1": [], "nb2": [], "gl1": [], "gl2": []}
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "course"
        klass = prepare(course, topics)
        autograde = [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"]
        grade = [gradelab, "grade", "--jobs", "1", "--out"]
        # every timed gradelab process finds the replay recordings stored (by this untimed run),
        # whatever the machine graded before: else the first repeat's single-learner run alone
        # draws the inputs, and "one more submission" came out negative on a fresh kit
        store = with_store(Path(tmp) / "replay")
        timed(one_core([*grade, str(Path(tmp) / "warm-up"), str(klass / STUDENTS[0])]), env=store)
        for i in range(args.repeat):
            # the model answers alone, then both learners: the difference is what one more
            # submission costs each tool once it is running (start-up and first submission paid)
            first = ["--student", STUDENTS[0]]
            runs["nb1"].append(timed(one_core([*autograde, *first]), env=_env(), cwd=course))
            runs["nb2"].append(timed(one_core(autograde), env=_env(), cwd=course))
            one = [*grade, str(Path(tmp) / f"one-{i}"), str(klass / STUDENTS[0])]
            out = Path(tmp) / f"both-{i}"
            runs["gl1"].append(timed(one_core(one), env=store))
            runs["gl2"].append(timed(one_core([*grade, str(out), str(klass)]), env=store))
        nb, gl = nbgrader_totals(course), gradelab_totals(out)
        if nb != gl:
            raise RuntimeError(f"nbgrader and gradelab disagree, nothing to compare: {nb} vs {gl}")
    nb_each = [t / n for t in runs["nb2"]]
    gl_each = [t / n for t in runs["gl2"]]
    nb_more = [b - a for a, b in zip(runs["nb1"], runs["nb2"], strict=True)]
    gl_more = [b - a for a, b in zip(runs["gl1"], runs["gl2"], strict=True)]
    _, end_to_end = ratio_spread(nb_each, gl_each)
    median, marginal = ratio_spread(nb_more, gl_more)
    what = f"{len(topics)} notebooks each, totals {gl}, one core"
    return [
        Row(
            SECTION,
            f"`nbgrader autograde` of {n} learners, per submission ({what})",
            spread(nb_each),
        ),
        Row(
            SECTION,
            f"`gradelab grade --jobs 1` of the same {n} learners, per submission",
            spread(gl_each),
        ),
        Row(SECTION, f"speed-up end to end ({n} learners, each tool started cold)", end_to_end),
        Row(
            SECTION,
            "`nbgrader autograde`: one more submission (the mistake, after the model answers)",
            spread(nb_more),
        ),
        Row(SECTION, "`gradelab grade`: one more submission (the same)", spread(gl_more)),
        Row(
            SECTION,
            "gradelab's speed-up per submission (one more submission)",
            marginal,
            "≥ 10×",
            median >= 10,
        ),
    ]
