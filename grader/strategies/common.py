"""Building blocks every topic's strategies are made of: dtypes, shapes, bounded finite floats
and arrays, kink values, the ±1000 stability range, named batch sizes, seeds, words.

Conventions:
- ``*_arrays`` strategies return ``np.ndarray``; ``tensors`` wraps one in ``torch.from_numpy``.
- Values are bounded (``|x| <= bound``) and always finite unless a strategy says otherwise.
- ``with_kinks`` mixes in exact zeros (and other kink values) so functions whose derivative
  jumps there are tested exactly at the jump.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

_P = ParamSpec("_P")
_S = TypeVar("_S")

#: distinct calls :func:`reusable` remembers per factory (strategies are small, shapes few)
_REUSABLE_KEPT = 4096


def reusable(factory: Callable[_P, _S]) -> Callable[_P, _S]:
    """A strategy factory memoised on its arguments: one strategy object per distinct call.

    Composites build strategies at every draw from what they drew (``float_arrays((N, T, D))``),
    and hypothesis validates a new strategy object before its first draw: for a failing learner,
    whose test hypothesis runs again at every step of shrinking, rebuilding and revalidating the
    same strategies cost about a tenth of generating the inputs. Hypothesis keeps one object per
    distinct ``st.integers(...)``/``st.floats(...)`` call (its ``cacheable``); this does the same
    for ours. A strategy holds no state between draws, so the examples drawn are the same.
    Arguments are told apart by type (``1`` is not ``1.0``); a call with an unhashable argument
    (a list) builds a new strategy.
    """
    cached = functools.lru_cache(maxsize=_REUSABLE_KEPT, typed=True)(factory)

    @functools.wraps(factory)
    def build(*args: _P.args, **kwargs: _P.kwargs) -> _S:
        try:
            hash((args, tuple(kwargs.items())))
        except TypeError:
            return factory(*args, **kwargs)
        return cached(*args, **kwargs)

    return build


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


@reusable
def shapes(
    min_dims: int = 1, max_dims: int = 3, min_side: int = 1, max_side: int = 6
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes with a bounded number of dimensions and side lengths."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


@reusable
def float_elements(bound: float = 10.0, width: int = 64) -> st.SearchStrategy[float]:
    """Finite floats in ``[-bound, bound]``, representable at ``width`` bits."""
    return st.floats(
        min_value=-bound, max_value=bound, allow_nan=False, allow_infinity=False, width=width
    )


@reusable
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


@reusable
def with_kinks(
    bound: float = 10.0, kinks: Sequence[float] = (0.0,), width: int = 64
) -> st.SearchStrategy[float]:
    """Floats that hit the kink values exactly about a quarter of the time."""
    return st.one_of(
        st.sampled_from(list(kinks)),
        float_elements(bound, width),
        float_elements(bound, width),
        float_elements(bound, width),
    )


@reusable
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


@st.composite
def batch_dims(draw: st.DrawFn, *names: str, low: int = 1, high: int = 5) -> dict[str, int]:
    """A dict of named dimension sizes, e.g. ``batch_dims("N", "D", "K")``."""
    return {name: draw(st.integers(low, high)) for name in names}


def tensors(
    array: np.ndarray, dtype: torch.dtype | None = None, device: str = "cpu"
) -> torch.Tensor:
    """A torch copy of ``array`` (optionally cast), never sharing memory with it."""
    t = torch.from_numpy(np.array(array, copy=True))
    if dtype is not None:
        t = t.to(dtype)
    return t.to(device)


@reusable
def seeds() -> st.SearchStrategy[int]:
    """Seeds for ``np.random.default_rng`` / ``torch.Generator().manual_seed``."""
    return st.integers(min_value=0, max_value=2**32 - 1)


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
