"""Hidden tests: activations. Agreement with the reference on generated inputs, exact kink values,
stability at ±1000, softmax's properties, and no input modified in place."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.engine.expect import expect_close, reference
from grader.engine.plugin import graded
from grader.strategies import extreme_arrays, float_arrays, shapes, with_kinks

TOPIC = "activations"
ELEMENTWISE = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad"]
WITH_ALPHA = ["leaky_relu", "leaky_relu_grad", "elu", "elu_grad"]
KINKED = {
    "relu": {},
    "relu_grad": {},
    "leaky_relu_grad": {"alpha": 0.2},
    "elu_grad": {"alpha": 0.7},
}
STABLE = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "softmax"]

kinky = float_arrays(shapes(max_dims=2), elements=with_kinks(bound=5.0))
alphas = st.sampled_from([0.01, 0.1, 0.3, 1.0, 1.7])


def params(functions, check, points=2.0):
    return [pytest.param(f, marks=graded(f, check, points=points), id=f) for f in functions]


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


@pytest.mark.parametrize(
    "fn", params(STABLE, "stays finite and correct for inputs up to ±1000", 1.0)
)
@given(x=extreme_arrays(shapes(max_dims=2)))
def test_stable_at_extremes(learner, fn, x):
    # inf/nan where the reference is finite is a mismatch, named when a catalogued overflow matches
    expect_close(getattr(learner.activations, fn)(x), reference(TOPIC, fn, x), learner)


@graded("prelu", "matches the reference with a per-channel alpha", points=2)
@given(data=st.data())
def test_prelu_matches_reference(learner, data):
    x = data.draw(float_arrays(shapes(min_dims=2, max_dims=3), elements=with_kinks(bound=5.0)))
    alpha = data.draw(float_arrays((x.shape[-1],), bound=1.0))
    expect_close(learner.activations.prelu(x, alpha), reference(TOPIC, "prelu", x, alpha), learner)


@graded("prelu_grad", "returns (d/dx, d/dalpha summed to alpha's shape)", points=2)
@given(data=st.data())
def test_prelu_grad_matches_reference(learner, data):
    x = data.draw(float_arrays(shapes(min_dims=2, max_dims=3), elements=with_kinks(bound=5.0)))
    alpha = data.draw(float_arrays((x.shape[-1],), bound=1.0))
    expect_close(
        learner.activations.prelu_grad(x, alpha), reference(TOPIC, "prelu_grad", x, alpha), learner
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


@graded("softmax", "rows sum to 1 and adding a constant changes nothing", points=1)
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


ALL = ELEMENTWISE + WITH_ALPHA + ["softmax"]


@pytest.mark.parametrize("fn", params(ALL, "does not modify its input", 0.5))
def test_does_not_modify_its_input(learner, fn):
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    getattr(learner.activations, fn)(x)
    assert not learner.mutated_inputs(), (
        f"modified its argument {learner.mutated_inputs()[0]} in place"
    )
