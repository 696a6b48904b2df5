"""The nbgrader course and learner notebooks: structure, points, and a learner notebook that runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from grader.engine.run import run_hidden_tests
from grader.nbgrader.course import (
    NotebookError,
    build_course,
    build_notebooks,
    hidden_tests,
    learner_notebook,
    notebook_topics,
    source_notebook,
    split_module,
)
from grader.nbgrader.ipynb import CHECK_TAG, extract, is_check_cell
from grader.release.strip import BEGIN, END
from grader.settings import GradeSettings
from reference import TOPICS

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    out = tmp_path_factory.mktemp("course")
    build_course(out, ["activations"])
    return out


def _nb_meta(cell):
    return cell.metadata.get("nbgrader", {})


def test_course_has_config_and_one_source_notebook_per_topic(course):
    config = (course / "nbgrader_config.py").read_text()
    assert "c.Execute.timeout" in config and "course_id" in config
    compile(config, "nbgrader_config.py", "exec")
    assert sorted(p.name for p in (course / "source" / "gradelab").iterdir()) == [
        "activations.ipynb"
    ]


def test_test_cells_match_the_hidden_suite_one_to_one_with_its_points(course):
    nb = nbformat.read(course / "source" / "gradelab" / "activations.ipynb", as_version=4)
    graded = [c for c in nb.cells if _nb_meta(c).get("grade")]
    folder = course.parent / "sol"
    folder.mkdir()
    shutil.copy(ROOT / "solutions" / "activations.py", folder)
    suite = run_hidden_tests(
        folder, GradeSettings(topics=tuple(["activations"])), learner="s", content_hash="h"
    )
    assert len(graded) == len(suite.outcomes)
    assert sum(_nb_meta(c)["points"] for c in graded) == suite.max_score
    for cell, outcome in zip(graded, suite.outcomes, strict=True):
        meta = _nb_meta(cell)
        assert meta["points"] == outcome.max_points
        assert meta["locked"] and not meta["solution"] and meta["schema_version"] == 3
        assert f"{outcome.function!r}, {outcome.check!r}" in cell.source
        assert "### BEGIN HIDDEN TESTS" in cell.source
    ids = [_nb_meta(c)["grade_id"] for c in nb.cells if _nb_meta(c)]
    assert len(ids) == len(set(ids))


def test_solution_cells_hold_the_solution_blocks_with_hints_left_outside(course):
    nb = nbformat.read(course / "source" / "gradelab" / "activations.ipynb", as_version=4)
    solution = [c for c in nb.cells if _nb_meta(c).get("solution")]
    source = (ROOT / "solutions" / "activations.py").read_text()
    assert len(solution) == source.count(BEGIN)
    for cell in solution:
        lines = [line.strip() for line in cell.source.splitlines()]
        begin = lines.index(BEGIN)
        assert lines[begin - 1].startswith("# hint:")
        assert END in lines and not lines[begin + 1].startswith("# hint:")
    assert nb.cells[0].cell_type == "markdown"
    assert nb.cells[0].source == (ROOT / "lessons" / "activations.md").read_text()


def test_code_cells_put_back_together_are_the_solution_module(course):
    """Every line of solutions/<topic>.py outside the docstring reaches the notebook's code."""
    nb_path = course / "source" / "gradelab" / "activations.ipynb"
    code = extract(nb_path.read_text()).source
    ns: dict = {}
    exec(code, ns)
    import solutions.activations as sol

    for name in ("sigmoid", "relu_grad", "softmax", "prelu_grad"):
        assert ns[name].__doc__ == getattr(sol, name).__doc__


def test_split_module_cuts_before_comments_and_decorators():
    src = '"""doc"""\nimport a\n\n# about f\n@dec\ndef f():\n    pass\n\nX = 1\n\nclass C:\n    pass\n'
    doc, chunks = split_module(src)
    assert doc == "doc"
    assert chunks == [
        "import a",
        "# about f\n@dec\ndef f():\n    pass\n\nX = 1",
        "class C:\n    pass",
    ]


def test_topics_bring_the_topics_they_import_first_and_unknown_ones_are_refused():
    assert notebook_topics(["forward"]) == ["activations", "forward"]
    assert notebook_topics(["backprop"]) == ["activations", "forward", "losses", "backprop"]
    assert notebook_topics(["losses", "forward"]) == ["losses", "activations", "forward"]
    with pytest.raises(NotebookError, match="unknown"):
        notebook_topics(["nope"])
    assert sorted(notebook_topics()) == sorted(TOPICS)  # forward and backprop included


def test_dependent_topic_notebooks_start_with_a_locked_setup_cell_before_the_imports():
    """The setup cell loads the learner's sibling notebooks, never solutions or the reference."""
    source = source_notebook("backprop", [])
    learner = learner_notebook("forward")
    for nb, deps in ((source, ["activations", "forward", "losses"]), (learner, ["activations"])):
        code = [c for c in nb.cells if c.cell_type == "code"]
        setup, prelude = code[0], code[1]
        assert f"load_siblings({deps!r})" in setup.source
        assert "solutions" not in setup.source and "reference" not in setup.source
        assert "from . import" in prelude.source  # the learner's relative import, unchanged
        assert is_check_cell(setup)  # never part of the learner's extracted code
    meta = _nb_meta(next(c for c in source.cells if c.cell_type == "code"))
    assert meta["locked"] and not meta["solution"] and not meta["grade"]
    assert not any(
        c.cell_type == "code" and "load_siblings" in c.source
        for c in learner_notebook("activations").cells
    )


def test_hidden_tests_number_parametrized_twins():
    tests = hidden_tests("losses", max_examples=2)
    twins = {}
    for t in tests:
        twins.setdefault((t.function, t.check), []).append(t.occurrence)
    assert all(occ == list(range(len(occ))) for occ in twins.values())
    assert any(len(occ) > 1 for occ in twins.values())  # losses has parametrized twins


def test_learner_notebook_runs_its_public_check_in_a_real_kernel(tmp_path):
    """The stub notebook reports 'not implemented'; with a solution pasted in, the check passes."""
    from nbclient import NotebookClient

    from grader.nbgrader.course import ensure_kernel

    ensure_kernel()
    (path,) = build_notebooks(tmp_path, ["activations"])
    nb = nbformat.read(path, as_version=4)
    assert CHECK_TAG in nb.cells[-1].metadata["tags"]
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    stub_out = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "activations.sigmoid" in stub_out and "not implemented" in stub_out

    nb = nbformat.read(path, as_version=4)
    sol = (ROOT / "solutions" / "activations.py").read_text()
    nb.cells.insert(
        -1, nbformat.v4.new_code_cell(sol.replace("from __future__ import annotations", ""))
    )
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "not implemented" not in out and "failed" not in out
    assert "activations.sigmoid" in out and "passed" in out


def test_cli_notebooks_writes_one_notebook_per_topic_and_refuses_unknown_topics(tmp_path):
    from typer.testing import CliRunner

    from grader.cli import app

    runner = CliRunner()
    done = runner.invoke(
        app,
        ["notebooks", "--out", str(tmp_path / "nbs"), "--topic", "losses", "--topic", "forward"],
    )
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (tmp_path / "nbs").glob("*.ipynb")) == [
        "activations.ipynb",
        "forward.ipynb",
        "losses.ipynb",
    ]
    refused = runner.invoke(app, ["nbgrader", "--out", str(tmp_path / "c"), "--topic", "nope"])
    assert refused.exit_code == 2 and "unknown topic" in refused.output


def _outputs(cell) -> str:
    return "".join(o.get("text", "") + o.get("evalue", "") for o in cell.outputs)


def test_forward_learner_notebook_runs_with_the_learners_own_activations(tmp_path):
    """forward.ipynb builds `activations` from the activations.ipynb next to it: with the stub
    activations, a correct mlp_forward still fails (it calls them); with them solved, it passes."""
    from nbclient import NotebookClient

    from grader.nbgrader.course import ensure_kernel

    ensure_kernel()
    build_notebooks(tmp_path, ["forward"])
    fwd = nbformat.read(tmp_path / "forward.ipynb", as_version=4)
    # the learner solves forward: the solution's functions in a cell before the check
    body = (ROOT / "solutions" / "forward.py").read_text().split("from . import activations")[1]
    fwd.cells.insert(-1, nbformat.v4.new_code_cell(body))

    def run() -> str:
        nb = nbformat.read(tmp_path / "forward.ipynb", as_version=4)
        nb.cells = [*fwd.cells]
        NotebookClient(
            nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        ).execute()
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert "loaded from this folder: activations.ipynb" in _outputs(code[0])
        assert not any(o.get("output_type") == "error" for c in code for o in c.outputs)
        return _outputs(code[-1])

    lines = {ln.split()[0]: ln for ln in run().splitlines() if ln.startswith("forward.")}
    assert "passed" in lines["forward.dense_forward"]  # needs no activations
    assert "passed" not in lines["forward.mlp_forward"]  # calls the learner's stub activations

    acts = nbformat.read(tmp_path / "activations.ipynb", as_version=4)
    sol = (ROOT / "solutions" / "activations.py").read_text()
    acts.cells.insert(
        -1, nbformat.v4.new_code_cell(sol.replace("from __future__ import annotations", ""))
    )
    nbformat.write(acts, tmp_path / "activations.ipynb")
    lines = {ln.split()[0]: ln for ln in run().splitlines() if ln.startswith("forward.")}
    assert len(lines) == 6 and all("passed" in ln for ln in lines.values()), lines


@pytest.mark.parametrize("name", ["../../escape", "", "a/b", ".hidden", "x\\y"])
def test_an_assignment_name_that_is_not_one_folder_name_is_refused(tmp_path, name):
    """``--assignment ../../x`` wrote outside --out; ``""`` wrote into source/ itself."""
    with pytest.raises(NotebookError, match="--assignment"):
        build_course(tmp_path / "course", ["activations"], assignment=name)
    assert not (tmp_path / "course").exists() and not (tmp_path.parent / "escape").exists()
