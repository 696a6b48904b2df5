"""Hidden tests: backprop. Agreement with the reference on generated layers, networks and sigmoid
chains (under every loss name, also on one-sample batches; chains with pre-activations past ±10
too), gradients that match central differences of the loss computed here, the notes'
vanishing-gradient bound (each sigmoid scales the gradient by at most 0.25), numerical gradients
of f(x) = Σ x³/3 + Σ x² against the exact x² + 2x (at 0-d points too) and of a function of x's
rows (which f must be given in x's shape), and no input modified.

Values come from a seed hypothesis draws (grader.strategies.seeded_*), so a shrunk failing
example stays generic and is named after the mistake that produced it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exercises.tests._handles import build
from grader.engine.expect import Mismatch, diagnose, expect_close, reference, tolerance_for
from grader.engine.proxy import CallRecord, handle
from grader.sandbox.channel import HandleRef
from grader.strategies import (
    seeded_chain_cases,
    seeded_layer_cases,
    seeded_mlp_cases,
    seeds,
)
from grader.suites import (
    DEFAULTS,
    PURE,
    assert_pure,
    expect_stated_defaults,
    graded,
    looks_like,
    params,
)

TOPIC = "backprop"

#: loss name -> (output activation it is used with (None: any), smooth activations for the
#: finite-difference check)
LOSSES: dict[str, str | None] = {
    "mse": None,
    "mae": None,
    "huber": None,
    "binary_cross_entropy": "sigmoid",
    "categorical_cross_entropy": "softmax",
}
SMOOTH = ("linear", "sigmoid", "tanh", "elu")


def targets(loss: str, shape: tuple[int, int], seed: int) -> np.ndarray:
    """y_true for ``loss``: real values, 0/1 labels, or one-hot rows."""
    gen = np.random.default_rng(seed)
    if loss == "binary_cross_entropy":
        return gen.integers(0, 1, shape, endpoint=True).astype(np.float64)
    if loss == "categorical_cross_entropy":
        return np.eye(shape[1])[gen.integers(0, shape[1], shape[0])]
    return gen.uniform(-1.5, 1.5, shape)


def mlp_problem(loss: str, **kwargs: Any) -> st.SearchStrategy:
    """(x, layers, y_true) for ``loss``: its output activation, at least 2 samples."""
    output = LOSSES[loss]
    strategy = seeded_mlp_cases(
        output=output,
        min_batch=2,
        min_output_width=2 if output == "softmax" else 1,
        **kwargs,
    )
    return st.tuples(strategy, seeds()).map(
        lambda c: (*c[0], targets(loss, (len(c[0][0]), c[0][1][-1][0].shape[1]), c[1]))
    )


def _live(value: Any) -> Any:
    if isinstance(value, HandleRef):
        return build(value.name)
    if isinstance(value, list | tuple):
        return type(value)(_live(v) for v in value)
    return value


def expect_close_live(actual: Any, expected: Any, learner: Any, **tolerance: float) -> None:
    """``expect_close`` for calls that pass a handle (f): the diagnosis runs each catalogued
    mistake with the live object the handle names, built here in the trusted process."""
    try:
        expect_close(actual, expected, learner, **tolerance)
    except Mismatch as exc:
        if exc.diagnosis is not None or not learner.session.calls:
            raise
        record = learner.session.calls[-1]
        live = CallRecord(record.topic, record.function, _live(record.args), _live(record.kwargs))
        rtol, atol = tolerance_for(expected)
        mistake = diagnose(actual, live, tolerance.get("rtol", rtol), tolerance.get("atol", atol))
        if mistake is None:
            raise
        raise Mismatch(looks_like(str(exc), mistake), mistake) from None


def mean_loss(loss: str, y_true: np.ndarray, x: np.ndarray, layers: list) -> float:
    """The loss of the network's output, from the reference forward pass and loss."""
    out = reference("forward", "mlp_forward", x, layers)
    return float(reference("losses", loss, y_true, out))


# --- dense_backward ----------------------------------------------------------------------------


@graded("dense_backward", "matches the reference on random shapes", points=2)
@given(problem=seeded_layer_cases(), seed=seeds())
def test_dense_backward_matches_reference(learner, problem, seed):
    x, W, _ = problem
    grad_out = np.random.default_rng(seed).uniform(-2.0, 2.0, (x.shape[0], W.shape[1]))
    expect_close(
        learner.backprop.dense_backward(x, W, grad_out),
        reference(TOPIC, "dense_backward", x, W, grad_out),
        learner,
    )


@graded("dense_backward", "grad_W and grad_b are the slopes of Σ grad_out·y", points=1)
def test_dense_backward_matches_finite_differences(learner):
    # L(x, W, b) = Σ g ⊙ (x @ W + b) is linear, so central differences are exact up to rounding
    gen = np.random.default_rng(11)
    x, W, b, g = (gen.normal(size=s) for s in [(3, 2), (2, 4), (4,), (3, 4)])

    def loss(x_, W_, b_):
        return float((g * (x_ @ W_ + b_)).sum())

    def slope(arr, i, fn):
        up, down = arr.copy(), arr.copy()
        up.flat[i] += 1e-3
        down.flat[i] -= 1e-3
        return (fn(up) - fn(down)) / 2e-3

    want = [
        np.array([slope(x, i, lambda v: loss(v, W, b)) for i in range(x.size)]).reshape(x.shape),
        np.array([slope(W, i, lambda v: loss(x, v, b)) for i in range(W.size)]).reshape(W.shape),
        np.array([slope(b, i, lambda v: loss(x, W, v)) for i in range(b.size)]),
    ]
    got = learner.backprop.dense_backward(x, W, g)
    expect_close(got, tuple(want), learner, rtol=1e-6, atol=1e-8)


# --- mlp_backward ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "loss",
    [
        pytest.param(
            name,
            marks=graded("mlp_backward", f"matches the reference under the {name} loss", points=1),
            id=name,
        )
        for name in LOSSES
    ],
)
@settings(max_examples=8)
@given(data=st.data())
def test_mlp_backward_matches_reference(learner, loss, data):
    x, layers, y = data.draw(mlp_problem(loss))
    expect_close(
        learner.backprop.mlp_backward(x, layers, y, loss=loss),
        reference(TOPIC, "mlp_backward", x, layers, y, loss=loss),
        learner,
    )


@graded("mlp_backward", "gradients match central differences of the mean loss", points=2)
@settings(max_examples=4)
@given(data=st.data())
def test_mlp_backward_matches_finite_differences(learner, data):
    loss = data.draw(st.sampled_from(["mse", "binary_cross_entropy", "categorical_cross_entropy"]))
    x, layers, y = data.draw(mlp_problem(loss, max_layers=2, max_width=3, activations=SMOOTH))
    grads = learner.backprop.mlp_backward(x, layers, y, loss=loss)
    assert len(grads) == len(layers), (
        f"expected one (grad_W, grad_b) pair per layer ({len(layers)}), got {len(grads)}"
    )
    h = 1e-6
    for i, (W, b, _) in enumerate(layers):
        for j, param in enumerate((W, b)):
            numeric = np.zeros(param.shape)
            for idx in np.ndindex(param.shape):
                shifted = []
                for step in (h, -h):
                    p = param.copy()
                    p[idx] += step
                    trial = [list(layer) for layer in layers]
                    trial[i][j] = p
                    shifted.append(mean_loss(loss, y, x, [tuple(t) for t in trial]))
                numeric[idx] = (shifted[0] - shifted[1]) / (2 * h)
            got = np.asarray(grads[i][j], dtype=np.float64)
            what = f"layers[{i}]'s grad_{'W' if j == 0 else 'b'}"
            assert got.shape == param.shape, f"{what} has shape {got.shape}, expected {param.shape}"
            assert np.allclose(got, numeric, rtol=1e-4, atol=1e-6), (
                f"{what} differs from the slope of the mean {loss} loss (central differences): "
                f"max abs difference {np.abs(got - numeric).max():.3g}"
            )


MLP_X = np.array([[1.0, -0.5], [0.0, 2.0], [-1.0, 1.0]])
HIDDEN = (np.array([[0.5, -1.0, 0.25], [1.0, 0.5, -0.75]]), np.array([0.0, 0.1, -0.2]))
OUT = (np.array([[1.0, -0.5], [0.3, 0.8], [-0.6, 0.4]]), np.array([0.05, -0.1]))
WORKED = [
    ("sigmoid", "linear", "mse", np.array([[0.5, -1.0], [1.0, 0.0], [-0.5, 2.0]])),
    ("tanh", "softmax", "categorical_cross_entropy", np.array([[1.0, 0], [0, 1.0], [0, 1.0]])),
    ("relu", "sigmoid", "binary_cross_entropy", np.array([[1.0, 0], [0, 1.0], [1.0, 1.0]])),
]


@graded("mlp_backward", "sigmoid, tanh, softmax layers under mse and cross-entropies", points=1)
def test_mlp_backward_fixed_networks(learner):
    for hidden, output, loss, y in WORKED:
        layers = [(*HIDDEN, hidden), (*OUT, output)]
        expect_close(
            learner.backprop.mlp_backward(MLP_X, layers, y, loss=loss),
            reference(TOPIC, "mlp_backward", MLP_X, layers, y, loss=loss),
            learner,
        )


#: one-sample batches of the fixed networks: every generated problem has at least 2 samples
#: (mlp_problem), so a backward pass that special-cases N = 1 (a single sample's δ kept as its
#: bias gradient, shape (1, D)) kept full marks. The leaky_relu network's sample, MLP_X[0], has
#: a pre-activation of exactly 0 (its first hidden unit): leaky_relu′(0) = α, not 1 (relu′(0) = 0
#: is held by the same sample in the fixed networks)
ONE_SAMPLE = [
    *WORKED,
    ("leaky_relu", "elu", "mae", np.array([[0.5, -1.0], [1.0, 0.0], [-0.5, 2.0]])),
    ("elu", "tanh", "huber", np.array([[0.5, -1.0], [1.0, 0.0], [-0.5, 2.0]])),
]


@graded("mlp_backward", "a batch of one sample: the same gradients, the same shapes", points=0.5)
def test_mlp_backward_one_sample(learner):
    for n, (hidden, output, loss, y) in enumerate(ONE_SAMPLE):
        x, y = MLP_X[n % 3 : n % 3 + 1], y[n % 3 : n % 3 + 1]
        layers = [(*HIDDEN, hidden), (*OUT, output)]
        expect_close(
            learner.backprop.mlp_backward(x, layers, y, loss=loss),
            reference(TOPIC, "mlp_backward", x, layers, y, loss=loss),
            learner,
        )


# --- chain_forward, chain_backward ---------------------------------------------------------------


#: weights, biases and x in [−3, 3], or (half the examples) in [−30, 30], where pre-activations
#: go far past ±10 (a chain that clips them is caught); failures shrink to the first when they can
chains = st.one_of(seeded_chain_cases(), seeded_chain_cases(bound=30.0))


@graded("chain_forward", "matches the reference on random chains", points=2)
@given(case=chains)
def test_chain_forward_matches_reference(learner, case):
    x, ws, bs, _ = case
    expect_close(
        learner.backprop.chain_forward(x, ws, bs),
        reference(TOPIC, "chain_forward", x, ws, bs),
        learner,
    )


@graded("chain_forward", "every output is a sigmoid value in (0, 1)", points=1)
@settings(max_examples=6)
@given(case=seeded_chain_cases(bound=2.0))
def test_chain_forward_outputs_in_unit_interval(learner, case):
    x, ws, bs, _ = case
    out = np.asarray(learner.backprop.chain_forward(x, ws, bs), dtype=np.float64)
    assert out.shape == ws.shape, (
        f"expected one output per neuron, shape {ws.shape}, got {out.shape}"
    )
    assert ((out > 0) & (out < 1)).all(), (
        "an output lies outside (0, 1), but every o_k = σ(w_k·o_(k−1) + b_k) is a sigmoid value"
    )


@graded("chain_backward", "matches the reference on random chains", points=2)
@given(case=seeded_chain_cases())
def test_chain_backward_matches_reference(learner, case):
    expect_close(
        learner.backprop.chain_backward(*case), reference(TOPIC, "chain_backward", *case), learner
    )


@graded("chain_backward", "matches central differences of ½(y − o_n)²", points=1)
@settings(max_examples=6)
@given(case=seeded_chain_cases(max_n=5))
def test_chain_backward_matches_finite_differences(learner, case):
    x, ws, bs, y = case

    def loss(w: np.ndarray, b: np.ndarray) -> float:
        o = x
        for wk, bk in zip(w, b, strict=True):
            o = 1.0 / (1.0 + np.exp(-(wk * o + bk)))
        return 0.5 * (y - o) ** 2

    h = 1e-6
    eye = np.eye(len(ws)) * h
    numeric_w = np.array([(loss(ws + e, bs) - loss(ws - e, bs)) / (2 * h) for e in eye])
    numeric_b = np.array([(loss(ws, bs + e) - loss(ws, bs - e)) / (2 * h) for e in eye])
    grad_w, grad_b = (
        np.asarray(g, dtype=np.float64) for g in learner.backprop.chain_backward(*case)
    )
    assert np.allclose(grad_b, numeric_b, rtol=1e-4, atol=1e-8), (
        "dL/db differs from the slope of ½(y − o_n)² (central differences)"
    )
    assert np.allclose(grad_w, numeric_w, rtol=1e-4, atol=1e-8), (
        "dL/dw differs from the slope of ½(y − o_n)² (central differences)"
    )


@graded("chain_backward", "the vanishing gradient: each sigmoid scales it by ≤ 0.25", points=1)
@settings(max_examples=6)
@given(n=st.integers(2, 10), x=st.floats(-1.0, 1.0), y=st.floats(0.0, 1.0))
def test_chain_backward_vanishing_gradient(learner, n, x, y):
    # the notes' example: weights of size ≤ 1, so going back through a neuron multiplies the
    # gradient by |w|·σ′ ≤ 0.25: |∂L/∂b_k| ≤ 0.25^(n − k + 1)·|o_n − y|
    ws, bs = np.linspace(1.0, -1.0, n), np.linspace(-0.5, 0.5, n)
    o_n = reference(TOPIC, "chain_forward", x, ws, bs)[-1]
    _, grad_b = learner.backprop.chain_backward(x, ws, bs, y)
    bound = 0.25 ** np.arange(n, 0, -1) * abs(o_n - y)
    worst = int(np.argmax(np.abs(grad_b) - bound))
    assert (np.abs(grad_b) <= bound * (1 + 1e-9) + 1e-15).all(), (
        f"|dL/db_{worst + 1}| = {abs(grad_b[worst]):.3g} exceeds 0.25^{n - worst}·|o_n − y| = "
        f"{bound[worst]:.3g}: each sigmoid's slope σ′ = o(1 − o) is at most 0.25"
    )


# --- numerical_gradient ------------------------------------------------------------------------

square_sum = build("square_sum")  # f(x) = Σ x³/3 + Σ x², ∇f = x² + 2x
# the same of the row sums s = x.sum(-1): ∇f = s² + 2s along each row; called on x flattened, it
# is the same of the one total, another function
row_square_sum = build("row_square_sum")
STEPS = st.sampled_from([1e-2, 1e-3, 1e-4, 1e-5])


@st.composite
def points(draw: st.DrawFn) -> np.ndarray:
    shape = draw(st.sampled_from([(1,), (3,), (2, 2), (2, 3), (1, 2, 2)]))
    return np.random.default_rng(draw(seeds())).uniform(-3.0, 3.0, shape)


@graded("numerical_gradient", "matches the reference for several steps h", points=2)
@settings(max_examples=8)
@given(x=points(), h=STEPS)
def test_numerical_gradient_matches_reference(learner, x, h):
    expect_close_live(
        learner.backprop.numerical_gradient(handle("square_sum"), x, h=h),
        reference(TOPIC, "numerical_gradient", square_sum, x, h=h),
        learner,
    )


@graded("numerical_gradient", "is within h²/3 of the exact gradient x² + 2x", points=1)
@settings(max_examples=6)
@given(x=points(), h=st.sampled_from([1e-2, 3e-2]))
def test_numerical_gradient_error_is_second_order(learner, x, h):
    # for this cubic f the central difference is off by exactly h²/3 in every entry; a one-sided
    # difference is off by about h·(x + 1)
    got = np.asarray(learner.backprop.numerical_gradient(handle("square_sum"), x, h=h))
    assert got.shape == x.shape, (
        f"the gradient should have the shape of x, {x.shape}, got {got.shape}"
    )
    error = np.abs(got - (x**2 + 2 * x))
    assert (error <= h * h / 3 + 1e-9).all(), (
        f"with h = {h} the estimate is {error.max():.3g} away from the exact gradient; central "
        f"differences are within h²/3 = {h * h / 3:.3g} for this f"
    )


@st.composite
def shaped_points(draw: st.DrawFn) -> np.ndarray:
    """Points of several rows, each of several entries: where a function of the rows of x
    differs from the same function of x flattened."""
    shape = draw(st.sampled_from([(2, 2), (2, 3), (3, 2), (2, 1, 3), (2, 2, 2)]))
    return np.random.default_rng(draw(seeds())).uniform(-2.0, 2.0, shape)


@graded(
    "numerical_gradient",
    "gives f arrays of x's shape (f of the row sums of x, 2-D and 3-D)",
    points=0.5,
)
@settings(max_examples=6)
@given(x=shaped_points(), h=STEPS)
def test_numerical_gradient_calls_f_with_the_shape_of_x(learner, x, h):
    # the docstring's f "maps an array shaped like x to a number": a layer's loss as a function of
    # its weight matrix, say, is not a function of the flattened weights
    expect_close_live(
        learner.backprop.numerical_gradient(handle("row_square_sum"), x, h=h),
        reference(TOPIC, "numerical_gradient", row_square_sum, x, h=h),
        learner,
    )


#: 0-d points ("x: the point, any shape"): the drawn points have one to three axes, so an
#: estimate that makes x at least 1-D (np.atleast_1d, ndmin=1) returned (1,) for () and kept
#: full marks
ZERO_D_POINTS = [np.array(-1.25), np.array(0.5), np.array(2.0)]


@graded("numerical_gradient", "at a 0-d point the gradient is 0-d too (x of any shape)", points=0.5)
def test_numerical_gradient_at_a_0d_point(learner):
    for x in ZERO_D_POINTS:
        expect_close_live(
            learner.backprop.numerical_gradient(handle("square_sum"), x, h=1e-3),
            reference(TOPIC, "numerical_gradient", square_sum, x, h=1e-3),
            learner,
        )


# --- inputs are never modified -------------------------------------------------------------------

INPUTS = {
    "dense_backward": (np.ones((2, 3)), np.ones((3, 2)), np.ones((2, 2))),
    "mlp_backward": (MLP_X, [(*HIDDEN, "sigmoid"), (*OUT, "linear")], np.ones((3, 2))),
    "chain_forward": (0.5, np.array([1.0, -1.0]), np.array([0.0, 0.5])),
    "chain_backward": (0.5, np.array([1.0, -1.0]), np.array([0.0, 0.5]), 1.0),
    "numerical_gradient": (handle("square_sum"), np.array([[1.0, -2.0, 0.5]])),
}


@pytest.mark.parametrize(
    "fn",
    [pytest.param(f, marks=graded(f, PURE, points=0.5), id=f) for f in INPUTS],
)
def test_does_not_modify_its_inputs(learner, fn):
    getattr(learner.backprop, fn)(*INPUTS[fn])
    assert_pure(learner)


#: required arguments on which each stated default changes the answer (expect_stated_defaults)
DEFAULT_CALLS: dict[str, tuple[Any, ...]] = {
    "mlp_backward": INPUTS["mlp_backward"],  # the loss: mse and the others differ
    "numerical_gradient": INPUTS["numerical_gradient"],  # h: other steps round otherwise
}


@pytest.mark.parametrize("fn", params(list(DEFAULT_CALLS), DEFAULTS, 0.5))
def test_defaults_are_the_stated_ones(learner, fn):
    expect_stated_defaults(learner, TOPIC, fn, DEFAULT_CALLS[fn])
