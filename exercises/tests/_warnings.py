"""The "must not overflow or warn" requirement, held the same way by ``gradelab check`` and by
grading.

Some functions' docstrings say they must not overflow or warn for inputs in [−1000, 1000] (a
numerically stable sigmoid or softmax): their values can be right while ``np.exp`` overflows on
the way. The learner's check and the grader both record the warnings one call raises, with
NumPy's floating-point errors set to warn whatever the learner's module set, and fail such a
function with the same message (:func:`warning_problem`). ``grader/engine/expect.py`` uses this
module; ``tests/grader/test_stated_requirements.py`` keeps :data:`WARNING_FREE` in step with the
docstrings.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence

import numpy as np

#: "<topic>.<function>" of the functions that must not overflow or warn for inputs in [−1000, 1000]
WARNING_FREE: frozenset[str] = frozenset(
    {
        "activations.sigmoid",
        "activations.tanh",
        "activations.elu",
        "activations.softmax",
        "losses.binary_cross_entropy",
        "losses.categorical_cross_entropy",
    }
)

#: at most this many warnings of one call are kept, each cut to MAX_CHARS characters
MAX_KEPT = 5
MAX_CHARS = 300


@contextlib.contextmanager
def recording_warnings() -> Iterator[list[str]]:
    """Record the warnings raised inside the block as ``"Category: message"`` lines (at most
    :data:`MAX_KEPT`), with NumPy's divide, overflow and invalid-value errors set to warn."""
    kept: list[str] = []
    with (
        warnings.catch_warnings(record=True) as caught,
        np.errstate(divide="warn", over="warn", invalid="warn"),
    ):
        warnings.simplefilter("always")
        try:
            yield kept
        finally:
            kept.extend(
                f"{w.category.__name__}: {w.message}"[:MAX_CHARS] for w in caught[:MAX_KEPT]
            )


def warning_problem(function: str, warned: Sequence[str]) -> str | None:
    """Why a call of ``function`` ("<topic>.<function>") whose values are right still fails for
    the warnings it raised; None when it may warn, or did not."""
    if not warned or function not in WARNING_FREE:
        return None
    return (
        f"the values are right, but the call warned ({warned[0]}): "
        f"{function} must not overflow or warn for inputs in [-1000, 1000]"
    )
