"""Known-wrong variants of the ``forward`` topic (perceptron, dense layer, MLP forward pass).

Each function has the signature of the learner function it imitates and makes one mistake
learners really make (see lessons/forward.md). Variants that only make sense for square weight
matrices (the torch layout x @ Wᵀ, the bias added before the product) fail on shapes a correct
answer accepts, as a learner's code would; on square ones they return wrong values.

Not catalogued, because the output cannot tell them apart from a correct answer: building the
step from ``np.sign`` with a clip to [0, 1] (same values), and using ``np.dot`` for ``@``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grader.misconceptions import mistake

# --- correct building blocks (grader side only, never released) ------------------------------


def _sigmoid(v: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(v))
    return np.where(v >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softmax(v: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(v - v.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
    "softmax": _softmax,
}


def _check_name(name: str) -> None:
    if name not in _ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; valid names: {', '.join(_ACTIVATIONS)}")


# --- weighted_sum, step, perceptron_predict ----------------------------------------------------


@mistake(
    "forward.weighted_sum",
    "bias forgotten",
    hint="A neuron adds its bias to the weighted sum of the inputs; without it every decision "
    "boundary has to pass through the origin.",
)
def weighted_sum_without_bias(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return np.asarray(x, dtype=np.float64) @ w


@mistake(
    "forward.step",
    "step(0) = 1",
    hint="The unit step fires only for strictly positive input: at exactly 0 it returns 0.",
)
def step_fires_at_zero(z: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(z) >= 0, 1.0, 0.0)


@mistake(
    "forward.perceptron_predict",
    "labels −1/+1 (sign) instead of 0/1",
    hint="The perceptron's labels here are 0 and 1: pass the weighted sum through the unit step, "
    "not through the sign function.",
)
def perceptron_predict_with_sign(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return np.sign(np.asarray(x, dtype=np.float64) @ w + b)


@mistake(
    "forward.perceptron_predict",
    "step(0) = 1",
    hint="A sample exactly on the boundary (weighted sum 0) is predicted 0: the step fires only "
    "for strictly positive sums.",
)
def perceptron_predict_fires_at_zero(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return np.where(np.asarray(x, dtype=np.float64) @ w + b >= 0, 1.0, 0.0)


# --- perceptron_train ----------------------------------------------------------------------------


def _train(
    x: np.ndarray,
    y: np.ndarray,
    lr: float,
    epochs: int,
    *,
    sign: float = 1.0,
    update_bias: bool = True,
    fire_at_zero: bool = False,
) -> tuple[np.ndarray, float]:
    """The sample-by-sample rule with one switchable mistake."""
    x = np.asarray(x, dtype=np.float64)
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(epochs):
        for xi, yi in zip(x, y, strict=True):
            z = xi @ w + b
            y_hat = 1.0 if (z >= 0 if fire_at_zero else z > 0) else 0.0
            err = sign * (yi - y_hat)
            w = w + lr * err * xi
            if update_bias:
                b = b + lr * err
    return w, float(b)


@mistake(
    "forward.perceptron_train",
    "error sign flipped (ŷ − y)",
    hint="The rule moves the weights towards samples that should have fired: the error is the "
    "target minus the prediction, not the other way round.",
)
def perceptron_train_sign_flipped(
    x: np.ndarray, y: np.ndarray, lr: float = 0.1, epochs: int = 10
) -> tuple[np.ndarray, float]:
    return _train(x, y, lr, epochs, sign=-1.0)


@mistake(
    "forward.perceptron_train",
    "bias never updated",
    hint="The bias learns too: after each sample it moves by the learning rate times the error, "
    "like a weight whose input is always 1.",
)
def perceptron_train_frozen_bias(
    x: np.ndarray, y: np.ndarray, lr: float = 0.1, epochs: int = 10
) -> tuple[np.ndarray, float]:
    return _train(x, y, lr, epochs, update_bias=False)


@mistake(
    "forward.perceptron_train",
    "step(0) = 1 while training",
    hint="While training, predict with the same step as perceptron_predict: a weighted sum of "
    "exactly 0 (as at the very start, with w = 0 and b = 0) predicts 0.",
)
def perceptron_train_fires_at_zero(
    x: np.ndarray, y: np.ndarray, lr: float = 0.1, epochs: int = 10
) -> tuple[np.ndarray, float]:
    return _train(x, y, lr, epochs, fire_at_zero=True)


@mistake(
    "forward.perceptron_train",
    "whole-batch update per epoch",
    hint="The classic perceptron updates after every single sample, in the given order, so the "
    "next sample is predicted with the weights just updated; predicting all samples with the "
    "epoch's starting weights and summing the corrections is a different algorithm.",
)
def perceptron_train_batch_update(
    x: np.ndarray, y: np.ndarray, lr: float = 0.1, epochs: int = 10
) -> tuple[np.ndarray, float]:
    x = np.asarray(x, dtype=np.float64)
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(epochs):
        err = y - np.where(x @ w + b > 0, 1.0, 0.0)  # (N,)
        w = w + lr * err @ x
        b = b + lr * float(err.sum())
    return w, b


# --- dense_forward -------------------------------------------------------------------------------


@mistake(
    "forward.dense_forward",
    "torch layout (x @ Wᵀ)",
    hint="Here W has shape (D_in, D_out), one column per output unit (the Keras layout), so the "
    "batch multiplies W itself; torch's Linear stores the transpose, this course does not.",
)
def dense_forward_transposed(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64) @ W.T + b


@mistake(
    "forward.dense_forward",
    "bias added before the product",
    hint="The bias is added to each output unit after the weighted sum, y = x·W + b, not to the "
    "inputs before multiplying.",
)
def dense_forward_bias_first(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (np.asarray(x, dtype=np.float64) + b) @ W


@mistake(
    "forward.dense_forward",
    "bias forgotten",
    hint="Every output unit has its own bias: add b (one value per output unit) to every row.",
)
def dense_forward_without_bias(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64) @ W


# --- mlp_forward ---------------------------------------------------------------------------------


def _mlp(
    x: np.ndarray,
    layers: list[tuple[np.ndarray, np.ndarray, str]],
    *,
    last: str = "once",
    softmax_axis: int = -1,
) -> np.ndarray:
    """The forward pass with the last activation applied ``last`` = once / never / twice."""
    a = np.asarray(x, dtype=np.float64)
    for i, (W, b, name) in enumerate(layers):
        _check_name(name)
        z = a @ W + b
        f = (lambda v: _softmax(v, softmax_axis)) if name == "softmax" else _ACTIVATIONS[name]
        is_last = i == len(layers) - 1
        if is_last and last == "never":
            a = z
        elif is_last and last == "twice":
            a = f(f(z))
        else:
            a = f(z)
    return a


@mistake(
    "forward.mlp_forward",
    "no activation on the last layer",
    hint="Every layer applies its own activation, the output layer included: its name is part of "
    "the layer, so a softmax or sigmoid output layer turns scores into probabilities.",
)
def mlp_forward_skips_last_activation(
    x: np.ndarray, layers: list[tuple[np.ndarray, np.ndarray, str]]
) -> np.ndarray:
    return _mlp(x, layers, last="never")


@mistake(
    "forward.mlp_forward",
    "last activation applied twice",
    hint="Each layer's activation is applied exactly once; applying the output activation again "
    "after the loop squashes the result a second time.",
)
def mlp_forward_last_activation_twice(
    x: np.ndarray, layers: list[tuple[np.ndarray, np.ndarray, str]]
) -> np.ndarray:
    return _mlp(x, layers, last="twice")


@mistake(
    "forward.mlp_forward",
    "softmax over the batch axis",
    hint="Softmax turns each sample's scores into a distribution over that layer's units: "
    "normalise along the last axis (each row sums to 1), not down the batch.",
)
def mlp_forward_softmax_over_batch(
    x: np.ndarray, layers: list[tuple[np.ndarray, np.ndarray, str]]
) -> np.ndarray:
    return _mlp(x, layers, softmax_axis=0)
