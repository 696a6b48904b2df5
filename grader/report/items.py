"""Item analysis: how each hidden test behaved across the class.

For item *i* (one hidden test) and the learners graded on it, with x_i a learner's points on the
item and T the learner's total over every item:

- pass rate p_i = (learners who passed i) / (learners graded on i);
- mean points = mean(x_i);
- discrimination r_i = corr(x_i, T − x_i), the *corrected item-total correlation*: Pearson's
  correlation of the item's points with the rest of the learner's score, so the item is not
  correlated with itself. Undefined (blank) when either side has no variance: an item everyone
  passes (or fails), or fewer than three learners.

Flags point an instructor at a test that may be broken or too easy: nobody fails it, nobody
passes it, or it discriminates badly: r_i < 0 (strong learners fail it more than weak ones), or
r_i < 0.2 unless p_i > 0.95 (an item nearly everyone passes cannot correlate much).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from grader.results import SubmissionResult, TestOutcome

LOW_DISCRIMINATION = 0.2
EASY_PASS_RATE = 0.95


@dataclass
class Item:
    """One hidden test's statistics over the class."""

    name: str  # "<topic>.<function>: <check>", numbered when a test is parametrized
    topic: str
    function: str
    points: float  # the item's maximum
    graded: int  # learners graded on it
    pass_rate: float
    mean_points: float
    discrimination: float | None  # None when undefined
    flags: list[str] = field(default_factory=list)


def discrimination(item: np.ndarray, totals: np.ndarray) -> float | None:
    """corr(item, totals − item) over learners, or None when undefined (no variance, n < 3)."""
    rest = totals - item
    if item.size < 3 or np.ptp(item) == 0 or np.ptp(rest) == 0:
        return None
    return float(np.corrcoef(item, rest)[0, 1])


def flags_for(pass_rate: float, r: float | None) -> list[str]:
    """The reasons an instructor should look at an item (empty when none)."""
    flags = []
    if pass_rate == 1.0:
        flags.append("nobody fails")
    if pass_rate == 0.0:
        flags.append("nobody passes")
    if r is not None and r < 0:
        flags.append("negative discrimination")
    elif r is not None and r < LOW_DISCRIMINATION and pass_rate <= EASY_PASS_RATE:
        flags.append("low discrimination")
    return flags


def item_names(outcomes: list[TestOutcome]) -> list[str]:
    """Each outcome's item name: its test name, numbered ``#1``, ``#2``… when a parametrized
    test gives several outcomes of the same name (in the suite's order, the same for everyone)."""
    totals = Counter(o.name for o in outcomes)
    seen: Counter[str] = Counter()
    names = []
    for o in outcomes:
        seen[o.name] += 1
        names.append(o.name if totals[o.name] == 1 else f"{o.name} #{seen[o.name]}")
    return names


def analyse_items(results: list[SubmissionResult]) -> list[Item]:
    """One :class:`Item` per hidden test any learner was graded on, in grading order."""
    totals = {r.learner: r.score for r in results}
    per_item: dict[str, list[tuple[str, float, bool]]] = {}
    meta: dict[str, tuple[str, str, float]] = {}
    for r in results:
        for name, o in zip(item_names(r.outcomes), r.outcomes, strict=True):
            per_item.setdefault(name, []).append((r.learner, o.points, o.status == "passed"))
            top = max(o.max_points, meta.get(name, ("", "", 0.0))[2])
            meta[name] = (o.topic, o.function, top)
    items = []
    for name, rows in per_item.items():
        points = np.array([p for _, p, _ in rows], dtype=float)
        learner_totals = np.array([totals[learner] for learner, _, _ in rows], dtype=float)
        pass_rate = sum(passed for _, _, passed in rows) / len(rows)
        r = discrimination(points, learner_totals)
        topic, function, top = meta[name]
        items.append(
            Item(
                name=name,
                topic=topic,
                function=function,
                points=top,
                graded=len(rows),
                pass_rate=pass_rate,
                mean_points=float(points.mean()),
                discrimination=r,
                flags=flags_for(pass_rate, r),
            )
        )
    return items
