"""Public cases for conv: output sizes (the notes' 6×6 image with a 3×3 filter, strides that do
not divide), zero and edge padding of 2-D and (N, C, H, W) arrays, single- and multi-channel
cross-correlation with stride and padding, the two edge filters and the notes' one-edge images,
max/average pooling (the notes' 2×2 pooling of a 4×4 map, overlapping windows, ties) and flatten.
"""

from __future__ import annotations

import numpy as np

from grader.cases import case

_rng = np.random.default_rng(2024)

# The notes' 6×6 images with one sharp edge: dark (0) above / left, bright (1) below / right.
# The horizontal filter gives rows 0, −4, −4, 0; the vertical filter gives columns 0, −4, −4, 0.
STEP_DOWN = np.repeat(np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])[:, None], 6, axis=1)  # (6, 6)
STEP_RIGHT = STEP_DOWN.T.copy()  # (6, 6)
EDGE_FILTER_H = np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])
EDGE_FILTER_V = EDGE_FILTER_H.T.copy()

IMAGE_5x5 = np.arange(25.0).reshape(5, 5)  # 0 … 24, row by row
ASYM_KERNEL = np.array([[1.0, 2.0], [0.0, -1.0]])  # not symmetric: flipping it changes results
SMALL_GRID = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # (2, 3)

# Multi-channel: a batch of 2 images with 2 channels each and 2 asymmetric filters (K = C, so
# a weight with its filter and channel axes swapped still has a valid shape).
MULTI_X = _rng.integers(-3, 4, size=(2, 2, 4, 5)).astype(np.float64)  # (N, C, H, W)
MULTI_W = _rng.integers(-2, 3, size=(2, 2, 3, 2)).astype(np.float64)  # (K, C, fh, fw)
MULTI_B = np.array([0.5, -1.0])  # (K,)
MULTI3_X = _rng.normal(size=(1, 3, 5, 5))  # (1, 3, 5, 5)
MULTI3_W = _rng.normal(size=(2, 3, 3, 3))  # (2, 3, 3, 3)

# The notes' pooling example: a 4×4 map whose 2×2 blocks have maxima 5, 7 / 9, 4.
POOL_4x4 = np.array(
    [
        [[[1.0, 5.0, 7.0, 3.0], [2.0, 3.0, 6.0, 5.0], [9.0, 2.0, 1.0, 0.0], [4.0, 7.0, 4.0, 2.0]]],
    ]
)  # (1, 1, 4, 4)
POOL_5x5 = np.arange(50.0).reshape(1, 2, 5, 5) % 7 - 3  # (1, 2, 5, 5), repeating values
TIES = np.array(
    [[[[1.0, 1.0, -2.0, -2.0], [1.0, 1.0, -2.0, -2.0], [0.0, 0.0, 3.0, 3.0]]]]
)  # (1, 1, 3, 4)

FEATURE_MAPS = np.arange(24.0).reshape(2, 3, 2, 2)  # (N=2, C=3, H=2, W=2)

CASES = [
    # --- output sizes ------------------------------------------------------------------------
    case("conv_output_size", 6, 3, note="the notes' 6×6 image and 3×3 filter → 4"),
    case("conv_output_size", 5, 3, padding=2, note="padding 2 on each side: 5 + 4 − 3 + 1 = 7"),
    case("conv_output_size", 6, 3, padding=1, note="the notes' example with padding 1 → 6"),
    case("conv_output_size", 7, 3, padding=0, stride=2, note="7 with f=3, stride 2 → 3"),
    case(
        "conv_output_size",
        8,
        3,
        padding=1,
        stride=3,
        note="stride 3 does not divide 8 + 2·1 − 3: floor the division",
    ),
    case("conv_output_size", 5, 5, note="a filter as large as the input → 1"),
    case("pool_output_size", 4, 2, 2, note="4 with 2×2 windows, stride 2 → 2"),
    case("pool_output_size", 7, 3, 2, note="7 with 3×3 windows, stride 2 → 3"),
    case(
        "pool_output_size", 5, 2, 2, note="stride 2 does not divide 5 − 2: the last row is dropped"
    ),
    case("pool_output_size", 3, 3, 1, note="a window as large as the input → 1"),
    # --- padding -----------------------------------------------------------------------------
    case("pad2d", SMALL_GRID, 1, note="zero padding by 1 of a 2×3 array"),
    case("pad2d", SMALL_GRID, 2, mode="edge", note="edge padding by 2 repeats the border cells"),
    case("pad2d", FEATURE_MAPS[:1], 1, note="(1, 3, 2, 2): only H and W are padded"),
    case("pad2d", SMALL_GRID, 0, mode="edge", note="p = 0 returns the same values"),
    # --- single-channel convolution ---------------------------------------------------------
    case("conv2d", STEP_DOWN, EDGE_FILTER_H, note="the notes' horizontal edge: rows 0, −4, −4, 0"),
    case(
        "conv2d", STEP_RIGHT, EDGE_FILTER_V, note="the notes' vertical edge: columns 0, −4, −4, 0"
    ),
    case("conv2d", STEP_DOWN, EDGE_FILTER_H, padding=1, note="padding 1 keeps the 6×6 size"),
    case("conv2d", IMAGE_5x5, ASYM_KERNEL, note="an asymmetric 2×2 kernel: it is not flipped"),
    case(
        "conv2d",
        IMAGE_5x5,
        ASYM_KERNEL,
        stride=2,
        padding=1,
        note="stride 2 with padding 1 (7 − 2 is not a multiple of 2)",
    ),
    case(
        "conv2d",
        IMAGE_5x5[:, :4],
        np.array([[1.0, -1.0, 2.0]]),
        stride=3,
        note="a 1×3 kernel on a 5×4 image, stride 3",
    ),
    # --- multi-channel convolution -----------------------------------------------------------
    case("conv2d_multi", MULTI_X, MULTI_W, MULTI_B, note="2 images, 2 channels, 2 filters of 3×2"),
    case(
        "conv2d_multi",
        MULTI_X,
        MULTI_W,
        MULTI_B,
        stride=2,
        padding=1,
        note="stride 2 and padding 1 (stride does not divide)",
    ),
    case(
        "conv2d_multi",
        MULTI3_X,
        MULTI3_W,
        np.array([0.1, -0.2]),
        padding=1,
        note="3 channels summed per filter",
    ),
    # --- edge filters ------------------------------------------------------------------------
    case("HORIZONTAL_EDGE", note="the notes' 3×3 horizontal edge filter"),
    case("VERTICAL_EDGE", note="the notes' 3×3 vertical edge filter"),
    # --- pooling -----------------------------------------------------------------------------
    case("max_pool2d", POOL_4x4, note="the notes' 2×2 max pooling of a 4×4 map"),
    case("max_pool2d", POOL_5x5, 3, 2, note="3×3 windows, stride 2, overlapping"),
    case("max_pool2d", TIES, 2, note="windows whose maximum appears several times; 3 rows → 1"),
    case(
        "max_pool2d", POOL_5x5, 2, note="5×5 with 2×2 windows: the last row and column are dropped"
    ),
    case("avg_pool2d", POOL_4x4, note="2×2 average pooling of a 4×4 map"),
    case("avg_pool2d", POOL_5x5, 3, 2, note="3×3 windows, stride 2, overlapping"),
    case("avg_pool2d", POOL_5x5, 2, stride=1, note="stride 1 given explicitly"),
    # --- flatten -----------------------------------------------------------------------------
    case("flatten", FEATURE_MAPS, note="(2, 3, 2, 2) → (2, 12), channel by channel"),
    case("flatten", np.array([1.0, 2.0, 3.0]), note="a 1-D batch (3,) → (3, 1)"),
    case("flatten", FEATURE_MAPS[:1, :2], note="batch size 1: (1, 2, 2, 2) → (1, 8)"),
]
