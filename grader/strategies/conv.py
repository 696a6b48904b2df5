"""conv: convolution and pooling problems (filters that fit the padded input, windows with tied
maxima).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from grader.strategies.common import float_arrays, float_elements, reusable


@reusable
def _conv_values(bound: float, dtype: np.dtype | type, ties: bool) -> st.SearchStrategy[float]:
    """Element strategy for conv/pool inputs: small integers when ``ties`` (so maxima repeat)."""
    if ties:
        return st.sampled_from([-2.0, -1.0, 0.0, 1.0, 2.0])
    return float_elements(bound, 32 if np.dtype(dtype) == np.float32 else 64)


@st.composite
def conv_cases(
    draw: st.DrawFn,
    max_batch: int = 2,
    max_channels: int = 3,
    max_filters: int = 3,
    max_side: int = 8,
    max_kernel: int = 4,
    max_stride: int = 3,
    max_padding: int = 2,
    bound: float = 5.0,
    dtype: np.dtype | type = np.float64,
) -> dict[str, object]:
    """A multi-channel convolution problem whose filter fits the padded input.

    Returns ``{"x": (N, C, H, W), "weight": (K, C, FH, FW), "bias": (K,), "stride", "padding"}``
    (NumPy arrays of ``dtype`` and ints); strides need not divide the input, FH may differ
    from FW, and padding may exceed the filter size.
    """
    N = draw(st.integers(1, max_batch))
    C = draw(st.integers(1, max_channels))
    K = draw(st.integers(1, max_filters))
    H = draw(st.integers(1, max_side))
    W = draw(st.integers(1, max_side))
    padding = draw(st.integers(0, max_padding))
    stride = draw(st.integers(1, max_stride))
    FH = draw(st.integers(1, min(max_kernel, H + 2 * padding)))
    FW = draw(st.integers(1, min(max_kernel, W + 2 * padding)))
    values = _conv_values(bound, dtype, ties=False)
    return {
        "x": draw(float_arrays((N, C, H, W), dtype=dtype, elements=values)),
        "weight": draw(float_arrays((K, C, FH, FW), dtype=dtype, elements=values)),
        "bias": draw(float_arrays((K,), dtype=dtype, elements=values)),
        "stride": stride,
        "padding": padding,
    }


@st.composite
def pool_cases(
    draw: st.DrawFn,
    max_batch: int = 2,
    max_channels: int = 2,
    max_side: int = 8,
    max_size: int = 3,
    max_stride: int = 3,
    ties: bool = False,
    bound: float = 10.0,
    dtype: np.dtype | type = np.float64,
) -> dict[str, object]:
    """A pooling problem: ``{"x": (N, C, H, W), "size": int, "stride": int | None}``.

    H and W are at least ``size``; ``stride`` is None (meaning "= size") about a third of the
    time. With ``ties`` the entries come from {−2, −1, 0, 1, 2}, so windows often hold several
    equal maxima.
    """
    size = draw(st.integers(1, max_size))
    stride = draw(st.one_of(st.none(), st.integers(1, max_stride), st.integers(1, max_stride)))
    shape = (
        draw(st.integers(1, max_batch)),
        draw(st.integers(1, max_channels)),
        draw(st.integers(size, max(size, max_side))),
        draw(st.integers(size, max(size, max_side))),
    )
    x = draw(float_arrays(shape, dtype=dtype, elements=_conv_values(bound, dtype, ties)))
    return {"x": x, "size": size, "stride": stride}
