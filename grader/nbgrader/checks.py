"""The checks that nbgrader's autograded test cells call, inside the notebook's kernel.

Each test cell of a ``gradelab nbgrader`` course stands for one hidden test of gradelab's suite
and calls :func:`check` with that test's topic, function, check and occurrence. The first call
takes the code the kernel has run so far (its input history, minus IPython-only lines and
gradelab's own check cells), writes it as ``<topic>.py`` and grades it with
:func:`grader.engine.run.run_hidden_tests`, the same engine, hidden suite and derandomized
hypothesis profile as ``gradelab grade``; later calls with the same code reuse that result. A
cell passes when its test passed and raises ``AssertionError`` with the test's message otherwise,
so nbgrader's points equal ``gradelab grade``'s. A topic that imports other topics (``forward``)
is graded with the sibling modules the notebook's setup cell built from the learner's own
notebooks (:mod:`grader.nbgrader.siblings`), as ``gradelab grade`` grades it with the learner's
other files.

Trade-off: the learner's cells run in this same kernel, before the checks, so they could tamper
with this module; ``gradelab grade`` (separate grader process, sandboxed worker) is the path for
summative grading.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

from grader.nbgrader.ipynb import CHECK_MARKER
from grader.nbgrader.magics import join_cells

_RESULTS: dict[tuple[str, str], Any] = {}  # (topic, source hash) -> SubmissionResult


def kernel_source() -> str:
    """The code this IPython kernel has run, in order, without gradelab's check cells."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipykernel depends on IPython
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is None:
        raise RuntimeError("gradelab's notebook checks run inside a Jupyter (IPython) kernel")
    cells = [c for c in shell.history_manager.input_hist_raw if c and CHECK_MARKER not in c]
    return join_cells(cells).source


def grade_source(
    topic: str, source: str, max_examples: int = 12, siblings: dict[str, str] | None = None
) -> Any:
    """Grade ``source`` as ``<topic>.py`` with the hidden tests (cached by content).

    ``siblings`` (``{topic: source}``) are written next to it as the modules it imports
    (``from . import activations``), as a ``.py`` submission folder holds them.
    """
    from grader.engine.run import run_hidden_tests
    from grader.settings import GradeSettings

    siblings = {t: s for t, s in (siblings or {}).items() if t != topic}
    hasher = hashlib.sha256(source.encode())
    for name in sorted(siblings):
        hasher.update(b"\0" + name.encode() + b"\0" + siblings[name].encode())
    digest = hasher.hexdigest()
    key = (topic, digest)
    if key not in _RESULTS:
        with tempfile.TemporaryDirectory(prefix="gradelab-nb-") as tmp:
            folder = Path(tmp) / "submission"
            folder.mkdir()
            (folder / f"{topic}.py").write_text(source, encoding="utf-8")
            for name, code in siblings.items():
                (folder / f"{name}.py").write_text(code, encoding="utf-8")
            _RESULTS[key] = run_hidden_tests(
                folder,
                GradeSettings((topic,), max_examples),
                learner="notebook",
                content_hash=digest,
            )
    return _RESULTS[key]


def find_outcome(result: Any, function: str, check_name: str, occurrence: int = 0) -> Any:
    """The ``occurrence``-th outcome of ``function`` named ``check_name`` (KeyError if none)."""
    same = [o for o in result.outcomes if o.function == function and o.check == check_name]
    if occurrence >= len(same):
        raise KeyError(f"no hidden test {function}: {check_name} (#{occurrence}) in this suite")
    return same[occurrence]


def check(topic: str, function: str, check_name: str, occurrence: int = 0) -> None:
    """Pass when gradelab's hidden test passes on the kernel's code; AssertionError otherwise."""
    from grader.nbgrader.siblings import loaded

    result = grade_source(topic, kernel_source(), siblings=loaded())
    outcome = find_outcome(result, function, check_name, occurrence)
    if outcome.status != "passed":
        detail = f"\n  input: {outcome.input}" if outcome.input else ""
        raise AssertionError(
            f"{topic}.{function}: {check_name}: {outcome.status}: {outcome.message}{detail}"
        )
    print(f"{topic}.{function}: {check_name}: passed ({outcome.max_points:g} points)")
