# Generated from solutions/training.py by `gradelab release`.
# Learners: replace each `raise NotImplementedError(...)` with your code.
# Instructors: edit solutions/training.py instead, then run `gradelab release`.
"""Training loops: batches, epochs and iterations, dropout, early stopping (topic ``training``).

An *epoch* is one pass over all N training samples; an *iteration* is one parameter update,
computed on one batch. Gradient descent uses the whole data set as its batch (one iteration per
epoch), stochastic gradient descent uses one sample (N iterations per epoch), mini-batch SGD
uses batches of B samples (⌈N / B⌉ iterations per epoch). The topic also covers two ways to
fight overfitting: inverted dropout and early stopping on a validation loss.

Randomness always comes in as ``rng: np.random.Generator``; nothing reads global random state.

Lesson: lessons/training.md
"""

from __future__ import annotations

import numpy as np


def num_iterations(n_samples: int, batch_size: int, epochs: int, drop_last: bool = False) -> int:
    """How many parameter updates ``epochs`` passes over ``n_samples`` samples take.

    Per epoch there are ⌈N / B⌉ batches (the last one may be smaller), or ⌊N / B⌋ when
    ``drop_last`` skips an incomplete last batch; the total is that times ``epochs``.

    Args:
        n_samples: N, the number of training samples.
        batch_size: B, samples per batch (≥ 1).
        epochs: number of passes over the data.
        drop_last: skip the last batch when it has fewer than B samples.

    Returns:
        The number of iterations, an int.
    """
    raise NotImplementedError(
        "training.num_iterations: count the batches in one epoch (round up, unless an incomplete last batch is dropped), then multiply by the epochs"
    )


def minibatch_indices(
    n_samples: int, batch_size: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Shuffle the indices 0 … N−1 and cut them into consecutive batches of ``batch_size``.

    Every index lands in exactly one batch. All batches hold ``batch_size`` indices except the
    last, which holds what is left (N mod B) when B does not divide N; it is kept, not dropped.

    Args:
        n_samples: N.
        batch_size: B (≥ 1).
        rng: the random generator that shuffles.

    Returns:
        A list of ⌈N / B⌉ integer arrays.
    """
    raise NotImplementedError(
        "training.minibatch_indices: draw one random permutation of range(n_samples) with rng, then slice it every batch_size entries"
    )


def train_linear_regression(
    x: np.ndarray,
    y: np.ndarray,
    method: str = "gd",
    lr: float = 0.05,
    epochs: int = 100,
    batch_size: int = 32,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, float, np.ndarray]:
    """Fit y ≈ x·w + b by descending the mean squared error, in one of three ways.

    On a batch of B samples, with residuals r = x·w + b − y:

        L = (1/B) Σ r²,   ∂L/∂w = (2/B) xᵀ r,   ∂L/∂b = (2/B) Σ r
        w ← w − lr·∂L/∂w,   b ← b − lr·∂L/∂b

    - ``"gd"``: the batch is all the data: one update per epoch (``rng`` is not used);
    - ``"sgd"``: one update per sample, visiting the samples in a new random order each epoch;
    - ``"minibatch"``: one update per batch of :func:`minibatch_indices` (new batches each epoch).

    w starts at zeros and b at 0.0. After every epoch, record the MSE over all the data.

    Args:
        x: (N, D) inputs.
        y: (N,) targets.
        method: "gd", "sgd" or "minibatch".
        lr: learning rate.
        epochs: number of passes over the data.
        batch_size: B, used by "minibatch".
        rng: random generator for the shuffles (a fresh one when None).

    Returns:
        (w (D,), b (a float), loss_history (epochs,)).
    """
    raise NotImplementedError(
        "training.train_linear_regression: loop over epochs; inside, loop over the batches the method calls for and take one gradient step on each; log the full-data MSE at the end of each epoch"
    )


def dropout(x: np.ndarray, p: float, rng: np.random.Generator, training: bool = True) -> np.ndarray:
    """Inverted dropout: during training, zero each entry with probability p.

        out = x · mask / (1 − p),   each mask entry 1 with probability 1 − p, else 0

    Scaling the survivors by 1/(1 − p) keeps every entry's expected value equal to x, so at
    inference (``training=False``) the layer does nothing and x is returned unchanged.
    p = 0 keeps everything (returns x); p = 1 drops everything (returns zeros).

    Args:
        x: activations, any shape.
        p: the probability of dropping an entry, in [0, 1].
        rng: random generator for the mask.
        training: True while training, False at inference.

    Returns:
        A new array, the shape of x.
    """
    raise NotImplementedError(
        "training.dropout: keep an entry when a uniform draw from rng is at least p, zero the rest, and divide the kept ones by 1 − p; at inference return a copy of x"
    )


def early_stopping(
    val_losses: np.ndarray, patience: int, min_delta: float = 0.0
) -> tuple[int, int]:
    """The epoch where early stopping ends training, and the best epoch (both from 0).

    Keras' ``EarlyStopping`` rule. Keep the best loss so far (starting at +∞):
    - an epoch *improves* when its loss < best − min_delta; it becomes the best epoch and the
      count of epochs without improvement goes back to 0;
    - any other epoch adds 1 to that count; when the count reaches ``patience`` (at an epoch
      after the first), training stops at this epoch.
    If training never stops early, it stops at the last epoch.

    Args:
        val_losses: (E,) validation loss after each epoch.
        patience: how many epochs in a row without improvement are tolerated.
        min_delta: the smallest decrease that counts as an improvement.

    Returns:
        (stop_epoch, best_epoch) as ints.
    """
    raise NotImplementedError(
        "training.early_stopping: walk the losses with a best value, a best epoch and a counter of non-improving epochs; stop when the counter reaches patience"
    )
