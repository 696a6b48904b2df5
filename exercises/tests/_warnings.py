"""The "must not overflow or warn" requirement, held the same way by ``gradelab check`` and by
grading.

Some functions' docstrings say they must not overflow or warn for inputs in [−1000, 1000] (a
numerically stable sigmoid or softmax): their values can be right while ``np.exp`` overflows on
the way. The learner's check and the grader's worker both record what one call raised with
:func:`exercises.tests._observe.recording` (NumPy's floating-point errors counted even where the
code silenced them), and fail such a function with the same message (:func:`warning_problem`).
``grader/engine/expect.py`` uses this module; ``tests/grader/test_stated_requirements.py`` keeps
:data:`WARNING_FREE` in step with the docstrings.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def warning_problem(function: str, warned: Sequence[str]) -> str | None:
    """Why a call of ``function`` ("<topic>.<function>") whose values are right still fails for
    the warnings it raised; None when it may warn, or did not."""
    if not warned or function not in WARNING_FREE:
        return None
    return (
        f"the values are right, but the call warned ({warned[0]}): "
        f"{function} must not overflow or warn for inputs in [-1000, 1000]"
    )
