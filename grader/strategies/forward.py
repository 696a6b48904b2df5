"""forward: MLPs in the Keras layout, exact (dyadic) perceptron data, linearly separable sets,
and the hidden tests' seeded layers, MLPs and perceptron problems.

The ``seeded_*`` strategies: hypothesis shrinks drawn values towards 0 and 1, where different wrong
answers can coincide (x @ W and (x + b) @ W agree once b @ W = 0). There hypothesis draws the
shapes, names and a seed; the values come from np.random.default_rng(seed), so a shrunk example
stays generic and a failure is named after the mistake that caused it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.strategies.common import float_arrays, reusable, seeds

#: Activation names of ``forward.mlp_forward`` / ``backprop.mlp_backward``.
MLP_ACTIVATIONS: tuple[str, ...] = (
    "linear",
    "relu",
    "sigmoid",
    "tanh",
    "leaky_relu",
    "elu",
    "softmax",
)


@st.composite
def mlp_cases(
    draw: st.DrawFn,
    hidden: str | None = None,
    output: str | None = None,
    min_layers: int = 1,
    max_layers: int = 3,
    max_batch: int = 4,
    max_width: int = 5,
    bound: float = 2.0,
    weight_bound: float = 1.0,
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, str]]]:
    """``(x (N, D_0), layers)`` for an MLP in the Keras layout, NumPy float64.

    ``layers`` is a list of ``(W (D_{l-1}, D_l), b (D_l,), name)``. Every layer but the last uses
    ``hidden`` and the last uses ``output``; either, when None, is drawn per layer from
    :data:`MLP_ACTIVATIONS`. |x| <= ``bound``, |W|, |b| <= ``weight_bound``.
    """
    n = draw(st.integers(1, max_batch))
    depth = draw(st.integers(min_layers, max_layers))
    widths = [draw(st.integers(1, max_width)) for _ in range(depth + 1)]
    x = draw(float_arrays((n, widths[0]), bound=bound))
    layers = []
    for i in range(depth):
        d_in, d_out = widths[i], widths[i + 1]
        wanted = output if i == depth - 1 else hidden
        name = wanted if wanted is not None else draw(st.sampled_from(MLP_ACTIVATIONS))
        W = draw(float_arrays((d_in, d_out), bound=weight_bound))
        b = draw(float_arrays((d_out,), bound=weight_bound))
        layers.append((W, b, name))
    return x, layers


@reusable
def dyadic_arrays(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]],
    bound: float = 4.0,
    denominator: int = 4,
) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of multiples of 1/``denominator`` (a power of two) in [−bound, bound].

    Sums and products of a few such numbers are exact in float64, so code that compares a
    computed value with 0 (the perceptron's step) decides the same whatever the summation order.
    """
    k = int(bound * denominator)
    values = st.integers(-k, k).map(lambda i: i / denominator)
    return hnp.arrays(np.float64, shape, elements=values)


@st.composite
def perceptron_cases(
    draw: st.DrawFn, max_n: int = 8, max_d: int = 3, max_epochs: int = 6
) -> dict[str, object]:
    """``{"x": (N, D), "y": (N,) in {0., 1.}, "lr", "epochs"}`` with exact (dyadic) arithmetic.

    x holds multiples of 1/4 and lr is 1/4, 1/2 or 1, so every weight and weighted sum the
    perceptron rule produces is exact: two correct implementations agree bit for bit.
    Labels are random (the set need not be separable).
    """
    n = draw(st.integers(1, max_n))
    d = draw(st.integers(1, max_d))
    return {
        "x": draw(dyadic_arrays((n, d))),
        "y": draw(hnp.arrays(np.float64, (n,), elements=st.sampled_from([0.0, 1.0]))),
        "lr": draw(st.sampled_from([0.25, 0.5, 1.0])),
        "epochs": draw(st.integers(0, max_epochs)),
    }


@st.composite
def separable_data(
    draw: st.DrawFn, max_n: int = 12, max_d: int = 3, margin: float = 0.3
) -> tuple[np.ndarray, np.ndarray, int]:
    """A linearly separable set ``(x (N, D), y (N,) in {0., 1.}, epochs)``.

    A unit vector u = (w*, b*)/‖(w*, b*)‖ separates the points with margin γ >= ``margin``:
    |u·(x_i, 1)| >= γ, y_i = 1 where u·(x_i, 1) > 0. By Novikoff's perceptron convergence
    theorem the rule (started at zero) makes at most (R/γ)² updates, R = max ‖(x_i, 1)‖, so
    ``epochs`` = ⌊(R/γ)²⌋ + 1 passes always end with an epoch without mistakes.
    """
    n = draw(st.integers(1, max_n))
    d = draw(st.integers(1, max_d))
    w_star = draw(float_arrays((d,), bound=1.0))
    assume(np.linalg.norm(w_star) >= 0.5)
    b_star = draw(st.floats(-0.5, 0.5))
    scale = np.sqrt(w_star @ w_star + b_star**2)
    u_w, u_b = w_star / scale, b_star / scale
    x = draw(float_arrays((n, d), bound=1.0))
    m = x @ u_w + u_b  # signed distance-like score of each point
    side = np.where(m > 0, 1.0, -1.0)
    short = np.abs(m) < margin
    # push points that are too close along u_w until their score is exactly ±margin
    x[short] += ((side[short] * margin - m[short]) / (u_w @ u_w))[:, None] * u_w
    m = x @ u_w + u_b
    gamma = np.abs(m).min()
    R = np.sqrt((x * x).sum(axis=1) + 1.0).max()
    return x, (m > 0).astype(np.float64), int((R / gamma) ** 2) + 1


@st.composite
def seeded_layer_cases(
    draw: st.DrawFn, square: bool = False, max_batch: int = 4, max_width: int = 5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x (N, D_in), W (D_in, D_out), b (D_out,))`` uniform in [−2, 2] from a drawn seed.

    With ``square``, D_in = D_out >= 2 (the shapes where W and Wᵀ are both accepted).
    """
    n = draw(st.integers(1, max_batch))
    if square:
        d_in = d_out = draw(st.integers(2, max_width))
    else:
        d_in, d_out = draw(st.integers(1, max_width)), draw(st.integers(1, max_width))
    gen = np.random.default_rng(draw(seeds()))
    return (
        gen.uniform(-2.0, 2.0, (n, d_in)),
        gen.uniform(-2.0, 2.0, (d_in, d_out)),
        gen.uniform(-2.0, 2.0, (d_out,)),
    )


@st.composite
def seeded_mlp_cases(
    draw: st.DrawFn,
    hidden: str | None = None,
    output: str | None = None,
    min_layers: int = 1,
    max_layers: int = 3,
    min_batch: int = 1,
    max_batch: int = 4,
    max_width: int = 5,
    min_output_width: int = 1,
    activations: Sequence[str] = MLP_ACTIVATIONS,
    bound: float = 2.0,
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, str]]]:
    """``(x (N, D_0), layers)`` like :func:`mlp_cases`, values from a drawn seed.

    x is uniform in [−bound, bound] (default [−2, 2]; a bound of hundreds gives pre-activations
    of hundreds), weights and biases in [−1, 1]. Hidden layers use ``hidden`` and the last
    ``output``; either, when None, is drawn per layer from ``activations``.
    """
    n = draw(st.integers(min_batch, max_batch))
    depth = draw(st.integers(min_layers, max_layers))
    widths = [draw(st.integers(1, max_width)) for _ in range(depth)]
    widths.append(draw(st.integers(min_output_width, max(min_output_width, max_width))))
    names = [
        (output if i == depth - 1 else hidden) or draw(st.sampled_from(list(activations)))
        for i in range(depth)
    ]
    gen = np.random.default_rng(draw(seeds()))
    x = gen.uniform(-bound, bound, (n, widths[0]))
    layers = [
        (
            gen.uniform(-1.0, 1.0, (widths[i], widths[i + 1])),
            gen.uniform(-1.0, 1.0, (widths[i + 1],)),
            names[i],
        )
        for i in range(depth)
    ]
    return x, layers


@st.composite
def seeded_perceptron_cases(
    draw: st.DrawFn, min_n: int = 1, max_n: int = 8, max_d: int = 3, max_epochs: int = 6
) -> dict[str, object]:
    """Like :func:`perceptron_cases` (exact dyadic data, lr in {1/4, 1/2, 1}), values from a seed.

    x holds multiples of 1/4 in [−4, 4] (exact zeros included), y random labels in {0., 1.}.
    """
    n = draw(st.integers(min_n, max_n))
    d = draw(st.integers(1, max_d))
    gen = np.random.default_rng(draw(seeds()))
    return {
        "x": gen.integers(-16, 16, (n, d), endpoint=True) / 4.0,
        "y": gen.integers(0, 1, n, endpoint=True).astype(np.float64),
        "lr": draw(st.sampled_from([0.25, 0.5, 1.0])),
        "epochs": draw(st.integers(0, max_epochs)),
    }
