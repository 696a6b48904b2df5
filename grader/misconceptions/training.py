"""Known-wrong variants of the ``training`` functions (see ``grader/misconceptions/__init__``).

Each variant keeps the learner function's signature and makes one mistake learners make. Variants
of random functions draw from ``rng`` exactly as ``solutions/training.py`` does (one
``rng.permutation(n)`` per shuffle, one ``rng.random(x.shape)`` per dropout mask), so on the same
seed they differ from the model answer only by their mistake.
"""

from __future__ import annotations

import numpy as np

from grader.misconceptions import mistake

# ---------------------------------------------------------------- num_iterations


@mistake(
    "training.num_iterations",
    "floor instead of ceiling",
    hint="Unless drop_last is set, the last, smaller batch is still a batch and still one update: "
    "round the number of batches per epoch up.",
)
def num_iterations_floor(
    n_samples: int, batch_size: int, epochs: int, drop_last: bool = False
) -> int:
    return (n_samples // batch_size) * epochs


@mistake(
    "training.num_iterations",
    "drop_last ignored",
    hint="With drop_last=True an incomplete last batch is skipped, so it must not be counted.",
)
def num_iterations_ignores_drop_last(
    n_samples: int, batch_size: int, epochs: int, drop_last: bool = False
) -> int:
    return -(-n_samples // batch_size) * epochs


@mistake(
    "training.num_iterations",
    "iterations of one epoch only",
    hint="The function counts updates over all the epochs, not in a single pass.",
)
def num_iterations_one_epoch(
    n_samples: int, batch_size: int, epochs: int, drop_last: bool = False
) -> int:
    return n_samples // batch_size if drop_last else -(-n_samples // batch_size)


# ---------------------------------------------------------------- minibatch_indices


@mistake(
    "training.minibatch_indices",
    "last partial batch dropped",
    hint="Every sample must appear in some batch: keep the final, smaller batch.",
)
def minibatch_drops_last_partial_batch(
    n_samples: int, batch_size: int, rng: np.random.Generator
) -> list[np.ndarray]:
    order = rng.permutation(n_samples)
    full = n_samples // batch_size
    return [order[i * batch_size : (i + 1) * batch_size] for i in range(full)]


@mistake(
    "training.minibatch_indices",
    "batches not shuffled",
    hint="Mini-batch SGD draws the batches in a random order: shuffle the indices with the rng "
    "you were given before cutting them into batches.",
)
def minibatch_not_shuffled(
    n_samples: int, batch_size: int, rng: np.random.Generator
) -> list[np.ndarray]:
    rng.permutation(n_samples)  # drawn and then ignored
    order = np.arange(n_samples)
    return [order[s : s + batch_size] for s in range(0, n_samples, batch_size)]


# ---------------------------------------------------------------- train_linear_regression


def _regression(
    x: np.ndarray,
    y: np.ndarray,
    method: str,
    lr: float,
    epochs: int,
    batch_size: int,
    rng: np.random.Generator | None,
    *,
    factor: float = 2.0,
    mean: bool = True,
    log_last_batch: bool = False,
    shuffle: bool = True,
) -> tuple[np.ndarray, float, np.ndarray]:
    """The model answer's loop with switches for the mistakes below."""
    rng = np.random.default_rng() if rng is None else rng
    n, d = x.shape
    w, b = np.zeros(d), 0.0
    history = np.zeros(epochs)
    for epoch in range(epochs):
        if method == "gd":
            batches = [np.arange(n)]
        else:
            size = 1 if method == "sgd" else batch_size
            order = rng.permutation(n)
            if not shuffle:
                order = np.arange(n)
            batches = [order[s : s + size] for s in range(0, n, size)]
        last = 0.0
        for idx in batches:
            r = x[idx] @ w + b - y[idx]
            last = float(np.mean(r**2))
            scale = factor / len(idx) if mean else factor
            w = w - lr * scale * (x[idx].T @ r)
            b = b - lr * scale * r.sum()
        history[epoch] = last if log_last_batch else np.mean((x @ w + b - y) ** 2)
    return w, float(b), history


@mistake(
    "training.train_linear_regression",
    "gradient of ½·MSE (factor 2 missing)",
    hint="The loss is the mean of r², whose derivative brings down a factor 2: ∂L/∂w = (2/B)·xᵀr.",
)
def regression_half_mse_gradient(
    x: np.ndarray,
    y: np.ndarray,
    method: str = "gd",
    lr: float = 0.05,
    epochs: int = 100,
    batch_size: int = 32,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, float, np.ndarray]:
    return _regression(x, y, method, lr, epochs, batch_size, rng, factor=1.0)


@mistake(
    "training.train_linear_regression",
    "sum instead of mean gradient (missing 1/B)",
    hint="The loss is a MEAN over the batch, so its gradient is divided by the batch size; "
    "a summed gradient makes the step grow with the batch.",
)
def regression_sum_gradient(
    x: np.ndarray,
    y: np.ndarray,
    method: str = "gd",
    lr: float = 0.05,
    epochs: int = 100,
    batch_size: int = 32,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, float, np.ndarray]:
    return _regression(x, y, method, lr, epochs, batch_size, rng, mean=False)


@mistake(
    "training.train_linear_regression",
    "loss history records the last batch",
    hint="After each epoch, record the MSE of the updated model on ALL the data, not the loss "
    "of the last batch before its update.",
)
def regression_logs_last_batch_loss(
    x: np.ndarray,
    y: np.ndarray,
    method: str = "gd",
    lr: float = 0.05,
    epochs: int = 100,
    batch_size: int = 32,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, float, np.ndarray]:
    return _regression(x, y, method, lr, epochs, batch_size, rng, log_last_batch=True)


@mistake(
    "training.train_linear_regression",
    "SGD and mini-batches without shuffling",
    hint="Stochastic and mini-batch descent visit the samples in a fresh random order every "
    "epoch: shuffle with rng.",
)
def regression_without_shuffling(
    x: np.ndarray,
    y: np.ndarray,
    method: str = "gd",
    lr: float = 0.05,
    epochs: int = 100,
    batch_size: int = 32,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, float, np.ndarray]:
    return _regression(x, y, method, lr, epochs, batch_size, rng, shuffle=False)


# ---------------------------------------------------------------- dropout


@mistake(
    "training.dropout",
    "inverted dropout without rescaling",
    hint="Inverted dropout divides the units it keeps by 1 − p, so the layer's expected output "
    "is unchanged and nothing needs correcting at inference.",
)
def dropout_without_rescaling(
    x: np.ndarray, p: float, rng: np.random.Generator, training: bool = True
) -> np.ndarray:
    if not training or p == 0:
        return np.array(x, dtype=float, copy=True)
    keep = rng.random(np.shape(x)) >= p
    return np.where(keep, x, 0.0)


@mistake(
    "training.dropout",
    "p taken as the probability of keeping",
    hint="p is the probability of DROPPING a unit (dropout 0.3 switches off about 30%), so a "
    "unit is kept with probability 1 − p.",
)
def dropout_keeps_with_probability_p(
    x: np.ndarray, p: float, rng: np.random.Generator, training: bool = True
) -> np.ndarray:
    if not training or p == 1:
        return np.array(x, dtype=float, copy=True)
    if p == 0:
        return np.zeros_like(x, dtype=float)
    keep = rng.random(np.shape(x)) < p
    return np.where(keep, x / p, 0.0)


@mistake(
    "training.dropout",
    "dropout applied at inference",
    hint="Dropout is a training-time regulariser: with training=False return x unchanged.",
)
def dropout_at_inference(
    x: np.ndarray, p: float, rng: np.random.Generator, training: bool = True
) -> np.ndarray:
    if p == 0:
        return np.array(x, dtype=float, copy=True)
    if p == 1:
        return np.zeros_like(x, dtype=float)
    keep = rng.random(np.shape(x)) >= p
    return np.where(keep, x / (1.0 - p), 0.0)


# ---------------------------------------------------------------- early_stopping


def _early_stopping(
    val_losses: np.ndarray,
    patience: int,
    min_delta: float,
    *,
    extra_patience: int = 0,
    use_delta: bool = True,
    reset_on_any_decrease: bool = False,
) -> tuple[int, int]:
    """Keras' rule with switches for the mistakes below."""
    losses = [float(v) for v in np.asarray(val_losses).ravel()]
    best, best_epoch, waited, previous = np.inf, 0, 0, np.inf
    for epoch, loss in enumerate(losses):
        delta = min_delta if use_delta else 0.0
        if loss < best - delta:
            best, best_epoch, waited = loss, epoch, 0
        elif reset_on_any_decrease and loss < previous:
            waited = 0
        else:
            waited += 1
            if waited >= patience + extra_patience and epoch > 0:
                return epoch, best_epoch
        previous = loss
    return len(losses) - 1, best_epoch


@mistake(
    "training.early_stopping",
    "stops one epoch late (patience + 1)",
    hint="Training stops at the epoch where the count of epochs without improvement REACHES "
    "patience, not when it exceeds it.",
)
def early_stopping_one_epoch_late(
    val_losses: np.ndarray, patience: int, min_delta: float = 0.0
) -> tuple[int, int]:
    return _early_stopping(val_losses, patience, min_delta, extra_patience=1)


@mistake(
    "training.early_stopping",
    "epochs counted from 1",
    hint="Both returned epochs are 0-based indices into val_losses.",
)
def early_stopping_one_based(
    val_losses: np.ndarray, patience: int, min_delta: float = 0.0
) -> tuple[int, int]:
    stop, best = _early_stopping(val_losses, patience, min_delta)
    return stop + 1, best + 1


@mistake(
    "training.early_stopping",
    "min_delta ignored",
    hint="A decrease only counts as an improvement when the loss drops below best − min_delta.",
)
def early_stopping_ignores_min_delta(
    val_losses: np.ndarray, patience: int, min_delta: float = 0.0
) -> tuple[int, int]:
    return _early_stopping(val_losses, patience, min_delta, use_delta=False)


@mistake(
    "training.early_stopping",
    "patience reset on any decrease",
    hint="Only an improvement on the BEST loss so far (by more than min_delta) resets the "
    "count; a loss lower than the previous epoch's but not the best is still no improvement.",
)
def early_stopping_resets_on_any_decrease(
    val_losses: np.ndarray, patience: int, min_delta: float = 0.0
) -> tuple[int, int]:
    return _early_stopping(val_losses, patience, min_delta, reset_on_any_decrease=True)
