"""Hidden tests: conv. Agreement with the reference on generated problems (strides that do not
divide the input, padding wider than the filter, non-square filters, ties in max pooling), the
notes' worked examples (6×6 with 3×3, the edge filters on one-edge images, 2×2 max pooling of a
4×4 map), 5-D arrays for pad2d and flatten, strides longer than the padded input (one window),
reference-free properties of padding and pooling, and no input modified in place."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.engine.expect import expect_close, reference, to_numpy
from grader.strategies import conv_cases, float_arrays, pool_cases, shapes
from grader.suites import (
    DEFAULTS,
    PURE,
    RAISES,
    assert_pure,
    expect_raises,
    expect_stated_defaults,
    graded,
    params,
)

TOPIC = "conv"


def call(learner, fn, *args, **kwargs):
    """The learner's ``conv.<fn>`` and the reference's on the same inputs: (actual, expected)."""
    return getattr(learner.conv, fn)(*args, **kwargs), reference(TOPIC, fn, *args, **kwargs)


# --- output sizes --------------------------------------------------------------------------------


@st.composite
def size_args(draw):
    n = draw(st.integers(1, 12))
    padding = draw(st.integers(0, 3))
    f = draw(st.integers(1, n + 2 * padding))
    return n, f, padding, draw(st.integers(1, 4))


@graded("conv_output_size", "matches ⌊(n + 2p − f)/s⌋ + 1 for many sizes", points=2)
@given(args=size_args())
def test_conv_output_size_matches_reference(learner, args):
    n, f, padding, stride = args
    expect_close(*call(learner, "conv_output_size", n, f, padding=padding, stride=stride), learner)


@graded("conv_output_size", "the notes' 6×6 with 3×3: 4, with padding 1: 6; padding on both sides")
def test_conv_output_size_examples(learner):
    for n, padding, size in [(5, 2, 7), (6, 0, 4), (6, 1, 6)]:  # 5 + 2·2 − 3 + 1 = 7
        expect_close(learner.conv.conv_output_size(n, 3, padding=padding), size, learner)


#: (n, f, padding, stride) whose stride is longer than the padded input n + 2p: the first window
#: is the only one, ⌊(n + 2p − f)/s⌋ + 1 = 1, and no error is stated; the drawn sizes reach such
#: a stride almost never (n + 2p < 4), so a ValueError of one's own there kept full marks
LONG_STRIDES = [(2, 2, 0, 3), (1, 1, 1, 4), (3, 2, 0, 5)]


@graded("conv_output_size", "a stride longer than the padded input leaves one window", points=0.5)
def test_conv_output_size_stride_past_the_input(learner):
    for n, f, padding, stride in LONG_STRIDES:
        expect_close(
            learner.conv.conv_output_size(n, f, padding=padding, stride=stride), 1, learner
        )


@st.composite
def pool_size_args(draw):
    n = draw(st.integers(1, 12))
    return n, draw(st.integers(1, n)), draw(st.integers(1, 4))


@graded("pool_output_size", "matches ⌊(n − size)/stride⌋ + 1 for many sizes", points=2)
@given(args=pool_size_args())
def test_pool_output_size_matches_reference(learner, args):
    expect_close(*call(learner, "pool_output_size", *args), learner)


@graded("pool_output_size", "a 4×4 map with 2×2 windows at stride 2 gives 2")
def test_pool_output_size_notes_example(learner):
    expect_close(learner.conv.pool_output_size(4, 2, 2), 2, learner)


#: function → (input, what is wrong with it) pairs its docstring says raise ValueError
STATED_ERRORS: dict[str, list[tuple[tuple[Any, ...], str]]] = {
    "conv_output_size": [((2, 5, 1, 1), "a 5-wide filter on a 2-wide input padded by 1")],
    "pool_output_size": [((3, 4, 1), "a 4-wide window on a 3-wide input")],
    "pad2d": [
        ((np.ones((2, 3)), 1, "reflect"), "mode='reflect' (only 'zero' and 'edge' exist)"),
        ((np.ones((2, 3)), 1, "zeros"), "mode='zeros' (a misspelt 'zero')"),
    ],
}


@pytest.mark.parametrize("fn", params(list(STATED_ERRORS), RAISES, 1))
def test_raises_where_its_docstring_says(learner, fn):
    for args, why in STATED_ERRORS[fn]:
        expect_raises(lambda args=args: getattr(learner.conv, fn)(*args), why)


# --- padding -------------------------------------------------------------------------------------


@graded("pad2d", "matches the reference for zero and edge padding of 2-D to 4-D arrays", points=2)
@given(
    x=float_arrays(shapes(min_dims=2, max_dims=4, max_side=4)),
    p=st.integers(0, 3),
    mode=st.sampled_from(["zero", "edge"]),
)
def test_pad2d_matches_reference(learner, x, p, mode):
    expect_close(*call(learner, "pad2d", x, p, mode=mode), learner)


@graded("pad2d", "keeps x in the middle and fills the border with zeros or the nearest cell")
@settings(max_examples=8)
@given(x=float_arrays(shapes(min_dims=2, max_dims=3, max_side=4)), p=st.integers(1, 2))
def test_pad2d_properties(learner, x, p):
    H, W = x.shape[-2:]
    zero = np.asarray(learner.conv.pad2d(x, p), dtype=np.float64)
    assert zero.shape == (*x.shape[:-2], H + 2 * p, W + 2 * p), (
        f"padding {x.shape} by {p} should give {(*x.shape[:-2], H + 2 * p, W + 2 * p)}, "
        f"got {zero.shape}"
    )
    assert np.array_equal(zero[..., p : p + H, p : p + W], x), "x is not unchanged in the middle"
    border = zero.copy()
    border[..., p : p + H, p : p + W] = 0.0
    assert not border.any(), "zero padding must put zeros in every new cell"
    edge = np.asarray(learner.conv.pad2d(x, p, mode="edge"), dtype=np.float64)
    assert edge.shape == zero.shape, "edge padding gives a different shape than zero padding"
    assert np.array_equal(edge[..., :p, p : p + W], np.repeat(x[..., :1, :], p, axis=-2)), (
        "edge padding must repeat the first row above the image"
    )
    assert np.array_equal(edge[..., p : p + H, -p:], np.repeat(x[..., :, -1:], p, axis=-1)), (
        "edge padding must repeat the last column right of the image"
    )


#: more leading axes than the drawn arrays' (at most 4-D): (..., H, W) is any number of them;
#: a pad2d or flatten that lists its pad widths or sizes for 2-D to 4-D arrays kept full marks
FIVE_D = np.arange(2 * 1 * 2 * 3 * 2, dtype=np.float64).reshape(2, 1, 2, 3, 2) % 7 - 3.0


@graded("pad2d", "pads only the last two axes of a 5-D array, zero and edge", points=0.5)
def test_pad2d_five_axes(learner):
    for mode in ("zero", "edge"):
        expect_close(*call(learner, "pad2d", FIVE_D, 2, mode=mode), learner, atol=0)


# --- convolution ---------------------------------------------------------------------------------

# The notes' 6×6 images with one sharp edge (dark above / left, bright below / right).
STEP_DOWN = np.repeat(np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])[:, None], 6, axis=1)
STEP_RIGHT = STEP_DOWN.T.copy()
FILTERS = {
    "HORIZONTAL_EDGE": to_numpy(importlib.import_module("reference.conv").HORIZONTAL_EDGE),
    "VERTICAL_EDGE": to_numpy(importlib.import_module("reference.conv").VERTICAL_EDGE),
}
EDGE_RESPONSE = np.array([0.0, -4.0, -4.0, 0.0])  # rows (horizontal) or columns (vertical)


@graded("conv2d", "matches the reference with strides, padding and non-square kernels", points=3)
@given(case=conv_cases(max_batch=1, max_channels=1, max_filters=1))
def test_conv2d_matches_reference(learner, case):
    x, kernel = case["x"][0, 0], case["weight"][0, 0]
    expect_close(
        *call(learner, "conv2d", x, kernel, stride=case["stride"], padding=case["padding"]),
        learner,
    )


CONV2D_EXAMPLES = [
    (STEP_DOWN, FILTERS["HORIZONTAL_EDGE"], {}),  # rows 0, −4, −4, 0
    (STEP_RIGHT, FILTERS["VERTICAL_EDGE"], {}),  # columns 0, −4, −4, 0
    (
        np.arange(30.0).reshape(5, 6),
        np.array([[2.0, -1.0, 0.0], [1.0, 0.0, 3.0]]),
        {"stride": 2, "padding": 1},
    ),
]


@graded("conv2d", "the notes' edge filters on one-edge images, and a strided example", points=2)
def test_conv2d_examples(learner):
    for x, kernel, kwargs in CONV2D_EXAMPLES:
        expect_close(*call(learner, "conv2d", x, kernel, **kwargs), learner)


#: strides longer than the padded image (2×3 here): the output is the first window alone
LONG_STRIDE_KERNELS = [
    (np.array([[1.0, -2.0], [0.5, 3.0]]), {"stride": 4}),
    (np.array([[2.0, -1.0]]), {"stride": 5, "padding": 1}),
]


@graded("conv2d", "a stride longer than the padded image keeps the first window only", points=0.5)
def test_conv2d_stride_past_the_image(learner):
    x = np.arange(6.0).reshape(2, 3) - 2.0
    for kernel, kwargs in LONG_STRIDE_KERNELS:
        expect_close(*call(learner, "conv2d", x, kernel, **kwargs), learner)


@graded("conv2d_multi", "matches torch.nn.functional.conv2d on generated batches", points=3)
@given(case=conv_cases())
def test_conv2d_multi_matches_reference(learner, case):
    expect_close(
        *call(
            learner,
            "conv2d_multi",
            case["x"],
            case["weight"],
            case["bias"],
            stride=case["stride"],
            padding=case["padding"],
        ),
        learner,
    )


_rng = np.random.default_rng(11)
SQUARE_X = _rng.integers(-3, 4, size=(2, 2, 5, 4)).astype(np.float64)  # (N, C, H, W)
SQUARE_W = _rng.integers(-2, 3, size=(2, 2, 2, 3)).astype(np.float64)  # K = C = 2


@graded("conv2d_multi", "2 channels and 2 asymmetric filters with bias, stride 2, padding 1")
def test_conv2d_multi_example(learner):
    args = (SQUARE_X, SQUARE_W, np.array([1.0, -2.0]))
    expect_close(*call(learner, "conv2d_multi", *args, stride=2, padding=1), learner)


@graded("conv2d_multi", "each filter's bias is added to every position of its output channel")
@settings(max_examples=6)
@given(case=conv_cases(max_side=5))
def test_conv2d_multi_bias_shifts_each_channel(learner, case):
    kwargs = {"stride": case["stride"], "padding": case["padding"]}
    x, weight, bias = case["x"], case["weight"], case["bias"]
    with_bias = np.asarray(learner.conv.conv2d_multi(x, weight, bias, **kwargs), np.float64)
    without = np.asarray(
        learner.conv.conv2d_multi(x, weight, np.zeros_like(bias), **kwargs), np.float64
    )
    assert with_bias.shape == without.shape, "the output shape depends on the bias"
    assert np.allclose(with_bias - without, bias[None, :, None, None], atol=1e-9), (
        "changing bias[k] must shift every value of output channel k by the same amount"
    )


# --- edge filters --------------------------------------------------------------------------------


def _filter_value(learner, name):
    value = getattr(learner.conv, name).value()
    assert value is not None, f"{name} is still None: fill in the 3×3 filter"
    return value


@pytest.mark.parametrize(
    "name", params(list(FILTERS), "is the notes' 3×3 filter, as a float array", 1.0)
)
def test_edge_filter_value(learner, name):
    expect_close(_filter_value(learner, name), FILTERS[name], learner, atol=0)


@pytest.mark.parametrize(
    "name", params(list(FILTERS), "gives the notes' 0, −4, −4, 0 on a one-edge image", 1.0)
)
def test_edge_filter_on_one_edge_image(learner, name):
    value = np.asarray(_filter_value(learner, name), dtype=np.float64)
    assert value.shape == (3, 3), f"{name} should have shape (3, 3), got {value.shape}"
    image = STEP_DOWN if name == "HORIZONTAL_EDGE" else STEP_RIGHT
    response = reference(TOPIC, "conv2d", image, value)
    expected = EDGE_RESPONSE[:, None] if name == "HORIZONTAL_EDGE" else EDGE_RESPONSE[None, :]
    assert np.allclose(response, np.broadcast_to(expected, (4, 4))), (
        f"{name} slid over a 6×6 image with one sharp edge should give "
        f"{'rows' if name == 'HORIZONTAL_EDGE' else 'columns'} of 0, −4, −4, 0; got "
        f"{np.array2string(response, separator=', ')}"
    )


# --- pooling and flatten -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn",
    params(["max_pool2d", "avg_pool2d"], "matches the reference, strides that do not divide", 2.0),
)
@given(case=pool_cases())
def test_pool_matches_reference(learner, fn, case):
    expect_close(*call(learner, fn, case["x"], case["size"], stride=case["stride"]), learner)


@graded("max_pool2d", "windows holding several equal maxima", points=1)
@settings(max_examples=8)
@given(case=pool_cases(ties=True))
def test_max_pool2d_with_ties(learner, case):
    expect_close(
        *call(learner, "max_pool2d", case["x"], case["size"], stride=case["stride"]), learner
    )


NOTES_MAP = np.array(
    [[[[1.0, 5.0, 7.0, 3.0], [2.0, 3.0, 6.0, 5.0], [9.0, 2.0, 1.0, 0.0], [4.0, 7.0, 4.0, 2.0]]]]
)


@graded("max_pool2d", "2×2 max pooling of a 4×4 map gives the 2×2 block maxima", points=1)
def test_max_pool2d_notes_example(learner):
    out = learner.conv.max_pool2d(NOTES_MAP)
    expect_close(out, np.array([[[[5.0, 7.0], [9.0, 4.0]]]]), learner, atol=0)


@graded("avg_pool2d", "2×2 average pooling of a 4×4 map gives the 2×2 block means", points=1)
def test_avg_pool2d_block_means(learner):
    out = learner.conv.avg_pool2d(NOTES_MAP)
    expect_close(out, np.array([[[[2.75, 5.25], [5.5, 1.75]]]]), learner)


@graded("avg_pool2d", "a constant map pools to the same constant", points=1)
@settings(max_examples=6)
@given(case=pool_cases(max_side=6), c=st.floats(-5, 5))
def test_avg_pool2d_of_a_constant(learner, case, c):
    x = np.full_like(case["x"], c)
    out = np.asarray(learner.conv.avg_pool2d(x, case["size"], stride=case["stride"]), np.float64)
    assert np.allclose(out, c, atol=1e-12), "the average of equal values must be that value"


@graded("flatten", "matches the reference for 1-D to 4-D batches", points=1)
@given(x=float_arrays(shapes(min_dims=1, max_dims=4, max_side=4)))
def test_flatten_matches_reference(learner, x):
    expect_close(*call(learner, "flatten", x), learner, atol=0)


@graded("flatten", "(N, C, H, W) → (N, C·H·W), channel by channel, row by row", points=1)
def test_flatten_channel_order(learner):
    x = np.arange(2 * 3 * 2 * 2, dtype=np.float64).reshape(2, 3, 2, 2)
    expect_close(learner.conv.flatten(x), x.reshape(2, 12), learner, atol=0)


@graded("flatten", "(N, ...) with four axes after the batch axis", points=0.5)
def test_flatten_five_axes(learner):
    expect_close(*call(learner, "flatten", FIVE_D), learner, atol=0)


# --- inputs are never modified -------------------------------------------------------------------

X4 = np.arange(2 * 2 * 4 * 4, dtype=np.float64).reshape(2, 2, 4, 4) - 10.0
UNMODIFIED = {
    "pad2d": (X4, 1),
    "conv2d": (X4[0, 0], np.ones((2, 2))),
    "conv2d_multi": (X4, np.ones((3, 2, 2, 2)), np.ones(3)),
    "max_pool2d": (X4,),
    "avg_pool2d": (X4,),
    "flatten": (X4,),
}


@pytest.mark.parametrize("fn", params(list(UNMODIFIED), PURE, 0.5))
def test_does_not_modify_its_inputs(learner, fn):
    getattr(learner.conv, fn)(*UNMODIFIED[fn])
    assert_pure(learner)


_IMAGE = np.arange(30.0).reshape(5, 6) % 7 - 3.0  # (5, 6)
#: required arguments on which each stated default changes the answer (expect_stated_defaults)
DEFAULT_CALLS: dict[str, tuple[Any, ...]] = {
    "conv_output_size": (7, 3),
    "pad2d": (_IMAGE, 1),
    "conv2d": (_IMAGE, np.array([[1.0, 0.0, -1.0], [2.0, 0.5, -2.0]])),
    "conv2d_multi": (
        _IMAGE.reshape(1, 1, 5, 6).repeat(2, axis=1),
        np.arange(12.0).reshape(2, 2, 1, 3) / 10,
        np.array([0.5, -0.5]),
    ),
    "max_pool2d": (_IMAGE.reshape(1, 1, 5, 6),),
    "avg_pool2d": (_IMAGE.reshape(1, 1, 5, 6),),
}


@pytest.mark.parametrize("fn", params(list(DEFAULT_CALLS), DEFAULTS, 0.5))
def test_defaults_are_the_stated_ones(learner, fn):
    expect_stated_defaults(learner, TOPIC, fn, DEFAULT_CALLS[fn])
