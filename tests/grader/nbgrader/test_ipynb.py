""".ipynb submissions: code cells extracted, IPython-only lines dropped and reported, graded like
<topic>.py by the real engine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.class_folder import discover
from grader.engine.run import run_hidden_tests
from grader.nbgrader.ipynb import CHECK_TAG, DROPPED_NOTE, extract, join_cells
from grader.settings import GradeSettings
from grader.submissions import read_folder, read_zip

ROOT = Path(__file__).resolve().parents[3]


def _nb(*cells) -> str:
    return nbformat.writes(new_notebook(cells=list(cells)))


def test_extract_keeps_code_cells_in_order_and_drops_markdown():
    text = _nb(
        new_markdown_cell("# not code"),
        new_code_cell("import numpy as np"),
        new_code_cell("def f(x):\n    return np.abs(x)"),
    )
    got = extract(text)
    assert got.dropped == ()
    ns: dict = {}
    exec(got.source, ns)
    assert ns["f"](-3) == 3
    assert "not code" not in got.source


def test_extract_drops_magics_shell_escapes_cell_magics_and_help():
    text = _nb(
        new_code_cell("%matplotlib inline\nimport math\n!pip install foo\nfiles = !ls\nmath?"),
        new_code_cell("%%bash\necho hi"),
        new_code_cell("def g():\n    return math.pi  # 100% sure"),
    )
    got = extract(text)
    assert got.dropped == (
        "%matplotlib inline",
        "!pip install foo",
        "files = !ls",
        "math?",
        "%%bash",
    )
    ns: dict = {}
    exec(got.source, ns)
    assert ns["g"]() == __import__("math").pi  # a % inside a line of code is kept


def test_extract_drops_gradelab_check_cells_and_nbgrader_test_cells():
    tagged = new_code_cell("raise SystemExit('check')", metadata={"tags": [CHECK_TAG]})
    test_cell = new_code_cell(
        "assert False", metadata={"nbgrader": {"grade": True, "solution": False, "points": 1}}
    )
    by_import = new_code_cell("from grader.nbgrader.checks import check\ncheck('a', 'b', 'c')")
    solution = new_code_cell("X = 1", metadata={"nbgrader": {"grade": False, "solution": True}})
    got = extract(_nb(tagged, test_cell, by_import, solution))
    assert got.source.strip() == "X = 1"


def test_unreadable_notebook_is_a_value_error():
    for bad in ("{not json", json.dumps({"cells": "nope"}), "[]"):
        try:
            extract(bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad!r}")


def test_folder_with_notebook_becomes_topic_source_with_a_feedback_note(tmp_path):
    (tmp_path / "activations.ipynb").write_text(
        _nb(new_code_cell("%time\nimport numpy as np\ndef relu(x):\n    return np.maximum(x, 0)"))
    )
    sub = read_folder(tmp_path)
    assert set(sub.files) == {"activations"}
    assert b"%time" not in sub.files["activations"]
    assert b"def relu" in sub.files["activations"]
    assert any(DROPPED_NOTE in p and "%time" in p for p in sub.problems)
    assert discover([tmp_path])[0].files == sub.files  # a folder with only notebooks is found


def test_py_file_wins_over_notebook_of_same_topic(tmp_path):
    (tmp_path / "activations.py").write_text("A = 'py'\n")
    (tmp_path / "activations.ipynb").write_text(_nb(new_code_cell("A = 'nb'")))
    sub = read_folder(tmp_path)
    assert sub.files["activations"] == b"A = 'py'\n"
    assert any("graded activations.py" in p for p in sub.problems)


def test_zip_with_notebook_is_extracted(tmp_path):
    import zipfile

    path = tmp_path / "ann.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ann/exercises/losses.ipynb", _nb(new_code_cell("!ls\nY = 2")))
    sub = read_zip(path)
    assert sub.files["losses"].strip() == b"Y = 2"
    assert any(DROPPED_NOTE in p for p in sub.problems)


def test_notebook_of_the_solution_grades_like_the_py_file(tmp_path):
    """Same code as cells (with a magic) or as a module: the hidden suite gives equal scores."""
    source = (ROOT / "solutions" / "activations.py").read_text()
    head, _, rest = source.partition("\ndef relu(")
    cells = [new_code_cell("%load_ext autoreload\n" + head), new_code_cell("def relu(" + rest)]
    nb_dir, py_dir = tmp_path / "nb", tmp_path / "py"
    nb_dir.mkdir()
    (nb_dir / "activations.ipynb").write_text(_nb(*cells))
    sub = read_folder(nb_dir)
    work = sub.write_to(tmp_path / "work")
    py_dir.mkdir()
    shutil.copy(ROOT / "solutions" / "activations.py", py_dir / "activations.py")
    from_nb = run_hidden_tests(
        work, GradeSettings(topics=tuple(["activations"])), learner="nb", content_hash="a"
    )
    from_py = run_hidden_tests(
        py_dir, GradeSettings(topics=tuple(["activations"])), learner="py", content_hash="b"
    )
    assert from_nb.max_score == from_py.max_score > 0
    assert from_nb.score == from_py.score == from_py.max_score


def test_the_depth_check_is_linear_on_an_unterminated_string_of_escaped_quotes():
    """A 2 MiB notebook of one quote and a million ``\\"`` once stalled a class run for hours (the
    scan restarted at every quote); every byte is now looked at once. Counting, not timing: the
    regex searches made are linear in the number of structural bytes."""
    from grader.nbgrader import ipynb

    calls = {"search": 0}
    real = ipynb._STRUCTURE

    class Counting:
        def search(self, data, pos):
            calls["search"] += 1
            return real.search(data, pos)

    data = b'"' + b'\\"' * 1_000_000
    ipynb._STRUCTURE = Counting()
    try:
        ipynb.check_depth(data)
    finally:
        ipynb._STRUCTURE = real
    assert calls["search"] == 1  # the opening quote, then the rest is one unterminated string
    with pytest.raises(ipynb.NotebookError, match="nested more than"):
        ipynb.check_depth(b"[" * 65 + b'"]]]" ' + b"]" * 65)
    ipynb.check_depth(b'{"a": ["[[[[", {"b": "\\"]"}]}')  # brackets inside strings do not count


def _run(source: str) -> dict:
    ns: dict = {}
    exec(compile(source, "<extracted>", "exec"), ns)
    return ns


def test_a_continuation_line_starting_with_percent_or_bang_is_code_not_a_magic():
    """`% 2)` or `!= b)` inside brackets, after a backslash or in a docstring was dropped as a
    magic: the module no longer compiled and the learner lost the whole topic."""
    cell = (
        "X = (7\n     % 4)\nY = (1\n     != 2)\nZ = 9 \\\n    % 5\n"
        'def f():\n    """\n    !important\n    % of rows\n    """\n    return X\n'
    )
    got = extract(_nb(new_code_cell(cell)))
    ns = _run(got.source)
    assert got.dropped == () and (ns["X"], ns["Y"], ns["Z"]) == (3, True, 4)
    assert "!important" in ns["f"].__doc__


def test_a_time_or_capture_cell_keeps_its_code_and_other_cell_magics_are_dropped_whole():
    """`%%time` on a cell of definitions dropped every function in it."""
    got = extract(
        _nb(
            new_code_cell("%%time\ndef f():\n    return 1"),
            new_code_cell("%%capture out\ng = lambda: 2"),
            new_code_cell("%%bash\nrm -rf /"),
            new_code_cell("%%writefile x.py\nh = 3"),
        )
    )
    ns = _run(got.source)
    assert ns["f"]() == 1 and ns["g"]() == 2 and "h" not in ns and "rm -rf" not in got.source
    assert got.dropped == ("%%time", "%%capture out", "%%bash", "%%writefile x.py")


def test_get_ipython_calls_are_dropped_whole_and_a_magic_alone_in_a_block_leaves_pass():
    """nbconvert writes magics as get_ipython() calls: kept, the module failed to import
    (NameError) and every function of the topic scored 0."""
    cell = (
        "get_ipython().run_line_magic('matplotlib', 'inline')\n"
        "get_ipython().system(\n    'pip install x'\n)\n"
        "def f(xs):\n    for x in xs:\n        %time print(x)\n    return len(xs)\n"
    )
    got = extract(_nb(new_code_cell(cell)))
    assert _run(got.source)["f"]([1, 2]) == 2 and "pip" not in got.source
    assert len(got.dropped) == 3


def test_an_nbformat_3_notebook_is_read_from_its_worksheets():
    """A v3 notebook (cells in worksheets, code in `input`) was graded as an empty file."""
    v3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {},
        "worksheets": [
            {"cells": [{"cell_type": "markdown", "source": "# hi"}]},
            {"cells": [{"cell_type": "code", "input": ["def f():\n", "    return 5\n"]}]},
        ],
    }
    assert _run(extract(json.dumps(v3)).source)["f"]() == 5
    with pytest.raises(ValueError, match="worksheets"):
        extract(json.dumps({"nbformat": 3, "worksheets": [7]}))


def test_a_function_defined_in_two_cells_is_named_and_the_last_one_graded(tmp_path):
    text = _nb(
        new_code_cell("def f():\n    return 1"),
        new_code_cell("x = 1"),
        new_code_cell("def f():\n    return 2"),
    )
    got = extract(text)
    assert _run(got.source)["f"]() == 2
    (note,) = got.notes
    assert note.startswith("f is defined in cells 1 and 3: the last one is graded")
    (tmp_path / "activations.ipynb").write_text(text)
    assert any("f is defined in cells 1 and 3" in p for p in read_folder(tmp_path).problems)


def test_code_in_a_cell_marked_as_a_test_cell_is_left_out_but_never_silently():
    """A learner answer in a cell nbgrader marks `grade` without `solution` was dropped without
    a word: the learner saw 0 points and a notebook that ran."""
    marked = new_code_cell(
        "def relu(x):\n    return x",
        metadata={"nbgrader": {"grade": True, "solution": False, "points": 1}},
    )
    got = extract(_nb(marked))
    assert got.source == ""
    assert got.notes == (
        "cell 1 defines relu but is marked as a test or check cell (nbgrader grade without "
        "solution, or gradelab's own): left out of grading; put your code in an answer cell",
    )


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"def relu(x):\n    return x\n", "it is Python source, not a notebook"),
        (b"PK\x03\x04\x14\x00rest", "it is a zip archive, not a notebook"),
    ],
)
def test_an_ipynb_that_is_python_or_a_zip_says_what_it_is(data, said):
    with pytest.raises(ValueError, match=said):
        extract(data)


def test_a_future_statement_at_the_top_of_a_later_cell_moves_to_the_top_of_the_module():
    """Jupyter compiles each cell alone, so `from __future__ import annotations` heading the
    second cell runs there; joined into one module it was a SyntaxError, and the topic scored 0."""
    cells = [
        "import numpy as np",
        "from __future__ import annotations\nfrom __future__ import division\n\n"
        "def f(x: np.ndarray) -> np.ndarray:\n    return x",
        "from __future__ import annotations\ny = 1",
    ]
    source = join_cells(cells).source
    compile(source, "activations.py", "exec")  # a SyntaxError before
    module: dict = {}
    exec(source, module)
    assert module["f"].__annotations__ == {"x": "np.ndarray", "return": "np.ndarray"}
    assert (
        source.splitlines()[0]
        == "from __future__ import annotations; from __future__ import division"
    )
    assert join_cells(["from __future__ import annotations\nx = 1", "y = 2"]).source == (
        "from __future__ import annotations\nx = 1\n\n\ny = 2\n"
    )  # already at the top: left as it is, no line moves
    docstring_first = [
        '"""Doc."""\nfrom __future__ import annotations',
        "from __future__ import division",
    ]
    compile(join_cells(docstring_first).source, "activations.py", "exec")
