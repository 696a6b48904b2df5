"""Hidden tests: activations. Agreement with the reference on generated inputs (mostly small, with
the kinks, and now and then of magnitude up to hundreds: a ReLU capped at 6 or a derivative set to
0 beyond 5 is caught), exact kink values, stability at ±1000 (with clusters of large, close values,
and along every axis for softmax, with slices spanning −1000 to 1000), the notes' worked example
(σ′ peaks at 0.25 at x = 0), PReLU with one slope per channel and with one shared slope (shape
(1,), a 0-d array or a float), slopes above 1 included, softmax's and its backward pass's
properties, and no input modified in place."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.engine.expect import expect_close, reference
from grader.strategies import float_arrays, shapes, stability_arrays, wide_kinks
from grader.suites import DEFAULTS, PURE, assert_pure, expect_stated_defaults, graded, params

TOPIC = "activations"
ELEMENTWISE = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad"]
WITH_ALPHA = ["leaky_relu", "leaky_relu_grad", "elu", "elu_grad"]
KINKED = {
    "relu": {},
    "relu_grad": {},
    "leaky_relu_grad": {"alpha": 0.2},
    "elu_grad": {"alpha": 0.7},
}
STABLE = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "elu", "softmax"]

#: the docstrings' "any shape" (1-D to 4-D); entries mostly within ±5 with exact kinks, a
#: quarter of magnitude 5 to 500 (half of those below 20)
kinky = float_arrays(shapes(max_dims=4), elements=wide_kinks(bound=5.0, wide=500.0))
alphas = st.sampled_from([0.01, 0.1, 0.3, 1.0, 1.7])
#: (..., C): the docstring's shapes, a single sample (C,) included
channels_last = float_arrays(
    shapes(min_dims=1, max_dims=3), elements=wide_kinks(bound=5.0, wide=500.0)
)


@pytest.mark.parametrize("fn", params(ELEMENTWISE, "matches the reference on random inputs"))
@given(x=kinky)
def test_elementwise_matches_reference(learner, fn, x):
    expect_close(getattr(learner.activations, fn)(x), reference(TOPIC, fn, x), learner)


@pytest.mark.parametrize("fn", params(WITH_ALPHA, "matches the reference for several alphas"))
@given(x=kinky, alpha=alphas)
def test_alpha_family_matches_reference(learner, fn, x, alpha):
    expect_close(
        getattr(learner.activations, fn)(x, alpha=alpha),
        reference(TOPIC, fn, x, alpha=alpha),
        learner,
    )


@pytest.mark.parametrize(
    "fn", params(list(KINKED), "takes the curriculum's value exactly at x = 0", 1.0)
)
def test_value_at_the_kink(learner, fn):
    kwargs = KINKED[fn]
    x = np.array([-1.0, 0.0, 1.0])
    expect_close(
        getattr(learner.activations, fn)(x, **kwargs),
        reference(TOPIC, fn, x, **kwargs),
        learner,
        atol=0,
    )


#: STABLE functions that take an axis: the stability check draws one too (a softmax may shift by
#: the max only along the default axis)
WITH_AXIS = {"softmax"}
#: by whether the function takes an axis
EXTREMES = {
    False: stability_arrays(shapes(max_dims=3)),
    True: stability_arrays(shapes(min_dims=2, max_dims=3)),
}


@pytest.mark.parametrize(
    "fn", params(STABLE, "stays finite and correct for inputs up to ±1000", 1.0)
)
@settings(max_examples=8)
@given(data=st.data())
def test_stable_at_extremes(learner, fn, data):
    # inf/nan where the reference is finite is a mismatch, named when a catalogued overflow matches;
    # a RuntimeWarning fails it too where the function must not warn (expect.WARNING_FREE).
    # Clusters of large, close values (997 ± 3) catch a function that clips its input instead. A
    # function with an axis gets 2-D and 3-D arrays and a drawn axis, often not the last one.
    x = data.draw(EXTREMES[fn in WITH_AXIS], label="x")
    kwargs = {}
    if fn in WITH_AXIS:
        kwargs["axis"] = data.draw(st.integers(-x.ndim, x.ndim - 1), label="axis")
    expect_close(
        getattr(learner.activations, fn)(x, **kwargs), reference(TOPIC, fn, x, **kwargs), learner
    )


#: alpha: one slope per channel (C,), or one shared slope: (1,), a 0-d array or a Python float
#: (the docstring allows each)
PRELU_ALPHA = {
    "per_channel": "a per-channel alpha",
    "shared": "one slope shared by all channels (shape (1,), a 0-d array or a float)",
}
SHARED_FORMS = ("(1,)", "()", "float")
PRELU_FUNCTIONS = {"prelu": "", "prelu_grad": " (d/dx, and d/dalpha summed to alpha's shape)"}


@pytest.mark.parametrize(
    "fn, alpha_kind",
    [
        pytest.param(
            fn,
            kind,
            marks=graded(fn, f"matches the reference with {what}{extra}", points=2),
            id=f"{fn}-{kind}",
        )
        for fn, extra in PRELU_FUNCTIONS.items()
        for kind, what in PRELU_ALPHA.items()
    ],
)
@settings(max_examples=8)
@given(data=st.data())
def test_prelu_matches_reference(learner, fn, alpha_kind, data):
    x = data.draw(channels_last)
    if alpha_kind == "per_channel":
        alpha = data.draw(float_arrays((x.shape[-1],), bound=1.0))
    else:
        form = data.draw(st.sampled_from(SHARED_FORMS), label="alpha's form")
        alpha = data.draw(float_arrays((1,) if form == "(1,)" else (), bound=1.0))
        if form == "float":
            alpha = float(alpha)
    # the reference takes arrays; a float slope has the shape of a 0-d array, (), and so has its
    # gradient
    expect_close(
        getattr(learner.activations, fn)(x, alpha),
        reference(TOPIC, fn, x, np.asarray(alpha, dtype=np.float64)),
        learner,
    )


#: learned slopes are not bounded (the drawn ones lie in [−1, 1]): slopes above 1, where
#: np.maximum(x, alpha·x) is alpha·x for x > 0 instead of x, and a negative one, per channel and
#: shared
PRELU_X = np.array([[-2.0, 0.5, -0.25, 3.0], [1.5, -1.0, 0.0, -4.0], [0.0, 2.0, -3.0, 0.75]])
PRELU_SLOPES = (np.array([1.5, 3.0, -0.5, 2.0]), np.array([2.5]), 1.25)


@pytest.mark.parametrize(
    "fn", params(list(PRELU_FUNCTIONS), "takes slopes above 1 as they are (x for x > 0)", 0.5)
)
def test_prelu_slopes_above_one(learner, fn):
    for alpha in PRELU_SLOPES:
        expect_close(
            getattr(learner.activations, fn)(PRELU_X, alpha),
            reference(TOPIC, fn, PRELU_X, np.asarray(alpha, dtype=np.float64)),
            learner,
        )


@graded("softmax", "matches the reference along any axis", points=2)
@given(data=st.data())
def test_softmax_matches_reference(learner, data):
    x = data.draw(float_arrays(shapes(min_dims=1, max_dims=3), bound=20.0))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    expect_close(
        learner.activations.softmax(x, axis=axis),
        reference(TOPIC, "softmax", x, axis=axis),
        learner,
    )


#: slices spanning −1000 to 1000 (along the last axis, along axis 0, and along axis 1 of a 3-D
#: array): a shift by anything but the max (the mean, the first entry, the min) leaves an exponent
#: near 1000 in one of them, which overflows; the drawn extremes rarely spread a slice that wide
SPREAD = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [-999.5, 0.0, -1000.0]])
SPREAD_CALLS = ((SPREAD, -1), (SPREAD, 0), (SPREAD.T[None], 1))


@graded("softmax", "stays finite when one slice spans −1000 to 1000 (shift by the max)", points=0.5)
def test_softmax_of_widely_spread_slices(learner):
    for x, axis in SPREAD_CALLS:
        expect_close(
            learner.activations.softmax(x, axis=axis),
            reference(TOPIC, "softmax", x, axis=axis),
            learner,
        )


@graded("softmax", "rows sum to 1 and adding a constant changes nothing", points=1)
@settings(max_examples=8)
@given(x=float_arrays(shapes(min_dims=2, max_dims=2), bound=20.0), shift=st.floats(-50, 50))
def test_softmax_properties(learner, x, shift):
    s = np.asarray(learner.activations.softmax(x), dtype=np.float64)
    assert np.allclose(s.sum(axis=-1), 1.0, atol=1e-9), (
        "the probabilities along the axis do not sum to 1"
    )
    shifted = np.asarray(learner.activations.softmax(x + shift), dtype=np.float64)
    assert np.allclose(s, shifted, atol=1e-9), "softmax(x + c) differs from softmax(x)"


@graded("softmax_backward", "matches the reference vector-Jacobian product", points=2)
@given(data=st.data())
def test_softmax_backward_matches_reference(learner, data):
    x = data.draw(float_arrays(shapes(min_dims=1, max_dims=3), bound=5.0))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    g = data.draw(float_arrays(x.shape, bound=5.0))
    s = reference(TOPIC, "softmax", x, axis=axis)
    expect_close(
        learner.activations.softmax_backward(s, g, axis=axis),
        reference(TOPIC, "softmax_backward", s, g, axis=axis),
        learner,
    )


@graded(
    "softmax_backward",
    "sums to 0 along the axis and ignores a constant added to grad_out",
    points=1,
)
@settings(max_examples=8)
@given(data=st.data())
def test_softmax_backward_properties(learner, data):
    # softmax's outputs always sum to 1, so no change of its input can change their sum, and a
    # gradient that is the same for every class moves nothing
    x = data.draw(float_arrays(shapes(min_dims=2, max_dims=2, min_side=2), bound=5.0))
    g = data.draw(float_arrays(x.shape, bound=5.0))
    s = reference(TOPIC, "softmax", x)
    grad = np.asarray(learner.activations.softmax_backward(s, g), dtype=np.float64)
    assert grad.shape == s.shape, f"the result has shape {grad.shape}, expected {s.shape}"
    assert np.allclose(grad.sum(axis=-1), 0.0, atol=1e-9), (
        "the gradient with respect to softmax's input does not sum to 0 along the axis"
    )
    shifted = np.asarray(learner.activations.softmax_backward(s, g + 3.0), dtype=np.float64)
    assert np.allclose(shifted, grad, atol=1e-9), (
        "adding the same constant to every entry of grad_out changed the result"
    )


@graded("sigmoid_grad", "the notes' example: largest value 0.25, reached at x = 0", points=1)
def test_sigmoid_grad_peaks_at_a_quarter(learner):
    x = np.linspace(-6.0, 6.0, 25)  # symmetric, with x = 0 in the middle
    d = np.asarray(learner.activations.sigmoid_grad(x), dtype=np.float64)
    assert d.shape == x.shape, f"the result has shape {d.shape}, expected {x.shape}"
    assert d[12] == 0.25, f"σ′(0) should be exactly 0.25, got {d[12]!r}"
    assert np.all((d > 0) & (d <= 0.25)), "σ′(x) must lie in (0, 0.25] for every x"
    assert np.allclose(d, d[::-1], rtol=1e-9, atol=0), "σ′ must be symmetric: σ′(−x) = σ′(x)"


X = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
S = np.array([[0.1, 0.2, 0.3, 0.25, 0.15]])
UNTOUCHED = {
    **{fn: (X,) for fn in ELEMENTWISE + WITH_ALPHA + ["softmax"]},
    "prelu": (X, np.array([0.25])),
    "prelu_grad": (X, np.array([0.25])),
    "softmax_backward": (S, X),
}


@pytest.mark.parametrize("fn", params(list(UNTOUCHED), PURE, 0.5))
def test_does_not_modify_its_input(learner, fn):
    getattr(learner.activations, fn)(*UNTOUCHED[fn])
    assert_pure(learner)


_MIXED = np.array(
    [[-2.0, -0.5, 0.0, 1.5], [3.0, -1.0, 0.25, -4.0]]
)  # (2, 4): negatives, not square
_CUBE = np.arange(24.0).reshape(2, 3, 4) % 7 - 3.0  # (2, 3, 4)


def _softmax_rows(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


#: required arguments on which each stated default changes the answer (expect_stated_defaults)
DEFAULT_CALLS: dict[str, Any] = {
    "leaky_relu": (_MIXED,),
    "leaky_relu_grad": (_MIXED,),
    "elu": (_MIXED,),
    "elu_grad": (_MIXED,),
    # 2-D and 3-D: a default axis=1 answers alike on 2-D, axis=2 alike on 3-D
    "softmax": [(_MIXED,), (_CUBE,)],
    "softmax_backward": [
        (_softmax_rows(_MIXED), _MIXED[::-1]),
        (_softmax_rows(_CUBE), _CUBE[::-1]),
    ],
}


@pytest.mark.parametrize("fn", params(list(DEFAULT_CALLS), DEFAULTS, 0.5))
def test_defaults_are_the_stated_ones(learner, fn):
    expect_stated_defaults(learner, TOPIC, fn, DEFAULT_CALLS[fn])
