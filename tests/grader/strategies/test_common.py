"""grader/strategies/common.py, ``reusable``: one strategy object per distinct factory call, and
the very same examples as strategies built afresh at every draw."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from grader.strategies import float_arrays, reusable, with_kinks


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
