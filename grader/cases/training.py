"""Public cases for training: iteration counts (divisible and not, drop_last, SGD and full batch,
a batch larger than the data), shuffled mini-batches (a partition of the indices), linear
regression by full-batch gradient descent (exact) and by SGD / mini-batches (judged by the loss
reached), inverted dropout with the notes' p = 0.3 (and at inference, p = 0, p = 1), and early
stopping with patience, min_delta and losses that dip without beating the best."""

import numpy as np

from grader.cases import Rng, case

# regression data: y = 2·x1 − x2 + 0.5 (+ a little noise for the larger set)
X_SMALL = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, -1.0], [-1.0, 0.5], [0.5, 2.0]])
Y_SMALL = X_SMALL @ np.array([2.0, -1.0]) + 0.5
X_LINE = np.array([[-1.0], [0.0], [1.0], [2.0]])
Y_LINE = np.array([-1.0, 1.0, 3.0, 5.0])  # y = 2x + 1

_gen = np.random.default_rng(3)
X_NOISY = np.round(_gen.normal(size=(20, 2)), 3)
Y_NOISY = np.round(X_NOISY @ np.array([1.5, -0.5]) + 0.3 + 0.1 * _gen.normal(size=20), 3)
ACTIVATIONS = np.round(_gen.normal(size=(20, 30)), 3)

CASES = [
    # ---------------------------------------------------------------- num_iterations
    case("num_iterations", 1000, 100, 5, note="10 batches per epoch, 5 epochs"),
    case("num_iterations", 10, 3, 2, note="10 samples in batches of 3: the last batch has 1"),
    case(
        "num_iterations",
        10,
        3,
        2,
        drop_last=True,
        note="drop_last skips the incomplete last batch",
    ),
    case("num_iterations", 5, 1, 4, note="SGD: one update per sample"),
    case("num_iterations", 5, 8, 3, note="a batch larger than the data: one batch per epoch"),
    case(
        "num_iterations",
        5,
        8,
        3,
        drop_last=True,
        note="drop_last with a batch larger than the data: no update at all",
    ),
    # ---------------------------------------------------------------- minibatch_indices
    case(
        "minibatch_indices",
        10,
        3,
        Rng(0),
        note="10 samples, batches of 3: the last holds 1",
        check="partition",
    ),
    case("minibatch_indices", 12, 4, Rng(1), note="12 samples, batches of 4", check="partition"),
    case("minibatch_indices", 9, 1, Rng(2), note="batches of 1 (SGD)", check="partition"),
    case(
        "minibatch_indices", 3, 5, Rng(3), note="one batch larger than the data", check="partition"
    ),
    # ---------------------------------------------------------------- train_linear_regression
    case(
        "train_linear_regression",
        X_LINE,
        Y_LINE,
        "gd",
        0.1,
        3,
        note="full-batch gradient descent, 3 epochs on y = 2x + 1 (deterministic)",
    ),
    case(
        "train_linear_regression",
        X_SMALL,
        Y_SMALL,
        "gd",
        0.05,
        40,
        note="full-batch gradient descent, 6 samples, 2 features, 40 epochs",
    ),
    case(
        "train_linear_regression",
        X_NOISY,
        Y_NOISY,
        method="sgd",
        lr=0.02,
        epochs=30,
        rng=Rng(0),
        note="SGD: one update per sample, reshuffled every epoch",
        check="training_loss",
    ),
    case(
        "train_linear_regression",
        X_NOISY,
        Y_NOISY,
        method="minibatch",
        lr=0.05,
        epochs=40,
        batch_size=6,
        rng=Rng(1),
        note="mini-batches of 6 (20 samples: the last batch has 2)",
        check="training_loss",
    ),
    # ---------------------------------------------------------------- dropout
    case(
        "dropout",
        np.ones((50, 40)),
        0.3,
        Rng(0),
        note="the notes' p = 0.3: about 30% of the units are switched off",
        check="dropout",
    ),
    case(
        "dropout",
        ACTIVATIONS,
        0.5,
        Rng(1),
        note="p = 0.5 on activations of both signs",
        check="dropout",
    ),
    case(
        "dropout",
        ACTIVATIONS,
        0.3,
        Rng(2),
        training=False,
        note="at inference (training=False) nothing is dropped",
        check="dropout",
    ),
    case("dropout", ACTIVATIONS[:3], 0.0, Rng(3), note="p = 0 keeps every unit", check="dropout"),
    case("dropout", ACTIVATIONS[:3], 1.0, Rng(4), note="p = 1 drops every unit", check="dropout"),
    # ---------------------------------------------------------------- early_stopping
    case(
        "early_stopping",
        np.array([1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.95]),
        2,
        note="best at epoch 2; 0.72 beats the epoch before but not the best",
    ),
    case(
        "early_stopping",
        np.array([1.0, 0.96, 0.93, 0.92, 0.91, 0.905]),
        2,
        min_delta=0.05,
        note="min_delta = 0.05: small decreases are not improvements",
    ),
    case(
        "early_stopping",
        np.array([5.0, 4.0, 3.0, 2.0, 1.0]),
        1,
        note="always improving: training runs to the last epoch",
    ),
    case(
        "early_stopping",
        np.array([1.0, 1.0, 0.5, 0.4]),
        1,
        note="an equal loss is not an improvement (patience 1)",
    ),
    case(
        "early_stopping",
        np.array([2.0, 1.5, 1.6, 1.7, 1.8, 1.2, 1.9]),
        3,
        note="patience 3 runs out at epoch 4, before the loss drops again",
    ),
]
