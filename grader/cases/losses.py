"""Public cases for losses: every reduction ("mean", "sum", "none") on 1-D and (N, D) inputs,
predictions equal to their targets (MAE's kink), residuals on both sides of Huber's delta (default
and non-default), probabilities of exactly 0 and 1 (the eps clipping region), soft binary targets,
and the notes' one-hot example (Good / Bad / Neutral → the rows of the 3×3 identity)."""

import numpy as np

from grader.cases import case

# regression: 4 targets and predictions, one of them exact
Y_TRUE = np.array([1.0, 2.0, 3.0, 4.0])
Y_PRED = np.array([1.5, 2.0, 1.0, 7.0])  # residuals 0.5, 0, −2, 3
# (N, D) = (2, 3) regression targets and predictions
M_TRUE = np.array([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
M_PRED = np.array([[0.5, 1.0, 0.0], [3.25, 6.0, 4.0]])  # residuals 0.5, 0, −2 / 0.25, 2, −1

# binary classification: hard 0/1 targets, and predictions that include exact 0 and 1
B_TRUE = np.array([1.0, 0.0, 1.0, 0.0])
B_PRED = np.array([0.9, 0.2, 0.6, 0.3])
B_EDGE_TRUE = np.array([1.0, 0.0, 1.0, 0.0])
B_EDGE_PRED = np.array([0.0, 1.0, 1.0, 0.0])  # two confidently wrong, two exactly right
SOFT_TRUE = np.array([[0.2, 0.9], [0.5, 0.0]])
SOFT_PRED = np.array([[0.3, 0.8], [0.5, 0.1]])

# categorical: 3 samples, 3 classes (one-hot targets, rows of y_pred sum to 1)
C_TRUE = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
C_PRED = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.2, 0.2, 0.6]])
# 2 samples, 4 classes, with an exact 0 given to the true class of the second sample
C_EDGE_TRUE = np.array([[0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]])
C_EDGE_PRED = np.array([[0.1, 0.1, 0.7, 0.1], [0.0, 0.5, 0.25, 0.25]])

CASES = [
    # mse
    case("mse", Y_TRUE, Y_PRED, note="mean over 4 elements"),
    case("mse", M_TRUE, M_PRED, note="(2, 3) inputs: the mean runs over all 6 elements"),
    case("mse", Y_TRUE, Y_PRED, reduction="sum", note='reduction="sum"'),
    case("mse", M_TRUE, M_PRED, reduction="none", note='reduction="none": one loss per element'),
    # mse_grad
    case("mse_grad", Y_TRUE, Y_PRED, note="gradient of the mean over 4 elements"),
    case("mse_grad", M_TRUE, M_PRED, note="(2, 3) inputs: divide by all 6 elements"),
    # mae
    case("mae", Y_TRUE, Y_PRED, note="mean over 4 elements"),
    case("mae", M_TRUE, M_PRED, reduction="sum", note='reduction="sum"'),
    case("mae", M_TRUE, M_PRED, reduction="none", note='reduction="none": one loss per element'),
    # mae_grad
    case("mae_grad", Y_TRUE, Y_PRED, note="0 where the prediction equals the target"),
    case("mae_grad", M_TRUE, M_PRED, note="(2, 3) inputs: divide by all 6 elements"),
    # huber
    case("huber", Y_TRUE, Y_PRED, note="default delta = 1: residuals on both sides of delta"),
    case(
        "huber",
        M_TRUE,
        M_PRED,
        delta=1.5,
        reduction="none",
        note='delta = 1.5, reduction="none": one loss per element',
    ),
    case("huber", M_TRUE, M_PRED, delta=0.5, reduction="sum", note='delta = 0.5, reduction="sum"'),
    # huber_grad
    case("huber_grad", Y_TRUE, Y_PRED, note="default delta = 1: large residuals are clipped"),
    case("huber_grad", M_TRUE, M_PRED, delta=1.5, note="delta = 1.5, (2, 3) inputs"),
    # binary_cross_entropy
    case("binary_cross_entropy", B_TRUE, B_PRED, note="hard 0/1 targets"),
    case(
        "binary_cross_entropy",
        B_EDGE_TRUE,
        B_EDGE_PRED,
        reduction="none",
        note="predictions of exactly 0 and 1 are clipped to [eps, 1 − eps]: finite losses",
    ),
    case(
        "binary_cross_entropy",
        SOFT_TRUE,
        SOFT_PRED,
        reduction="sum",
        note='soft targets in [0, 1], reduction="sum"',
    ),
    case(
        "binary_cross_entropy",
        B_EDGE_TRUE,
        B_EDGE_PRED,
        eps=1e-3,
        note="eps = 1e-3 sets the clipping bounds",
    ),
    # binary_cross_entropy_grad
    case("binary_cross_entropy_grad", B_TRUE, B_PRED, note="gradient with respect to p"),
    case(
        "binary_cross_entropy_grad",
        SOFT_TRUE,
        SOFT_PRED,
        note="soft targets: both log terms contribute",
    ),
    case(
        "binary_cross_entropy_grad",
        B_EDGE_TRUE,
        B_EDGE_PRED,
        eps=1e-3,
        note="eps = 1e-3: the gradient is taken at the clipped probabilities",
    ),
    # categorical_cross_entropy
    case("categorical_cross_entropy", C_TRUE, C_PRED, note="mean over the 3 samples"),
    case(
        "categorical_cross_entropy",
        C_TRUE,
        C_PRED,
        reduction="none",
        note='reduction="none": one loss per sample, shape (N,)',
    ),
    case(
        "categorical_cross_entropy",
        C_EDGE_TRUE,
        C_EDGE_PRED,
        reduction="sum",
        note='a probability of exactly 0 for the true class is clipped; reduction="sum"',
    ),
    # categorical_cross_entropy_grad
    case("categorical_cross_entropy_grad", C_TRUE, C_PRED, note="gradient with respect to p"),
    case(
        "categorical_cross_entropy_grad",
        C_EDGE_TRUE,
        C_EDGE_PRED,
        eps=1e-3,
        note="eps = 1e-3: the gradient is taken at the clipped probabilities",
    ),
    # one_hot
    case(
        "one_hot",
        np.array([0, 1, 2]),
        3,
        note="the notes' example: Good, Bad, Neutral → the rows of the 3×3 identity",
    ),
    case("one_hot", np.array([2, 0, 1, 1]), 3, note="4 labels, 3 classes: shape (4, 3)"),
    case("one_hot", np.array([3]), 5, note="one label, 5 classes"),
]
