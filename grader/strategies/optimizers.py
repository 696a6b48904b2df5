"""optimizers: convex quadratic problems with a known minimum."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from grader.strategies.common import float_arrays, seeds


@st.composite
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
