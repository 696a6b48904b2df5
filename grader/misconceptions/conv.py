"""Known-wrong variants of the ``conv`` topic (convolution, padding, pooling, flatten).

Each function has the signature of the learner function it imitates and makes one mistake
learners really make (see lessons/conv.md, "Common mistakes"). For the module-level filters
``HORIZONTAL_EDGE`` / ``VERTICAL_EDGE`` a variant is a function of no arguments that returns the
wrong value.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from grader.misconceptions import mistake

# --- small correct building blocks the variants share (grader side only, never released) ------


def _pad(x: np.ndarray, p: int) -> np.ndarray:
    """Zero-pad the last two axes by p on every side."""
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(p, p), (p, p)])


def _windows(x: np.ndarray, fh: int, fw: int, stride: int) -> np.ndarray:
    """Every fh×fw window of the last two axes at ``stride``: (..., H', W', fh, fw)."""
    w = sliding_window_view(x, (fh, fw), axis=(-2, -1))
    return w[..., ::stride, ::stride, :, :]


def _conv_multi(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, stride: int, padding: int
) -> np.ndarray:
    """Correct multi-channel cross-correlation, (N, C, H, W)·(K, C, fh, fw) → (N, K, H', W')."""
    win = _windows(_pad(x, padding), weight.shape[2], weight.shape[3], stride)
    out = np.einsum("nchwab,kcab->nkhw", win, weight)
    return out if bias is None else out + bias[None, :, None, None]


# --- output sizes --------------------------------------------------------------------------------


@mistake(
    "conv.conv_output_size",
    "output size without the +1",
    hint="Count the filter positions: (n + 2p − f) / s counts the steps between the first and the "
    "last position, and there is one more position than steps.",
)
def conv_output_size_without_plus_one(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    return (n + 2 * padding - f) // stride


@mistake(
    "conv.conv_output_size",
    "padding counted on one side only",
    hint="Padding adds p cells on both sides of the input, so the padded length is n + 2p.",
)
def conv_output_size_padding_once(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    return (n + padding - f) // stride + 1


@mistake(
    "conv.pool_output_size",
    "pool output size without the +1",
    hint="A window fits at offset 0 and then once more per stride step: the count ends in + 1.",
)
def pool_output_size_without_plus_one(n: int, size: int, stride: int) -> int:
    return (n - size) // stride


# --- padding -------------------------------------------------------------------------------------


@mistake(
    "conv.pad2d",
    "padding on one side only",
    hint="p cells go on every side: top and bottom, left and right, so each side grows by 2p.",
)
def pad2d_one_side_only(x: np.ndarray, p: int, mode: str = "zero") -> np.ndarray:
    widths = [(0, 0)] * (x.ndim - 2) + [(0, p), (0, p)]
    return np.pad(x, widths, mode="constant" if mode == "zero" else "edge")


@mistake(
    "conv.pad2d",
    "every axis padded",
    hint="Only height and width (the last two axes) are padded; batch and channel axes keep "
    "their size.",
)
def pad2d_every_axis(x: np.ndarray, p: int, mode: str = "zero") -> np.ndarray:
    return np.pad(x, p, mode="constant" if mode == "zero" else "edge")


@mistake(
    "conv.pad2d",
    "edge mode mirrors instead of repeating",
    hint="'edge' padding repeats the border pixel itself (like torch's 'replicate'); mirroring "
    "the pixels next to it is a different mode ('reflect').",
)
def pad2d_edge_as_reflect(x: np.ndarray, p: int, mode: str = "zero") -> np.ndarray:
    widths = [(0, 0)] * (x.ndim - 2) + [(p, p), (p, p)]
    return np.pad(x, widths, mode="constant" if mode == "zero" else "reflect")


# --- convolution ---------------------------------------------------------------------------------


@mistake(
    "conv.conv2d",
    "true convolution (flipped kernel)",
    hint="Deep-learning libraries compute cross-correlation: the kernel slides over the image "
    "as it is, without being flipped upside down and left to right.",
)
def conv2d_flipped_kernel(
    x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    return _conv_multi(x[None, None], kernel[None, None, ::-1, ::-1], None, stride, padding)[0, 0]


@mistake(
    "conv.conv2d",
    "stride ignored",
    hint="With stride s the filter jumps s cells between positions, so only every s-th window "
    "contributes to the output.",
)
def conv2d_ignores_stride(
    x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    return _conv_multi(x[None, None], kernel[None, None], None, 1, padding)[0, 0]


@mistake(
    "conv.conv2d_multi",
    "bias ignored",
    hint="Each filter k has its own bias, added to every position of output channel k.",
)
def conv2d_multi_without_bias(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    return _conv_multi(x, weight, None, stride, padding)


@mistake(
    "conv.conv2d_multi",
    "true convolution (flipped kernel)",
    hint="Like torch.nn.functional.conv2d, use cross-correlation: do not flip the filters.",
)
def conv2d_multi_flipped_kernel(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    return _conv_multi(x, weight[:, :, ::-1, ::-1], bias, stride, padding)


@mistake(
    "conv.conv2d_multi",
    "channels averaged instead of summed",
    hint="A filter's response is the sum over all input channels of window·filter, not their mean.",
)
def conv2d_multi_averages_channels(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    out = _conv_multi(x, weight, None, stride, padding) / x.shape[1]
    return out + bias[None, :, None, None]


@mistake(
    "conv.conv2d_multi",
    "filter and channel axes of the weight swapped",
    hint="weight has shape (K, C, fh, fw): the first axis picks the output filter, the second the "
    "input channel it is applied to.",
)
def conv2d_multi_weight_axes_swapped(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    return _conv_multi(x, weight.transpose(1, 0, 2, 3), bias, stride, padding)


# --- edge filters --------------------------------------------------------------------------------


@mistake(
    "conv.HORIZONTAL_EDGE",
    "horizontal and vertical filters swapped",
    hint="The horizontal edge filter detects changes from top to bottom: its rows are "
    "1 2 1 / 0 0 0 / −1 −2 −1.",
)
def horizontal_edge_transposed() -> np.ndarray:
    return np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])


@mistake(
    "conv.HORIZONTAL_EDGE",
    "sign flipped",
    hint="Follow the course's sign convention: the positive weights 1 2 1 are in the top row.",
)
def horizontal_edge_sign_flipped() -> np.ndarray:
    return np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])


@mistake(
    "conv.VERTICAL_EDGE",
    "horizontal and vertical filters swapped",
    hint="The vertical edge filter detects changes from left to right: its columns are "
    "1 2 1 / 0 0 0 / −1 −2 −1.",
)
def vertical_edge_transposed() -> np.ndarray:
    return np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])


@mistake(
    "conv.VERTICAL_EDGE",
    "sign flipped",
    hint="Follow the course's sign convention: the positive weights 1 2 1 are in the left column.",
)
def vertical_edge_sign_flipped() -> np.ndarray:
    return np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])


# --- pooling and flatten -------------------------------------------------------------------------


@mistake(
    "conv.max_pool2d",
    "stride 1 by default",
    hint="When stride is None it equals the window size, so the windows do not overlap.",
)
def max_pool2d_stride_one(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    return _windows(x, size, size, 1 if stride is None else stride).max(axis=(-2, -1))


@mistake(
    "conv.avg_pool2d",
    "average pooling takes the maximum",
    hint="Average pooling returns the mean of each window, not its largest value.",
)
def avg_pool2d_takes_max(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    return _windows(x, size, size, size if stride is None else stride).max(axis=(-2, -1))


@mistake(
    "conv.avg_pool2d",
    "stride 1 by default",
    hint="When stride is None it equals the window size, so the windows do not overlap.",
)
def avg_pool2d_stride_one(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    return _windows(x, size, size, 1 if stride is None else stride).mean(axis=(-2, -1))


@mistake(
    "conv.flatten",
    "channels-last order",
    hint="Flatten in row-major order of (C, H, W): all of channel 0 first, then channel 1, ... "
    "(moving the channels to the end first changes the order the dense layer sees).",
)
def flatten_channels_last(x: np.ndarray) -> np.ndarray:
    moved = np.moveaxis(x, 1, -1) if x.ndim > 2 else x
    return moved.reshape(x.shape[0], -1)
