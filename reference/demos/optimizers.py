"""Every optimizer of the course trains the same MLP on scikit-learn's digits.

A 64-32-10 ReLU network (reference ``layers.Dense``), softmax + categorical cross-entropy (the
reference ``activations.softmax`` and ``losses.categorical_cross_entropy``), starts from one set
of initial weights for every optimizer; autograd gives the gradients and the reference's
functional step functions (``reference.optimizers``) update the parameters, each parameter
keeping its own optimizer state. The demo prints the final train loss and test accuracy of each
optimizer and saves the loss curves as ``optimizers.png``.

The helpers here (``load_digits_split``, ``FunctionalOptimizer``, ``cross_entropy``,
``accuracy``, ``new_figure``) are shared by the cnn demo.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from matplotlib.figure import Figure
from rich.table import Table
from sklearn.datasets import load_digits
from torch import nn

from reference import activations, layers, losses, training
from reference import optimizers as ref_optim
from reference.demos import DemoContext, DemoResult

TITLE = "GD, SGD, mini-batch, momentum, Adagrad, RMSProp, Adadelta and Adam on the digits"

#: Reference step function and the names of its state tensors (in the order it takes them).
RULES: dict[str, tuple[Callable[..., Any], tuple[str, ...]]] = {
    "gd": (ref_optim.gd_step, ()),
    "momentum": (ref_optim.momentum_step, ("velocity",)),
    "adagrad": (ref_optim.adagrad_step, ("sum_sq",)),
    "rmsprop": (ref_optim.rmsprop_step, ("sq_avg",)),
    "adadelta": (ref_optim.adadelta_step, ("sq_avg", "delta_avg")),
    "adam": (ref_optim.adam_step, ("m", "v")),
}


class FunctionalOptimizer:
    """Drive a reference step function over a model's parameters, like a ``torch.optim`` object.

    Each parameter keeps its own state tensors (zeros at the start, as the curriculum says);
    ``step()`` reads ``p.grad`` and writes the new value into ``p`` in place. Adam's step
    counter ``t`` starts at 1.
    """

    def __init__(self, params: Iterable[nn.Parameter], rule: str, **hyper: float) -> None:
        if rule not in RULES:
            raise ValueError(f"FunctionalOptimizer: rule must be one of {', '.join(RULES)}")
        self.params = [p for p in params if p.requires_grad]
        self.rule, self.hyper = rule, hyper
        self.fn, names = RULES[rule]
        self.state = [[torch.zeros_like(p) for _ in names] for p in self.params]
        self.t = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        for p, state in zip(self.params, self.state, strict=True):
            if p.grad is None:
                continue
            args: list[Any] = [p.detach(), p.grad.detach(), *state]
            if self.rule == "adam":
                args.append(self.t)
            out = self.fn(*args, **self.hyper)
            new_w, new_state = (out, ()) if self.rule == "gd" else (out[0], out[1:])
            p.copy_(new_w)
            state[:] = list(new_state)


@dataclass
class Split:
    """A train/test split on one device (digits: x (N, 64) float, y (N,) int64 labels)."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


def load_digits_split(
    device: torch.device,
    *,
    standardise: bool = True,
    test_fraction: float = 0.25,
    split_seed: int = 0,
    n_train: int | None = None,
) -> Split:
    """scikit-learn's bundled 8×8 digits (1,797 images, no download), split once.

    The split is a fixed permutation drawn from ``split_seed``; ``standardise`` centres and
    scales each pixel with the training set's mean and standard deviation (pixels constant in
    the training set are only centred), otherwise pixels are divided by 16 into [0, 1].
    ``n_train`` keeps only the first training samples (for quick runs).
    """
    data = load_digits()
    x = torch.tensor(data.data, dtype=torch.float32)  # (1797, 64), values 0..16
    y = torch.tensor(data.target, dtype=torch.int64)  # (1797,)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(split_seed))
    n_test = round(test_fraction * len(y))
    test, train = perm[:n_test], perm[n_test:]
    if n_train is not None:
        train = train[:n_train]
    x_train, x_test = x[train], x[test]
    if standardise:
        mean, std = x_train.mean(0), x_train.std(0)
        std = torch.where(std > 0, std, torch.ones_like(std))
        x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    else:
        x_train, x_test = x_train / 16, x_test / 16
    return Split(x_train.to(device), y[train].to(device), x_test.to(device), y[test].to(device))


def cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean categorical cross-entropy of softmax(logits) against integer labels (reference)."""
    probs = activations.softmax(logits, axis=-1)  # (N, C)
    targets = losses.one_hot(labels, logits.shape[-1], dtype=probs.dtype)  # (N, C)
    return losses.categorical_cross_entropy(targets, probs)


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of samples whose arg-max logit is the label (model in eval mode)."""
    was_training = model.training
    model.eval()
    acc = (model(x).argmax(-1) == y).float().mean().item()
    model.train(was_training)
    return acc


def new_figure(ncols: int = 1, width: float = 6.0, height: float = 4.0) -> tuple[Figure, Any]:
    """A matplotlib figure with no GUI backend (rendered by Agg on ``savefig``)."""
    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    axes = fig.subplots(1, ncols)
    return fig, axes


def save_figure(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


@dataclass(frozen=True)
class OptimizerRun:
    """One training run: a label, a reference rule, batch size (None = full batch), epochs,
    and the step function's keyword hyper-parameters."""

    label: str
    rule: str
    batch_size: int | None
    epochs: int
    hyper: dict[str, float]


@dataclass
class OptimizersConfig:
    """Hyper-parameters of the optimizers demo (tests pass a tiny one)."""

    hidden: int = 32
    epochs: int = 30  # mini-batch runs
    gd_epochs: int = 300  # full batch: one step per epoch
    sgd_epochs: int = 4  # batch 1: ~1,350 steps per epoch
    batch_size: int = 32
    n_train: int | None = None
    lrs: dict[str, float] = field(
        default_factory=lambda: {
            "gd": 0.5,
            "sgd": 0.01,
            "minibatch": 0.1,
            "momentum": 0.1,
            "adagrad": 0.05,
            "rmsprop": 1e-3,
            "adadelta": 1.0,
            "adam": 2e-3,
        }
    )

    def runs(self) -> list[OptimizerRun]:
        lr, e, bs = self.lrs, self.epochs, self.batch_size
        return [
            OptimizerRun("GD (full batch)", "gd", None, self.gd_epochs, {"lr": lr["gd"]}),
            OptimizerRun("SGD (batch 1)", "gd", 1, self.sgd_epochs, {"lr": lr["sgd"]}),
            OptimizerRun(f"mini-batch SGD ({bs})", "gd", bs, e, {"lr": lr["minibatch"]}),
            OptimizerRun("momentum", "momentum", bs, e, {"lr": lr["momentum"], "beta": 0.9}),
            OptimizerRun("Adagrad", "adagrad", bs, e, {"lr": lr["adagrad"]}),
            OptimizerRun("RMSProp", "rmsprop", bs, e, {"lr": lr["rmsprop"], "beta": 0.99}),
            OptimizerRun("Adadelta", "adadelta", bs, e, {"lr": lr["adadelta"], "rho": 0.9}),
            OptimizerRun("Adam", "adam", bs, e, {"lr": lr["adam"]}),
        ]


@contextmanager
def cpu_threads(n: int | None) -> Iterator[None]:
    """Run the block with ``n`` intra-op CPU threads (None: leave torch's setting), then restore.

    The demo models are tiny (a 32×64 matmul per step), so splitting one op across threads costs
    more than it saves, and on a busy machine the waiting threads slow every op down: on the
    2-core CI box the optimizers demo takes ~9 s with one thread and ~29 s with two.
    """
    old = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def train(
    model: nn.Module,
    data: Split,
    run: OptimizerRun,
    rng: torch.Generator,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = cross_entropy,
    on_epoch: Callable[[int, float], None] | None = None,
    threads: int | None = 1,
) -> list[float]:
    """Train ``model`` in place; return the full training-set loss after each epoch.

    Batches come from the reference ``training.minibatch_indices`` (``batch_size`` None: the
    whole training set, one step per epoch); ``threads`` CPU threads (see ``cpu_threads``).
    """
    with cpu_threads(threads):
        return _train(model, data, run, rng, loss_fn, on_epoch)


def _train(
    model: nn.Module,
    data: Split,
    run: OptimizerRun,
    rng: torch.Generator,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    on_epoch: Callable[[int, float], None] | None,
) -> list[float]:
    opt = FunctionalOptimizer(model.parameters(), run.rule, **run.hyper)
    n = len(data.y_train)
    history: list[float] = []
    for epoch in range(run.epochs):
        model.train()
        if run.batch_size is None:
            batches = [torch.arange(n)]
        else:
            batches = training.minibatch_indices(n, run.batch_size, rng)
        for idx in batches:
            idx = idx.to(data.x_train.device)
            opt.zero_grad()
            loss_fn(model(data.x_train[idx]), data.y_train[idx]).backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            history.append(loss_fn(model(data.x_train), data.y_train).item())
        if on_epoch is not None:
            on_epoch(epoch, history[-1])
    return history


def mlp(
    d_in: int, hidden: int, d_out: int, rng: torch.Generator, device: torch.device
) -> nn.Module:
    """d_in → hidden (ReLU) → d_out logits, from reference layers."""
    return nn.Sequential(
        layers.Dense(d_in, hidden, rng=rng, device=device),
        layers.Activation("relu"),
        layers.Dense(hidden, d_out, rng=rng, device=device),
    )


def run(ctx: DemoContext, config: OptimizersConfig | None = None) -> DemoResult:
    cfg = config or OptimizersConfig()
    data = load_digits_split(ctx.device, n_train=cfg.n_train)
    initial = mlp(64, cfg.hidden, 10, ctx.generator(1), ctx.device)
    table = Table(title=f"MLP 64-{cfg.hidden}-10 on digits: every optimizer from the same weights")
    for col in (
        "optimizer",
        "hyper-parameters",
        "epochs",
        "updates",
        "train loss",
        "test acc",
        "s",
    ):
        table.add_column(
            col, justify="left" if col in ("optimizer", "hyper-parameters") else "right"
        )
    curves: dict[str, list[float]] = {}
    figures: dict[str, Any] = {}
    n = len(data.y_train)
    for run_ in cfg.runs():
        model = copy.deepcopy(initial)  # the same initial weights for every optimizer
        start = time.perf_counter()
        with ctx.console.status(f"training with {run_.label}") as status:

            def report(epoch: int, loss: float, label: str = run_.label) -> None:
                status.update(f"{label}: epoch {epoch + 1}, train loss {loss:.4f}")

            history = train(model, data, run_, ctx.generator(2), on_epoch=report)
        seconds = time.perf_counter() - start
        acc = accuracy(model, data.x_test, data.y_test)
        steps_per_epoch = 1 if run_.batch_size is None else -(-n // run_.batch_size)
        curves[run_.label] = history
        hyper = ", ".join(f"{k}={v:g}" for k, v in run_.hyper.items())
        table.add_row(
            run_.label,
            hyper,
            str(run_.epochs),
            str(run_.epochs * steps_per_epoch),
            f"{history[-1]:.4f}",
            f"{acc:.2%}",
            f"{seconds:.1f}",
        )
        key = run_.label.split(" (")[0].lower().replace(" ", "_").replace("-", "_")
        figures[f"acc_{key}"] = round(acc, 4)
        figures[f"loss_{key}"] = round(history[-1], 4)

    fig, ax = new_figure(width=7, height=4.5)
    for label, history in curves.items():
        ax.plot(
            range(1, len(history) + 1),
            history,
            label=label,
            marker="." if len(history) < 10 else None,
        )
    ax.set(xscale="log", yscale="log", xlabel="epoch", ylabel="training loss (cross-entropy)")
    ax.set_title("Same MLP, same initial weights, eight optimizers")
    ax.legend(fontsize=8)
    path = save_figure(fig, ctx.out / "optimizers.png")

    finite = all(torch.isfinite(torch.tensor(h)).all() for h in curves.values())
    ok = figures["acc_adam"] >= 0.90 and finite
    return DemoResult(
        figures=figures,
        tables=[table],
        files=[path],
        ok=ok,
        message=(
            f"target: Adam test accuracy ≥ 90% (got {figures['acc_adam']:.2%}); "
            f"loss curves in {path}"
        ),
    )
