"""Vanishing gradients: a deep sigmoid MLP against the same MLP with ReLU.

Part 1: MLPs of ``depth`` Dense layers (reference layers), one with sigmoid between the layers
and one with ReLU, take one backward pass of an MSE loss on a random batch from the same initial
weights; the table lists ‖∂L/∂W_l‖ per layer and the ratio first layer / last layer. Two init
schemes, each used for both activations:

- torch's default, W ~ U(±1/√fan_in) (weight variance 1/(3·fan_in)): each layer scales the
  backward signal by about √(fan_in·Var w·E[f′²]), which is ≈ 0.41 for ReLU but ≤ 0.14 for
  sigmoid (σ′ ≤ 0.25), so both shrink, sigmoid far faster;
- He (Kaiming) uniform, W ~ U(±√(6/fan_in)), zero biases (variance 2/fan_in): the factor is ≈ 1
  for ReLU (its gradients keep their scale through every layer) and still ≤ 0.35 for sigmoid.

Part 2: the course's one-neuron-wide chain o_k = σ(w_k·o_{k−1} + b_k), loss ½(y − o_n)²
(``reference.backprop.chain_forward`` / ``chain_backward``). By the chain rule
    ∂L/∂w_1 = −(y − o_n) · Π_{k=2..n} w_k · Π_{k=1..n} σ′(z_k) · x,
and σ′ ≤ 0.25, so |∂L/∂w_1| ≤ |y − o_n| · |x| · Π_{k=2..n} |w_k| · 0.25ⁿ.

Figure ``vanishing.png``: ‖∂L/∂W_l‖ per layer l, sigmoid against ReLU, on a log scale, one panel
per init: the sigmoid line falls by orders of magnitude towards the input, ReLU's stays level
under He init.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch
from rich.table import Table
from torch import nn

from reference import backprop, layers, losses
from reference.demos import DemoContext, DemoResult
from reference.demos.optimizers import new_figure, save_figure

TITLE = "Vanishing gradients: deep sigmoid vs ReLU MLP, and the 0.25ⁿ bound"


@dataclass
class VanishingConfig:
    depth: int = 15
    width: int = 32
    batch: int = 64
    chain_lengths: tuple[int, ...] = (1, 2, 3, 5, 8, 10, 15, 20)
    min_gap: float = 100.0  # ok when the ReLU first/last ratio ≥ min_gap × the sigmoid one


INITS = {"default": "torch default U(±1/√fan_in)", "he": "He uniform U(±√(6/fan_in)), b = 0"}


def deep_mlp(
    cfg: VanishingConfig, activation: str, init: str, rng: torch.Generator
) -> nn.Sequential:
    """``depth`` Dense(width → width) layers with ``activation`` between them, linear output;
    ``init`` is "default" (the layers' own init) or "he" (weights scaled by √6, zero biases)."""
    mods: list[nn.Module] = []
    for i in range(cfg.depth):
        dense = layers.Dense(cfg.width, cfg.width, rng=rng, dtype=torch.float64)
        if init == "he":  # U(±1/√fan_in)·√6 = U(±√(6/fan_in)): He et al. (2015) for ReLU
            with torch.no_grad():
                dense.W.mul_(math.sqrt(6.0))
                dense.b.zero_()
        mods.append(dense)
        if i < cfg.depth - 1:
            mods.append(layers.Activation(activation))
    return nn.Sequential(*mods)


def layer_grad_norms(model: nn.Sequential, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    """‖∂L/∂W_l‖ (Frobenius) for each Dense layer, L the reference MSE."""
    model.zero_grad()
    losses.mse(y, model(x)).backward()
    return [m.W.grad.norm().item() for m in model if isinstance(m, layers.Dense)]


def chain_rows(
    lengths: tuple[int, ...], rng: torch.Generator, device: torch.device
) -> list[tuple[int, float, float, float]]:
    """(n, |∂L/∂w_1|, 0.25ⁿ, bound) for chains of each length; weights in ±[0.5, 1.5]."""
    rows = []
    x = torch.tensor(1.0, dtype=torch.float64, device=device)
    y = torch.tensor(1.0, dtype=torch.float64, device=device)
    for n in lengths:
        sign = torch.where(torch.rand(n, generator=rng) < 0.5, -1.0, 1.0)
        ws = (sign * (0.5 + torch.rand(n, generator=rng))).to(torch.float64).to(device)
        bs = (0.5 * torch.randn(n, generator=rng)).to(torch.float64).to(device)
        o = backprop.chain_forward(x, ws, bs)  # (n,) every o_k
        grad_w, _ = backprop.chain_backward(x, ws, bs, y)
        o_n = o[-1]
        bound = (y - o_n).abs() * x.abs() * ws[1:].abs().prod() * 0.25**n
        rows.append((n, grad_w[0].abs().item(), 0.25**n, bound.item()))
    return rows


def plot_norms(norms: dict[tuple[str, str], list[float]], path: Path) -> Path:
    """One panel per init: ‖∂L/∂W_l‖ against layer l (1 = input side), sigmoid vs ReLU, log y."""
    fig, axes = new_figure(ncols=len(INITS), width=4.5, height=3.6)
    for ax, (init, label) in zip(axes, INITS.items(), strict=True):
        for act, style in (("sigmoid", "o-"), ("relu", "s-")):
            values = norms[init, act]
            ax.plot(range(1, len(values) + 1), values, style, label=act, markersize=3)
        ax.set(yscale="log", xlabel="layer (1 = input)", ylabel="‖∂L/∂W‖ (log scale)")
        ax.set_title(label, fontsize=9)
        ax.legend(fontsize=8)
    fig.suptitle("Gradient norm per layer: sigmoid vanishes towards the input, ReLU does not")
    return save_figure(fig, path)


def run(ctx: DemoContext, config: VanishingConfig | None = None) -> DemoResult:
    cfg = config or VanishingConfig()
    gen = ctx.generator(0)
    x = torch.randn(cfg.batch, cfg.width, generator=gen, dtype=torch.float64)
    y = torch.randn(cfg.batch, cfg.width, generator=gen, dtype=torch.float64)
    norms: dict[tuple[str, str], list[float]] = {}
    for init in INITS:
        for act in ("sigmoid", "relu"):
            # the same seed for both activations: the same initial weights
            model = deep_mlp(cfg, act, init, ctx.generator(1)).to(ctx.device)
            norms[init, act] = layer_grad_norms(model, x.to(ctx.device), y.to(ctx.device))
    ratio = {key: v[0] / v[-1] for key, v in norms.items()}

    tables = []
    for init, label in INITS.items():
        table = Table(
            title=f"‖∂L/∂W‖ per layer, {cfg.depth} Dense layers of width {cfg.width}, {label}"
        )
        for col in ("layer", "sigmoid", "relu"):
            table.add_column(col, justify="right")
        pairs = zip(norms[init, "sigmoid"], norms[init, "relu"], strict=True)
        for i, (s, r) in enumerate(pairs, start=1):
            tag = " (input)" if i == 1 else " (output)" if i == cfg.depth else ""
            table.add_row(f"{i}{tag}", f"{s:.3e}", f"{r:.3e}")
        table.add_section()
        table.add_row("first / last", f"{ratio[init, 'sigmoid']:.3e}", f"{ratio[init, 'relu']:.3e}")
        tables.append(table)

    rows = chain_rows(cfg.chain_lengths, ctx.generator(2), ctx.device)
    chain = Table(title="One-neuron sigmoid chain: |∂L/∂w_1| ≤ |y − o_n|·|x|·Π|w_k|·0.25ⁿ")
    for col in ("n", "|∂L/∂w_1|", "0.25ⁿ", "bound", "|∂L/∂w_1| / bound"):
        chain.add_column(col, justify="right")
    for n, g, q, bound in rows:
        chain.add_row(str(n), f"{g:.3e}", f"{q:.3e}", f"{bound:.3e}", f"{g / bound:.3f}")
    bound_holds = all(g <= bound * (1 + 1e-9) for _, g, _, bound in rows)
    tables.append(chain)

    gap = {init: ratio[init, "relu"] / ratio[init, "sigmoid"] for init in INITS}
    finite = all(math.isfinite(v) for vs in norms.values() for v in vs)
    ok = bound_holds and finite and all(g >= cfg.min_gap for g in gap.values())
    lines = [
        f"{label}: first-layer ‖∂L/∂W‖ = {ratio[init, 'sigmoid']:.1e} × the last layer's with "
        f"sigmoid, {ratio[init, 'relu']:.2g} × with ReLU"
        for init, label in INITS.items()
    ]
    path = plot_norms(norms, ctx.out / "vanishing.png")
    return DemoResult(
        files=[path],
        figures={
            **{f"{act}_{init}_first_over_last": ratio[init, act] for init, act in ratio},
            "chain_bound_holds": bound_holds,
            "chain_grad_w1_n10": next((g for n, g, _, _ in rows if n == 10), None),
        },
        tables=tables,
        ok=ok,
        message="\n".join(lines)
        + (
            f"\nTarget: under both inits the ReLU ratio ≥ {cfg.min_gap:g} × the sigmoid ratio "
            f"(got {', '.join(f'{g:.1e}' for g in gap.values())}) and the 0.25ⁿ bound holds for "
            f"every chain ({'yes' if bound_holds else 'NO'}). Figure: {path}"
        ),
    )
