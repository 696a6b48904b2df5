"""grader/release/strip.py: solution blocks become hints or stubs; malformed files fail clearly."""

from __future__ import annotations

import ast
import textwrap

import pytest

from grader.release.strip import ReleaseError, find_blocks, strip_solutions

SOURCE = textwrap.dedent(
    '''\
    """Demo topic."""

    import numpy as np

    ### BEGIN SOLUTION
    # stub: EDGE = np.zeros((3, 3))  # fill in the filter
    EDGE = np.array([[1.0, 0.0, -1.0]] * 3)
    ### END SOLUTION


    def double(x: np.ndarray) -> np.ndarray:
        """Return 2x."""
        ### BEGIN SOLUTION
        # hint: multiply every entry by two
        y = x * 2
        return y
        ### END SOLUTION


    class Holder:
        def method(self) -> int:
            ### BEGIN SOLUTION
            # hint: return forty-two
            return 42
            ### END SOLUTION
    '''
)


def test_function_block_becomes_not_implemented_with_topic_function_and_hint():
    stub = strip_solutions(SOURCE, "demo")
    assert 'raise NotImplementedError("demo.double: multiply every entry by two")' in stub
    assert "y = x * 2" not in stub and "return y" not in stub


def test_module_level_block_keeps_only_its_stub_code():
    stub = strip_solutions(SOURCE, "demo")
    assert "EDGE = np.zeros((3, 3))  # fill in the filter" in stub
    assert "np.array([[1.0, 0.0, -1.0]] * 3)" not in stub


def test_block_inside_a_method_is_named_after_the_method():
    assert "demo.method: return forty-two" in strip_solutions(SOURCE, "demo")


def test_signatures_docstrings_and_imports_survive_and_the_stub_parses():
    stub = strip_solutions(SOURCE, "demo")
    tree = ast.parse(stub)
    assert ast.get_docstring(tree) == "Demo topic."
    double = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "double")
    assert ast.get_docstring(double) == "Return 2x."
    assert "import numpy as np" in stub
    assert stub.startswith("# Generated from solutions/demo.py")


def test_stub_raises_the_hint_when_called():
    namespace: dict[str, object] = {}
    exec(compile(strip_solutions(SOURCE, "demo"), "demo.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match=r"^demo\.double: multiply"):
        namespace["double"](1.0)  # type: ignore[operator]


def test_find_blocks_reports_lines_and_enclosing_functions():
    blocks = find_blocks(SOURCE)
    assert [(b.function, b.start) for b in blocks] == [(None, 5), ("double", 13), ("method", 22)]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "never closed"),
        ("def f():\n    return 1\n    ### END SOLUTION\n", "without"),
        ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n", "nested"),
        (
            "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n",
            "must start with",
        ),
        ("### BEGIN SOLUTION\n# hint: no\nX = 1\n### END SOLUTION\n", "module-level"),
        (
            "def f():\n    ### BEGIN SOLUTION\n    # hint:\n    return 1\n    ### END SOLUTION\n",
            "empty hint",
        ),
        ("def f():\n    return 1\n", "no ### BEGIN SOLUTION"),
    ],
)
def test_malformed_solution_files_fail_with_file_and_line(source: str, message: str):
    with pytest.raises(ReleaseError, match=message) as info:
        strip_solutions(source, "demo", "solutions/demo.py")
    assert str(info.value).startswith("solutions/demo.py")


def test_a_multi_line_signature_still_names_its_function():
    source = textwrap.dedent(
        '''\
        def adam_step(
            w,
            grad,
        ) -> tuple[int, int]:
            """Doc."""
            ### BEGIN SOLUTION
            # hint: correct the bias of both moments
            return w, grad
            ### END SOLUTION
        '''
    )
    assert "optimizers.adam_step: correct the bias" in strip_solutions(source, "optimizers")


def test_a_long_hint_is_laid_out_as_ruff_format_would():
    source = (
        "def f(x):\n    ### BEGIN SOLUTION\n    # hint: "
        + "word " * 30
        + "\n    return x\n    ### END SOLUTION\n"
    )
    lines = strip_solutions(source, "demo").splitlines()
    start = lines.index("    raise NotImplementedError(")
    assert lines[start + 1].startswith('        "demo.f: word') and lines[start + 2] == "    )"
    assert (
        len(lines[start]) <= 100 and len(lines[start + 2]) <= 100
    )  # the string itself may run over
