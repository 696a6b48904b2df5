"""grader/report/items.py: pass rate, mean points and the corrected item-total correlation,
checked against values computed by hand with numpy, and the flags for suspicious items."""

from __future__ import annotations

import numpy as np
import pytest

from grader.report.items import analyse_items, discrimination, flags_for
from tests.grader.report.synthetic import klass

# 6 learners x 4 items (max 1, 2, 1, 1): item c3 is passed by the weakest learners only
POINTS = {
    "a": [1, 2, 1, 0],
    "b": [1, 2, 0, 0],
    "c": [1, 1, 1, 0],
    "d": [0, 2, 0, 1],
    "e": [1, 0, 0, 1],
    "f": [0, 0, 0, 1],
}
TOPS = [1.0, 2.0, 1.0, 1.0]


def test_pass_rate_mean_and_discrimination_match_hand_computed_values():
    items = {it.name: it for it in analyse_items(klass(POINTS, TOPS))}
    matrix = np.array(list(POINTS.values()), dtype=float)
    totals = matrix.sum(axis=1)
    for i in range(4):
        it = items[f"losses.mse: c{i}"]
        column = matrix[:, i]
        assert it.points == TOPS[i]
        assert it.graded == 6
        assert it.pass_rate == pytest.approx(np.mean(column == TOPS[i]))
        assert it.mean_points == pytest.approx(column.mean())
        expected = np.corrcoef(column, totals - column)[0, 1]
        assert it.discrimination == pytest.approx(expected)
    assert items["losses.mse: c3"].discrimination < 0
    assert items["losses.mse: c3"].flags == ["negative discrimination"]


def test_the_item_is_left_out_of_the_total_it_is_correlated_with():
    # uncorrected, an item always correlates positively with a total that contains it
    column = np.array([1.0, 0.0, 1.0, 0.0])
    totals = np.array([1.0, 1.0, 1.0, 1.0]) + column  # the rest is constant: undefined
    assert discrimination(column, totals) is None
    rest = np.array([3.0, 1.0, 2.0, 0.0])
    assert discrimination(column, rest + column) == pytest.approx(np.corrcoef(column, rest)[0, 1])


def test_items_nobody_fails_or_nobody_passes_are_flagged_and_have_no_discrimination():
    items = analyse_items(klass({"a": [1, 0, 1], "b": [1, 0, 0], "c": [1, 0, 1]}))
    easy, impossible, _ = items
    assert easy.flags == ["nobody fails"] and easy.discrimination is None
    assert impossible.flags == ["nobody passes"] and impossible.discrimination is None


@pytest.mark.parametrize(
    ("pass_rate", "r", "flags"),
    [
        (0.5, 0.19, ["low discrimination"]),
        (0.5, 0.2, []),
        (0.95, 0.1, ["low discrimination"]),
        (0.96, 0.1, []),  # nearly everyone passes: it cannot correlate much
        (0.96, -0.1, ["negative discrimination"]),  # negative is flagged whatever the pass rate
        (0.5, None, []),
        (1.0, None, ["nobody fails"]),
        (0.0, None, ["nobody passes"]),
    ],
)
def test_flag_rule(pass_rate, r, flags):
    assert flags_for(pass_rate, r) == flags


def test_a_learner_not_graded_on_an_item_is_not_counted_for_it():
    results = klass({"a": [1, 1], "b": [0, 1], "c": [1, 0], "d": [0, 0]})
    results[3].outcomes = results[3].outcomes[:1]  # d was not graded on c1
    c1 = analyse_items(results)[1]
    assert c1.graded == 3
    assert c1.pass_rate == pytest.approx(2 / 3)


def test_fewer_than_three_learners_leave_discrimination_undefined():
    assert all(it.discrimination is None for it in analyse_items(klass({"a": [1], "b": [0]})))


def test_a_parametrized_test_gives_one_item_per_case():
    results = klass({"a": [1, 0, 1], "b": [0, 0, 1], "c": [1, 1, 1]})
    for r in results:  # three outcomes sharing one test name, as a parametrized test gives
        for o in r.outcomes:
            o.check = "same check"
    items = analyse_items(results)
    assert [it.name for it in items] == [f"losses.mse: same check #{i}" for i in (1, 2, 3)]
    assert [it.graded for it in items] == [3, 3, 3]
    assert [it.pass_rate for it in items] == pytest.approx([2 / 3, 1 / 3, 1.0])
