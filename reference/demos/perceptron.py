"""A perceptron learns a linearly separable 2-D data set with Rosenblatt's rule.

The data: points uniform in the square [−2, 2]², labelled 1 on one side of a random line and 0
on the other, with a margin around the line left empty (so the perceptron convergence theorem
applies: at most (R/γ)² mistakes). ``reference.forward.perceptron_train`` trains from zero
weights; because it always starts from zero and visits samples in the same order, training for
e epochs gives exactly the weights after epoch e of a longer run, so the demo trains for
e = 1, 2, ... epochs and reports the first e after which no training point is misclassified
(from then on the rule makes no more updates).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from rich.table import Table

from reference import forward
from reference.demos import DemoContext, DemoResult
from reference.demos.optimizers import new_figure, save_figure

TITLE = "Perceptron on a linearly separable 2-D set"


@dataclass
class PerceptronConfig:
    n_samples: int = 100
    margin: float = 0.02  # no point closer than this to the true line
    lr: float = 0.1
    max_epochs: int = 50


def make_separable(
    n: int, margin: float, rng: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:
    """n points in [−2, 2]² at distance ≥ margin from a random line w·x + b = 0 (|w| = 1).

    Returns x (n, 2) float64, y (n,) in {0, 1} (1 where w·x + b > 0), w and b.
    """
    angle = torch.rand((), generator=rng, dtype=torch.float64) * 2 * math.pi
    w = torch.stack([torch.cos(angle), torch.sin(angle)])  # (2,), unit normal
    b = float(torch.rand((), generator=rng, dtype=torch.float64) - 0.5)
    kept: list[torch.Tensor] = []
    count = 0
    while count < n:
        x = torch.rand(4 * n, 2, generator=rng, dtype=torch.float64) * 4 - 2
        x = x[(x @ w + b).abs() >= margin]
        kept.append(x)
        count += len(x)
    x = torch.cat(kept)[:n]
    y = (x @ w + b > 0).to(torch.float64)
    return x, y, w, b


def run(ctx: DemoContext, config: PerceptronConfig | None = None) -> DemoResult:
    cfg = config or PerceptronConfig()
    if cfg.max_epochs < 1:
        raise ValueError(f"perceptron demo: max_epochs must be >= 1, got {cfg.max_epochs}")
    x, y, w_true, b_true = make_separable(cfg.n_samples, cfg.margin, ctx.generator(0))
    x, y = x.to(ctx.device), y.to(ctx.device)
    errors_after: list[int] = []
    converged_at: int | None = None
    with ctx.console.status("training the perceptron") as status:
        for epoch in range(1, cfg.max_epochs + 1):
            w, b = forward.perceptron_train(x, y, lr=cfg.lr, epochs=epoch)
            errors = int((forward.perceptron_predict(x, w, b) != y).sum())
            errors_after.append(errors)
            status.update(f"epoch {epoch}: {errors} training errors")
            if errors == 0:
                converged_at = epoch
                break
    acc = 1.0 - errors_after[-1] / cfg.n_samples

    table = Table(title=f"Perceptron, {cfg.n_samples} points, lr={cfg.lr}")
    table.add_column("epoch", justify="right")
    table.add_column("training errors after the epoch", justify="right")
    for epoch, errors in enumerate(errors_after, start=1):
        table.add_row(str(epoch), str(errors))

    w_cpu, b_cpu = w.detach().cpu(), float(b)
    fig, ax = new_figure(width=5, height=5)
    xc, yc = x.cpu(), y.cpu()
    ax.scatter(xc[yc == 1, 0], xc[yc == 1, 1], s=12, label="class 1")
    ax.scatter(xc[yc == 0, 0], xc[yc == 0, 1], s=12, label="class 0")
    grid = torch.linspace(-2, 2, 50, dtype=torch.float64)
    for normal, bias, style, label in (
        (w_true, b_true, "--", "true boundary"),
        (w_cpu, b_cpu, "-", "learned boundary"),
    ):
        if abs(float(normal[1])) > 1e-12:  # x2 = −(w1·x1 + b)/w2
            ax.plot(grid, -(normal[0] * grid + bias) / normal[1], style, color="k", label=label)
        elif abs(float(normal[0])) > 1e-12:
            ax.axvline(-bias / float(normal[0]), linestyle=style, color="k", label=label)
    ax.set(xlim=(-2, 2), ylim=(-2, 2), xlabel="x1", ylabel="x2")
    ax.set_title(f"Perceptron after {len(errors_after)} epoch(s)")
    ax.legend(fontsize=8)
    path = save_figure(fig, ctx.out / "perceptron.png")

    return DemoResult(
        figures={
            "epochs_to_converge": converged_at,
            "train_accuracy": acc,
            "w": [round(float(v), 4) for v in w_cpu],
            "b": round(b_cpu, 4),
        },
        tables=[table],
        files=[path],
        ok=converged_at is not None and acc == 1.0,
        message=(
            f"target: 100% training accuracy (got {acc:.0%}); "
            + (
                f"no training errors after epoch {converged_at}"
                if converged_at
                else f"not converged in {cfg.max_epochs} epochs"
            )
        ),
    )
