"""grader/report/mistakes.py: named mistakes counted once per learner, unnamed failures grouped
by the same failed checks and the same kind of wrong value, with one minimal failing call."""

from __future__ import annotations

import pytest

from grader.report.mistakes import find_mistakes, kind_of, most_common
from grader.results import SubmissionResult
from tests.grader.report.synthetic import outcome

VALUES = "output[0] = 2.0, expected 1.0 (max abs error 1, 1 of 3 entries differ)"
SHAPE = "output has shape (3,), expected (1,)"
KEY = "losses.mse/mse_sum_for_mean"


def learner(name: str, *outs) -> SubmissionResult:
    return SubmissionResult(learner=name, content_hash=name, outcomes=list(outs))


def sum_for_mean(check: str) -> object:
    return outcome(
        check, 0, diagnosis=KEY, name="sum instead of mean", message=VALUES, call="mse(1)"
    )


@pytest.mark.parametrize(
    ("status", "message", "kind"),
    [
        ("failed", VALUES, "wrong values"),
        ("failed", SHAPE, "wrong shape"),
        (
            "failed",
            "output[1] = nan, expected 0.5 (max abs error nan, 1 of 2 entries differ)",
            "NaN or inf values",
        ),
        ("failed", "losses.mse raised ValueError: bad (at line 3)", "raises ValueError"),
        ("failed", "output should be a numeric array, got dtype object", "wrong dtype"),
        ("failed", "output should be an array, got list", "wrong type"),
        ("failed", "output should be 3, got 4", "wrong value"),
        ("fault", "losses.mse: timeout: took longer than 10 s", "stopped: timeout"),
        ("failed", "the loss must not be negative", "property violated"),
    ],
)
def test_kind_of_wrong_value_is_read_from_the_failure(status, message, kind):
    assert kind_of(outcome("c", 0, status=status, message=message)) == kind


def test_a_named_mistake_counts_each_learner_once_and_lists_them():
    named, unnamed = find_mistakes(
        [
            learner("bob", sum_for_mean("c0"), sum_for_mean("c1")),
            learner("ann", sum_for_mean("c0")),
            learner("cid", outcome("c0", 1), outcome("c1", 1)),
        ]
    )
    assert [(m.key, m.count, m.learners) for m in named] == [(KEY, 2, ["ann", "bob"])]
    assert named[0].name == "sum instead of mean"
    assert (named[0].topic, named[0].function) == ("losses", "mse")
    assert named[0].example_call == "mse(1)"
    assert unnamed == []


def test_unnamed_failures_group_by_same_checks_and_same_kind_of_wrong_value():
    same = [outcome("c0", 0, message=VALUES, call="mse(x)"), outcome("c1", 0, message=SHAPE)]
    named, unnamed = find_mistakes(
        [
            learner("u1", *same),
            learner("u2", *same),
            learner("u3", outcome("c0", 0, message=SHAPE, call="mse(y)")),  # same check, other kind
            learner("u4", outcome("c0", 0, message=VALUES)),  # c0 alone: another signature
        ]
    )
    assert named == []
    groups = {(tuple(m.learners), m.name) for m in unnamed}
    assert groups == {
        (("u1", "u2"), "c0 (wrong values); c1 (wrong shape)"),
        (("u3",), "c0 (wrong shape)"),
        (("u4",), "c0 (wrong values)"),
    }
    assert unnamed[0].learners == ["u1", "u2"]  # most common first
    assert unnamed[0].example_call == "mse(x)"
    assert unnamed[0].example_message == VALUES


def test_not_implemented_is_no_mistake_and_a_diagnosed_function_is_not_also_unnamed():
    named, unnamed = find_mistakes(
        [
            learner("stub", outcome("c0", 0, status="not_implemented", message="not implemented")),
            learner("bob", sum_for_mean("c0"), outcome("c1", 0, message=SHAPE)),
        ]
    )
    assert [m.learners for m in named] == [["bob"]]
    assert unnamed == []


def test_mistakes_in_different_functions_are_different_groups():
    _, unnamed = find_mistakes(
        [
            learner("a", outcome("c0", 0, message=VALUES)),
            learner("b", outcome("c0", 0, function="mae", message=VALUES)),
        ]
    )
    assert sorted(m.function for m in unnamed) == ["mae", "mse"]


def test_most_common_mixes_named_and_unnamed_by_count():
    named, unnamed = find_mistakes(
        [learner(f"u{i}", outcome("c0", 0, function="mae", message=VALUES)) for i in range(3)]
        + [learner(f"n{i}", sum_for_mean("c0")) for i in range(2)]
    )
    top = most_common(named, unnamed, 5)
    assert [(m.named, m.count) for m in top] == [(False, 3), (True, 2)]
    assert most_common(named, unnamed, 1) == top[:1]


def test_a_topic_that_does_not_import_is_one_mistake_and_a_missing_topic_none():
    broken = "losses.py cannot be imported at line 3: SyntaxError: invalid syntax"
    missing = "no losses.py in the submission: the losses topic scores 0"
    named, unnamed = find_mistakes(
        [
            learner("a", *(outcome("c", 0, function=f, message=broken) for f in ("mse", "mae"))),
            learner("b", outcome("c", 0, function="mse", message=broken)),
            learner("c", *(outcome("c", 0, function=f, message=missing) for f in ("mse", "mae"))),
        ]
    )
    assert named == []
    assert [(m.name, m.function, m.learners) for m in unnamed] == [
        ("losses.py cannot be imported: SyntaxError", "*", ["a", "b"])
    ]


class _CountedId(str):
    """A learner id that counts how often it is compared for equality."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        type(self).compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_find_mistakes_compares_each_learner_a_bounded_number_of_times_not_once_per_classmate():
    """Listing a mistake's learners is linear in the class: the old membership test
    (``learner not in m.learners``) compared every learner with every classmate who made the
    same mistake, 50 s for 10,000 learners; each learner and mistake is now one comparison."""
    n = 400
    results = [
        learner(_CountedId(f"l{i:04d}"), sum_for_mean("agrees"), sum_for_mean("batched"))
        for i in range(n)
    ]
    _CountedId.compared = 0
    named, _ = find_mistakes(results)
    assert named[0].learners == [f"l{i:04d}" for i in range(n)]
    assert _CountedId.compared <= 4 * n
