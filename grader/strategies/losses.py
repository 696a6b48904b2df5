"""losses: probabilities, probability rows and one-hot rows, and the (y_true, y_pred) pairs of the
regression, binary and categorical losses.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.strategies.common import float_arrays, reusable, shapes, with_kinks


@reusable
def probabilities(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    *,
    include_edges: bool = True,
) -> st.SearchStrategy[np.ndarray]:
    """Arrays in [0, 1] (with exact 0 and 1 when ``include_edges``)."""
    inner = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
    elements = (
        st.one_of(st.sampled_from([0.0, 1.0]), inner, inner)
        if include_edges
        else st.floats(min_value=1e-6, max_value=1 - 1e-6)
    )
    return float_arrays(shape, elements=elements)


@st.composite
def simplex_rows(draw: st.DrawFn, n: int | None = None, c: int | None = None) -> np.ndarray:
    """An (N, C) array whose rows are probability distributions (softmax outputs)."""
    n = draw(st.integers(1, 5)) if n is None else n
    c = draw(st.integers(2, 6)) if c is None else c
    logits = draw(float_arrays((n, c), bound=5.0))
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@st.composite
def one_hot_rows(draw: st.DrawFn, n: int, c: int) -> np.ndarray:
    """An (N, C) one-hot matrix."""
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return np.eye(c)[labels]


@st.composite
def regression_pairs(
    draw: st.DrawFn, bound: float = 10.0, max_dims: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """``(y_true, y_pred)`` of one shape, (N,) or (N, D); some predictions equal their target
    exactly (the kink of MAE) and some residuals are exactly ±1 (Huber's default δ)."""
    shape = draw(shapes(min_dims=1, max_dims=max_dims))
    y_true = draw(float_arrays(shape, bound=bound))
    residual = draw(float_arrays(shape, elements=with_kinks(bound, (0.0, 1.0, -1.0))))
    return y_true, y_true + residual


@st.composite
def binary_pairs(
    draw: st.DrawFn, include_edges: bool = False, soft: bool = False, max_dims: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """``(y_true, y_pred)`` for binary cross-entropy: targets 0/1 (any value in [0, 1] when
    ``soft``), probabilities in [1e-6, 1 − 1e-6] (with exact 0 and 1 when ``include_edges``)."""
    shape = draw(shapes(min_dims=1, max_dims=max_dims))
    if soft:
        y_true = draw(float_arrays(shape, elements=st.floats(0.0, 1.0)))
    else:
        y_true = draw(float_arrays(shape, elements=st.sampled_from([0.0, 1.0])))
    y_pred = draw(probabilities(shape, include_edges=include_edges))
    return y_true, y_pred


@st.composite
def categorical_pairs(
    draw: st.DrawFn, soft: bool = False, include_edges: bool = False, max_n: int = 5, max_c: int = 5
) -> tuple[np.ndarray, np.ndarray]:
    """``(y_true (N, C), y_pred (N, C))`` for categorical cross-entropy: one-hot targets (rows of
    probabilities when ``soft``) and predicted probability rows; with ``include_edges`` some
    prediction rows are one-hot themselves, so they hold exact 0s (also for the true class) and 1s."""
    n = draw(st.integers(1, max_n))
    c = draw(st.integers(2, max_c))
    y_true = draw(simplex_rows(n, c)) if soft else draw(one_hot_rows(n, c))
    y_pred = draw(simplex_rows(n, c))
    if include_edges:
        confident = draw(hnp.arrays(np.bool_, (n,)))
        y_pred[confident] = draw(one_hot_rows(n, c))[confident]
    return y_true, y_pred
