"""Public cases for backprop: the dense layer's backward pass (non-square and square weights,
batch of 1), MLP gradients under every loss name with sigmoid, tanh, relu, elu, leaky_relu and
softmax layers, the notes' one-neuron-wide sigmoid chain (σ′ is at most 0.25, so a deep chain's
first gradients vanish), and central-difference numerical gradients of f(x) = Σ x³/3 + Σ x².
"""

import numpy as np

from grader.cases import Handle, case

X = np.array([[1.0, -2.0], [0.5, 0.0], [-1.0, 3.0]])  # (N=3, D_in=2)
W24 = np.array([[0.5, -1.0, 2.0, 0.0], [1.5, 0.25, -0.5, 1.0]])  # (2, 4)
G34 = np.array([[1.0, 0.0, -1.0, 2.0], [0.5, -0.5, 0.0, 1.0], [-2.0, 1.0, 0.5, 0.0]])

MLP_X = np.array([[1.0, -0.5], [0.0, 2.0], [-1.0, 1.0]])  # (3, 2)
HIDDEN = (np.array([[0.5, -1.0, 0.25], [1.0, 0.5, -0.75]]), np.array([0.0, 0.1, -0.2]))
OUT2 = (np.array([[1.0, -0.5], [0.3, 0.8], [-0.6, 0.4]]), np.array([0.05, -0.1]))
REGRESSION_Y = np.array([[0.5, -1.0], [1.0, 0.0], [-0.5, 2.0]])
ONE_HOT = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])

CASES = [
    # dense_backward
    case(
        "dense_backward",
        X,
        W24,
        G34,
        note="batch of 3, W of shape (2, 4): each gradient has the shape of what it differentiates",
    ),
    case(
        "dense_backward",
        np.array([[2.0, -1.0]]),
        np.array([[1.0, 2.0], [-0.5, 0.5]]),
        np.array([[0.5, -1.0]]),
        note="batch of 1, square W that is not symmetric",
    ),
    # mlp_backward
    case(
        "mlp_backward",
        MLP_X,
        [(*HIDDEN, "sigmoid"), (*OUT2, "linear")],
        REGRESSION_Y,
        note="sigmoid hidden layer, linear output, mean squared error",
    ),
    case(
        "mlp_backward",
        MLP_X,
        [(*HIDDEN, "tanh"), (*OUT2, "softmax")],
        ONE_HOT,
        loss="categorical_cross_entropy",
        note="tanh hidden layer, softmax output, categorical cross-entropy",
    ),
    case(
        "mlp_backward",
        MLP_X,
        [(*HIDDEN, "relu"), (*OUT2, "sigmoid")],
        ONE_HOT,
        loss="binary_cross_entropy",
        note="relu hidden layer, sigmoid outputs, binary cross-entropy",
    ),
    case(
        "mlp_backward",
        MLP_X,
        [(*HIDDEN, "elu"), (*OUT2, "tanh")],
        REGRESSION_Y,
        loss="huber",
        note="elu hidden layer, tanh output, Huber loss (delta 1)",
    ),
    case(
        "mlp_backward",
        MLP_X,
        [(*HIDDEN, "leaky_relu"), (*OUT2, "softmax")],
        ONE_HOT,
        loss="mae",
        note="leaky_relu hidden layer, softmax output, mean absolute error",
    ),
    # chain_forward
    case(
        "chain_forward",
        1.0,
        np.array([0.5, -1.0, 2.0]),
        np.array([0.0, 0.5, -0.5]),
        note="three sigmoid neurons in a row",
    ),
    case("chain_forward", -2.0, np.array([1.5]), np.array([0.25]), note="a single neuron"),
    # chain_backward
    case(
        "chain_backward",
        0.0,
        np.array([1.0]),
        np.array([0.0]),
        1.5,
        note="one neuron at z = 0: σ′(0) = 0.25, the largest the sigmoid's slope gets",
    ),
    case(
        "chain_backward",
        1.0,
        np.array([0.5, -1.0, 2.0]),
        np.array([0.0, 0.5, -0.5]),
        0.2,
        note="three neurons: going back multiplies by each weight and each σ′",
    ),
    case(
        "chain_backward",
        0.5,
        np.ones(8),
        np.zeros(8),
        1.0,
        note="8 neurons with weight 1: the first gradients are tiny (vanishing gradient, ≤ 0.25^k)",
    ),
    # numerical_gradient
    case(
        "numerical_gradient",
        Handle("square_sum"),
        np.array([[0.5, -2.0, 1.0], [2.0, 0.0, -0.5]]),
        note="f(x) = Σ x³/3 + Σ x² (gradient x² + 2x) on a 2x3 array, default h",
    ),
    case(
        "numerical_gradient",
        Handle("square_sum"),
        np.array([1.0, -0.5, 3.0]),
        h=1e-2,
        note="h = 0.01: central differences are still accurate to about h²",
    ),
]
