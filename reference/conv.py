"""Convolution, padding and pooling in PyTorch: the ground truth for the ``conv`` topic.

Every function works on the last two axes (height, width) of its input and is written from the
formulas with ``Tensor.unfold`` (a strided view of every window) plus matrix products / reductions,
so it runs on any device; convolution and max pooling have their backward passes written by hand
from the course's formulas (the rest is differentiated by autograd). ``tests/reference/test_conv.py``
checks it against ``torch.nn.functional.conv2d``, ``pad``, ``max_pool2d`` and ``avg_pool2d``.

Deep-learning "convolution" is cross-correlation: the kernel slides over the image unflipped,
out[i, j] = Σ_a Σ_b x[i·s + a, j·s + b] · k[a, b]  (LeCun et al. 1998; torch.nn.functional.conv2d).
"""

from __future__ import annotations

import operator

import torch
from torch.autograd.function import once_differentiable

from reference._validate import expect, require_positive

__all__ = [
    "HORIZONTAL_EDGE",
    "VERTICAL_EDGE",
    "avg_pool2d",
    "conv2d",
    "conv2d_multi",
    "conv_output_size",
    "flatten",
    "max_pool2d",
    "pad2d",
    "pool_output_size",
]

#: The notes' 3×3 horizontal edge filter (Sobel-like): bright-above/dark-below gives +, the
#: reverse gives −. Responds to intensity changes along the height axis.
HORIZONTAL_EDGE = torch.tensor(
    [[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]], dtype=torch.float64
)
#: The notes' 3×3 vertical edge filter: the transpose of ``HORIZONTAL_EDGE``; responds to
#: intensity changes along the width axis (bright-left/dark-right gives +).
VERTICAL_EDGE = torch.tensor(
    [[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]], dtype=torch.float64
)

_PAD_MODES = ("zero", "edge")


def _int(fn: str, name: str, value: object, *, minimum: int) -> int:
    """``value`` as a Python int ≥ ``minimum``; ValueError naming the argument otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{fn}: {name} must be an integer, got {value!r}")
    try:
        v = operator.index(value)  # accepts int and NumPy integers, rejects floats
    except TypeError:
        raise ValueError(
            f"{fn}: {name} must be an integer, got {type(value).__name__} {value!r}"
        ) from None
    if minimum == 1:
        require_positive(fn, name, v)
    elif minimum == 0:
        require_positive(fn, name, v, allow_zero=True)
    return v


def conv_output_size(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    """Side length of a convolution's output.

    n_out = ⌊(n + 2p − f) / s⌋ + 1; with s = 1 this is the notes' m + 2p − f + 1
    (torch.nn.Conv2d docs, "Shape" section, with dilation 1).

    Args: ``n`` input side, ``f`` filter side, ``padding`` p ≥ 0 added on both sides,
    ``stride`` s ≥ 1 (all ints).
    Returns: an ``int`` ≥ 1. Raises ``ValueError`` when the filter does not fit (f > n + 2p).
    """
    fn = "conv_output_size"
    n = _int(fn, "n", n, minimum=1)
    f = _int(fn, "f", f, minimum=1)
    padding = _int(fn, "padding", padding, minimum=0)
    stride = _int(fn, "stride", stride, minimum=1)
    padded = n + 2 * padding
    if f > padded:
        raise ValueError(
            f"{fn}: filter f={f} does not fit an input of n={n} with padding={padding} "
            f"(n + 2·padding = {padded})"
        )
    return (padded - f) // stride + 1


def pool_output_size(n: int, size: int, stride: int) -> int:
    """Side length of a pooling layer's output (no padding, windows that fit only).

    n_out = ⌊(n − size) / stride⌋ + 1 (torch.nn.MaxPool2d docs, ceil_mode=False).
    Returns an ``int``; raises ``ValueError`` when the window is larger than the input.
    """
    fn = "pool_output_size"
    n = _int(fn, "n", n, minimum=1)
    size = _int(fn, "size", size, minimum=1)
    stride = _int(fn, "stride", stride, minimum=1)
    if size > n:
        raise ValueError(f"{fn}: window size={size} does not fit an input of n={n}")
    return (n - size) // stride + 1


def pad2d(x: torch.Tensor, p: int, mode: str = "zero") -> torch.Tensor:
    """Pad the last two axes of ``x`` by ``p`` on every side.

    mode "zero": new border cells are 0 (F.pad mode="constant");
    mode "edge": each border cell copies the nearest original cell (F.pad mode="replicate").
    out[..., i, j] = x[..., clamp(i − p, 0, H−1), clamp(j − p, 0, W−1)] for "edge".

    Args: ``x`` (..., H, W), at least 2-D; ``p`` ≥ 0 int.
    Returns: a new tensor (..., H + 2p, W + 2p), same dtype and device.
    """
    fn = "pad2d"
    dims = expect(fn, x=(x, "... H W"))
    p = _int(fn, "p", p, minimum=0)
    if mode not in _PAD_MODES:
        raise ValueError(f"{fn}: mode must be one of {_PAD_MODES}, got {mode!r}")
    H, W = dims["H"], dims["W"]
    if mode == "zero":
        out = x.new_zeros(*x.shape[:-2], H + 2 * p, W + 2 * p)  # (..., H+2p, W+2p)
        out[..., p : p + H, p : p + W] = x  # differentiable copy into the interior
        return out
    if H == 0 or W == 0:
        raise ValueError(f"{fn}: mode='edge' needs a non-empty input, x has shape {tuple(x.shape)}")
    rows = torch.arange(-p, H + p, device=x.device).clamp(0, H - 1)  # (H+2p,)
    cols = torch.arange(-p, W + p, device=x.device).clamp(0, W - 1)  # (W+2p,)
    return x.index_select(-2, rows).index_select(-1, cols)  # (..., H+2p, W+2p)


def _require_fit(
    fn: str, name: str, kernel: torch.Tensor, x: torch.Tensor, dims: dict[str, int], padding: int
) -> None:
    """ValueError unless the FH×FW filter is non-empty, shares x's dtype and fits padded x."""
    if dims["FH"] == 0 or dims["FW"] == 0:
        raise ValueError(f"{fn}: {name} has shape {tuple(kernel.shape)}, an empty filter")
    if kernel.dtype != x.dtype:
        raise ValueError(f"{fn}: {name} has dtype {kernel.dtype} but x has dtype {x.dtype}")
    if dims["FH"] > dims["H"] + 2 * padding or dims["FW"] > dims["W"] + 2 * padding:
        raise ValueError(
            f"{fn}: {name} has shape {tuple(kernel.shape)}, a filter that does not fit x of "
            f"shape {tuple(x.shape)} with padding={padding}"
        )


def _correlate(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    stride: int,
    padding: int,
) -> torch.Tensor:
    """b[k] + Σ_c Σ_a Σ_b xp[n, c, i·s + a, j·s + b] · w[k, c, a, b] for (N, C, H, W)·(K, C, FH, FW)."""
    if bias is not None and bias.dtype != weight.dtype:  # b + ... promotes, as it always did
        return _Correlate.apply(x, weight, None, stride, padding) + bias[None, :, None, None]
    return _Correlate.apply(x, weight, bias, stride, padding)  # (N, K, H', W')


class _Correlate(torch.autograd.Function):
    """Convolution (cross-correlation) as one matrix product over every window (im2col), with
    the backward pass written from the same formulas.

    Forward: the columns matrix holds every FH×FW window of the padded input,
        cols[(c, a, b), (n, i, j)] = xp[n, c, i·s + a, j·s + b]           (C·FH·FW, N·H'·W')
    built from a strided view (``Tensor.unfold``) with one copy; then out = W · cols + b with W
    reshaped to (K, C·FH·FW).
    Backward, with dY reshaped to (K, N·H'·W'):
        dW = dY · colsᵀ,   db = Σ over (n, i, j) of dY,
        dcols = Wᵀ · dY, then col2im: each window's gradient is added back onto the input cells
        it was read from (dxp[n, c, i·s + a, j·s + b] += dcols[(c, a, b), (n, i, j)]), one
        strided add per kernel offset (a, b); the padding border is dropped.
    Autograd through ``unfold`` + ``einsum`` computes the same, but its backward of ``unfold``
    was half of the run time. Differentiable once (no double backward).
    """

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding):  # type: ignore[override]
        N, C = x.shape[:2]
        K, _, FH, FW = weight.shape
        xp = pad2d(x, padding) if padding else x  # (N, C, H+2p, W+2p)
        # every FH×FW window at stride s, as a strided view: (N, C, H', W', FH, FW)
        windows = xp.unfold(2, FH, stride).unfold(3, FW, stride)
        Ho, Wo = windows.shape[2:4]
        cols = windows.permute(1, 4, 5, 0, 2, 3).reshape(C * FH * FW, N * Ho * Wo)
        w = weight.reshape(K, C * FH * FW)
        out = torch.mm(w, cols) if bias is None else torch.addmm(bias[:, None], w, cols)
        ctx.save_for_backward(weight, cols)
        ctx.geometry = (x.shape, stride, padding)
        return out.view(K, N, Ho, Wo).transpose(0, 1).contiguous()  # (N, K, H', W')

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):  # type: ignore[override]
        weight, cols = ctx.saved_tensors
        (N, C, H, W), s, p = ctx.geometry
        K, _, FH, FW = weight.shape
        Ho, Wo = grad_out.shape[2:]
        dy = grad_out.transpose(0, 1).reshape(K, N * Ho * Wo)  # (K, N·H'·W')
        dx = dw = db = None
        if ctx.needs_input_grad[0]:
            dcols = torch.mm(weight.reshape(K, C * FH * FW).T, dy)  # (C·FH·FW, N·H'·W')
            dcols = dcols.view(C, FH, FW, N, Ho, Wo)
            dxp = grad_out.new_zeros(N, C, H + 2 * p, W + 2 * p)
            dxp_c = dxp.transpose(0, 1)  # (C, N, H+2p, W+2p), dcols' axis order
            for a in range(FH):  # col2im: window cell (a, b) was read from xp[i·s + a, j·s + b]
                for b in range(FW):
                    rows = slice(a, a + s * (Ho - 1) + 1, s)
                    cols_ = slice(b, b + s * (Wo - 1) + 1, s)
                    dxp_c[:, :, rows, cols_].add_(dcols[:, a, b])
            dx = dxp[:, :, p : p + H, p : p + W] if p else dxp  # drop the padding border
        if ctx.needs_input_grad[1]:
            dw = torch.mm(dy, cols.T).view(K, C, FH, FW)
        if ctx.needs_input_grad[2]:
            db = dy.sum(dim=1)
        return dx, dw, db, None, None


def conv2d_multi(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    stride: int = 1,
    padding: int = 0,
) -> torch.Tensor:
    """Multi-channel 2-D convolution (cross-correlation), as torch.nn.functional.conv2d.

    out[n, k, i, j] = b[k] + Σ_c Σ_a Σ_b xp[n, c, i·s + a, j·s + b] · w[k, c, a, b],
    where xp is ``x`` zero-padded by ``padding`` on every side.

    Args: ``x`` (N, C, H, W); ``weight`` (K, C, fh, fw); ``bias`` (K,) or None (no bias);
    ``stride`` ≥ 1; ``padding`` ≥ 0.
    Returns: (N, K, H', W') with H' = conv_output_size(H, fh, padding, stride), likewise W'.
    """
    fn = "conv2d_multi"
    specs = {"x": (x, "N C H W"), "weight": (weight, "K C FH FW")}
    if bias is not None:
        specs["bias"] = (bias, "K")
    dims = expect(fn, **specs)
    stride = _int(fn, "stride", stride, minimum=1)
    padding = _int(fn, "padding", padding, minimum=0)
    _require_fit(fn, "weight", weight, x, dims, padding)
    return _correlate(x, weight, bias, stride, padding)  # (N, K, H', W'), bias added


def conv2d(
    x: torch.Tensor, kernel: torch.Tensor, stride: int = 1, padding: int = 0
) -> torch.Tensor:
    """Single-channel 2-D cross-correlation (the kernel is not flipped), as in DL libraries.

    out[i, j] = Σ_a Σ_b xp[i·s + a, j·s + b] · k[a, b], xp = ``x`` zero-padded by ``padding``.

    Args: ``x`` (H, W); ``kernel`` (fh, fw); ``stride`` ≥ 1; ``padding`` ≥ 0.
    Returns: (H', W') with H' = ⌊(H + 2p − fh)/s⌋ + 1, likewise W'.
    """
    fn = "conv2d"
    dims = expect(fn, x=(x, "H W"), kernel=(kernel, "FH FW"))
    stride = _int(fn, "stride", stride, minimum=1)
    padding = _int(fn, "padding", padding, minimum=0)
    _require_fit(fn, "kernel", kernel, x, dims, padding)
    return _correlate(x[None, None], kernel[None, None], None, stride, padding)[0, 0]  # (H', W')


def _pool_geometry(fn: str, x: torch.Tensor, size: int, stride: int | None) -> tuple[int, int]:
    """Validate x (N, C, H, W) and the window; (size, stride) as ints, stride defaulting to size."""
    dims = expect(fn, x=(x, "N C H W"))
    size = _int(fn, "size", size, minimum=1)
    stride = size if stride is None else _int(fn, "stride", stride, minimum=1)
    if size > dims["H"] or size > dims["W"]:
        raise ValueError(
            f"{fn}: x has shape {tuple(x.shape)}, smaller than the {size}×{size} window"
        )
    return size, stride


def _windows(fn: str, x: torch.Tensor, size: int, stride: int | None) -> torch.Tensor:
    """Every size×size window of (N, C, H, W) at ``stride``: (N, C, H', W', size·size)."""
    size, stride = _pool_geometry(fn, x, size, stride)
    w = x.unfold(2, size, stride).unfold(3, size, stride)  # (N, C, H', W', size, size)
    return w.reshape(*w.shape[:4], size * size)  # (N, C, H', W', size²), row-major windows


def max_pool2d(x: torch.Tensor, size: int = 2, stride: int | None = None) -> torch.Tensor:
    """Max pooling over size×size windows (no padding), as torch.nn.functional.max_pool2d.

    out[n, c, i, j] = max_{0≤a,b<size} x[n, c, i·s + a, j·s + b]; stride s defaults to ``size``
    (non-overlapping windows). Windows that would run past the edge are dropped.

    Args: ``x`` (N, C, H, W). Returns: (N, C, H', W'), H' = ⌊(H − size)/s⌋ + 1.
    Gradient: on ties the whole gradient goes to the first maximum in row-major window order
    (``Tensor.max(dim)`` returns the first maximal index), as torch's max_pool2d does.
    """
    size, stride = _pool_geometry("max_pool2d", x, size, stride)
    with torch.no_grad():  # the windows are read by _MaxPool, which has its own backward
        # (N, C, H', W', size²), row-major windows; stacking the size² strided views of x is a
        # cheaper copy than reshaping x.unfold(...).unfold(...)
        windows = torch.stack(_window_cells(x, size, stride), dim=-1)
    return _MaxPool.apply(x, windows, size, stride)  # (N, C, H', W')


def _window_cells(x: torch.Tensor, size: int, stride: int) -> list[torch.Tensor]:
    """Cell (a, b) of every size×size window at ``stride``, for each (a, b) in row-major order:
    size² strided views (N, C, H', W') of x, view (a, b) holding x[n, c, i·s + a, j·s + b]."""
    Ho = (x.shape[2] - size) // stride + 1
    Wo = (x.shape[3] - size) // stride + 1
    span_h, span_w = stride * (Ho - 1) + 1, stride * (Wo - 1) + 1
    return [
        x[:, :, a : a + span_h : stride, b : b + span_w : stride]
        for a in range(size)
        for b in range(size)
    ]


class _MaxPool(torch.autograd.Function):
    """Max pooling with its backward pass by hand: each window's gradient goes, whole, to the
    cell that held the window's maximum (the first one in row-major window order on ties, the
    index ``Tensor.max(dim)`` returns), and cells of overlapping windows add up what they get.
    Non-overlapping windows (stride = size) scatter into the windows' own layout, which is
    reshaped back onto the image; otherwise the maxima's positions in the H×W plane are computed
    and the gradients added there. Differentiable once (no double backward).
    """

    @staticmethod
    def forward(ctx, x, windows, size, stride):  # type: ignore[override]
        values, arg = windows.max(dim=-1)  # (N, C, H', W') maxima and their window positions
        ctx.save_for_backward(arg)
        ctx.geometry = (x.shape, size, stride)
        return values

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):  # type: ignore[override]
        (arg,) = ctx.saved_tensors
        (N, C, H, W), size, stride = ctx.geometry
        Ho, Wo = arg.shape[2:]
        if stride == size:  # each cell in at most one window: scatter, then undo the windowing
            g = grad_out.new_zeros(N, C, Ho, Wo, size * size)
            g.scatter_(-1, arg[..., None], grad_out[..., None])  # (N, C, H', W', size²)
            g = g.view(N, C, Ho, Wo, size, size).transpose(3, 4)  # (N, C, H', size, W', size)
            g = g.reshape(N, C, Ho * size, Wo * size)
            if Ho * size == H and Wo * size == W:
                return g, None, None, None
            dx = grad_out.new_zeros(N, C, H, W)  # the dropped last rows/columns get 0
            dx[:, :, : Ho * size, : Wo * size] = g
            return dx, None, None, None
        # overlapping or gapped windows: position of each maximum in the H×W plane, then add
        device = arg.device
        row = (
            arg.div(size, rounding_mode="floor") + stride * torch.arange(Ho, device=device)[:, None]
        )
        col = arg.remainder(size) + stride * torch.arange(Wo, device=device)
        where = (row * W + col).view(N, C, Ho * Wo)
        dx = grad_out.new_zeros(N, C, H * W)
        dx.scatter_add_(2, where, grad_out.reshape(N, C, Ho * Wo))
        return dx.view(N, C, H, W), None, None, None


def avg_pool2d(x: torch.Tensor, size: int = 2, stride: int | None = None) -> torch.Tensor:
    """Average pooling over size×size windows (no padding), as torch.nn.functional.avg_pool2d.

    out[n, c, i, j] = (1/size²) Σ_{0≤a,b<size} x[n, c, i·s + a, j·s + b]; s defaults to ``size``.

    Args: ``x`` (N, C, H, W). Returns: (N, C, H', W'), H' = ⌊(H − size)/s⌋ + 1.
    """
    return _windows("avg_pool2d", x, size, stride).mean(dim=-1)  # (N, C, H', W')


def flatten(x: torch.Tensor) -> torch.Tensor:
    """Flatten every axis but the first, in row-major (C) order: (N, ...) → (N, prod(...)).

    For (N, C, H, W) feature maps the result is ordered channel, then row, then column, as
    torch.flatten(x, 1) / nn.Flatten. A 1-D input (N,) becomes (N, 1).
    """
    expect("flatten", x=(x, "... *"))  # at least one axis
    rest = 1
    for side in x.shape[1:]:
        rest *= side
    return x.reshape(x.shape[0], rest)  # (N, C·H·W)
