"""Reference vs torch built-ins: how much slower is the readable ground truth? (issue 7, item 4)

Each row times the reference implementation (``reference/``) against the torch built-in that
computes the same thing, forward and backward (``loss.sum().backward()`` through both), at the
course's size (the demos' shapes) and at a larger one: conv2d, max-pool, an LSTM over a sequence,
softmax + cross-entropy, and one step of each optimizer on a 1M-parameter tensor.

Fairness rules:
- before a pair is timed, both sides' outputs and gradients are compared with the same
  computation in float64 on the CPU (``check``; normwise error, so a sum of 32k float32 products
  is judged by its scale): the benchmark never times two different computations, a reference
  less accurate than its tolerance raises, and a built-in that is merely less accurate than the
  reference (cuDNN's conv weight gradient on CUDA) does not;
- the two are timed side by side, alternating (reference, built-in, built-in, reference, ...), so
  machine noise hits both; each sample is a batch of calls long enough for the clock, and the
  figure is the median (min–max) of the per-sample ratios reference / built-in;
- torch.optim updates in place while the reference optimizers are functional (they return new
  tensors, by design): that allocation is part of the reference's cost;
- float32 on both sides; torch's default thread count; on CUDA every timed call ends with
  ``torch.cuda.synchronize()`` and TF32 is switched off (the reference's einsum/matmul would
  otherwise run in full float32 against a TF32 cuDNN convolution).

Target: the reference within 2× of the built-in (median ratio ≤ 2).

``python -m bench.reference_speed [--device cpu|cuda] [--repeat 5] [--quick]`` prints the table.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F  # noqa: N812

from bench.report import Row, ratio_spread
from reference import activations, conv, losses, rnn
from reference import optimizers as opt

SECTION = "reference vs torch"
TARGET = 2.0
DTYPE = torch.float32

Outputs = tuple[torch.Tensor, ...]


@dataclass
class Pair:
    """One comparison: two zero-argument callables doing the same work, each returning the
    tensors to compare (outputs, then gradients / new state)."""

    what: str
    ref: Callable[[], Outputs]
    builtin: Callable[[], Outputs]
    rtol: float = 1e-4
    atol: float = 1e-4
    #: normwise error allowed against the float64 truth (``check``): about 80 float32 ulps
    truth_rtol: float = 1e-5


#: normwise error a built-in may have against the float64 truth: loose, it only proves that the
#: built-in computes the same thing (cuDNN's conv weight gradient is 2.4e-5 from it on an H200)
BUILTIN_SANITY = 1e-3


# ------------------------------------------------------------------------------- helpers


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _randn(
    *shape: int, seed: int, device: str, dtype: torch.dtype = DTYPE, scale: float = 1.0
) -> torch.Tensor:
    """Standard normal × scale, drawn on the CPU in float32 (the same numbers on any device and
    in any dtype: a float64 truth sees exactly the float32 inputs), then moved and cast."""
    t = torch.randn(*shape, generator=_gen(seed), dtype=DTYPE) * scale
    return t.to(device=device, dtype=dtype)


def _leaf(t: torch.Tensor) -> torch.Tensor:
    return t.detach().clone().requires_grad_(True)


def _grads(*ts: torch.Tensor) -> Outputs:
    """Take the accumulated gradients and clear them (the next call starts afresh)."""
    out = []
    for t in ts:
        out.append(t.grad)
        t.grad = None
    return tuple(out)


def _sync(device: str) -> Callable[[], None]:
    return torch.cuda.synchronize if device == "cuda" else (lambda: None)


def _fmt_time(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


def _shape(*sizes: int) -> str:
    return "×".join(str(s) for s in sizes)


# ------------------------------------------------------------------------------- conv / pool


def conv_pair(
    label: str,
    n: int,
    c: int,
    k: int,
    side: int,
    f: int,
    padding: int,
    stride: int,
    device: str,
    dtype: torch.dtype = DTYPE,
) -> Pair:
    """conv.conv2d_multi (unfold + einsum) vs F.conv2d, with bias, forward + backward."""
    sync = _sync(device)
    x = _randn(n, c, side, side, seed=1, device=device, dtype=dtype)
    w = _randn(k, c, f, f, seed=2, device=device, dtype=dtype, scale=1 / math.sqrt(c * f * f))
    b = _randn(k, seed=3, device=device, dtype=dtype, scale=0.1)
    xr, wr, br = _leaf(x), _leaf(w), _leaf(b)
    xb, wb, bb = _leaf(x), _leaf(w), _leaf(b)

    def ref() -> Outputs:
        out = conv.conv2d_multi(xr, wr, br, stride=stride, padding=padding)
        out.sum().backward()
        sync()
        return (out.detach(), *_grads(xr, wr, br))

    def builtin() -> Outputs:
        out = F.conv2d(xb, wb, bb, stride=stride, padding=padding)
        out.sum().backward()
        sync()
        return (out.detach(), *_grads(xb, wb, bb))

    what = (
        f"conv2d {label}: x {_shape(n, c, side, side)}, {k} filters {f}×{f}, "
        f"padding {padding}, stride {stride} (vs F.conv2d)"
    )
    # float32 sums of up to N·H'·W' terms (the weight gradient): allow 1e-3 relative
    return Pair(what, ref, builtin, rtol=1e-3, atol=1e-3)


def pool_pair(
    label: str, n: int, c: int, side: int, size: int, device: str, dtype: torch.dtype = DTYPE
) -> Pair:
    """conv.max_pool2d (unfold + max) vs F.max_pool2d, forward + backward."""
    sync = _sync(device)
    x = _randn(n, c, side, side, seed=4, device=device, dtype=dtype)
    xr, xb = _leaf(x), _leaf(x)

    def ref() -> Outputs:
        out = conv.max_pool2d(xr, size)
        out.sum().backward()
        sync()
        return (out.detach(), *_grads(xr))

    def builtin() -> Outputs:
        out = F.max_pool2d(xb, size)
        out.sum().backward()
        sync()
        return (out.detach(), *_grads(xb))

    what = (
        f"max-pool {label}: x {_shape(n, c, side, side)}, {size}×{size} windows (vs F.max_pool2d)"
    )
    return Pair(what, ref, builtin, rtol=0, atol=0)  # max and its gradient are exact


# ------------------------------------------------------------------------------- LSTM


def lstm_pair(
    label: str, n: int, t: int, d: int, h: int, device: str, dtype: torch.dtype = DTYPE
) -> Pair:
    """rnn.lstm_forward (Python loop over T steps) vs nn.LSTM(batch_first=True).

    Weights mapped as in tests/reference/test_rnn.py: weight_ih = W.T, weight_hh = U.T,
    bias_ih = b, bias_hh = 0. Loss: hs.sum(); gradients of x, h0, c0, W, U, b compared.
    """
    sync = _sync(device)
    bound = 1 / math.sqrt(h)
    x = _randn(n, t, d, seed=5, device=device, dtype=dtype)
    h0 = _randn(n, h, seed=6, device=device, dtype=dtype, scale=0.1)
    c0 = _randn(n, h, seed=7, device=device, dtype=dtype, scale=0.1)
    W = _randn(d, 4 * h, seed=8, device=device, dtype=dtype, scale=bound)
    U = _randn(h, 4 * h, seed=9, device=device, dtype=dtype, scale=bound)
    b = _randn(4 * h, seed=10, device=device, dtype=dtype, scale=bound)
    ref_leaves = [_leaf(v) for v in (x, h0, c0, W, U, b)]
    module = torch.nn.LSTM(d, h, batch_first=True).to(device=device, dtype=dtype)
    with torch.no_grad():
        module.weight_ih_l0.copy_(W.T)
        module.weight_hh_l0.copy_(U.T)
        module.bias_ih_l0.copy_(b)
        module.bias_hh_l0.zero_()
    xb, h0b, c0b = _leaf(x), _leaf(h0), _leaf(c0)
    params = (module.weight_ih_l0, module.weight_hh_l0, module.bias_ih_l0)

    def ref() -> Outputs:
        hs, _ = rnn.lstm_forward(*ref_leaves)
        hs.sum().backward()
        sync()
        return (hs.detach(), *_grads(*ref_leaves))

    def builtin() -> Outputs:
        hs, _ = module(xb, (h0b[None], c0b[None]))
        hs.sum().backward()
        sync()
        gx, gh, gc = _grads(xb, h0b, c0b)
        g_ih, g_hh, g_b = _grads(*params)
        module.bias_hh_l0.grad = None
        return (hs.detach(), gx, gh, gc, g_ih.T, g_hh.T, g_b)

    what = f"LSTM {label}: N={n}, T={t}, D={d}, H={h}, hs.sum() (vs nn.LSTM)"
    # float32 through T steps forward and back (cuDNN / oneDNN order their sums differently)
    return Pair(what, ref, builtin, rtol=1e-3, atol=1e-3)


# ------------------------------------------------------------------------------- cross-entropy


def cross_entropy_pair(label: str, n: int, c: int, device: str, dtype: torch.dtype = DTYPE) -> Pair:
    """activations.softmax + losses.categorical_cross_entropy (probabilities, clipped) vs
    F.cross_entropy on the logits. The one-hot targets are built once, outside the timing, as
    F.cross_entropy's integer labels are."""
    sync = _sync(device)
    z = _randn(n, c, seed=11, device=device, dtype=dtype, scale=2.0)
    labels = torch.randint(0, c, (n,), generator=_gen(12)).to(device)
    y = losses.one_hot(labels, c, dtype=dtype)
    zr, zb = _leaf(z), _leaf(z)

    def ref() -> Outputs:
        loss = losses.categorical_cross_entropy(y, activations.softmax(zr, axis=-1))
        loss.backward()
        sync()
        return (loss.detach(), *_grads(zr))

    def builtin() -> Outputs:
        loss = F.cross_entropy(zb, labels)
        loss.backward()
        sync()
        return (loss.detach(), *_grads(zb))

    what = f"softmax + cross-entropy {label}: logits {_shape(n, c)}, mean (vs F.cross_entropy)"
    return Pair(what, ref, builtin, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------------------- optimizers


def optimizer_pairs(numel: int, device: str, dtype: torch.dtype = DTYPE) -> list[Pair]:
    """One step of each reference optimizer vs the matching torch.optim class on ``numel``
    parameters with a fixed gradient, from the same non-zero state.

    torch.optim steps in place; the reference is functional (returns new tensors), and its
    state is fed back for the next step. torch's state is preset to the reference's (for
    momentum that also sidesteps torch's seeding of the buffer with the raw gradient on step 1).
    """
    sync = _sync(device)
    w0 = _randn(numel, seed=13, device=device, dtype=dtype)
    g = _randn(numel, seed=14, device=device, dtype=dtype)
    s1 = _randn(
        numel, seed=15, device=device, dtype=dtype
    ).abs()  # running averages of squares are ≥ 0
    s2 = _randn(numel, seed=16, device=device, dtype=dtype).abs() * 1e-2
    m0 = _randn(numel, seed=17, device=device, dtype=dtype, scale=0.1)
    size = f"{numel / 1e6:g}M" if numel >= 1e5 else str(numel)

    # name, label of the built-in, reference step(w, state) -> (w, state), state names,
    # torch optimizer factory, torch state preset from the reference state
    specs: list[tuple[str, str, Callable, tuple[torch.Tensor, ...], Callable, Callable]] = [
        (
            "GD",
            "torch.optim.SGD(lr) (plain GD: SGD without momentum)",
            lambda w, st: (opt.gd_step(w, g, 0.01), ()),
            (),
            lambda p: torch.optim.SGD([p], lr=0.01),
            lambda st, step: {},
        ),
        (
            "momentum",
            "torch.optim.SGD(momentum=0.9, dampening=0.9), buffer preset",
            lambda w, st: _split(opt.momentum_step(w, g, *st, 0.01, beta=0.9)),
            (m0,),
            lambda p: torch.optim.SGD([p], lr=0.01, momentum=0.9, dampening=0.9),
            lambda st, step: {"momentum_buffer": st[0]},
        ),
        (
            "Adagrad",
            "torch.optim.Adagrad",
            lambda w, st: _split(opt.adagrad_step(w, g, *st, 0.01, eps=1e-10)),
            (s1,),
            lambda p: torch.optim.Adagrad([p], lr=0.01, eps=1e-10),
            lambda st, step: {"step": torch.tensor(float(step)), "sum": st[0]},
        ),
        (
            "RMSProp",
            "torch.optim.RMSprop(alpha=0.99)",
            lambda w, st: _split(opt.rmsprop_step(w, g, *st, 0.01, beta=0.99, eps=1e-8)),
            (s1,),
            lambda p: torch.optim.RMSprop([p], lr=0.01, alpha=0.99, eps=1e-8),
            lambda st, step: {"step": torch.tensor(float(step)), "square_avg": st[0]},
        ),
        (
            "Adadelta",
            "torch.optim.Adadelta(rho=0.9)",
            lambda w, st: _split(opt.adadelta_step(w, g, *st, lr=1.0, rho=0.9, eps=1e-6)),
            (s1, s2),
            lambda p: torch.optim.Adadelta([p], lr=1.0, rho=0.9, eps=1e-6),
            lambda st, step: {
                "step": torch.tensor(float(step)),
                "square_avg": st[0],
                "acc_delta": st[1],
            },
        ),
    ]
    pairs = [_optimizer_pair(name, size, label, *rest, w0, g, sync) for name, label, *rest in specs]
    pairs.append(_adam_pair(size, w0, g, m0, s1, sync))
    return pairs


def _split(result: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    return result[0], tuple(result[1:])


def _optimizer_pair(
    name: str,
    size: str,
    label: str,
    ref_step: Callable,
    state0: tuple[torch.Tensor, ...],
    make: Callable,
    preset: Callable,
    w0: torch.Tensor,
    g: torch.Tensor,
    sync: Callable[[], None],
) -> Pair:
    ref_state = {"w": w0.clone(), "st": tuple(s.clone() for s in state0)}
    p = torch.nn.Parameter(w0.clone())
    p.grad = g.clone()
    optimizer = make(p)
    torch_state = preset(tuple(s.clone() for s in state0), 0)
    if torch_state:
        optimizer.state[p] = torch_state
    keys = list(torch_state)

    def ref() -> Outputs:
        w, st = ref_step(ref_state["w"], ref_state["st"])
        ref_state["w"], ref_state["st"] = w, st
        sync()
        return (w, *st)

    def builtin() -> Outputs:
        optimizer.step()
        sync()
        state = optimizer.state[p]
        return (p.detach(), *(state[k] for k in keys if k != "step"))

    what = f"{name} step, {size} parameters (vs {label})"
    return Pair(what, ref, builtin, rtol=1e-5, atol=1e-6)


def _adam_pair(
    size: str,
    w0: torch.Tensor,
    g: torch.Tensor,
    m0: torch.Tensor,
    v0: torch.Tensor,
    sync: Callable[[], None],
) -> Pair:
    """Adam from step t = 4 with non-zero moments on both sides."""
    ref_state = {"w": w0.clone(), "m": m0.clone(), "v": v0.clone(), "t": 4}
    p = torch.nn.Parameter(w0.clone())
    p.grad = g.clone()
    optimizer = torch.optim.Adam([p], lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    optimizer.state[p] = {
        "step": torch.tensor(3.0),  # torch increments before use: this step is t = 4
        "exp_avg": m0.clone(),
        "exp_avg_sq": v0.clone(),
    }

    def ref() -> Outputs:
        s = ref_state
        s["w"], s["m"], s["v"] = opt.adam_step(s["w"], g, s["m"], s["v"], s["t"], lr=1e-3)
        s["t"] += 1
        sync()
        return (s["w"], s["m"], s["v"])

    def builtin() -> Outputs:
        optimizer.step()
        sync()
        state = optimizer.state[p]
        return (p.detach(), state["exp_avg"], state["exp_avg_sq"])

    return Pair(f"Adam step, {size} parameters (vs torch.optim.Adam)", ref, builtin, 1e-5, 1e-6)


# ------------------------------------------------------------------------------- timing


def _normwise_error(actual: torch.Tensor, truth: torch.Tensor) -> float:
    """max |actual − truth| / max |truth|: the error relative to the tensor's scale (an
    entry-wise relative error is meaningless where a long sum cancels to near zero)."""
    truth = truth.detach().cpu().double()
    diff = (actual.detach().cpu().double() - truth).abs().max().item()
    return diff / max(truth.abs().max().item(), torch.finfo(torch.float64).tiny)


def check(pair: Pair, truth: Outputs | None = None) -> None:
    """Run each side once and require that they compute the same thing; raise otherwise.

    Without ``truth``: the reference's and the built-in's outputs and gradients must be close
    (``pair.rtol``/``pair.atol``). With ``truth`` (the same computation in float64 on the CPU,
    see ``pairs``): each reference output must be within ``pair.truth_rtol`` of the truth,
    normwise (``_normwise_error``), and the built-in within ``BUILTIN_SANITY``: a built-in that
    computes something else is refused, while a built-in that sums 32k float32 products less
    accurately than the reference (cuDNN's conv weight gradient) is not mistaken for a wrong
    reference.
    """
    ours, theirs = pair.ref(), pair.builtin()
    if len(ours) != len(theirs):
        raise AssertionError(f"{pair.what}: {len(ours)} outputs vs {len(theirs)}")
    if truth is None:
        for k, (a, e) in enumerate(zip(ours, theirs, strict=True)):
            torch.testing.assert_close(
                a,
                e,
                rtol=pair.rtol,
                atol=pair.atol,
                msg=lambda m, k=k: f"{pair.what}, item {k}: {m}",
            )
        return
    if len(truth) != len(ours):
        raise AssertionError(f"{pair.what}: {len(ours)} outputs vs {len(truth)} in the truth")
    for k, (a, e, t) in enumerate(zip(ours, theirs, truth, strict=True)):
        for side, value, bound in (
            ("reference", a, pair.truth_rtol),
            ("built-in", e, BUILTIN_SANITY),
        ):
            if value.shape != t.shape:
                raise AssertionError(
                    f"{pair.what}, item {k}: {side} shape {tuple(value.shape)} vs {tuple(t.shape)}"
                )
            err = _normwise_error(value, t)
            if not err <= bound:
                raise AssertionError(
                    f"{pair.what}, item {k}: the {side} is {err:.2e} from the float64 truth "
                    f"(normwise; allowed {bound:.0e})"
                )


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _batch(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def measure(pair: Pair, repeat: int, min_batch_s: float) -> tuple[list[float], list[float]]:
    """Per-call seconds of (reference, built-in), ``repeat`` samples each, taken alternately.

    Each sample is the mean over a batch of calls sized so the slower side's batch lasts about
    ``min_batch_s``; the order within a repeat alternates so neither side always goes first.
    """
    for _ in range(2):  # warm-up: allocator, kernels, lazy state
        pair.ref()
        pair.builtin()
    slowest = max(_batch(pair.ref, 1), _batch(pair.builtin, 1))
    number = max(1, math.ceil(min_batch_s / max(slowest, 1e-9)))
    ref_times: list[float] = []
    builtin_times: list[float] = []
    with _no_gc():
        for i in range(repeat):
            sides = [(pair.ref, ref_times), (pair.builtin, builtin_times)]
            for fn, times in sides if i % 2 == 0 else reversed(sides):
                times.append(_batch(fn, number))
    return ref_times, builtin_times


def pairs(quick: bool, device: str, dtype: torch.dtype = DTYPE) -> list[Pair]:
    """The comparisons, course size then a larger one; ``quick``: tiny shapes (smoke test).

    ``dtype=torch.float64`` on the CPU builds the same comparisons on the same (float32-drawn)
    numbers: their built-in side is the float64 truth ``check`` measures both sides against."""
    if quick:
        return [
            conv_pair("course", 2, 2, 3, 8, 3, 1, 1, device, dtype),
            conv_pair("larger", 2, 3, 4, 9, 3, 1, 2, device, dtype),
            pool_pair("course", 2, 3, 8, 2, device, dtype),
            pool_pair("larger", 2, 3, 12, 2, device, dtype),
            lstm_pair("course", 2, 4, 1, 5, device, dtype),
            lstm_pair("larger", 3, 5, 4, 6, device, dtype),
            cross_entropy_pair("course", 8, 10, device, dtype),
            cross_entropy_pair("larger", 16, 50, device, dtype),
            *optimizer_pairs(1000, device, dtype),
        ]
    return [
        # the CNN demo's second layer on the 8×8 digits (batch 32, 16 → 32 channels)
        conv_pair("course", 32, 16, 32, 8, 3, 1, 1, device, dtype),
        conv_pair("larger", 32, 32, 64, 32, 3, 1, 1, device, dtype),
        pool_pair("course", 32, 32, 8, 2, device, dtype),  # the demo's pool after conv 2
        pool_pair("larger", 64, 64, 32, 2, device, dtype),
        lstm_pair("course", 32, 30, 1, 32, device, dtype),  # the LSTM demo: sine waves, H = 32
        lstm_pair("larger", 64, 100, 64, 256, device, dtype),
        cross_entropy_pair("course", 32, 10, device, dtype),  # a batch of digits
        cross_entropy_pair("larger", 4096, 1000, device, dtype),
        *optimizer_pairs(1_000_000, device, dtype),
    ]


@contextlib.contextmanager
def _full_float32(device: str) -> Iterator[None]:
    """On CUDA, switch TF32 off for the duration (both sides then compute in float32)."""
    if device != "cuda":
        yield
        return
    saved = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


def rows(args: argparse.Namespace) -> list[Row]:
    """The section's rows: a note on the set-up, then one row per comparison."""
    device = getattr(args, "device", "cpu")
    quick = getattr(args, "quick", False)
    repeat = max(1, min(2, args.repeat)) if quick else max(1, args.repeat)
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("reference_speed: --device cuda but torch.cuda.is_available() is False")
    section = SECTION + (" (cuda)" if device == "cuda" else "")
    where = torch.cuda.get_device_name() if device == "cuda" else f"CPU, {platform.machine()}"
    out = [
        Row(
            section,
            "set-up",
            f"{where}; torch {torch.__version__}; {torch.get_num_threads()} threads (torch's "
            f"default); float32; forward + backward; median (min–max) of {repeat} paired runs",
        )
    ]
    min_batch_s = 0.002 if quick else 0.05
    truths = pairs(quick, "cpu", torch.float64)
    with _full_float32(device):
        for pair, truth in zip(pairs(quick, device), truths, strict=True):
            check(pair, truth.builtin())
            ref_times, builtin_times = measure(pair, repeat, min_batch_s)
            median, text = ratio_spread(ref_times, builtin_times)
            value = (
                f"{text}; {_fmt_time(statistics.median(ref_times))} vs "
                f"{_fmt_time(statistics.median(builtin_times))}"
            )
            out.append(Row(section, pair.what, value, f"≤ {TARGET:g}×", median <= TARGET))
    return out


def table(result: list[Row]) -> str:
    lines = ["| what | reference / built-in; reference vs built-in | target | met |"]
    lines.append("|---|---|---|---|")
    lines += [f"| {r.what} | {r.value} | {r.target} | {r.mark} |" for r in result]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reference_speed", description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="paired runs per figure")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1–2 runs (smoke test)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    args = parser.parse_args(argv)
    result = rows(args)
    print(f"## {result[0].section}\n")
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
