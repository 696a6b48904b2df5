"""The output widths the curriculum states, held the same way by ``gradelab check`` and grading.

- Outputs are float64 unless a function says otherwise (``one_hot`` included): where the
  expected answer is a float64 array, a narrower float array (float32, float16) fails. Where the
  expected answer is narrower itself (float32 inputs) any float width passes: the rule is about
  not narrowing float64 work.
- :data:`STATED_FLOAT32`: functions whose docstrings state float32 (faiss stores and scores
  float32): every float array they return is float32, whatever the inputs' width.
- :data:`STATED_INT64`: functions whose docstrings state int64 indices: every integer array
  they return is int64 (``.astype(np.int32)``, or a platform whose default int is 32 bits, fails).

``compare`` (``_harness.py``) leaves widths alone: it also matches catalogued mistakes, whatever
their width. ``tests/grader/test_stated_requirements.py`` keeps both tables in step with the
docstrings.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: "<topic>.<function>" whose docstrings state float32 outputs
STATED_FLOAT32 = frozenset({"rag.embed", "rag.search"})
#: "<topic>.<function>" whose docstrings state int64 index outputs
STATED_INT64 = frozenset({"rag.top_k", "rag.search"})


def _dtype(value: Any) -> np.dtype | None:
    if hasattr(value, "detach"):  # a torch tensor: learners may return one
        value = value.detach().cpu().numpy()
    try:
        return np.asarray(value).dtype
    except Exception:  # compare names what is wrong with it
        return None


def width_problem(actual: Any, expected: Any, function: str, path: str = "output") -> str | None:
    """Why ``actual`` (right in value) has a width the curriculum rules out for ``function``
    ("<topic>.<function>"), walking tuples, lists and dicts as ``compare`` does; None if none."""
    if isinstance(expected, tuple | list) and isinstance(actual, tuple | list):
        for i, (a, e) in enumerate(zip(actual, expected, strict=False)):
            problem = width_problem(a, e, function, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(expected, dict) and isinstance(actual, dict):
        for k in expected.keys() & actual.keys():
            problem = width_problem(actual[k], expected[k], function, f"{path}[{k!r}]")
            if problem:
                return problem
        return None
    if not isinstance(expected, np.ndarray) or not expected.ndim:
        return None  # a number: Python's float and int have one width
    got = _dtype(actual)
    if got is None:
        return None
    if function in STATED_INT64 and expected.dtype.kind in "iu":
        if got.kind in "iu" and got != np.int64:
            return f"{path} should be an int64 array (its docstring says so), got {got}"
        return None
    if function in STATED_FLOAT32:
        if got.kind == "f" and got != np.float32:
            return f"{path} should be a float32 array (faiss needs them), got {got}"
        return None
    if expected.dtype == np.float64 and got.kind == "f" and got.itemsize < 8:
        return (
            f"{path} should be a float64 array, got {got} (outputs are float64 unless the "
            "docstring says otherwise: compute in float64, or do not narrow the result)"
        )
    return None
