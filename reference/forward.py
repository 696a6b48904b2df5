"""Perceptron and forward propagation: the torch ground truth of the ``forward`` topic.

A neuron takes a weighted sum of its inputs plus a bias and passes it through an activation; a
perceptron uses the unit step as activation and learns with Rosenblatt's rule; a dense layer is
many neurons side by side (``y = x @ W + b``, Keras layout ``W: (D_in, D_out)``), and a
multi-layer perceptron (MLP) chains dense layers, each followed by its activation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from reference import activations
from reference._validate import expect, require_positive

__all__ = [
    "ACTIVATION_NAMES",
    "dense_forward",
    "mlp_forward",
    "perceptron_predict",
    "perceptron_train",
    "step",
    "weighted_sum",
]

#: Activation names ``mlp_forward`` understands, in the order the lesson introduces them.
ACTIVATION_NAMES: tuple[str, ...] = (
    "linear",
    "relu",
    "sigmoid",
    "tanh",
    "leaky_relu",
    "elu",
    "softmax",
)

Layer = tuple[torch.Tensor, torch.Tensor, str]


def _same_dtype(fn: str, **tensors: torch.Tensor) -> None:
    """Raise ``ValueError`` unless every tensor has the dtype of the first one."""
    (first, ref), *rest = tensors.items()
    for name, t in rest:
        if t.dtype != ref.dtype:
            raise ValueError(f"{fn}: {name} has dtype {t.dtype}, expected {first}'s {ref.dtype}")


def _scalar(fn: str, name: str, value: object, like: torch.Tensor) -> torch.Tensor:
    """``value`` (a Python number or a 0-d float tensor) as a 0-d tensor on ``like``'s device."""
    if isinstance(value, torch.Tensor):
        expect(fn, **{name: (value, "")})
        if value.device != like.device:
            raise ValueError(f"{fn}: {name} is on {value.device} but x is on {like.device}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(
            f"{fn}: {name} must be a number or a 0-d float tensor, got {type(value).__name__}"
        )
    return torch.tensor(float(value), dtype=like.dtype, device=like.device)


def weighted_sum(x: torch.Tensor, w: torch.Tensor, b: float | torch.Tensor) -> torch.Tensor:
    """The pre-activation of one neuron for every sample: z = x·w + b.

    z_n = Σ_d x[n, d] · w[d] + b.

    Args:
        x: inputs, shape (N, D).
        w: weights, shape (D,).
        b: bias, a number or a 0-d tensor.

    Returns:
        z, shape (N,), dtype of ``x``.
    """
    expect("weighted_sum", x=(x, "N D"), w=(w, "D"))
    bias = _scalar("weighted_sum", "b", b, x)
    _same_dtype("weighted_sum", x=x, w=w, b=bias)
    return x @ w + bias  # (N,)


def step(z: torch.Tensor) -> torch.Tensor:
    """Heaviside unit step, elementwise: 1 where z > 0, else 0 (so step(0) = 0).

    Args:
        z: any shape.

    Returns:
        0.0 / 1.0 values, same shape and dtype as ``z``.
    """
    expect("step", z=(z, "..."))
    return (z > 0).to(z.dtype)


def perceptron_predict(x: torch.Tensor, w: torch.Tensor, b: float | torch.Tensor) -> torch.Tensor:
    """Perceptron class labels: ŷ = step(x·w + b).

    Args:
        x: inputs, shape (N, D).
        w: weights, shape (D,).
        b: bias, a number or a 0-d tensor.

    Returns:
        labels in {0.0, 1.0}, shape (N,).
    """
    return step(weighted_sum(x, w, b))


def perceptron_train(
    x: torch.Tensor, y: torch.Tensor, lr: float = 0.1, epochs: int = 10
) -> tuple[torch.Tensor, torch.Tensor]:
    """Train a perceptron with Rosenblatt's rule, one sample at a time.

    w and b start at zero. For each epoch, for each sample i in the given order:
        ŷ_i = step(x_i·w + b)
        w ← w + lr·(y_i − ŷ_i)·x_i
        b ← b + lr·(y_i − ŷ_i)
    A correctly classified sample leaves w and b unchanged.

    Args:
        x: inputs, shape (N, D).
        y: targets in {0, 1}, shape (N,), float.
        lr: learning rate, > 0.
        epochs: number of passes over the data, >= 0.

    Returns:
        (w, b): weights of shape (D,) and a 0-d bias, dtype of ``x``.
    """
    dims = expect("perceptron_train", x=(x, "N D"), y=(y, "N"))
    require_positive("perceptron_train", "lr", lr)
    if isinstance(epochs, bool) or not isinstance(epochs, int):
        raise ValueError(f"perceptron_train: epochs must be an int, got {type(epochs).__name__}")
    require_positive("perceptron_train", "epochs", epochs, allow_zero=True)
    if not bool(((y == 0) | (y == 1)).all()):
        raise ValueError("perceptron_train: y must hold only the labels 0 and 1")
    w = torch.zeros(dims["D"], dtype=x.dtype, device=x.device)  # (D,)
    b = torch.zeros((), dtype=x.dtype, device=x.device)  # ()
    y = y.to(x.dtype)
    for _ in range(epochs):
        for i in range(dims["N"]):
            y_hat = (x[i] @ w + b > 0).to(x.dtype)  # () step of the pre-activation
            error = y[i] - y_hat  # () in {-1, 0, 1}
            w = w + lr * error * x[i]  # Rosenblatt (1958) update
            b = b + lr * error
    return w, b


def dense_forward(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """A fully connected layer without activation: y = x @ W + b.

    y[n, k] = Σ_d x[n, d] · W[d, k] + b[k]   (Keras layout; torch's ``nn.Linear`` stores W.T).

    Args:
        x: inputs, shape (N, D_in).
        W: weights, shape (D_in, D_out).
        b: biases, shape (D_out,).

    Returns:
        y, shape (N, D_out).
    """
    expect("dense_forward", x=(x, "N D_in"), W=(W, "D_in D_out"), b=(b, "D_out"))
    _same_dtype("dense_forward", x=x, W=W, b=b)
    return x @ W + b  # (N, D_out), b broadcast over the batch


def _activation(name: object) -> Callable[[torch.Tensor], torch.Tensor]:
    table: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
        "linear": lambda z: z,
        "relu": activations.relu,
        "sigmoid": activations.sigmoid,
        "tanh": activations.tanh,
        "leaky_relu": activations.leaky_relu,  # default alpha = 0.01
        "elu": activations.elu,  # default alpha = 1.0
        "softmax": activations.softmax,  # over the last axis (the units of the layer)
    }
    if not isinstance(name, str) or name not in table:
        raise ValueError(
            f"mlp_forward: unknown activation {name!r}; valid names: {', '.join(ACTIVATION_NAMES)}"
        )
    return table[name]


def _check_layers(fn: str, x: torch.Tensor, layers: Sequence[Layer]) -> None:
    """Validate ``layers``: (W, b, name) triples whose shapes chain from x's width."""
    if not isinstance(layers, list | tuple):
        raise ValueError(f"{fn}: layers must be a list of (W, b, activation_name)")
    width = ("x", x)
    for i, layer in enumerate(layers):
        if not isinstance(layer, list | tuple) or len(layer) != 3:
            raise ValueError(f"{fn}: layers[{i}] must be a (W, b, activation_name) triple")
        W, b, name = layer
        expect(
            fn,
            **{
                width[0]: (width[1], "... D_in"),
                f"layers[{i}].W": (W, "D_in D_out"),
                f"layers[{i}].b": (b, "D_out"),
            },
        )
        _same_dtype(fn, x=x, **{f"layers[{i}].W": W, f"layers[{i}].b": b})
        _activation(name)
        width = (f"layers[{i}].W", W)


def mlp_forward(x: torch.Tensor, layers: Sequence[Layer]) -> torch.Tensor:
    """Forward pass of a multi-layer perceptron.

    a_0 = x;  a_l = f_l(a_{l−1} @ W_l + b_l) for l = 1..L;  returns a_L.
    Each f_l is named: linear (identity), relu, sigmoid, tanh, leaky_relu (alpha 0.01),
    elu (alpha 1.0), softmax (over the units of the layer). No layers: returns x.

    Args:
        x: inputs, shape (N, D_0).
        layers: list of (W_l (D_{l−1}, D_l), b_l (D_l,), activation name).

    Returns:
        a_L, shape (N, D_L).
    """
    expect("mlp_forward", x=(x, "N D"))
    _check_layers("mlp_forward", x, layers)
    a = x  # (N, D_0)
    for W, b, name in layers:
        a = _activation(name)(dense_forward(a, W, b))  # (N, D_l)
    return a
