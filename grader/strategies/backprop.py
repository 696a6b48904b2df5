"""backprop: the one-neuron-wide sigmoid chain (drawn, and seeded for the hidden tests; see
:mod:`grader.strategies.forward` for why seeded). MLPs come from :mod:`grader.strategies.forward`.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from grader.strategies.common import float_arrays, float_elements, seeds


@st.composite
def chain_cases(
    draw: st.DrawFn, min_n: int = 1, max_n: int = 8, bound: float = 3.0
) -> tuple[float, np.ndarray, np.ndarray, float]:
    """``(x, ws (n,), bs (n,), y)`` for the one-neuron-wide sigmoid chain; y in [0, 1]."""
    n = draw(st.integers(min_n, max_n))
    x = draw(float_elements(bound))
    ws = draw(float_arrays((n,), bound=bound))
    bs = draw(float_arrays((n,), bound=bound))
    y = draw(st.floats(0.0, 1.0))
    return x, ws, bs, y


@st.composite
def seeded_chain_cases(
    draw: st.DrawFn, min_n: int = 1, max_n: int = 8, bound: float = 3.0
) -> tuple[float, np.ndarray, np.ndarray, float]:
    """``(x, ws (n,), bs (n,), y)`` like :func:`chain_cases`, values from a drawn seed."""
    n = draw(st.integers(min_n, max_n))
    gen = np.random.default_rng(draw(seeds()))
    x, y = float(gen.uniform(-bound, bound)), float(gen.uniform(0.0, 1.0))
    return x, gen.uniform(-bound, bound, n), gen.uniform(-bound, bound, n), y
