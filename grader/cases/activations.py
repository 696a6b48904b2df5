"""Public cases for activations: values around 0 and at the exact kink x = 0, stability at ±1000,
non-default alphas, PReLU with one slope per channel and with one shared slope, softmax along
either axis of a batch, and softmax's vector-Jacobian product. Includes the notes' worked example:
the sigmoid's derivative peaks at 0.25 at x = 0."""

import numpy as np

from grader.cases import case

# one row through the kink: negative, zero and positive inputs
X = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
# a small batch (2 samples, 3 features) with a zero in it
B = np.array([[-1.5, 0.0, 2.0], [0.5, -3.0, 1.0]])
# inputs at the edges of the curriculum's stability range
EXTREME = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
# symmetric inputs for the notes' example: σ′ is largest (0.25) at 0
AROUND_ZERO = np.array([-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0])

# a softmax output and an upstream gradient, for softmax_backward
S = np.array([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]])
G = np.array([[1.0, 0.0, -1.0], [2.0, -1.0, 0.5]])

CASES = [
    # sigmoid
    case("sigmoid", X, note="values around 0"),
    case("sigmoid", EXTREME, note="no overflow and no nan at ±1000"),
    # sigmoid_grad
    case("sigmoid_grad", AROUND_ZERO, note="the notes' example: largest value 0.25 at x = 0"),
    case("sigmoid_grad", EXTREME, note="no overflow and no nan at ±1000"),
    case("sigmoid_grad", B, note="a 2×3 batch"),
    # tanh
    case("tanh", X, note="values around 0"),
    case("tanh", EXTREME, note="no overflow and no nan at ±1000"),
    # tanh_grad
    case("tanh_grad", X, note="values around 0 (1 at x = 0)"),
    case("tanh_grad", EXTREME, note="no overflow and no nan at ±1000"),
    # relu
    case("relu", X, note="one row through the kink at 0"),
    case("relu", B, note="a 2×3 batch keeps its shape"),
    # relu_grad
    case("relu_grad", X, note="relu_grad(0) = 0"),
    case("relu_grad", B, note="a 2×3 batch with a zero in it"),
    # leaky_relu
    case("leaky_relu", X, note="default alpha = 0.01"),
    case("leaky_relu", B, alpha=0.2, note="alpha = 0.2"),
    # leaky_relu_grad
    case("leaky_relu_grad", X, note="default alpha = 0.01; the value at 0 is alpha"),
    case("leaky_relu_grad", B, alpha=0.3, note="alpha = 0.3; the value at 0 is alpha"),
    # elu
    case("elu", X, note="default alpha = 1.0"),
    case("elu", B, alpha=0.5, note="alpha = 0.5"),
    case(
        "elu", EXTREME, note="no overflow at x = 1000 (only the non-positive part is exponentiated)"
    ),
    # elu_grad
    case("elu_grad", X, note="default alpha = 1.0; the value at 0 is alpha"),
    case("elu_grad", B, alpha=0.5, note="alpha = 0.5; the value at 0 is alpha"),
    case("elu_grad", EXTREME, alpha=2.0, note="alpha = 2.0 at ±1000"),
    # prelu
    case("prelu", B, np.array([0.1, 0.2, 0.3]), note="one slope per channel (last axis)"),
    case("prelu", X, np.array([0.25]), note="one slope shared by every channel"),
    # prelu_grad
    case(
        "prelu_grad",
        B,
        np.array([0.1, 0.2, 0.3]),
        note="per-channel slopes: the alpha gradient is summed over the batch",
    ),
    case(
        "prelu_grad",
        X,
        np.array([0.25]),
        note="one shared slope: the alpha gradient is summed over every element",
    ),
    # softmax
    case("softmax", B, note="each row is one distribution (axis=-1)"),
    case("softmax", B, axis=0, note="axis=0: each column is one distribution"),
    case("softmax", np.array([[1000.0, 0.0, -1000.0]]), note="no overflow at ±1000"),
    case("softmax", np.array([1.0, 2.0, 3.0]), note="a single 1-D score vector"),
    # softmax_backward
    case("softmax_backward", S, G, note="rows are distributions (axis=-1)"),
    case(
        "softmax_backward",
        np.array([[0.6, 0.3], [0.4, 0.7]]),
        np.array([[1.0, -2.0], [0.5, 1.5]]),
        axis=0,
        note="axis=0: columns are distributions",
    ),
]
