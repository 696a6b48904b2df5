"""Grading speed against nbgrader: the same notebooks graded by ``nbgrader autograde`` (on the
course ``gradelab nbgrader`` builds) and by ``gradelab grade``. Target: gradelab ≥ 10× faster.

Two learners hand in every topic's notebook: the model answers (the source notebooks) and the
same with one catalogued mistake planted in a solution cell. Each repeat runs both tools as a
fresh command over both learners, one after the other, pinned to one core; the ratio is taken
per repeat. Both must give the same totals, or the comparison is void and the benchmark fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from bench.report import Row, one_core, ratio_spread, spread, timed
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
    nb_times, gl_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "course"
        klass = prepare(course, topics)
        autograde = [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"]
        for i in range(args.repeat):
            nb_times.append(timed(one_core(autograde), env=_env(), cwd=course) / n)
            out = Path(tmp) / f"gradelab-{i}"
            cmd = [
                str(Path(sys.executable).parent / "gradelab"),
                "grade",
                str(klass),
                "--out",
                str(out),
            ]
            gl_times.append(timed(one_core([*cmd, "--jobs", "1"])) / n)
        nb, gl = nbgrader_totals(course), gradelab_totals(out)
        if nb != gl:
            raise RuntimeError(f"nbgrader and gradelab disagree, nothing to compare: {nb} vs {gl}")
    median, ratio = ratio_spread(nb_times, gl_times)
    what = f"{n} learners × {len(topics)} notebooks, totals {gl}, one core"
    return [
        Row(SECTION, f"`nbgrader autograde`, per submission ({what})", spread(nb_times)),
        Row(
            SECTION,
            "`gradelab grade --jobs 1`, per submission (the same notebooks)",
            spread(gl_times),
        ),
        Row(SECTION, "gradelab's speed-up over nbgrader", ratio, "≥ 10×", median >= 10),
    ]
