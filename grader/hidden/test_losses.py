"""Hidden tests: losses. Agreement with the reference on generated inputs for every reduction and
several delta / eps values, the clipping region of the cross-entropies, the (y_true, y_pred)
argument order, reference-free properties (losses ≥ 0 and 0 at the target, gradients point away
from the target and are gradients of the mean), the notes' worked examples (the two-case form of
binary cross-entropy, the one-hot table), and no input modified in place.

Inputs stay within what each docstring states: the regression losses and binary cross-entropy
take "any shape", so they get arrays of 1 to 4 dimensions (a mean over shape[0]·shape[1] is
caught); categorical cross-entropy takes one-hot targets (N, C), so it gets only those (a
correct answer that reads the true class with argmax keeps its points), while binary
cross-entropy also gets soft targets in [0, 1], which its docstring allows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.engine.expect import Mismatch, expect_close, reference
from grader.strategies import binary_pairs, categorical_pairs, regression_pairs
from grader.suites import DEFAULTS, PURE, assert_pure, expect_stated_defaults, graded, params

TOPIC = "losses"
REGRESSION = ["mse", "mae", "huber"]
REGRESSION_GRADS = ["mse_grad", "mae_grad", "huber_grad"]
CROSS_ENTROPIES = [
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "categorical_cross_entropy",
    "categorical_cross_entropy_grad",
]
#: "none" comes first: a mistake in the per-element losses shows there before a reduction hides
#: it. None leaves the argument out, so the default ("mean") is used.
REDUCTIONS = ("none", "sum", "mean")

#: Examples per hypothesis test: grading every topic must stay within seconds (HIDDEN.md).
REFERENCE_EXAMPLES = 8
PROPERTY_EXAMPLES = 5

#: the regression losses and binary cross-entropy take "any shape": up to 4 dimensions
ANY_SHAPE = 4

reductions = st.sampled_from([*REDUCTIONS, None])
#: 0.75 first: hypothesis shrinks towards it, and residuals it shrinks to (small integers) are then
#: never exactly 2·delta, where the two catalogued Huber mistakes happen to agree.
deltas = st.sampled_from([0.75, None, 1.5, 2.5])
epsilons = st.sampled_from([None, 1e-12, 1e-7, 1e-3])


def hyper(fn: str, data: st.DataObject) -> dict[str, float]:
    """A drawn delta (huber) or eps (cross-entropies); left out (the default) now and then."""
    name, values = ("delta", deltas) if fn.startswith("huber") else ("eps", epsilons)
    if not (fn.startswith("huber") or "cross_entropy" in fn):
        return {}
    value = data.draw(values, label=name)
    return {} if value is None else {name: value}


def fn_of(learner, fn: str):
    return getattr(getattr(learner, TOPIC), fn)


def call_kwargs(reduction: str | None, **kwargs) -> dict:
    """kwargs for a loss call; a reduction of None leaves the argument out (the default, mean)."""
    return dict(kwargs) if reduction is None else {**kwargs, "reduction": reduction}


def expect_reduction(learner, fn: str, y_true, y_pred, reduction: str | None, **kwargs) -> None:
    """The learner's loss agrees with the reference for ``reduction``."""
    kw = call_kwargs(reduction, **kwargs)
    expect_close(
        fn_of(learner, fn)(y_true, y_pred, **kw),
        reference(TOPIC, fn, y_true, y_pred, **kw),
        learner,
    )


def expect_reductions(learner, fn: str, y_true, y_pred, **kwargs) -> None:
    """The learner's loss agrees with the reference for every reduction."""
    for reduction in REDUCTIONS:
        expect_reduction(learner, fn, y_true, y_pred, reduction, **kwargs)


def as_array(value) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


# --- agreement with the reference ------------------------------------------------------------


@pytest.mark.parametrize(
    "fn", params(REGRESSION, "matches the reference (all reductions, several deltas)")
)
@settings(max_examples=REFERENCE_EXAMPLES)
@given(pair=regression_pairs(max_dims=ANY_SHAPE), data=st.data())
def test_regression_loss_matches_reference(learner, fn, pair, data):
    expect_reductions(learner, fn, *pair, **hyper(fn, data))


@pytest.mark.parametrize(
    "fn", params(REGRESSION_GRADS, "matches the reference gradient (and several deltas)")
)
@settings(max_examples=REFERENCE_EXAMPLES)
@given(pair=regression_pairs(max_dims=ANY_SHAPE), data=st.data())
def test_regression_grad_matches_reference(learner, fn, pair, data):
    kw = hyper(fn, data)
    expect_close(fn_of(learner, fn)(*pair, **kw), reference(TOPIC, fn, *pair, **kw), learner)


def draw_cross_entropy_pair(fn: str, data: st.DataObject) -> tuple[np.ndarray, np.ndarray]:
    """Binary: hard or soft targets in any shape; categorical: one-hot targets (N, C), the only
    ones its docstring allows. With or without predictions of exactly 0 and 1 (both drawn, so a
    failure shrinks to hard targets and interior predictions when it shows there too)."""
    if fn.startswith("binary"):
        soft = data.draw(st.booleans(), label="soft targets")
        edges = data.draw(st.booleans(), label="predictions of exactly 0 and 1")
        return data.draw(BINARY_PAIRS[soft, edges], label="(y_true, y_pred)")
    edges = data.draw(st.booleans(), label="predictions of exactly 0 and 1")
    return data.draw(CATEGORICAL_PAIRS[edges], label="(y_true, y_pred)")


#: built once: a strategy built inside a test is validated again for every example
BINARY_PAIRS = {
    (soft, edges): binary_pairs(soft=soft, include_edges=edges, max_dims=ANY_SHAPE)
    for soft in (False, True)
    for edges in (False, True)
}
CATEGORICAL_PAIRS = {edges: categorical_pairs(include_edges=edges) for edges in (False, True)}


CROSS_ENTROPY_CHECK = {
    "binary_cross_entropy": "matches the reference (all reductions, 0/1 and soft targets, several eps)",
    "binary_cross_entropy_grad": "matches the reference gradient (0/1 and soft targets, several eps)",
    "categorical_cross_entropy": "matches the reference (all reductions, one-hot targets, several eps)",
    "categorical_cross_entropy_grad": "matches the reference gradient (one-hot targets, several eps)",
}


@pytest.mark.parametrize(
    "fn",
    [pytest.param(f, marks=graded(f, c, points=2), id=f) for f, c in CROSS_ENTROPY_CHECK.items()],
)
@settings(max_examples=REFERENCE_EXAMPLES)
@given(data=st.data())
def test_cross_entropy_matches_reference(learner, fn, data):
    y_true, y_pred = draw_cross_entropy_pair(fn, data)
    kw = hyper(fn, data)
    if fn.endswith("_grad"):
        expect_close(
            fn_of(learner, fn)(y_true, y_pred, **kw),
            reference(TOPIC, fn, y_true, y_pred, **kw),
            learner,
        )
    else:
        expect_reductions(learner, fn, y_true, y_pred, **kw)


@st.composite
def labelled(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    """(labels (N,) int64, num_classes) with every label < num_classes."""
    num_classes = draw(st.integers(1, 6))
    n = draw(st.integers(1, 6))
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, num_classes - 1)))
    return labels, num_classes


@graded("one_hot", "matches the reference for several label sets and class counts", points=2)
@settings(max_examples=REFERENCE_EXAMPLES)
@given(case=labelled())
def test_one_hot_matches_reference(learner, case):
    labels, num_classes = case
    expect_close(
        learner.losses.one_hot(labels, num_classes),
        reference(TOPIC, "one_hot", labels, num_classes),
        learner,
        atol=0,
    )


# --- fixed examples: reductions on a batch, the clipping region, argument order ---------------

Y_TRUE = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
Y_PRED = Y_TRUE + np.array([[0.5, -2.0], [0.0, 3.0], [-0.25, 1.5]])
B_TRUE = np.array([[1.0, 0.0], [0.0, 1.0], [0.3, 0.8]])
B_PRED = np.array([[0.9, 0.4], [0.2, 0.35], [0.5, 0.6]])
BATCH = {
    "mse": (Y_TRUE, Y_PRED, {}),
    "mae": (Y_TRUE, Y_PRED, {}),
    "huber": (Y_TRUE, Y_PRED, {"delta": 1.5}),
    "binary_cross_entropy": (B_TRUE, B_PRED, {}),
    "categorical_cross_entropy": (
        np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]),
        np.array([[0.2, 0.7, 0.1], [0.3, 0.3, 0.4], [0.6, 0.3, 0.1]]),
        {},
    ),
}


@pytest.mark.parametrize(
    "fn",
    params(
        list(BATCH), 'on a batch of 3: "none", "sum" and "mean" (which averages every term)', 1.0
    ),
)
def test_reductions_on_a_batch(learner, fn):
    y_true, y_pred, kw = BATCH[fn]
    expect_reductions(learner, fn, y_true, y_pred, **kw)


# predictions of exactly 0 and 1, and inside the clipping region (0, eps) and (1 − eps, 1)
EDGE_TRUE = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
EDGE_PRED = np.array([0.0, 1.0, 1.0, 0.0, 1e-4, 0.99995])
CAT_TRUE = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
CAT_PRED = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.49998, 2e-5]])
CLIP = {
    "binary_cross_entropy": (EDGE_TRUE, EDGE_PRED, {"reduction": "none"}),
    "binary_cross_entropy_grad": (EDGE_TRUE, EDGE_PRED, {}),
    "categorical_cross_entropy": (CAT_TRUE, CAT_PRED, {"reduction": "none"}),
    "categorical_cross_entropy_grad": (CAT_TRUE, CAT_PRED, {}),
}


@pytest.mark.parametrize(
    "fn",
    params(CROSS_ENTROPIES, "clips predictions to [eps, 1 − eps]: finite at 0 and 1, any eps", 1.0),
)
@pytest.mark.parametrize("eps", [1e-12, 1e-6, 1e-3])
def test_clips_probabilities(learner, fn, eps):
    y_true, y_pred, kw = CLIP[fn]
    out = fn_of(learner, fn)(y_true, y_pred, eps=eps, **kw)
    expect_close(out, reference(TOPIC, fn, y_true, y_pred, eps=eps, **kw), learner)


# targets and predictions that differ in a way swapping them would show
ORDER = {
    "mse_grad": (np.array([1.0, 2.0, 3.0]), np.array([1.5, 0.0, 3.0]), {}),
    "mae_grad": (np.array([1.0, 2.0, 3.0]), np.array([1.5, 0.0, 3.0]), {}),
    "huber_grad": (np.array([1.0, 2.0, 3.0]), np.array([1.5, 0.0, 3.0]), {}),
    "binary_cross_entropy": (np.array([1.0, 0.0, 1.0]), np.array([0.8, 0.3, 0.6]), {}),
    "binary_cross_entropy_grad": (np.array([1.0, 0.0, 1.0]), np.array([0.8, 0.3, 0.6]), {}),
    "categorical_cross_entropy": (
        CAT_TRUE,
        np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]]),
        {},
    ),
    "categorical_cross_entropy_grad": (
        CAT_TRUE,
        np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]]),
        {},
    ),
}


@pytest.mark.parametrize("fn", params(list(ORDER), "takes (y_true, y_pred) in that order", 0.5))
def test_argument_order(learner, fn):
    y_true, y_pred, kw = ORDER[fn]
    out = fn_of(learner, fn)(y_true, y_pred, **kw)
    try:
        expect_close(out, reference(TOPIC, fn, y_true, y_pred, **kw), learner)
    except Mismatch as exc:
        if exc.diagnosis is None and np.allclose(
            as_array(out), reference(TOPIC, fn, y_pred, y_true, **kw), rtol=1e-6, atol=1e-8
        ):
            raise Mismatch(
                f"{exc} — looks like the arguments were read as (y_pred, y_true); the losses "
                "take the targets first, then the predictions (Keras order)."
            ) from None
        raise


# --- reference-free properties -----------------------------------------------------------------


@pytest.mark.parametrize(
    "fn", params(REGRESSION, "is ≥ 0, and exactly 0 when y_pred equals y_true", 1.0)
)
@settings(max_examples=PROPERTY_EXAMPLES)
@given(pair=regression_pairs(max_dims=ANY_SHAPE), reduction=reductions, data=st.data())
def test_regression_loss_nonnegative_and_zero_at_target(learner, fn, pair, reduction, data):
    y_true, y_pred = pair
    kw = call_kwargs(reduction, **hyper(fn, data))
    loss = as_array(fn_of(learner, fn)(y_true, y_pred, **kw))
    assert np.all(loss >= 0), f"the loss is negative (reduction={reduction!r})"
    at_target = as_array(fn_of(learner, fn)(y_true, y_true.copy(), **kw))
    assert np.all(at_target == 0), (
        f"the loss is not 0 when y_pred equals y_true (reduction={reduction!r})"
    )


@pytest.mark.parametrize(
    "fn", params(REGRESSION_GRADS, "is 0 at the target and has the sign of y_pred − y_true", 1.0)
)
@settings(max_examples=PROPERTY_EXAMPLES)
@given(pair=regression_pairs(max_dims=ANY_SHAPE), data=st.data())
def test_regression_grad_points_away_from_target(learner, fn, pair, data):
    y_true, y_pred = pair
    grad = as_array(fn_of(learner, fn)(y_true, y_pred, **hyper(fn, data)))
    assert grad.shape == y_pred.shape, (
        f"the gradient has shape {grad.shape}, expected {y_pred.shape}"
    )
    assert np.array_equal(np.sign(grad), np.sign(y_pred - y_true)), (
        "the gradient does not have the sign of y_pred − y_true (0 where they are equal): a "
        "prediction that is too large must get a positive gradient"
    )


@graded(
    "binary_cross_entropy_grad",
    "is negative where the target is 1 and positive where it is 0",
    points=1,
)
@settings(max_examples=PROPERTY_EXAMPLES)
@given(pair=binary_pairs(max_dims=ANY_SHAPE))
def test_binary_cross_entropy_grad_points_away_from_target(learner, pair):
    y_true, y_pred = pair
    grad = as_array(learner.losses.binary_cross_entropy_grad(y_true, y_pred))
    assert grad.shape == y_pred.shape, (
        f"the gradient has shape {grad.shape}, expected {y_pred.shape}"
    )
    assert np.all(np.where(y_true == 1, grad < 0, grad > 0)), (
        "the gradient must be negative where the target is 1 (raising p lowers the loss) and "
        "positive where it is 0"
    )


GRAD_TWINS = {
    "mse_grad": regression_pairs(max_dims=ANY_SHAPE),
    "mae_grad": regression_pairs(max_dims=ANY_SHAPE),
    "huber_grad": regression_pairs(max_dims=ANY_SHAPE),
    "binary_cross_entropy_grad": binary_pairs(soft=True, max_dims=ANY_SHAPE),
    "categorical_cross_entropy_grad": categorical_pairs(),
}


@pytest.mark.parametrize(
    "fn",
    params(list(GRAD_TWINS), "is the gradient of the mean: doubling the batch halves it", 1.0),
)
@settings(max_examples=PROPERTY_EXAMPLES)
@given(data=st.data())
def test_grad_is_of_the_mean(learner, fn, data):
    y_true, y_pred = data.draw(GRAD_TWINS[fn], label="pair")
    grad = as_array(fn_of(learner, fn)(y_true, y_pred))
    doubled = as_array(
        fn_of(learner, fn)(np.concatenate([y_true, y_true]), np.concatenate([y_pred, y_pred]))
    )
    assert doubled.shape == (2 * len(y_pred), *y_pred.shape[1:]), (
        f"the gradient of a doubled batch has shape {doubled.shape}"
    )
    half = grad / 2.0
    assert np.allclose(doubled[: len(y_pred)], half, rtol=1e-9, atol=1e-12) and np.allclose(
        doubled[len(y_pred) :], half, rtol=1e-9, atol=1e-12
    ), (
        "with every sample repeated twice the gradient of the mean loss should halve; it did not "
        "(is the 1/N of the mean missing or applied twice?)"
    )


@graded(
    "binary_cross_entropy",
    "the notes' form: −log p where y = 1, −log(1 − p) where y = 0",
    points=1,
)
@settings(max_examples=PROPERTY_EXAMPLES)
@given(pair=binary_pairs(max_dims=ANY_SHAPE))
def test_binary_cross_entropy_two_case_form(learner, pair):
    y_true, y_pred = pair
    per = as_array(learner.losses.binary_cross_entropy(y_true, y_pred, reduction="none"))
    expected = np.where(y_true == 1, -np.log(y_pred), -np.log1p(-y_pred))
    assert per.shape == y_true.shape, (
        f'reduction="none" gave shape {per.shape}, expected {y_true.shape}'
    )
    assert np.allclose(per, expected, rtol=1e-6, atol=1e-9), (
        "a target of 1 must cost −log p and a target of 0 must cost −log(1 − p)"
    )
    mean = float(as_array(learner.losses.binary_cross_entropy(y_true, y_pred)))
    assert np.isclose(mean, expected.mean(), rtol=1e-6, atol=1e-9), (
        "the default reduction must average the per-element losses"
    )


@graded(
    "categorical_cross_entropy",
    "each sample costs −log of the probability of its true class, and the mean averages them",
    points=1,
)
@settings(max_examples=PROPERTY_EXAMPLES)
@given(pair=categorical_pairs())
def test_categorical_cross_entropy_true_class_form(learner, pair):
    y_true, y_pred = pair
    per = as_array(learner.losses.categorical_cross_entropy(y_true, y_pred, reduction="none"))
    expected = -np.log(y_pred[np.arange(len(y_pred)), y_true.argmax(axis=1)])
    assert per.shape == (len(y_true),), (
        f'reduction="none" must give one loss per sample, shape ({len(y_true)},); got {per.shape}'
    )
    assert np.allclose(per, expected, rtol=1e-6, atol=1e-9), (
        "a sample must cost −log of the probability given to its true class"
    )
    mean = float(as_array(learner.losses.categorical_cross_entropy(y_true, y_pred)))
    assert np.isclose(mean, expected.mean(), rtol=1e-6, atol=1e-9), (
        "the default reduction must average the per-sample losses over the N samples"
    )


@graded("categorical_cross_entropy_grad", "is 0 for every class that is not the target", points=1)
@settings(max_examples=PROPERTY_EXAMPLES)
@given(pair=categorical_pairs())
def test_categorical_cross_entropy_grad_zero_off_target(learner, pair):
    y_true, y_pred = pair
    grad = as_array(learner.losses.categorical_cross_entropy_grad(y_true, y_pred))
    assert grad.shape == y_pred.shape, (
        f"the gradient has shape {grad.shape}, expected {y_pred.shape}"
    )
    assert np.all(grad[y_true == 0] == 0), (
        "with a one-hot target only the true class's probability appears in the loss, so the "
        "gradient with respect to every other probability must be 0"
    )
    assert np.all(grad[y_true == 1] < 0), "the gradient for the true class must be negative"


@graded("one_hot", "the notes' example: Good, Bad, Neutral → rows of the identity", points=1)
def test_one_hot_notes_example(learner):
    labels = np.array([0, 1, 2, 1, 0])  # Good, Bad, Neutral, Bad, Good
    expect_close(
        learner.losses.one_hot(labels, 3),
        reference(TOPIC, "one_hot", labels, 3),
        learner,
        atol=0,
    )


@graded("one_hot", "one row per label, a single 1 in the label's column", points=1)
@settings(max_examples=PROPERTY_EXAMPLES)
@given(case=labelled())
def test_one_hot_properties(learner, case):
    labels, num_classes = case
    out = as_array(learner.losses.one_hot(labels, num_classes))
    assert out.shape == (len(labels), num_classes), (
        f"one_hot of {len(labels)} labels and {num_classes} classes must have shape "
        f"({len(labels)}, {num_classes}); got {out.shape}"
    )
    assert np.all((out == 0) | (out == 1)) and np.all(out.sum(axis=1) == 1), (
        "every row must hold a single 1 and 0 elsewhere"
    )
    assert np.array_equal(out.argmax(axis=1), labels), "the 1 of row i must sit in column labels[i]"


# --- no input modified in place -----------------------------------------------------------------

UNTOUCHED = {
    **{fn: (Y_TRUE, Y_PRED) for fn in REGRESSION + REGRESSION_GRADS},
    "binary_cross_entropy": (EDGE_TRUE, EDGE_PRED),
    "binary_cross_entropy_grad": (EDGE_TRUE, EDGE_PRED),
    "categorical_cross_entropy": (CAT_TRUE, CAT_PRED),
    "categorical_cross_entropy_grad": (CAT_TRUE, CAT_PRED),
    "one_hot": (np.array([2, 0, 1]), 3),
}


@pytest.mark.parametrize("fn", params(list(UNTOUCHED), PURE, 0.5))
def test_does_not_modify_its_inputs(learner, fn):
    fn_of(learner, fn)(*UNTOUCHED[fn])
    assert_pure(learner)


_Y = np.array([1.0, -2.0, 0.5, 3.0])
_P = np.array([0.5, 1.0, 0.5, -1.0])  # residuals 0.5, 3, 0, 4: either side of any delta near 1
_LABELS = np.array([1.0, 0.0, 1.0, 0.0])
_PROBS = np.array([0.0, 1.0, 0.7, 0.2])  # exactly 0 and 1 where they count: eps decides
_ONE_HOT = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
_ROWS = np.array([[0.0, 0.5, 0.5], [0.2, 0.8, 0.0]])  # 0 for the true class: eps decides
#: required arguments on which each stated default changes the answer (expect_stated_defaults)
DEFAULT_CALLS: dict[str, tuple[Any, ...]] = {
    "mse": (_Y, _P),
    "mae": (_Y, _P),
    "huber": (_Y, _P),
    "huber_grad": (_Y, _P),
    "binary_cross_entropy": (_LABELS, _PROBS),
    "binary_cross_entropy_grad": (_LABELS, _PROBS),
    "categorical_cross_entropy": (_ONE_HOT, _ROWS),
    "categorical_cross_entropy_grad": (_ONE_HOT, _ROWS),
}


@pytest.mark.parametrize("fn", params(list(DEFAULT_CALLS), DEFAULTS, 0.5))
def test_defaults_are_the_stated_ones(learner, fn):
    expect_stated_defaults(learner, TOPIC, fn, DEFAULT_CALLS[fn])
