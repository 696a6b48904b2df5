"""An LSTM (reference layer) learns to predict the next value of noisy sine waves.

Each sequence is x_t = A·sin(ω t + φ) + noise, with amplitude A, angular frequency ω and phase φ
drawn per sequence, and Gaussian noise of standard deviation σ. The model reads x_0 … x_{T−1}
and, at every step t, predicts x_{t+1} (one-step-ahead, trained with the reference MSE on every
step). On held-out sequences it is scored on its last prediction, x_T, against two naive
baselines: repeating the last value (x̂_T = x_{T−1}) and predicting the training mean. The noise
puts a floor of σ² under any predictor's MSE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from rich.table import Table
from torch import nn

from reference import layers, losses
from reference.demos import DemoContext, DemoResult
from reference.demos.optimizers import OptimizerRun, Split, new_figure, save_figure, train

TITLE = "LSTM: next value of noisy sine waves vs naive baselines"


@dataclass
class LSTMConfig:
    n_train: int = 1024
    n_test: int = 256
    seq_len: int = 30
    hidden: int = 32
    epochs: int = 15
    batch_size: int = 32
    lr: float = 1e-2
    noise: float = 0.1
    freq_range: tuple[float, float] = (0.15, 0.6)  # ω in radians per step
    amp_range: tuple[float, float] = (0.5, 1.5)
    target_ratio: float = 0.5  # ok when MSE < target_ratio · best baseline


def make_waves(n: int, cfg: LSTMConfig, rng: torch.Generator) -> torch.Tensor:
    """n noisy sine waves of length seq_len + 1, shape (n, T + 1), float32."""
    lo, hi = cfg.freq_range
    omega = lo + (hi - lo) * torch.rand(n, 1, generator=rng)
    phase = 2 * math.pi * torch.rand(n, 1, generator=rng)
    a_lo, a_hi = cfg.amp_range
    amp = a_lo + (a_hi - a_lo) * torch.rand(n, 1, generator=rng)
    t = torch.arange(cfg.seq_len + 1, dtype=torch.float32)  # (T + 1,)
    clean = amp * torch.sin(omega * t + phase)  # (n, T + 1)
    return clean + cfg.noise * torch.randn(n, cfg.seq_len + 1, generator=rng)


class NextValue(nn.Module):
    """LSTM(1 → H) then Dense(H → 1) at every step: x (N, T) → predictions (N, T)."""

    def __init__(self, hidden: int, rng: torch.Generator, device: torch.device) -> None:
        super().__init__()
        self.lstm = layers.LSTM(1, hidden, rng=rng, device=device)
        self.head = layers.Dense(hidden, 1, rng=rng, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, t = x.shape
        hs, _ = self.lstm(x[..., None])  # (N, T, H)
        return self.head(hs.reshape(n * t, -1)).reshape(n, t)  # (N, T)


def sequence_mse(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Reference MSE over every step of every sequence."""
    return losses.mse(target.reshape(-1, 1), pred.reshape(-1, 1))


def run(ctx: DemoContext, config: LSTMConfig | None = None) -> DemoResult:
    cfg = config or LSTMConfig()
    rng = ctx.generator(0)
    train_waves = make_waves(cfg.n_train, cfg, rng).to(ctx.device)
    test_waves = make_waves(cfg.n_test, cfg, rng).to(ctx.device)
    data = Split(  # inputs x_0..x_{T−1}, targets x_1..x_T
        train_waves[:, :-1], train_waves[:, 1:], test_waves[:, :-1], test_waves[:, 1:]
    )
    model = NextValue(cfg.hidden, ctx.generator(1), ctx.device)
    with ctx.console.status("training the LSTM") as status:

        def on_epoch(epoch: int, loss: float) -> None:
            status.update(f"epoch {epoch + 1}/{cfg.epochs}: train MSE (all steps) {loss:.4f}")

        run_ = OptimizerRun("Adam", "adam", cfg.batch_size, cfg.epochs, {"lr": cfg.lr})
        history = train(
            model, data, run_, ctx.generator(2), loss_fn=sequence_mse, on_epoch=on_epoch
        )

    model.eval()
    with torch.no_grad():
        pred = model(data.x_test)  # (N, T)
    target = data.y_test[:, -1]  # x_T
    lstm_mse = losses.mse(target, pred[:, -1]).item()
    last_mse = losses.mse(target, data.x_test[:, -1]).item()
    mean_mse = losses.mse(target, torch.full_like(target, train_waves.mean().item())).item()
    floor = cfg.noise**2
    best_baseline = min(last_mse, mean_mse)

    table = Table(title=f"Predicting x_T after {cfg.seq_len} steps ({cfg.n_test} test sequences)")
    table.add_column("predictor")
    table.add_column("test MSE", justify="right")
    table.add_column("vs LSTM", justify="right")
    for name, value in (
        (f"LSTM (hidden {cfg.hidden}, reference lstm_forward)", lstm_mse),
        ("repeat the last value", last_mse),
        ("predict the training mean", mean_mse),
        (f"noise floor σ² (σ = {cfg.noise})", floor),
    ):
        table.add_row(name, f"{value:.4f}", f"{value / lstm_mse:.1f}×")

    fig, (ax_loss, ax_seq) = new_figure(ncols=2, width=5, height=3.5)
    ax_loss.plot(range(1, len(history) + 1), history, marker=".")
    ax_loss.axhline(floor, linestyle="--", color="gray", label="noise floor σ²")
    ax_loss.set(yscale="log", xlabel="epoch", ylabel="train MSE (every step)", title="Training")
    ax_loss.legend(fontsize=8)
    steps = range(1, cfg.seq_len + 1)
    for i, color in zip(range(2), ("tab:blue", "tab:orange"), strict=True):
        ax_seq.plot(steps, data.y_test[i].cpu(), ".", color=color, alpha=0.6)
        ax_seq.plot(steps, pred[i].cpu(), "-", color=color, label=f"test sequence {i}: LSTM")
    ax_seq.set(xlabel="t", ylabel="x_t", title="One-step-ahead predictions (dots: data)")
    ax_seq.legend(fontsize=8)
    path = save_figure(fig, ctx.out / "lstm.png")

    ok = math.isfinite(lstm_mse) and lstm_mse < cfg.target_ratio * best_baseline
    return DemoResult(
        figures={
            "lstm_mse": round(lstm_mse, 5),
            "repeat_last_mse": round(last_mse, 5),
            "mean_mse": round(mean_mse, 5),
            "noise_floor": floor,
            "final_train_mse": round(history[-1], 5),
        },
        tables=[table],
        files=[path],
        ok=ok,
        message=(
            f"target: LSTM test MSE < {cfg.target_ratio} × best baseline "
            f"({cfg.target_ratio * best_baseline:.4f}); got {lstm_mse:.4f}"
        ),
    )
