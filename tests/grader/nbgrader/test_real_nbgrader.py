"""The real nbgrader on a `gradelab nbgrader` course: generate_assignment, autograde, gradebook.

Three students hand in notebooks of four topics: the source notebooks (solutions), the released
notebooks untouched, and the solutions with a planted bug (ReLU's derivative at 0) plus IPython
magics. nbgrader's scores, read from its gradebook, must equal `gradelab grade`'s on the same
.ipynb files, per function and in total. `forward` imports `activations`: its notebook's setup
cell builds that module from the student's own activations.ipynb, and `gradelab grade` grades
forward.ipynb next to the same student's activations.ipynb.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest

from grader.grading import GradeOptions, grade
from grader.nbgrader.course import build_course, ensure_kernel
from grader.nbgrader.ipynb import CHECK_MARKER
from grader.results import SubmissionResult
from grader.settings import GradeSettings

pytestmark = pytest.mark.slow

TOPICS = ["activations", "losses", "forward", "backprop"]  # backprop: autograded before forward
ASSIGNMENT = "gradelab"
BUG = ("(np.asarray(x) > 0).astype(np.float64)", "(np.asarray(x) >= 0).astype(np.float64)")


def nbgrader(course: Path, *args: str) -> None:
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def plant_bug(src: Path, dst: Path) -> None:
    nb = nbformat.read(src, as_version=4)
    planted = False
    for cell in nb.cells:
        if cell.cell_type == "code" and BUG[0] in cell.source:
            cell.source = "%time\n!echo planted\n" + cell.source.replace(*BUG)
            planted = True
    if not planted:  # losses, forward: no bug, only a magic in the first learner cell
        first = next(c for c in nb.cells if c.cell_type == "code" and CHECK_MARKER not in c.source)
        first.source = "%load_ext autoreload\n" + first.source
    nbformat.write(nb, dst)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return tmp_path_factory.mktemp("course")


@pytest.fixture(scope="module")
def graded(course):
    ensure_kernel()
    build_course(course, TOPICS, max_examples=12)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    source, release = course / "source" / ASSIGNMENT, course / "release" / ASSIGNMENT
    for student in ("solved", "released", "buggy"):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        for topic in TOPICS:
            name = f"{topic}.ipynb"
            if student == "solved":
                shutil.copy(source / name, folder / name)
            elif student == "released":
                shutil.copy(release / name, folder / name)
            else:
                plant_bug(source / name, folder / name)
    nbgrader(course, "autograde", ASSIGNMENT, "--force")

    from nbgrader.api import Gradebook

    cell_function = {}  # grade_id -> function, from the source notebooks' test cells
    for topic in TOPICS:
        for cell in nbformat.read(source / f"{topic}.ipynb", as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                fn = cell.source.split("check(", 1)[1].split(",")[1].strip().strip("'\"")
                cell_function[(topic, meta["grade_id"])] = fn
    nb_scores: dict[str, dict] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in ("solved", "released", "buggy"):
            per_fn: dict[tuple[str, str], float] = defaultdict(float)
            totals = {}
            for topic in TOPICS:
                sub = gb.find_submission_notebook(topic, ASSIGNMENT, student)
                totals[topic] = (sub.score, sub.max_score)
                for g in sub.grades:
                    per_fn[(topic, cell_function[(topic, g.name)])] += g.score
            nb_scores[student] = {"totals": totals, "per_function": dict(per_fn)}

    options = GradeOptions(GradeSettings(topics=tuple(TOPICS)), out=course / "gradelab-out", jobs=2)
    klass = course / "class"  # gradelab names a learner after the submission folder
    for student in nb_scores:
        shutil.copytree(course / "submitted" / student / ASSIGNMENT, klass / student)
    report = grade([klass / s for s in nb_scores], options)
    gl_scores = {}
    for raw, student in zip(report.results, nb_scores, strict=True):
        res = SubmissionResult.from_dict(raw)
        per_fn: dict[tuple[str, str], float] = defaultdict(float)
        for o in res.outcomes:
            per_fn[(o.topic, o.function)] += o.points
        gl_scores[student] = {
            "totals": res.topic_scores(),
            "per_function": dict(per_fn),
            "problems": res.problems,
        }
    print(json.dumps({s: v["totals"] for s, v in nb_scores.items()}))
    return nb_scores, gl_scores


def test_solution_notebooks_get_full_marks_from_nbgrader(graded):
    nb, gl = graded
    for topic in TOPICS:
        score, top = nb["solved"]["totals"][topic]
        assert top > 0 and score == top
        assert (score, top) == gl["solved"]["totals"][topic]


def test_released_notebooks_get_zero_from_nbgrader_and_gradelab(graded):
    nb, gl = graded
    for topic in TOPICS:
        score, top = nb["released"]["totals"][topic]
        assert score == 0 and top == nb["solved"]["totals"][topic][1]
        assert gl["released"]["totals"][topic][0] == 0


def test_planted_bug_loses_exactly_the_points_gradelab_takes(graded):
    nb, gl = graded
    act_nb, act_top = nb["buggy"]["totals"]["activations"]
    assert 0 < act_nb < act_top  # the bug costs points, not everything
    assert (act_nb, act_top) == gl["buggy"]["totals"]["activations"]
    assert nb["buggy"]["per_function"] == pytest.approx(gl["buggy"]["per_function"])
    lost = {
        k for k, v in nb["buggy"]["per_function"].items() if v < nb["solved"]["per_function"][k]
    }
    # backprop's MLP calls the student's own relu_grad: its setup cell built activations from the
    # buggy notebook (read from submitted/, as nbgrader autogrades backprop before the others)
    assert lost == {("activations", "relu_grad"), ("backprop", "mlp_backward")}
    for topic in ("losses", "forward"):  # forward calls activations, but not relu_grad
        assert nb["buggy"]["totals"][topic] == nb["solved"]["totals"][topic]


def test_forward_is_graded_with_the_students_own_activations(graded, course):
    """A solved forward next to the released (stub) activations loses mlp_forward's points in
    nbgrader's in-kernel check: the sibling module really is the student's."""
    from grader.nbgrader.checks import grade_source
    from grader.nbgrader.siblings import notebook_code

    nb, _ = graded
    solved = course / "submitted" / "solved" / ASSIGNMENT
    released = course / "submitted" / "released" / ASSIGNMENT
    fwd = notebook_code(solved, "forward")
    full = grade_source(
        "forward", fwd, siblings={"activations": notebook_code(solved, "activations")}
    )
    stub = grade_source(
        "forward", fwd, siblings={"activations": notebook_code(released, "activations")}
    )
    assert (full.score, full.max_score) == nb["solved"]["totals"]["forward"]
    lost = {o.function for o in stub.outcomes if o.status != "passed"}
    assert lost == {"mlp_forward"}


def test_per_function_points_agree_for_every_student(graded):
    nb, gl = graded
    for student in nb:
        assert nb[student]["per_function"] == pytest.approx(gl[student]["per_function"]), student


def test_gradelab_reports_the_dropped_magics(graded):
    _, gl = graded
    problems = " ".join(gl["buggy"]["problems"])
    assert "magics and shell escapes dropped" in problems and "%time" in problems
    assert not gl["solved"]["problems"]
