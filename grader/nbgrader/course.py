"""Build an nbgrader course, and learner notebooks, from ``solutions/`` and ``lessons/``.

``build_course(out)`` writes ``nbgrader_config.py`` and ``source/<assignment>/<topic>.ipynb`` per
topic: the lesson as Markdown, the module's code split into cells (one per top-level function or
class; the cells with ``### BEGIN SOLUTION`` blocks are nbgrader solution cells, the rest are
locked), then one autograded test cell per hidden test of gradelab's suite, worth that test's
points, whose hidden part calls :func:`grader.nbgrader.checks.check`. One cell per hidden test
(not per function) because nbgrader's test cells are pass/fail: that way nbgrader's total is
exactly ``gradelab grade``'s. The test list comes from grading the solution itself at build time,
which also proves the solution scores full marks.

``build_notebooks(out)`` writes one learner notebook per topic from ``exercises/`` (the stubs):
the lesson, the code cells, and a last cell that runs the public check on the notebook's code.

A topic whose module imports other topics (``forward``: ``from . import activations``) gets a
locked setup cell first, which builds those modules from the learner's own sibling notebooks in
the same folder (:mod:`grader.nbgrader.siblings`); the topics it needs are added to the course or
notebook set when not asked for.

Both write through :mod:`grader.nbgrader.generated`: a re-run updates the files it wrote that
nobody changed, refuses (naming them, before writing anything) when one was edited since, unless
``force`` (the edited bytes are kept under ``out/.gradelab/replaced/``), and never leaves a
half-written file.
"""

from __future__ import annotations

import ast
import itertools
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.nbgrader.generated import EditedFiles, edited_files, write_files
from grader.nbgrader.ipynb import CHECK_TAG
from grader.nbgrader.siblings import dependencies
from grader.release.strip import BEGIN, END
from grader.topics import check_topics
from lessons import lesson_path

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
ASSIGNMENT = "gradelab"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
SETUP_TAG = "gradelab-setup"

CONFIG = '''\
"""nbgrader configuration written by `gradelab nbgrader`."""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
c.CourseDirectory.course_id = "{course}"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
# each notebook's first autograded cell runs gradelab's hidden suite for the topic (seconds)
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
'''


class NotebookError(ValueError):
    """A topic that cannot become a notebook; the message says why."""


def check_assignment(name: str) -> None:
    """Refuse an assignment name that is not one plain folder name (letters, digits, ``_``,
    ``-``, ``.``; not starting with ``.``), with a :class:`NotebookError`."""
    if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*", name):
        raise NotebookError(
            f"--assignment {name!r}: one folder name of letters, digits, '_', '-' and '.' "
            "(not starting with '.'), never a path"
        )


@dataclass(frozen=True)
class HiddenTest:
    """One hidden test as an nbgrader cell: what it checks and its points."""

    function: str
    check: str
    occurrence: int  # among tests with the same function and check (parametrized twins)
    points: float


def notebook_topics(topics: list[str] | None = None) -> list[str]:
    """``topics`` (default: every topic), checked, plus the topics they import.

    A topic's dependencies come before it: ``["forward"]`` gives ``["activations", "forward"]``.
    """
    chosen = check_topics(topics, NotebookError)
    out: list[str] = []
    for topic in chosen:
        for t in (*topic_dependencies(topic), topic):
            if t not in out:
                out.append(t)
    return out


def _solution_source(topic: str) -> str:
    return (SOLUTIONS / f"{topic}.py").read_text(encoding="utf-8")


def topic_dependencies(topic: str) -> list[str]:
    """The topics ``topic``'s module imports (``from . import ...``), transitively, deps first."""
    return dependencies(topic, _solution_source)


SETUP = """\
# Setup (locked): builds {names} from YOUR notebook(s) {files} in this folder,
# so that `from . import ...` below uses your own code. Keep them next to this notebook.
from grader.nbgrader.siblings import load_siblings

load_siblings({deps!r})
"""


def setup_cell_source(topic: str) -> str | None:
    """The setup cell's code for a topic that imports other topics (None for a lone topic)."""
    deps = topic_dependencies(topic)
    if not deps:
        return None
    return SETUP.format(
        names=", ".join(f"`{d}`" for d in deps),
        files=", ".join(f"{d}.ipynb" for d in deps),
        deps=deps,
    )


def split_module(source: str) -> tuple[str | None, list[str]]:
    """(module docstring, code chunks): a prelude, then one chunk per top-level def or class.

    A chunk starts at the definition's first decorator or at the comment lines right above it.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    doc = ast.get_docstring(tree, clean=True)
    body = tree.body
    skip_to = 0
    if doc is not None and body and isinstance(body[0], ast.Expr):
        skip_to = body[0].end_lineno or 0
    starts = []
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            while first > skip_to and lines[first - 1].lstrip().startswith("#"):
                first -= 1
            starts.append(first)
    cuts = [skip_to, *starts, len(lines)]
    chunks = ["\n".join(lines[a:b]).strip("\n") for a, b in itertools.pairwise(cuts)]
    return doc, [c for c in chunks if c.strip()]


def _defined(chunk: str) -> list[str]:
    try:
        tree = ast.parse(chunk)
    except SyntaxError:
        return []
    return [
        n.name
        for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]


def _hints_outside(chunk: str) -> str:
    """Move each block's ``# hint:``/``# stub:`` lines above ``### BEGIN SOLUTION``.

    nbgrader replaces everything between the markers, so a hint left inside would vanish.
    """
    out: list[str] = []
    lines = chunk.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == BEGIN:
            j = i + 1
            notes = []
            while j < len(lines) and lines[j].strip().startswith(("# hint:", "# stub:")):
                notes.append(lines[j])
                j += 1
            out.extend(notes)
            out.append(line)
            i = j
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _meta(grade_id: str, *, solution: bool = False, points: float | None = None) -> dict:
    meta = {
        "grade": points is not None,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def hidden_tests(topic: str, max_examples: int = 12) -> list[HiddenTest]:
    """Grade ``solutions/<topic>.py`` with the hidden suite; its tests, in the suite's order.

    Raises :class:`NotebookError` unless the solution scores full marks (a course whose model
    answer fails its own tests must not be built).
    """
    from grader.engine.run import run_hidden_tests
    from grader.settings import GradeSettings

    with tempfile.TemporaryDirectory(prefix="gradelab-course-") as tmp:
        folder = Path(tmp) / "solution"
        folder.mkdir()
        for t in (*topic_dependencies(topic), topic):
            shutil.copy(SOLUTIONS / f"{t}.py", folder / f"{t}.py")
        settings = GradeSettings((topic,), max_examples)
        result = run_hidden_tests(folder, settings, learner="solution", content_hash=topic)
    failed = [o.name for o in result.outcomes if o.status != "passed"]
    if failed:
        raise NotebookError(f"solutions/{topic}.py fails hidden tests: {'; '.join(failed[:5])}")
    seen: dict[tuple[str, str], int] = {}
    tests = []
    for o in result.outcomes:
        n = seen.get((o.function, o.check), 0)
        seen[(o.function, o.check)] = n + 1
        tests.append(HiddenTest(o.function, o.check, n, o.max_points))
    return tests


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:60]


def _opening(topic: str, folder: Path) -> tuple[list[nbformat.NotebookNode], list[str]]:
    """The lesson and module-docstring cells of ``topic``, and its code from ``folder`` in chunks."""
    doc, chunks = split_module((folder / f"{topic}.py").read_text(encoding="utf-8"))
    cells = [new_markdown_cell(lesson_path(topic).read_text(encoding="utf-8"))]
    if doc:
        cells.append(new_markdown_cell(f"## The `{topic}` module\n\n```text\n{doc}\n```"))
    return cells, chunks


def source_notebook(topic: str, tests: list[HiddenTest]) -> nbformat.NotebookNode:
    """The nbgrader source notebook of ``topic`` (solutions in, hidden tests as test cells)."""
    cells, chunks = _opening(topic, SOLUTIONS)
    setup = setup_cell_source(topic)
    if setup:
        cells.append(new_code_cell(setup, metadata=_meta(f"{topic}-setup")))
    for i, chunk in enumerate(chunks):
        names = _defined(chunk) or [f"part{i}"]
        grade_id = f"{topic}-{_slug(names[0])}"
        if BEGIN in chunk and END in chunk:
            cells.append(
                new_code_cell(_hints_outside(chunk), metadata=_meta(grade_id, solution=True))
            )
        else:
            cells.append(new_code_cell(chunk, metadata=_meta(f"{grade_id}-given")))
    cells.append(
        new_markdown_cell(
            "## Autograded tests\n\nEach cell below is one of gradelab's hidden tests, worth its "
            "points in `gradelab grade`. The checks run when the notebook is autograded."
        )
    )
    for k, t in enumerate(tests):
        code = (
            f"# gradelab hidden test: {topic}.{t.function}: {t.check} ({t.points:g} points)\n"
            f"{'### BEGIN HIDDEN TESTS'}\n"
            "from grader.nbgrader.checks import check\n\n"
            f"check({topic!r}, {t.function!r}, {t.check!r}, {t.occurrence})\n"
            f"{'### END HIDDEN TESTS'}"
        )
        grade_id = f"{topic}-test-{k:03d}-{_slug(t.function)}"
        cells.append(new_code_cell(code, metadata=_meta(grade_id, points=t.points)))
    return new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC})


def build_course(
    out: Path,
    topics: list[str] | None = None,
    *,
    assignment: str = ASSIGNMENT,
    max_examples: int = 12,
    timeout: int = 600,
    force: bool = False,
    say: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write an nbgrader course under ``out``; returns the source notebooks it holds now.

    ``assignment`` is a folder name of nbgrader's (``source/<assignment>/``): one plain name,
    never a path (``../../x`` once wrote outside ``out``, ``""`` into ``source/`` itself).

    A re-run updates the files it wrote that nobody changed since, and refuses with a
    :class:`NotebookError` naming each file that was edited since (or was not written by it),
    before any slow work and before writing anything; ``force`` overwrites those, keeping their
    bytes under ``out/.gradelab/replaced/``. Every write is atomic (:mod:`grader.nbgrader.generated`).
    ``say`` gets one line per kind of action (new, updated, unchanged, overwritten).
    """
    check_assignment(assignment)
    chosen = notebook_topics(topics)
    out = Path(out)
    config = "nbgrader_config.py"
    paths = {t: f"source/{assignment}/{t}.ipynb" for t in chosen}
    _refuse_edited(out, [config, *paths.values()], force)  # before minutes of grading
    contents = {
        config: CONFIG.format(
            course=_slug(out.resolve().name) or "gradelab", timeout=timeout
        ).encode(),
        **{
            rel: _notebook_bytes(source_notebook(t, hidden_tests(t, max_examples)))
            for t, rel in paths.items()
        },
    }
    _write(out, contents, force, say)
    return [out / rel for rel in paths.values()]


def _notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    """The file ``nbformat.write`` would write, with cell ids that do not change between runs
    (nbformat draws random ones: every re-run would otherwise rewrite every notebook)."""
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"
    text = nbformat.writes(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def _refuse_edited(out: Path, rels: list[str], force: bool) -> None:
    if force:
        return
    edited = edited_files(out, dict.fromkeys(rels))
    if edited:
        raise NotebookError(str(EditedFiles(out, edited)))


def _write(
    out: Path, contents: dict[str, bytes], force: bool, say: Callable[[str], None] | None
) -> None:
    try:
        report = write_files(out, contents, force=force)
    except EditedFiles as exc:
        raise NotebookError(str(exc)) from None
    if say is not None:
        for line in report.lines():
            say(line)


LEARNER_CHECK = """\
# Runs the public tests of `{topic}` on the code of this notebook (the cells you have run).
from IPython import get_ipython
import pathlib, tempfile
from exercises.tests._runner import format_table, run_check

_hist = get_ipython().history_manager.input_hist_raw  # gradelab's own cells left out:
_cells = [c for c in _hist if c and "{tag}" not in c and "from grader.nbgrader" not in c]
from grader.nbgrader.magics import join_cells  # magics and shell escapes left out, as in grading
_code = join_cells(_cells).source
with tempfile.TemporaryDirectory() as _tmp:
    pathlib.Path(_tmp, "{topic}.py").write_text(_code)
    pathlib.Path(_tmp, "__init__.py").write_text("")  # the check imports the folder as a package
    from grader.nbgrader.siblings import loaded  # the topics the setup cell built, if any
    for _dep, _src in loaded().items():
        pathlib.Path(_tmp, _dep + ".py").write_text(_src)
    print(format_table(run_check(["{topic}"], _tmp)))  # {tag}
"""


def learner_notebook(topic: str) -> nbformat.NotebookNode:
    """The learner notebook of ``topic``: lesson, the stub module in cells, the public check."""
    cells, chunks = _opening(topic, EXERCISES)
    setup = setup_cell_source(topic)
    if setup:
        cells.append(new_code_cell(setup, metadata={"tags": [SETUP_TAG], "editable": False}))
    cells.extend(new_code_cell(chunk) for chunk in chunks)
    cells.append(
        new_markdown_cell(
            "## Check your work\n\nRun every cell above, then this one: it runs the public tests "
            f"of `{topic}` (the same as `gradelab check {topic}`) on your functions."
        )
    )
    cells.append(
        new_code_cell(
            LEARNER_CHECK.format(topic=topic, tag=CHECK_TAG), metadata={"tags": [CHECK_TAG]}
        )
    )
    return new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC})


def build_notebooks(
    out: Path,
    topics: list[str] | None = None,
    *,
    force: bool = False,
    say: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write one learner notebook per topic under ``out``; returns their paths.

    A learner notebook is where the learner works: a re-run never overwrites one changed since
    it was written (:class:`NotebookError` naming them, nothing written) unless ``force``, which
    keeps their bytes under ``out/.gradelab/replaced/``; as :func:`build_course` does.
    """
    out = Path(out)
    chosen = notebook_topics(topics)
    rels = {t: f"{t}.ipynb" for t in chosen}
    _refuse_edited(out, list(rels.values()), force)
    _write(out, {rel: _notebook_bytes(learner_notebook(t)) for t, rel in rels.items()}, force, say)
    return [out / rel for rel in rels.values()]


def ensure_kernel() -> str:
    """Make sure a ``python3`` Jupyter kernel exists (installs this Python's into sys.prefix)."""
    import sys

    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        return KernelSpecManager().get_kernel_spec("python3").resource_dir
    except NoSuchKernel:
        from ipykernel.kernelspec import install

        return install(kernel_name="python3", prefix=sys.prefix)
