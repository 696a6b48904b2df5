"""Hypothesis strategies shared by every property test: the project's tests and the hidden tests.

One module, as in minitorch; it lives in the grader package because the hidden tests run from
an installed gradelab, where tests/ is not importable.

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
    return st.one_of(
        st.sampled_from(list(kinks)),
        float_elements(bound, width),
        float_elements(bound, width),
        float_elements(bound, width),
    )


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


# --- conv and rnn: convolution/pooling problems, recurrent-net inputs, gradient lists ----------


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


# --- rag: texts with irregular whitespace and sentence punctuation (chunking tests) ---
_SEPARATORS = st.sampled_from([" ", " ", " ", "  ", "\n", "\t", " \n  "])


@st.composite
def messy_texts(draw: st.DrawFn, min_words: int = 0, max_words: int = 60) -> str:
    """Words joined by random runs of whitespace (spaces, tabs, newlines), padded at both ends."""
    ws = draw(st.lists(words, min_size=min_words, max_size=max_words))
    text = draw(st.sampled_from(["", " ", "\n"]))
    for w in ws:
        text += w + draw(_SEPARATORS)
    return text


@st.composite
def sentence_texts(draw: st.DrawFn, max_sentences: int = 8, max_len: int = 12) -> str:
    """Sentences of 1..max_len words ending in '.', '!' or '?' (the last one sometimes not),
    with decimals like '3.14' inside (a '.' that ends no sentence) and irregular whitespace."""
    inner = st.one_of(words, words, words, st.sampled_from(["3.14", "v1.2", "a.b"]))
    n = draw(st.integers(0, max_sentences))
    parts: list[str] = []
    for i in range(n):
        sentence = draw(st.lists(inner, min_size=1, max_size=max_len))
        last = i == n - 1
        end = draw(st.sampled_from([".", "!", "?", ""] if last else [".", "!", "?"]))
        sentence[-1] += end
        parts.append("".join(w + draw(_SEPARATORS) for w in sentence))
    return "".join(parts)


# --- forward and backprop: MLPs, exact perceptron data, separable sets, sigmoid chains ----------

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


from hypothesis import assume  # noqa: E402  (used by separable_data above; resolved at call time)

# --- losses: (y_true, y_pred) pairs for regression, binary and categorical losses ------------------


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


# --- rag: vectors with exact cosines (exact ties), small document collections, ranked id lists ---
import itertools as _itertools  # noqa: E402

#: Unit vectors in 4-D whose entries are 0, ±½ or ±1: ±e_i and the 16 sign patterns of (½, ½, ½, ½).
EXACT_DIRECTIONS: np.ndarray = np.array(
    [[s if j == i else 0.0 for j in range(4)] for i in range(4) for s in (1.0, -1.0)]
    + [[0.5 * s for s in signs] for signs in _itertools.product((1.0, -1.0), repeat=4)]
)


@st.composite
def exact_direction_arrays(
    draw: st.DrawFn,
    min_rows: int = 1,
    max_rows: int = 8,
    scales: Sequence[float] = (0.5, 1.0, 2.0, 4.0),
    allow_zero: bool = False,
) -> np.ndarray:
    """(n, 4) float64 rows, each a direction of :data:`EXACT_DIRECTIONS` times a power of two.

    Every norm is a power of two, so normalising a row is exact, and the cosine of two rows is one
    of 0, ±½, ±1: equal scores are equal bit for bit whatever order the arithmetic runs in, so tie
    rules can be checked exactly (and with 24 directions, rows often share one). With
    ``allow_zero`` some rows are all zeros (cosine 0 by convention).
    """
    n = draw(st.integers(min_rows, max_rows))
    picks = st.integers(-1 if allow_zero else 0, len(EXACT_DIRECTIONS) - 1)
    rows = []
    for _ in range(n):
        i = draw(picks)
        rows.append(np.zeros(4) if i < 0 else EXACT_DIRECTIONS[i] * draw(st.sampled_from(scales)))
    return np.array(rows, dtype=np.float64).reshape(n, 4)


#: A small vocabulary, so that generated questions and passages share words.
RAG_VOCABULARY: tuple[str, ...] = (
    "paris", "france", "capital", "river", "nile", "longest", "mountain", "highest",
    "wine", "cheese", "brazil", "amazon", "the", "is", "of", "what",
)  # fmt: skip


@st.composite
def passages(draw: st.DrawFn, min_chunks: int = 1, max_chunks: int = 7) -> list[str]:
    """A list of short passages (1–6 words) over :data:`RAG_VOCABULARY`; repeats are possible."""
    sentence = st.lists(st.sampled_from(RAG_VOCABULARY), min_size=1, max_size=6).map(" ".join)
    return draw(st.lists(sentence, min_size=min_chunks, max_size=max_chunks))


@st.composite
def ranked_ids(
    draw: st.DrawFn, max_len: int = 8, max_id: int = 9, min_relevant: int = 1
) -> tuple[list[int], list[int]]:
    """``(retrieved, relevant)`` for one query: a ranking of ids in [0, max_id] (repeats
    possible) and a list of relevant ids (at least ``min_relevant``, no repeats)."""
    ids = st.integers(0, max_id)
    retrieved = draw(st.lists(ids, min_size=0, max_size=max_len))
    relevant = draw(st.lists(ids, min_size=min_relevant, max_size=4, unique=True))
    return retrieved, relevant


# --- losses: (one-hot or soft targets, probability rows) for categorical cross-entropy -----------


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


# --- forward and backprop (hidden tests): generic values drawn from one seed per problem ---------
# Hypothesis shrinks drawn values towards 0 and 1, where different wrong answers can coincide
# (x @ W and (x + b) @ W agree once b @ W = 0). Here hypothesis draws the shapes, names and a
# seed; the values come from np.random.default_rng(seed), so a shrunk example stays generic and
# a failure is named after the mistake that caused it.


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
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, str]]]:
    """``(x (N, D_0), layers)`` like :func:`mlp_cases`, values from a drawn seed.

    x is uniform in [−2, 2], weights and biases in [−1, 1]. Hidden layers use ``hidden`` and the
    last ``output``; either, when None, is drawn per layer from ``activations``.
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
    x = gen.uniform(-2.0, 2.0, (n, widths[0]))
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


@st.composite
def seeded_chain_cases(
    draw: st.DrawFn, min_n: int = 1, max_n: int = 8, bound: float = 3.0
) -> tuple[float, np.ndarray, np.ndarray, float]:
    """``(x, ws (n,), bs (n,), y)`` like :func:`chain_cases`, values from a drawn seed."""
    n = draw(st.integers(min_n, max_n))
    gen = np.random.default_rng(draw(seeds()))
    x, y = float(gen.uniform(-bound, bound)), float(gen.uniform(0.0, 1.0))
    return x, gen.uniform(-bound, bound, n), gen.uniform(-bound, bound, n), y
