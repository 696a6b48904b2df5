# Generated from solutions/conv.py by `gradelab release`.
# Learners: replace each `raise NotImplementedError(...)` with your code.
# Instructors: edit solutions/conv.py instead, then run `gradelab release`.
"""Convolution, padding and pooling (topic ``conv``).

How a convolutional layer sees an image: output sizes, zero and edge padding, sliding a filter
over one channel and over many (with one bias per filter), two hand-made edge filters, max and
average pooling, and flattening feature maps for a dense layer. Arrays are channels-first,
(N, C, H, W), and "convolution" means cross-correlation (the kernel is not flipped), as in every
deep-learning library.

Lesson: lessons/conv.md
"""

from __future__ import annotations

import numpy as np

HORIZONTAL_EDGE = None  # fill in the 3×3 horizontal edge filter (a float array)
"""3×3 horizontal edge filter: rows 1, 2, 1 / 0, 0, 0 / −1, −2, −1 (float array)."""

VERTICAL_EDGE = None  # fill in the 3×3 vertical edge filter (a float array)
"""3×3 vertical edge filter: rows 1, 0, −1 / 2, 0, −2 / 1, 0, −1 (float array)."""


def conv_output_size(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    """Side length of a convolution's output: ⌊(n + 2·padding − f) / stride⌋ + 1.

    With stride 1 this is n + 2p − f + 1: a 6×6 image and a 3×3 filter give 4 (no padding)
    or 6 (padding 1).

    Args:
        n: input side length.
        f: filter side length.
        padding: cells added on each side (so 2·padding in total).
        stride: step between filter positions, ≥ 1.

    Returns:
        The output side length as an int.

    Raises:
        ValueError: if the filter is larger than the padded input (f > n + 2·padding).
    """
    raise NotImplementedError(
        "conv.conv_output_size: check that f fits into n + 2·padding (else raise ValueError), then floor-divide"
    )


def pool_output_size(n: int, size: int, stride: int) -> int:
    """Side length of a pooling layer's output (no padding): ⌊(n − size) / stride⌋ + 1.

    Args:
        n: input side length.
        size: pooling window side length.
        stride: step between windows, ≥ 1.

    Returns:
        The output side length as an int.

    Raises:
        ValueError: if the window is larger than the input.
    """
    raise NotImplementedError(
        "conv.pool_output_size: the same counting as a convolution with no padding; raise ValueError if size > n"
    )


def pad2d(x: np.ndarray, p: int, mode: str = "zero") -> np.ndarray:
    """Pad the last two axes (height and width) of ``x`` by ``p`` cells on every side.

    mode "zero": the new cells are 0. mode "edge": each new cell copies the nearest cell of the
    original border (corners copy the corner pixel). Leading axes (batch, channels) are not padded.

    Args:
        x: array of shape (..., H, W), at least 2-D.
        p: number of cells added on each side, ≥ 0.
        mode: "zero" or "edge".

    Returns:
        A new array of shape (..., H + 2p, W + 2p).

    Raises:
        ValueError: for an unknown mode.
    """
    raise NotImplementedError(
        "conv.pad2d: np.pad with a pad width of 0 for every leading axis and p for the last two"
    )


def conv2d(x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Single-channel 2-D cross-correlation, as deep-learning libraries compute "convolution".

    With xp = x zero-padded by ``padding``:  out[i, j] = Σ_a Σ_b xp[i·s + a, j·s + b] · kernel[a, b].
    The kernel is used as it is (not flipped).

    Args:
        x: image, shape (H, W).
        kernel: filter, shape (fh, fw).
        stride: step s between filter positions, ≥ 1.
        padding: zero cells added on each side, ≥ 0.

    Returns:
        Feature map of shape (H', W'), H' = ⌊(H + 2p − fh)/s⌋ + 1 and likewise W'.
    """
    raise NotImplementedError(
        "conv.conv2d: pad, cut out every fh×fw window the stride visits, multiply each by the kernel and sum"
    )


def conv2d_multi(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """Multi-channel 2-D convolution of a batch, as ``torch.nn.functional.conv2d``.

    With xp = x zero-padded by ``padding`` on height and width:
        out[n, k, i, j] = bias[k] + Σ_c Σ_a Σ_b xp[n, c, i·s + a, j·s + b] · weight[k, c, a, b]
    Each of the K filters spans all C input channels and gives one output channel.

    Args:
        x: batch of images, shape (N, C, H, W).
        weight: K filters, shape (K, C, fh, fw).
        bias: one bias per filter, shape (K,).
        stride: step s between filter positions, ≥ 1.
        padding: zero cells added on each side of H and W, ≥ 0.

    Returns:
        Feature maps of shape (N, K, H', W'), H' = ⌊(H + 2p − fh)/s⌋ + 1 and likewise W'.
    """
    raise NotImplementedError(
        "conv.conv2d_multi: take windows over (H, W) of the padded batch, then sum window·filter over (C, fh, fw)"
    )


def max_pool2d(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling: the largest value of every size×size window of each channel (no padding).

    out[n, c, i, j] = max over a, b < size of x[n, c, i·s + a, j·s + b]. Windows that would run
    past the border are skipped.

    Args:
        x: feature maps, shape (N, C, H, W).
        size: window side length.
        stride: step s between windows; None means s = size (windows do not overlap).

    Returns:
        Pooled maps of shape (N, C, H', W'), H' = ⌊(H − size)/s⌋ + 1 and likewise W'.
    """
    raise NotImplementedError(
        "conv.max_pool2d: the default stride is the window size; take every window's maximum over its two axes"
    )


def avg_pool2d(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Average pooling: the mean of every size×size window of each channel (no padding).

    out[n, c, i, j] = (1/size²) Σ over a, b < size of x[n, c, i·s + a, j·s + b].

    Args:
        x: feature maps, shape (N, C, H, W).
        size: window side length.
        stride: step s between windows; None means s = size (windows do not overlap).

    Returns:
        Pooled maps of shape (N, C, H', W'), H' = ⌊(H − size)/s⌋ + 1 and likewise W'.
    """
    raise NotImplementedError(
        "conv.avg_pool2d: the same windows as max pooling, averaged instead of maximised"
    )


def flatten(x: np.ndarray) -> np.ndarray:
    """Flatten every axis but the first: (N, ...) → (N, product of the other sides).

    Row-major order: for (N, C, H, W) the values come channel by channel, row by row.

    Args:
        x: array of shape (N, ...), at least 1-D.

    Returns:
        A new array of shape (N, −1); an (N,) input gives (N, 1).
    """
    raise NotImplementedError(
        "conv.flatten: keep the batch axis and let reshape work out the rest; return a copy, not a view"
    )
