"""Building blocks every topic's strategies are made of: dtypes, shapes, bounded finite floats
and arrays, kink values, the ±1000 stability range, named batch sizes, seeds, words.

Conventions:
- ``*_arrays`` strategies return ``np.ndarray``; ``tensors`` wraps one in ``torch.from_numpy``.
- Values are bounded (``|x| <= bound``) and always finite unless a strategy says otherwise.
- ``with_kinks`` mixes in exact zeros (and other kink values) so functions whose derivative
  jumps there are tested exactly at the jump; ``wide_kinks`` also reaches magnitudes up to
  hundreds, so a function that is right only near 0 (a ReLU capped at 6, a derivative set to 0
  beyond 5) is caught.
- ``stability_arrays`` reaches ±1000 with slices of large values close to each other, where
  the answer depends on their differences (a softmax that clips its input is caught).
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


@reusable
def wide_kinks(
    bound: float = 5.0, wide: float = 500.0, kinks: Sequence[float] = (0.0,), width: int = 64
) -> st.SearchStrategy[float]:
    """Floats that are mostly small, now and then large: a quarter of them kink values, half in
    ``[-bound, bound]``, a quarter of magnitude between ``bound`` and ``wide``: half of those
    below 4·bound, just past the usual range (tanh′(6) is still 2.5e-5, far above a tolerance),
    half up to ``wide``, every scale as likely as any other (log-uniform) in each. Hypothesis
    shrinks towards the kinks and the small values."""
    return st.one_of(
        st.sampled_from(list(kinks)),
        float_elements(bound, width),
        float_elements(bound, width),
        st.one_of(_magnitudes(bound, 4.0 * bound, width), _magnitudes(bound, wide, width)),
    )


@reusable
def _magnitudes(low: float, high: float, width: int = 64) -> st.SearchStrategy[float]:
    """±m with m log-uniform in [low, high] (rounded to ``width`` bits)."""
    exponents = st.floats(float(np.log2(low)), float(np.log2(high)))
    dtype = np.float32 if width == 32 else np.float64

    def value(sign_exponent: tuple[float, float]) -> float:
        sign, exponent = sign_exponent
        return sign * float(dtype(min(high, max(low, 2.0**exponent))))

    return st.tuples(st.sampled_from([1.0, -1.0]), exponents).map(value)


#: centres of :func:`stability_arrays`' clusters of close values: past exp's overflow (709.78)
#: and underflow, on both sides, with the noise added still inside ±1000
_CLUSTER_CENTRES = (997.0, -997.0, 740.0, -740.0)
#: half-width of a cluster: values differ by O(1), so their softmax is far from uniform
_CLUSTER_NOISE = 3.0


@st.composite
def stability_arrays(
    draw: st.DrawFn,
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    *,
    dtype: np.dtype | type = np.float64,
) -> np.ndarray:
    """Arrays for the ±1000 stability checks: :func:`extreme_arrays`' entries, or every entry
    (or a drawn subset of them) replaced by a cluster of large values close to each other,
    c + noise with |c| in {740, 997} and |noise| <= 3, so each slice of the array holds
    several large entries that differ by O(1) (the noise comes from a drawn seed: hypothesis
    would make many of them equal). A function that overflows there is caught as at ±1000, and
    so is one that avoids the overflow by clipping its input (``np.clip(x, -700, 700)`` makes
    the cluster's values equal, and its softmax uniform)."""
    dtype = np.dtype(dtype)
    x = draw(extreme_arrays(shape, dtype=dtype))
    kind = draw(st.sampled_from(["spread", "clustered", "partly clustered"]))
    if kind == "spread" or x.size == 0:
        return x
    centre = draw(st.sampled_from(_CLUSTER_CENTRES))
    noise = np.random.default_rng(draw(seeds())).uniform(-_CLUSTER_NOISE, _CLUSTER_NOISE, x.shape)
    cluster = (centre + noise).astype(dtype)
    if kind == "clustered":
        return cluster
    where = draw(hnp.arrays(np.bool_, x.shape))
    return np.where(where, cluster, x).astype(dtype)


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
