"""Training loops: batches, epochs and iterations, dropout, early stopping (PyTorch ground truth).

Vocabulary: one *iteration* is one parameter update computed on one batch; one *epoch* is one
pass over all N samples. Full-batch gradient descent takes one iteration per epoch, stochastic
gradient descent (batch size 1) takes N, mini-batch SGD with batch size B takes ⌈N / B⌉.

Randomness comes in as ``rng: torch.Generator | None`` (the learner API takes
``np.random.Generator``); ``None`` means a fresh generator seeded from the operating system, never
torch's global generator.
"""

from __future__ import annotations

import math

import torch

from reference._validate import expect, require_float, require_positive

__all__ = [
    "dropout",
    "early_stopping",
    "minibatch_indices",
    "num_iterations",
    "train_linear_regression",
]

METHODS = ("gd", "sgd", "minibatch")


def _require_int(fn: str, name: str, value: object, minimum: int) -> int:
    """``value`` as an int ≥ ``minimum``; bools and floats are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{fn}: {name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{fn}: {name} must be >= {minimum}, got {value!r}")
    return value


def _generator(fn: str, rng: torch.Generator | None) -> torch.Generator:
    """``rng`` itself, or a fresh generator seeded from OS entropy (never the global one)."""
    if rng is None:
        fresh = torch.Generator()
        fresh.seed()
        return fresh
    if not isinstance(rng, torch.Generator):
        raise ValueError(f"{fn}: rng must be a torch.Generator or None, got {type(rng).__name__}")
    return rng


def num_iterations(n_samples: int, batch_size: int, epochs: int, drop_last: bool = False) -> int:
    """Number of parameter updates in ``epochs`` passes over ``n_samples`` in batches.

        per epoch = ⌈N / B⌉   (the last, smaller batch is still a step)
                  = ⌊N / B⌋   with ``drop_last`` (an incomplete last batch is skipped)
        total     = per epoch · epochs

    This is ``len(torch.utils.data.DataLoader(dataset, batch_size, drop_last=...)) * epochs``.

    Args:
        n_samples: N ≥ 0.
        batch_size: B ≥ 1.
        epochs: ≥ 0.
        drop_last: skip an incomplete last batch.

    Returns:
        The total number of iterations, an int.
    """
    n = _require_int("num_iterations", "n_samples", n_samples, 0)
    b = _require_int("num_iterations", "batch_size", batch_size, 1)
    e = _require_int("num_iterations", "epochs", epochs, 0)
    per_epoch = n // b if drop_last else -(-n // b)  # floor / ceiling division, exact for ints
    return per_epoch * e


def minibatch_indices(
    n_samples: int, batch_size: int, rng: torch.Generator | None
) -> list[torch.Tensor]:
    """Shuffle ``range(n_samples)`` and cut it into consecutive batches of ``batch_size``.

    Every index appears in exactly one batch; all batches have ``batch_size`` indices except the
    last, which holds the remaining N mod B when B does not divide N (like a DataLoader with
    ``shuffle=True, drop_last=False``).

    Args:
        n_samples: N ≥ 0.
        batch_size: B ≥ 1.
        rng: the random source of the shuffle (``None``: a fresh OS-seeded generator).

    Returns:
        A list of ⌈N / B⌉ int64 tensors on the generator's device.
    """
    n = _require_int("minibatch_indices", "n_samples", n_samples, 0)
    b = _require_int("minibatch_indices", "batch_size", batch_size, 1)
    gen = _generator("minibatch_indices", rng)
    order = torch.randperm(n, generator=gen, device=gen.device)  # (N,) a random permutation
    return [order[start : start + b] for start in range(0, n, b)]


def _mse_and_grads(
    x: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """MSE of the linear model on (x, y) and its gradients with respect to w and b."""
    residual = x @ w + b - y  # (B,)
    loss = torch.mean(residual * residual)
    grad_w = 2.0 * (x.T @ residual) / x.shape[0]  # (D,)  ∂/∂w (1/B)Σ r² = (2/B) xᵀ r
    grad_b = 2.0 * torch.mean(residual)  # ()
    return loss, grad_w, grad_b


def train_linear_regression(
    x: torch.Tensor,
    y: torch.Tensor,
    method: str = "gd",
    lr: float = 0.05,
    epochs: int = 100,
    batch_size: int = 32,
    rng: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Fit y ≈ x·w + b by minimising the mean squared error with one of three kinds of descent.

        L(w, b) = (1/B) Σ_i (x_i·w + b − y_i)²   over a batch of B samples
        ∂L/∂w = (2/B) xᵀ r,   ∂L/∂b = (2/B) Σ_i r_i,   r = x·w + b − y
        w ← w − lr·∂L/∂w,      b ← b − lr·∂L/∂b

    ``method``:
      - ``"gd"``: full batch, one step per epoch (deterministic; ``rng`` is unused);
      - ``"sgd"``: batch size 1, one step per sample, in a fresh random order each epoch
        (``batch_size`` is unused);
      - ``"minibatch"``: one step per batch of :func:`minibatch_indices` (N, batch_size, rng),
        reshuffled each epoch.
    w starts at zeros and b at 0.0. After each epoch the MSE on all the data is recorded.

    Args:
        x: (N, D) inputs, N ≥ 1.
        y: (N,) targets.
        method: "gd", "sgd" or "minibatch".
        lr: learning rate > 0 (default 0.05).
        epochs: passes over the data, ≥ 0 (default 100).
        batch_size: B ≥ 1 for "minibatch" (default 32).
        rng: the random source of the shuffles.

    Returns:
        (w (D,), b (0-d tensor), loss_history (epochs,)), on x's device and dtype.
    """
    fn = "train_linear_regression"
    dims = expect(fn, x=(x, "N D"), y=(y, "N"))
    if y.dtype != x.dtype:
        raise ValueError(f"{fn}: y has dtype {y.dtype}, expected x's dtype {x.dtype}")
    if dims["N"] < 1:
        raise ValueError(f"{fn}: x has shape {tuple(x.shape)}, expected at least one sample")
    if method not in METHODS:
        raise ValueError(f"{fn}: method must be one of {METHODS}, got {method!r}")
    require_positive(fn, "lr", lr)
    _require_int(fn, "epochs", epochs, 0)
    _require_int(fn, "batch_size", batch_size, 1)
    n = dims["N"]
    gen = None if method == "gd" else _generator(fn, rng)

    w = torch.zeros(dims["D"], device=x.device, dtype=x.dtype)  # (D,)
    b = torch.zeros((), device=x.device, dtype=x.dtype)  # ()
    history = torch.empty(epochs, device=x.device, dtype=x.dtype)  # (epochs,)
    for epoch in range(epochs):
        if method == "gd":
            batches = [None]  # the whole data set
        else:
            batches = minibatch_indices(n, 1 if method == "sgd" else batch_size, gen)
        for idx in batches:
            if idx is None:
                xb, yb = x, y
            else:
                idx = idx.to(x.device)
                xb, yb = x[idx], y[idx]  # (B, D), (B,)
            _, grad_w, grad_b = _mse_and_grads(xb, yb, w, b)
            w = w - lr * grad_w
            b = b - lr * grad_b
        history[epoch] = _mse_and_grads(x, y, w, b)[0]
    return w, b, history


def dropout(
    x: torch.Tensor, p: float, rng: torch.Generator | None, training: bool = True
) -> torch.Tensor:
    """Inverted dropout (Srivastava et al., 2014; ``torch.nn.functional.dropout``).

    In training each entry is kept independently with probability 1 − p and zeroed otherwise,
    and kept entries are scaled by 1/(1 − p) so that E[output] = x:

        out = x · mask / (1 − p),   mask ~ Bernoulli(1 − p)

    p = 0 returns x unchanged; p = 1 returns zeros; ``training=False`` (inference) returns x
    unchanged: the rescaling during training is what lets inference skip any correction.

    Args:
        x: any shape.
        p: probability of dropping an entry, in [0, 1].
        rng: random source of the mask (``None``: a fresh OS-seeded generator).
        training: apply dropout (True) or act as the identity (False).

    Returns:
        A new tensor, the shape, dtype and device of ``x``.
    """
    require_float("dropout", "x", x)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be in [0, 1], got {p!r}")
    if not isinstance(training, bool):
        raise ValueError(f"dropout: training must be a bool, got {training!r}")
    if not training or p == 0.0:
        return x.clone()
    if p == 1.0:
        return torch.zeros_like(x)
    gen = _generator("dropout", rng)
    u = torch.rand(x.shape, generator=gen, device=gen.device)  # uniform [0, 1), float32
    keep = (u >= p).to(x.device)  # P(keep) = 1 − p
    return torch.where(keep, x * (1.0 / (1.0 - p)), torch.zeros_like(x))


def early_stopping(
    val_losses: torch.Tensor, patience: int, min_delta: float = 0.0
) -> tuple[int, int]:
    """When Keras' ``EarlyStopping(monitor="val_loss", patience, min_delta)`` stops training.

    Epochs are numbered from 0. Walking through the losses with best = +∞:
      - epoch e *improves* when val_losses[e] < best − min_delta; then best = val_losses[e],
        best_epoch = e and the count of epochs without improvement restarts at 0;
      - otherwise the count grows by one, and once it reaches ``patience`` (at an epoch after
        the first) training stops at that epoch.
    If that never happens, training runs to the last epoch.

    Args:
        val_losses: (E,) the validation loss after each epoch, E ≥ 1.
        patience: epochs without improvement tolerated, an int ≥ 0.
        min_delta: the least decrease that counts as an improvement, ≥ 0.

    Returns:
        (stop_epoch, best_epoch), 0-based ints.
    """
    expect("early_stopping", val_losses=(val_losses, "E"))
    if val_losses.shape[0] == 0:
        raise ValueError("early_stopping: val_losses has shape (0,), expected at least one epoch")
    _require_int("early_stopping", "patience", patience, 0)
    require_positive("early_stopping", "min_delta", min_delta, allow_zero=True)
    best, best_epoch, wait = math.inf, 0, 0
    losses = val_losses.detach().double().cpu().tolist()
    for epoch, loss in enumerate(losses):
        wait += 1  # counted first, as Keras does, then reset on improvement
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        elif wait >= patience and epoch > 0:
            return epoch, best_epoch
    return len(losses) - 1, best_epoch
