"""A small CNN built from the reference layers classifies scikit-learn's 8×8 digits.

Conv(1→16, 3×3, pad 1) → ReLU → Conv(16→32, 3×3, pad 1) → ReLU → max-pool 2 → flatten →
dropout 0.3 → Dense(512→64) → ReLU → Dense(64→10): every forward pass is the reference
(``conv.conv2d_multi``, ``conv.max_pool2d``, ``training.dropout``, ``forward.dense_forward``, ...),
gradients come from autograd and the reference ``optimizers.adam_step`` updates the parameters.
Pixels are scaled to [0, 1].
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
from rich.table import Table
from torch import nn

from reference import layers
from reference.demos import DemoContext, DemoResult
from reference.demos.optimizers import (
    OptimizerRun,
    Split,
    accuracy,
    load_digits_split,
    new_figure,
    save_figure,
    train,
)

TITLE = "A small CNN from reference layers on the 8×8 digits"


@dataclass
class CNNConfig:
    channels: tuple[int, int] = (16, 32)
    hidden: int = 64
    dropout: float = 0.3
    epochs: int = 15
    batch_size: int = 32
    lr: float = 2e-3
    n_train: int | None = None
    target: float = 0.95


def build_cnn(
    cfg: CNNConfig, rng: torch.Generator, device: torch.device, seed: int = 0
) -> nn.Sequential:
    c1, c2 = cfg.channels
    return nn.Sequential(
        layers.Conv2d(1, c1, 3, padding=1, rng=rng, device=device),  # (N, c1, 8, 8)
        layers.Activation("relu"),
        layers.Conv2d(c1, c2, 3, padding=1, rng=rng, device=device),  # (N, c2, 8, 8)
        layers.Activation("relu"),
        layers.MaxPool2d(2),  # (N, c2, 4, 4)
        layers.Flatten(),  # (N, 16·c2)
        layers.Dropout(cfg.dropout, seed=seed),
        layers.Dense(16 * c2, cfg.hidden, rng=rng, device=device),
        layers.Activation("relu"),
        layers.Dense(cfg.hidden, 10, rng=rng, device=device),  # logits
    )


def as_images(data: Split) -> Split:
    """(N, 64) pixel rows → (N, 1, 8, 8) images."""
    return Split(
        data.x_train.reshape(-1, 1, 8, 8),
        data.y_train,
        data.x_test.reshape(-1, 1, 8, 8),
        data.y_test,
    )


def run(ctx: DemoContext, config: CNNConfig | None = None) -> DemoResult:
    cfg = config or CNNConfig()
    data = as_images(load_digits_split(ctx.device, standardise=False, n_train=cfg.n_train))
    model = build_cnn(cfg, ctx.generator(1), ctx.device, seed=ctx.seed + 3)
    n_params = sum(p.numel() for p in model.parameters())
    test_acc: list[float] = []
    start = time.perf_counter()
    with ctx.console.status("training the CNN") as status:

        def on_epoch(epoch: int, loss: float) -> None:
            test_acc.append(accuracy(model, data.x_test, data.y_test))
            status.update(
                f"epoch {epoch + 1}/{cfg.epochs}: train loss {loss:.4f}, test acc {test_acc[-1]:.2%}"
            )

        run_ = OptimizerRun("Adam", "adam", cfg.batch_size, cfg.epochs, {"lr": cfg.lr})
        history = train(model, data, run_, ctx.generator(2), on_epoch=on_epoch)
    seconds = time.perf_counter() - start
    final_acc = test_acc[-1]
    train_acc = accuracy(model, data.x_train, data.y_train)

    table = Table(title=f"CNN ({n_params:,} parameters), reference adam_step lr={cfg.lr}")
    for col in ("epoch", "train loss", "test accuracy"):
        table.add_column(col, justify="right")
    for epoch, (loss, acc) in enumerate(zip(history, test_acc, strict=True), start=1):
        table.add_row(str(epoch), f"{loss:.4f}", f"{acc:.2%}")

    fig, (ax_loss, ax_acc) = new_figure(ncols=2, width=4.5, height=3.5)
    epochs = range(1, len(history) + 1)
    ax_loss.plot(epochs, history, marker=".")
    ax_loss.set(yscale="log", xlabel="epoch", ylabel="training loss", title="Training loss")
    ax_acc.plot(epochs, test_acc, marker=".", color="tab:green")
    ax_acc.axhline(cfg.target, linestyle="--", color="gray", label=f"target {cfg.target:.0%}")
    ax_acc.set(xlabel="epoch", ylabel="test accuracy", title="Test accuracy")
    ax_acc.legend(fontsize=8)
    path = save_figure(fig, ctx.out / "cnn.png")

    ok = final_acc >= cfg.target and all(torch.isfinite(torch.tensor(history)))
    return DemoResult(
        figures={
            "test_accuracy": round(final_acc, 4),
            "train_accuracy": round(train_acc, 4),
            "final_train_loss": round(history[-1], 4),
            "parameters": n_params,
            "train_seconds": round(seconds, 1),
        },
        tables=[table],
        files=[path],
        ok=ok,
        message=f"target: test accuracy ≥ {cfg.target:.0%} (got {final_acc:.2%}); curves in {path}",
    )
