"""grader/strategies/common.py, ``reusable``: one strategy object per distinct factory call, and
the very same examples as strategies built afresh at every draw; ``wide_kinks`` and
``stability_arrays`` reach the values they promise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from grader.strategies import (
    float_arrays,
    reusable,
    shapes,
    stability_arrays,
    wide_kinks,
    with_kinks,
)


def test_the_same_call_gives_the_same_strategy_object():
    assert float_arrays((2, 3), bound=2.0) is float_arrays((2, 3), bound=2.0)
    assert float_arrays((2, 3), bound=2.0) is not float_arrays((2, 4), bound=2.0)
    assert with_kinks(1.0, (0.0, 1.0)) is with_kinks(1.0, (0.0, 1.0))


def test_arguments_of_another_type_are_another_call():
    built: list[Any] = []

    @reusable
    def integers_up_to(top: float) -> st.SearchStrategy[int]:
        built.append(top)
        return st.integers(0, int(top))

    integers_up_to(3)
    integers_up_to(3.0)
    integers_up_to(3)
    assert built == [3, 3.0]


def test_an_unhashable_argument_builds_a_new_strategy_each_time():
    built: list[Any] = []

    @reusable
    def one_of(values: Any) -> st.SearchStrategy[float]:
        built.append(values)
        return st.sampled_from(values)

    assert one_of([1.0, 2.0]) is not one_of([1.0, 2.0])
    assert len(built) == 2


def _draws(make: Callable[..., st.SearchStrategy[np.ndarray]]) -> list[bytes]:
    """What one derandomized test draws when every array strategy comes from ``make``."""
    seen: list[bytes] = []

    def body(data: st.DataObject) -> None:
        shape = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 4)))
        seen.append(data.draw(make(shape, bound=2.0)).tobytes())

    test = settings(
        derandomize=True, database=None, max_examples=30, phases=[Phase.generate], deadline=None
    )(given(data=st.data())(body))
    test()
    return seen


def test_reused_strategies_draw_what_fresh_ones_draw():
    fresh = _draws(float_arrays.__wrapped__)  # the factory itself: a new object at every draw
    cold = _draws(float_arrays)
    warm = _draws(float_arrays)
    assert len(fresh) == 30 and fresh == cold == warm


def _examples(strategy: st.SearchStrategy[Any], n: int = 200) -> list[Any]:
    """What one derandomized test draws from ``strategy`` in ``n`` examples."""
    seen: list[Any] = []

    def body(value: Any) -> None:
        seen.append(value)

    test = settings(
        derandomize=True, database=None, max_examples=n, phases=[Phase.generate], deadline=None
    )(given(value=strategy)(body))
    test()
    return seen


def test_wide_kinks_are_mostly_small_and_reach_just_past_the_bound_and_hundreds():
    """The activation tests' elements: kinks, |x| <= 5, and now and then 5 < |x| <= 500, both
    just past 5 (where a derivative set to 0 beyond 5 is still visibly wrong) and hundreds."""
    arrays = _examples(float_arrays(shapes(max_dims=2), elements=wide_kinks(5.0, 500.0)), 100)
    values = np.concatenate([a.ravel() for a in arrays])
    size = np.abs(values)
    assert np.isfinite(values).all() and size.max() <= 500.0
    assert (values == 0.0).mean() > 0.1 and (size <= 5.0).mean() > 0.4
    assert ((size > 5.0) & (size < 10.0)).mean() > 0.05 and (size > 100.0).mean() > 0.02
    assert (values > 5.0).any() and (values < -5.0).any()
    narrow = np.array(_examples(wide_kinks(bound=1.0, wide=8.0, width=32), 100))
    assert (narrow.astype(np.float32) == narrow).all() and np.abs(narrow).max() <= 8.0


def test_stability_arrays_hold_slices_of_large_close_values_within_1000():
    """Every entry within ±1000; some arrays spread like ``extreme_arrays``, some hold a slice
    whose large entries (past exp's overflow at 709.78) differ by O(1), not all equal, so that
    clipping the input at ±700 changes a softmax."""
    arrays = _examples(stability_arrays(shapes(min_dims=2, max_dims=2, min_side=2)), 100)
    assert all(a.dtype == np.float64 and np.isfinite(a).all() for a in arrays)
    assert max(np.abs(a).max() for a in arrays) <= 1000.0

    def close_row(a: np.ndarray) -> bool:
        for row in a:
            large = row[np.abs(row) > 709.8]
            if large.size >= 2 and 0 < np.ptp(large) <= 6.0:
                return True
        return False

    assert sum(close_row(a) for a in arrays) > 20
    assert sum(not close_row(a) for a in arrays) > 20
    float32 = _examples(stability_arrays((3, 4), dtype=np.float32), 30)
    assert all(a.dtype == np.float32 and np.abs(a).max() <= 1000.0 for a in float32)
