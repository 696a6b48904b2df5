"""Known-wrong variants of the ``backprop`` topic (dense and MLP backward, sigmoid chain,
numerical gradient).

Each function has the signature of the learner function it imitates and makes one mistake
learners really make (see lessons/backprop.md). The MLP variants share one correct backward pass
(``_mlp_backward``) with a single mistake switched on, so each differs from the right answer in
exactly one place.

Not catalogued, because the output cannot tell them apart from a correct answer: the (p − y)/N
shortcut for a softmax output under categorical cross-entropy (it is the exact gradient at the
logits), and perturbing x in place and restoring it in ``numerical_gradient``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grader.misconceptions import mistake

Layers = list[tuple[np.ndarray, np.ndarray, str]]

# --- correct building blocks (grader side only, never released) ------------------------------


def _sigmoid(v: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(v))
    return np.where(v >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softmax(v: np.ndarray) -> np.ndarray:
    e = np.exp(v - v.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


#: name -> (activation, elementwise derivative at the pre-activation; None for softmax)
_ACTIVATIONS: dict[str, tuple[Callable, Callable | None]] = {
    "linear": (lambda z: z, np.ones_like),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: np.where(z > 0, 1.0, 0.0)),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
    "elu": (
        lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
        lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0))),
    ),
    "softmax": (_softmax, None),
}


def _loss_grad(loss: str, y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """∂(summed loss)/∂p for the curriculum's losses (divide by _mean_count for the mean)."""
    r = p - y
    if loss == "mse":
        return 2.0 * r
    if loss == "mae":
        return np.sign(r)
    if loss == "huber":
        return np.clip(r, -1.0, 1.0)
    q = np.clip(p, 1e-12, 1 - 1e-12)
    if loss == "binary_cross_entropy":
        return -y / q + (1.0 - y) / np.clip(1.0 - p, 1e-12, 1 - 1e-12)
    if loss == "categorical_cross_entropy":
        return -y / q
    names = "mse, mae, huber, binary_cross_entropy, categorical_cross_entropy"
    raise ValueError(f"unknown loss {loss!r}; valid names: {names}")


def _mean_count(loss: str, y: np.ndarray) -> int:
    """How many terms the mean divides by: every element, or the samples for categorical CE."""
    return y.shape[0] if loss == "categorical_cross_entropy" else y.size


def _mlp_backward(
    x: np.ndarray,
    layers: Layers,
    y_true: np.ndarray,
    loss: str,
    *,
    mean: str = "once",
    derivative: str = "correct",
    softmax: str = "jacobian",
    output_derivative: bool = True,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The correct MLP backward pass with one switchable mistake.

    mean: "once" (correct), "never" (gradient of the summed loss), "twice" (grads divided by N
    again). derivative: "correct", "sigma" (σ′ replaced by σ), "at_output" (f′ evaluated at
    a = f(z) instead of z). softmax: "jacobian" (correct) or "diagonal" (s(1 − s) only).
    output_derivative: False skips the last layer's activation derivative.
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    a = np.asarray(x, dtype=np.float64)
    cache = []
    for W, b, name in layers:
        if name not in _ACTIVATIONS:
            valid = ", ".join(_ACTIVATIONS)
            raise ValueError(f"unknown activation {name!r}; valid names: {valid}")
        z = a @ W + b
        out = _ACTIVATIONS[name][0](z)
        cache.append((a, z, out))
        a = out
    g = _loss_grad(loss, y_true, a)
    if mean != "never":
        g = g / _mean_count(loss, y_true)
    grads = []
    for i in range(len(layers) - 1, -1, -1):
        W, _, name = layers[i]
        a_prev, z, out = cache[i]
        if i == len(layers) - 1 and not output_derivative:
            delta = g
        elif name == "softmax":
            if softmax == "diagonal":
                delta = g * out * (1.0 - out)
            else:
                delta = out * (g - (g * out).sum(axis=-1, keepdims=True))
        elif derivative == "sigma" and name == "sigmoid":
            delta = g * _sigmoid(z)
        elif derivative == "at_output":
            delta = g * _ACTIVATIONS[name][1](out)
        else:
            delta = g * _ACTIVATIONS[name][1](z)
        grad_W, grad_b = a_prev.T @ delta, delta.sum(axis=0)
        if mean == "twice":
            grad_W, grad_b = grad_W / len(a_prev), grad_b / len(a_prev)
        grads.append((grad_W, grad_b))
        g = delta @ W.T
    return grads[::-1]


# --- dense_backward ------------------------------------------------------------------------------


@mistake(
    "backprop.dense_backward",
    "grad_W as grad_outᵀ·x (transposed)",
    hint="∂L/∂W has the shape of W, (D_in, D_out): each entry pairs an input feature with an "
    "output unit, summed over the batch, so the inputs come first in the product.",
)
def dense_backward_grad_W_transposed(
    x: np.ndarray, W: np.ndarray, grad_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return grad_out @ W.T, grad_out.T @ x, grad_out.sum(axis=0)


@mistake(
    "backprop.dense_backward",
    "grad_b not summed over the batch",
    hint="One bias serves every sample of the batch, so its gradient adds up the contributions "
    "of all samples: one value per output unit, shape (D_out,).",
)
def dense_backward_grad_b_per_sample(
    x: np.ndarray, W: np.ndarray, grad_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return grad_out @ W.T, x.T @ grad_out, np.array(grad_out, dtype=np.float64)


@mistake(
    "backprop.dense_backward",
    "grad_b averaged instead of summed",
    hint="grad_out already carries the loss's 1/N; the bias gradient is the plain sum of "
    "grad_out over the batch, like grad_W, which sums over the batch too.",
)
def dense_backward_grad_b_mean(
    x: np.ndarray, W: np.ndarray, grad_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return grad_out @ W.T, x.T @ grad_out, grad_out.mean(axis=0)


# --- mlp_backward --------------------------------------------------------------------------------


@mistake(
    "backprop.mlp_backward",
    "missing 1/N (gradient of the summed loss)",
    hint="The loss is a mean, so its gradient carries the 1/N of the mean: start the backward "
    "pass from the gradient of the mean loss (the losses topic's *_grad functions).",
)
def mlp_backward_missing_mean(
    x: np.ndarray, layers: Layers, y_true: np.ndarray, loss: str = "mse"
) -> list[tuple[np.ndarray, np.ndarray]]:
    return _mlp_backward(x, layers, y_true, loss, mean="never")


@mistake(
    "backprop.mlp_backward",
    "1/N applied twice",
    hint="The gradient of the mean loss already holds the 1/N; dividing the weight and bias "
    "gradients by the batch size again averages twice.",
)
def mlp_backward_mean_twice(
    x: np.ndarray, layers: Layers, y_true: np.ndarray, loss: str = "mse"
) -> list[tuple[np.ndarray, np.ndarray]]:
    return _mlp_backward(x, layers, y_true, loss, mean="twice")


@mistake(
    "backprop.mlp_backward",
    "σ′ written as σ",
    hint="The sigmoid's derivative is σ(z)·(1 − σ(z)), at most 0.25; multiplying by σ(z) itself "
    "is the function, not its slope.",
)
def mlp_backward_sigmoid_grad_as_sigmoid(
    x: np.ndarray, layers: Layers, y_true: np.ndarray, loss: str = "mse"
) -> list[tuple[np.ndarray, np.ndarray]]:
    return _mlp_backward(x, layers, y_true, loss, derivative="sigma")


@mistake(
    "backprop.mlp_backward",
    "activation derivative evaluated at the output",
    hint="Each *_grad function takes the pre-activation z = a_prev·W + b, not the activation "
    "a = f(z): keep z from the forward pass and differentiate there.",
)
def mlp_backward_derivative_at_output(
    x: np.ndarray, layers: Layers, y_true: np.ndarray, loss: str = "mse"
) -> list[tuple[np.ndarray, np.ndarray]]:
    return _mlp_backward(x, layers, y_true, loss, derivative="at_output")


@mistake(
    "backprop.mlp_backward",
    "output layer's activation derivative skipped",
    hint="The chain rule goes through the output activation too: multiply the loss gradient by "
    "the last layer's activation derivative before using it for that layer's weights.",
)
def mlp_backward_skips_output_derivative(
    x: np.ndarray, layers: Layers, y_true: np.ndarray, loss: str = "mse"
) -> list[tuple[np.ndarray, np.ndarray]]:
    return _mlp_backward(x, layers, y_true, loss, output_derivative=False)


@mistake(
    "backprop.mlp_backward",
    "softmax derivative taken elementwise as s(1 − s)",
    hint="Each softmax output depends on every input of its row, so its backward pass uses the "
    "whole Jacobian (softmax_backward), not just its diagonal s(1 − s).",
)
def mlp_backward_softmax_diagonal(
    x: np.ndarray, layers: Layers, y_true: np.ndarray, loss: str = "mse"
) -> list[tuple[np.ndarray, np.ndarray]]:
    return _mlp_backward(x, layers, y_true, loss, softmax="diagonal")


# --- chain_forward, chain_backward ---------------------------------------------------------------


@mistake(
    "backprop.chain_forward",
    "bias added after the sigmoid",
    hint="The bias shifts the neuron's input: o_k = σ(w_k·o_{k−1} + b_k), with b_k inside.",
)
def chain_forward_bias_outside(x: float, ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
    out, o = [], float(x)
    for w, b in zip(ws, bs, strict=True):
        o = float(_sigmoid(np.array(w * o))) + b
        out.append(o)
    return np.array(out)


def _chain_backward(
    x: float, ws: np.ndarray, bs: np.ndarray, y: float, *, mode: str = "correct"
) -> tuple[np.ndarray, np.ndarray]:
    """The correct backward pass of the sigmoid chain with one switchable mistake."""
    o, outs = float(x), [float(x)]
    for w, b in zip(ws, bs, strict=True):
        o = float(_sigmoid(np.array(w * o + b)))
        outs.append(o)
    n = len(ws)
    grad_w, grad_b = np.zeros(n), np.zeros(n)
    upstream = outs[n] - y if mode != "loss_sign" else y - outs[n]
    for k in range(n, 0, -1):
        slope = {"sigma": outs[k], "no_slope": 1.0}.get(mode, outs[k] * (1.0 - outs[k]))
        delta = upstream * slope
        grad_w[k - 1], grad_b[k - 1] = delta * outs[k - 1], delta
        upstream = delta if mode == "no_weight" else delta * ws[k - 1]
    return grad_w, grad_b


@mistake(
    "backprop.chain_backward",
    "σ′ written as σ",
    hint="Going back through a sigmoid neuron multiplies by its slope σ′ = o(1 − o), never more "
    "than 0.25, not by its output o.",
)
def chain_backward_sigma_for_slope(
    x: float, ws: np.ndarray, bs: np.ndarray, y: float
) -> tuple[np.ndarray, np.ndarray]:
    return _chain_backward(x, ws, bs, y, mode="sigma")


@mistake(
    "backprop.chain_backward",
    "activation derivative dropped",
    hint="Every sigmoid on the way back contributes its derivative o(1 − o) to the product; "
    "leaving those factors out also hides why the gradient vanishes.",
)
def chain_backward_without_slope(
    x: float, ws: np.ndarray, bs: np.ndarray, y: float
) -> tuple[np.ndarray, np.ndarray]:
    return _chain_backward(x, ws, bs, y, mode="no_slope")


@mistake(
    "backprop.chain_backward",
    "weights left out going back",
    hint="∂z_k/∂o_{k−1} = w_k: to pass the gradient from neuron k to neuron k−1, multiply by "
    "the weight that connects them.",
)
def chain_backward_without_weights(
    x: float, ws: np.ndarray, bs: np.ndarray, y: float
) -> tuple[np.ndarray, np.ndarray]:
    return _chain_backward(x, ws, bs, y, mode="no_weight")


@mistake(
    "backprop.chain_backward",
    "loss derivative with the wrong sign (y − o_n)",
    hint="The derivative of ½(y − o_n)² with respect to o_n is o_n − y (the inner derivative "
    "of y − o_n is −1).",
)
def chain_backward_loss_sign_flipped(
    x: float, ws: np.ndarray, bs: np.ndarray, y: float
) -> tuple[np.ndarray, np.ndarray]:
    return _chain_backward(x, ws, bs, y, mode="loss_sign")


# --- numerical_gradient --------------------------------------------------------------------------


def _differences(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float, kind: str
) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros(x.shape)
    base = float(f(x.copy()))
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        if kind == "forward":
            grad[idx] = (float(f(up)) - base) / h
        else:  # central difference divided by h instead of 2h
            grad[idx] = (float(f(up)) - float(f(down))) / h
    return grad


@mistake(
    "backprop.numerical_gradient",
    "one-sided (forward) difference",
    hint="Use the central difference (f(x + h) − f(x − h)) / 2h: its error shrinks like h², the "
    "one-sided (f(x + h) − f(x)) / h only like h.",
)
def numerical_gradient_forward_difference(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    return _differences(f, x, h, "forward")


@mistake(
    "backprop.numerical_gradient",
    "central difference divided by h",
    hint="x + h and x − h are 2h apart: divide their difference in f by 2h, not h.",
)
def numerical_gradient_divided_by_h(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    return _differences(f, x, h, "central_over_h")
