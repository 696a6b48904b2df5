"""training: linear-regression data from a drawn seed."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from grader.strategies.common import seeds


@st.composite
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
