"""rnn: recurrent-net and LSTM inputs in the Keras layout, and gradient lists for clipping."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from grader.strategies.common import float_arrays, shapes


@st.composite
def rnn_cases(
    draw: st.DrawFn,
    lstm: bool = False,
    max_batch: int = 3,
    min_steps: int = 1,
    max_steps: int = 4,
    max_input: int = 4,
    max_hidden: int = 4,
    bound: float = 2.0,
    weight_bound: float = 1.0,
    dtype: np.dtype | type = np.float64,
) -> dict[str, np.ndarray]:
    """Inputs for the rnn topic, in the course's Keras layout (``x @ W``).

    Always ``x`` (N, T, D), ``x_t`` (N, D) (= x[:, 0] when T ≥ 1, else fresh), ``h0`` (N, H).
    Plain RNN (``lstm=False``): ``Wx`` (D, H), ``Wh`` (H, H), ``b`` (H,).
    LSTM (``lstm=True``): also ``c0`` (N, H), and ``W`` (D, 4H), ``U`` (H, 4H), ``b`` (4H,).
    Inputs and states satisfy |v| <= ``bound``, weights |w| <= ``weight_bound``.
    """
    N = draw(st.integers(1, max_batch))
    T = draw(st.integers(min_steps, max_steps))
    D = draw(st.integers(1, max_input))
    H = draw(st.integers(1, max_hidden))
    G = 4 * H if lstm else H

    def arr(shape: tuple[int, ...], b: float) -> np.ndarray:
        return draw(float_arrays(shape, dtype=dtype, bound=b))

    case = {"x": arr((N, T, D), bound), "h0": arr((N, H), bound)}
    case["x_t"] = case["x"][:, 0].copy() if T else arr((N, D), bound)
    if lstm:
        case["c0"] = arr((N, H), bound)
        case.update(W=arr((D, G), weight_bound), U=arr((H, G), weight_bound))
    else:
        case.update(Wx=arr((D, H), weight_bound), Wh=arr((H, H), weight_bound))
    case["b"] = arr((G,), weight_bound)
    return case


@st.composite
def gradient_lists(
    draw: st.DrawFn,
    min_len: int = 1,
    max_len: int = 4,
    bound: float = 10.0,
    dtype: np.dtype | type = np.float64,
) -> list[np.ndarray]:
    """A list of gradient arrays of mixed shapes (0-d to 3-d), as clip_grad_norm receives."""
    n = draw(st.integers(min_len, max_len))
    return [
        draw(float_arrays(shapes(min_dims=0, max_dims=3, max_side=4), dtype=dtype, bound=bound))
        for _ in range(n)
    ]
