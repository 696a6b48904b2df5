"""Hypothesis strategies shared by every test in the project (one module, as in minitorch).

Arrays are drawn as NumPy first and converted where a test needs torch, so the same strategy
feeds the reference tests (torch), the solution tests (NumPy) and, later, the grader.

Conventions:
- ``*_arrays`` strategies return ``np.ndarray``; ``tensors`` wraps one in ``torch.from_numpy``.
- Values are bounded (``|x| <= bound``) and always finite unless a strategy says otherwise.
- ``with_kinks`` mixes in exact zeros (and other kink values) so functions whose derivative
  jumps there are tested exactly at the jump.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

#: torch dtypes the reference must support, with their NumPy twins where one exists.
FLOAT_DTYPES: tuple[torch.dtype, ...] = (torch.float32, torch.float64)
NP_DTYPES: dict[torch.dtype, np.dtype] = {
    torch.float32: np.dtype(np.float32),
    torch.float64: np.dtype(np.float64),
}


def float_dtypes(bfloat16: bool = False) -> st.SearchStrategy[torch.dtype]:
    """float32 / float64 (and bfloat16 when the function makes sense in it)."""
    options = list(FLOAT_DTYPES) + ([torch.bfloat16] if bfloat16 else [])
    return st.sampled_from(options)


def shapes(
    min_dims: int = 1, max_dims: int = 3, min_side: int = 1, max_side: int = 6
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes with a bounded number of dimensions and side lengths."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def float_elements(bound: float = 10.0, width: int = 64) -> st.SearchStrategy[float]:
    """Finite floats in ``[-bound, bound]``, representable at ``width`` bits."""
    return st.floats(
        min_value=-bound, max_value=bound, allow_nan=False, allow_infinity=False, width=width
    )


def float_arrays(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    *,
    dtype: np.dtype | type = np.float64,
    bound: float = 10.0,
    elements: st.SearchStrategy[float] | None = None,
) -> st.SearchStrategy[np.ndarray]:
    """Finite float arrays of ``shape`` (default: :func:`shapes`) with ``|x| <= bound``."""
    dtype = np.dtype(dtype)
    width = 32 if dtype == np.float32 else 64
    return hnp.arrays(
        dtype=dtype,
        shape=shapes() if shape is None else shape,
        elements=elements if elements is not None else float_elements(bound, width),
    )


def with_kinks(
    bound: float = 10.0, kinks: Sequence[float] = (0.0,), width: int = 64
) -> st.SearchStrategy[float]:
    """Floats that hit the kink values exactly about a quarter of the time."""
    return st.one_of(st.sampled_from(list(kinks)), float_elements(bound, width), float_elements(bound, width), float_elements(bound, width))


def extreme_arrays(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    *,
    dtype: np.dtype | type = np.float64,
) -> st.SearchStrategy[np.ndarray]:
    """Arrays whose entries reach ±1000: the curriculum's overflow/stability range."""
    dtype = np.dtype(dtype)
    width = 32 if dtype == np.float32 else 64
    elements = st.one_of(
        st.sampled_from([-1000.0, 1000.0, 0.0, -999.5, 999.5]),
        float_elements(1000.0, width),
    )
    return float_arrays(shape, dtype=dtype, elements=elements)


def probabilities(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    *,
    include_edges: bool = True,
) -> st.SearchStrategy[np.ndarray]:
    """Arrays in [0, 1] (with exact 0 and 1 when ``include_edges``)."""
    inner = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
    elements = st.one_of(st.sampled_from([0.0, 1.0]), inner, inner) if include_edges else st.floats(
        min_value=1e-6, max_value=1 - 1e-6
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
def batch_dims(draw: st.DrawFn, *names: str, low: int = 1, high: int = 5) -> dict[str, int]:
    """A dict of named dimension sizes, e.g. ``batch_dims("N", "D", "K")``."""
    return {name: draw(st.integers(low, high)) for name in names}


def tensors(array: np.ndarray, dtype: torch.dtype | None = None, device: str = "cpu") -> torch.Tensor:
    """A torch copy of ``array`` (optionally cast), never sharing memory with it."""
    t = torch.from_numpy(np.array(array, copy=True))
    if dtype is not None:
        t = t.to(dtype)
    return t.to(device)


def seeds() -> st.SearchStrategy[int]:
    """Seeds for ``np.random.default_rng`` / ``torch.Generator().manual_seed``."""
    return st.integers(min_value=0, max_value=2**32 - 1)


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)


def texts(min_words: int = 0, max_words: int = 60) -> st.SearchStrategy[str]:
    """Whitespace-separated texts of lowercase words (for chunking tests)."""
    return st.lists(words, min_size=min_words, max_size=max_words).map(" ".join)


# --- optimizers and training: quadratic problems and regression data ---------------------------
from hypothesis.strategies import composite as _composite  # noqa: E402


@_composite
def quadratic_problems(
    draw: st.DrawFn, max_dim: int = 6, bound: float = 5.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A convex quadratic L(w) = ½ (w − c)ᵀ A (w − c) with a start point: ``(w0, A, c)``.

    ``A`` is symmetric positive definite with eigenvalues in about [0.1, 3]; ∇L(w) = A (w − c).
    ``w0`` is drawn by hypothesis (|w0| <= bound), ``A`` and ``c`` from a drawn seed.
    """
    d = draw(st.integers(1, max_dim))
    w0 = draw(float_arrays((d,), bound=bound))
    gen = np.random.default_rng(draw(seeds()))
    q, _ = np.linalg.qr(gen.normal(size=(d, d)))
    eig = gen.uniform(0.1, 3.0, size=d)
    A = (q * eig) @ q.T
    A = (A + A.T) / 2
    c = gen.normal(size=d)
    return w0, A, c


@_composite
def regression_data(
    draw: st.DrawFn, min_n: int = 1, max_n: int = 40, max_d: int = 4, noise: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """Linear-regression data ``(x (N, D), y (N,))``: y = x·w* + b* + noise·ε, float64.

    x, w*, b* and ε are standard normal, drawn from a seed hypothesis picks.
    """
    n = draw(st.integers(min_n, max_n))
    d = draw(st.integers(1, max_d))
    gen = np.random.default_rng(draw(seeds()))
    x = gen.normal(size=(n, d))
    y = x @ gen.normal(size=d) + gen.normal() + noise * gen.normal(size=n)
    return x, y
