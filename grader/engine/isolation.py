"""What one grading run must not inherit from the runs before it in the same process.

Hypothesis draws a small share of its values (about 1 in 20) from a pool of "interesting"
constants. Besides its own fixed list, that pool holds every literal it finds in the *local*
modules (outside site-packages and the standard library) that happen to be in ``sys.modules``
when a test draws, and it grows as more modules are imported. A grading process imports
modules as it goes (a topic's reference on first use, other hidden suites, the cluster's
modules), so the inputs hypothesis generated, and the minimal counterexample it shrank to,
depended on what the process had graded before: the same submission got
``losses.mae_grad([0.], [0.5])`` alone and ``losses.mae_grad([0.], [2.])`` after another one.

:func:`fixed_generation` makes that pool empty for the duration of a grading run (hypothesis's
own fixed constants stay), and empties hypothesis's cache of the pool's filtered contents on the
way in and out, so what hypothesis generates for a hidden test depends only on the test and the
hypothesis version, never on the process's history.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants


def _no_local_constants() -> Constants:
    return Constants()


@contextmanager
def fixed_generation() -> Iterator[None]:
    """Within this block, hypothesis draws no constants from the modules this process loaded."""
    before = providers._get_local_constants
    providers._get_local_constants = _no_local_constants
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = before
        providers.CONSTANTS_CACHE.cache.clear()
