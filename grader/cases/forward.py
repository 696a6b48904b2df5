"""Public cases for forward: the weighted sum of one neuron, the unit step (0 at exactly 0), the
perceptron's predictions and its training rule on the AND/OR gates and a small 2-D set, a dense
layer (non-square and square weights, batch of 1) and MLPs using every activation name.

Perceptron data and learning rates are multiples of powers of two (or give sums far from 0), so
the step's decision at z = 0 does not depend on the order in which a learner adds the terms.
"""

import numpy as np

from grader.cases import case

AND_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
AND_Y = np.array([0.0, 0.0, 0.0, 1.0])
OR_Y = np.array([0.0, 1.0, 1.0, 1.0])

# a small 2-D set that the perceptron separates after a few passes
POINTS = np.array([[2.0, 1.0], [-1.0, -1.5], [1.5, -0.5], [-2.0, 0.5], [0.5, 2.0]])
LABELS = np.array([1.0, 0.0, 1.0, 0.0, 1.0])

_gen = np.random.default_rng(7)
X3 = np.round(_gen.normal(size=(3, 3)), 2)  # (N=3, D=3)
W32 = np.array([[0.5, -1.0], [0.25, 0.75], [-0.5, 1.5]])  # (3, 2): non-square
B2 = np.array([0.1, -0.2])
W22 = np.array([[1.0, 2.0], [-0.5, 0.5]])  # square and not symmetric
X2 = np.array([[1.0, -1.0], [0.5, 2.0], [-1.5, 0.0]])

MLP_X = np.array([[1.0, -0.5], [0.0, 2.0], [-1.0, 1.0]])  # (3, 2)
HIDDEN = (np.array([[0.5, -1.0, 0.25], [1.0, 0.5, -0.75]]), np.array([0.0, 0.1, -0.2]))
OUT3 = (
    np.array([[1.0, -0.5, 0.2], [0.3, 0.8, -1.0], [-0.6, 0.4, 0.9]]),
    np.array([0.05, -0.1, 0.0]),
)
OUT1 = (np.array([[0.7], [-1.2], [0.4]]), np.array([0.3]))

CASES = [
    # weighted_sum
    case(
        "weighted_sum",
        np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]]),
        np.array([0.5, -1.0]),
        0.5,
        note="3 samples, 2 features; the bias is added to every sample",
    ),
    case(
        "weighted_sum",
        np.array([[2.0, -1.0, 0.5]]),
        np.array([1.0, 1.0, 4.0]),
        -1.0,
        note="batch of 1, negative bias",
    ),
    # step
    case("step", np.array([-2.0, -0.5, 0.0, 0.5, 3.0]), note="step(0) is 0, not 1"),
    case(
        "step",
        np.array([[0.0, -0.0], [1e-300, -1e-300]]),
        note="2-D input; 0 and -0 give 0, the tiniest positive number gives 1",
    ),
    # perceptron_predict
    case(
        "perceptron_predict",
        AND_X,
        np.array([1.0, 1.0]),
        -1.5,
        note="the AND gate: only (1, 1) is above the boundary",
    ),
    case(
        "perceptron_predict",
        np.array([[1.0, 1.0], [0.0, 0.0], [2.0, -1.0], [3.0, 0.5], [-1.0, 4.0]]),
        np.array([1.0, 1.0]),
        -2.0,
        note="samples exactly on the boundary (weighted sum 0) are predicted 0",
    ),
    # perceptron_train
    case(
        "perceptron_train",
        AND_X,
        AND_Y,
        note="AND gate with the default lr=0.1 and epochs=10",
    ),
    case("perceptron_train", AND_X, OR_Y, note="OR gate with the default lr=0.1 and epochs=10"),
    case(
        "perceptron_train",
        POINTS,
        LABELS,
        lr=0.25,
        epochs=5,
        note="5 points in 2-D, lr=0.25, 5 epochs",
    ),
    case(
        "perceptron_train",
        AND_X,
        AND_Y,
        lr=0.5,
        epochs=1,
        note="AND gate, a single epoch with lr=0.5: updates happen sample by sample",
    ),
    # dense_forward
    case("dense_forward", X3, W32, B2, note="non-square W (3 inputs, 2 outputs), batch of 3"),
    case(
        "dense_forward", X2, W22, np.array([1.0, -1.0]), note="square 2x2 W that is not symmetric"
    ),
    case(
        "dense_forward",
        np.array([[1.0, 2.0, 3.0]]),
        np.array([[1.0], [0.0], [-1.0]]),
        np.array([0.5]),
        note="batch of 1, one output unit",
    ),
    # mlp_forward
    case(
        "mlp_forward",
        MLP_X,
        [(*HIDDEN, "relu"), (*OUT3, "softmax")],
        note="relu hidden layer, softmax output: each row is a distribution",
    ),
    case(
        "mlp_forward",
        MLP_X,
        [(*HIDDEN, "tanh"), (*OUT1, "sigmoid")],
        note="tanh hidden layer, one sigmoid output unit",
    ),
    case(
        "mlp_forward",
        MLP_X,
        [(*HIDDEN, "leaky_relu"), (*OUT3, "elu"), (*OUT1, "linear")],
        note="leaky_relu (alpha 0.01), elu (alpha 1), linear output",
    ),
    case(
        "mlp_forward",
        np.array([[0.5, -1.5]]),
        [(*HIDDEN, "elu"), (*OUT3, "softmax")],
        note="batch of 1, softmax output",
    ),
]
