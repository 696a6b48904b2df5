"""Learner implementations written by an independent implementer (an audit), graded by the hidden
suites: each wrong one loses points on its function, and each one that is right by its docstring
keeps full marks. Every variant is a short source appended to a copy of the model answers.

The holes they pin, one class each (the wrong variants kept full marks before the fix):

- a stated default of its own (``perceptron_train(..., epochs=5)``): the defaults check ran on
  XOR, where (w, b) stop changing after 2 epochs; it now runs on data where they change in each
  of the first 47 (``test_the_perceptron_defaults_data_changes_every_epoch`` pins the property);
- right only near 0 (ReLU capped at 6, tanh′ set to 0 beyond |x| = 5, pre-activations clipped at
  ±10): activation inputs reached only ±5, network inputs never made large pre-activations;
- softmax that clips its input at ±700, or shifts by the max only along the default axis: the
  ±1000 check had no slice of large, close values and never passed an axis;
- a mean over shape[0]·shape[1] where the docstring says "any shape": losses saw only 1-D and 2-D;
- ``numerical_gradient`` calling f on x flattened: the only f (Σ x³/3 + Σ x²) ignores x's shape;
- ``prelu_grad`` failing on a scalar slope, or returning (1,) for a 0-d one: alpha was always
  1-D and x never 1-D;
- and the other way round, categorical cross-entropy (and its gradient) written for one-hot
  targets, as its docstring says, lost 5 of 8.5 points to soft targets; it now keeps them.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.engine.expect import reference
from grader.suites import stated_defaults

from ._variants import assert_keeps_full_marks, assert_loses_points

#: (id, topic, function, source appended to the model answers' topic file): wrong variants
WRONG = [
    # --- a default of its own ------------------------------------------------------------------
    *(
        (
            f"perceptron_train_default_epochs_{epochs}",
            "forward",
            "perceptron_train",
            f"""
            def perceptron_train(x, y, lr=0.1, epochs={epochs}):
                w = np.zeros(x.shape[1]); b = 0.0
                for _ in range(epochs):
                    for xi, yi in zip(x, y):
                        err = yi - (1.0 if xi @ w + b > 0 else 0.0)
                        w = w + lr * err * xi; b = b + lr * err
                return w, float(b)
            """,
        )
        for epochs in (5, 9, 11, 20, 100)
    ),
    # --- right only near 0 ----------------------------------------------------------------------
    (
        "relu6",
        "activations",
        "relu",
        """
        def relu(x):
            return np.clip(np.asarray(x, dtype=np.float64), 0.0, 6.0)
        """,
    ),
    (
        "relu6_grad",
        "activations",
        "relu_grad",
        """
        def relu_grad(x):
            x = np.asarray(x, dtype=np.float64)
            return ((x > 0) & (x < 6)).astype(np.float64)
        """,
    ),
    (
        "leaky_relu_capped6",
        "activations",
        "leaky_relu",
        """
        def leaky_relu(x, alpha=0.01):
            x = np.asarray(x, dtype=np.float64)
            return np.where(x > 0, np.minimum(x, 6.0), alpha * x)
        """,
    ),
    (
        "leaky_relu_grad_capped6",
        "activations",
        "leaky_relu_grad",
        """
        def leaky_relu_grad(x, alpha=0.01):
            x = np.asarray(x, dtype=np.float64)
            return np.where(x > 6, 0.0, np.where(x > 0, 1.0, alpha))
        """,
    ),
    (
        "prelu_capped6",
        "activations",
        "prelu",
        """
        def prelu(x, alpha):
            x = np.asarray(x, dtype=np.float64)
            return np.where(x > 0, np.minimum(x, 6.0), np.asarray(alpha) * x)
        """,
    ),
    (
        "sigmoid_grad_zero_beyond_5",
        "activations",
        "sigmoid_grad",
        """
        def sigmoid_grad(x):
            x = np.asarray(x, dtype=np.float64)
            s = sigmoid(x)
            return np.where(np.abs(x) > 5, 0.0, s * (1 - s))
        """,
    ),
    (
        "tanh_grad_zero_beyond_5",
        "activations",
        "tanh_grad",
        """
        def tanh_grad(x):
            x = np.asarray(x, dtype=np.float64)
            t = np.tanh(x)
            return np.where(np.abs(x) > 5, 0.0, 1 - t * t)
        """,
    ),
    (
        "elu_grad_capped",
        "activations",
        "elu_grad",
        """
        def elu_grad(x, alpha=1.0):
            x = np.asarray(x, dtype=np.float64)
            return np.where(x > 0, 1.0, alpha * np.exp(np.maximum(x, -5.0)))
        """,
    ),
    (
        "mlp_forward_relu6",
        "forward",
        "mlp_forward",
        """
        def mlp_forward(x, layers):
            table = {"linear": lambda z: z, "relu": lambda z: np.clip(z, 0, 6),
                     "sigmoid": activations.sigmoid, "tanh": activations.tanh,
                     "leaky_relu": activations.leaky_relu, "elu": activations.elu,
                     "softmax": activations.softmax}
            a = np.array(x, dtype=float)
            for W, b, name in layers:
                if name not in table:
                    raise ValueError(name)
                a = table[name](a @ W + b)
            return a
        """,
    ),
    (
        "chain_forward_clipped_pre",
        "backprop",
        "chain_forward",
        """
        def chain_forward(x, ws, bs):
            out = np.empty(len(ws)); o = float(x)
            for k in range(len(ws)):
                z = np.clip(ws[k] * o + bs[k], -10, 10)
                o = 1 / (1 + np.exp(-z)); out[k] = o
            return out
        """,
    ),
    # --- softmax at the extremes ------------------------------------------------------------------
    (
        "softmax_clip700",
        "activations",
        "softmax",
        """
        def softmax(x, axis=-1):
            x = np.clip(np.asarray(x, dtype=np.float64), -700, 700)
            e = np.exp(x)
            return e / np.sum(e, axis=axis, keepdims=True)
        """,
    ),
    (
        "softmax_naive_on_nondefault_axis",
        "activations",
        "softmax",
        """
        def softmax(x, axis=-1):
            x = np.asarray(x, dtype=np.float64)
            if axis in (-1, x.ndim - 1):
                e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            else:
                e = np.exp(x)
            return e / np.sum(e, axis=axis, keepdims=True)
        """,
    ),
    # --- "any shape" read as at most 2-D ----------------------------------------------------------
    (
        "mse_2d_only_normaliser",
        "losses",
        "mse",
        """
        def mse(y_true, y_pred, reduction="mean"):
            per = (np.asarray(y_pred, dtype=np.float64) - y_true) ** 2
            n = per.shape[0] * (per.shape[1] if per.ndim > 1 else 1)
            if reduction == "mean": return float(per.sum() / n)
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "mse_grad_2d_only_normaliser",
        "losses",
        "mse_grad",
        """
        def mse_grad(y_true, y_pred):
            y_pred = np.asarray(y_pred, dtype=np.float64)
            n = y_pred.shape[0] * (y_pred.shape[1] if y_pred.ndim > 1 else 1)
            return 2 * (y_pred - y_true) / n
        """,
    ),
    (
        "mae_grad_2d_only_normaliser",
        "losses",
        "mae_grad",
        """
        def mae_grad(y_true, y_pred):
            y_pred = np.asarray(y_pred, dtype=np.float64)
            n = y_pred.shape[0] * (y_pred.shape[1] if y_pred.ndim > 1 else 1)
            return np.sign(y_pred - y_true) / n
        """,
    ),
    (
        "huber_2d_only_normaliser",
        "losses",
        "huber",
        """
        def huber(y_true, y_pred, delta=1.0, reduction="mean"):
            r = np.asarray(y_pred, dtype=np.float64) - y_true
            per = np.where(np.abs(r) <= delta, 0.5 * r**2, delta * (np.abs(r) - 0.5 * delta))
            n = per.shape[0] * (per.shape[1] if per.ndim > 1 else 1)
            if reduction == "mean": return float(per.sum() / n)
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "bce_2d_only_normaliser",
        "losses",
        "binary_cross_entropy",
        """
        def binary_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1 - eps)
            per = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
            n = per.shape[0] * (per.shape[1] if per.ndim > 1 else 1)
            if reduction == "mean": return float(per.sum() / n)
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "bce_grad_2d_only_normaliser",
        "losses",
        "binary_cross_entropy_grad",
        """
        def binary_cross_entropy_grad(y_true, y_pred, eps=1e-12):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1 - eps)
            n = p.shape[0] * (p.shape[1] if p.ndim > 1 else 1)
            return (-y_true / p + (1 - y_true) / (1 - p)) / n
        """,
    ),
    # --- f called on x flattened ------------------------------------------------------------------
    (
        "numgrad_calls_f_on_flat",
        "backprop",
        "numerical_gradient",
        """
        def numerical_gradient(f, x, h=1e-5):
            flat = np.array(x, dtype=float).ravel()
            g = np.zeros_like(flat)
            for i in range(flat.size):
                e = np.zeros_like(flat); e[i] = h
                g[i] = (float(f(flat + e)) - float(f(flat - e))) / (2 * h)
            return g.reshape(np.shape(x))
        """,
    ),
    # --- a scalar PReLU slope ---------------------------------------------------------------------
    (
        "prelu_grad_crashes_on_scalar_alpha",
        "activations",
        "prelu_grad",
        """
        def prelu_grad(x, alpha):
            x = np.asarray(x, dtype=np.float64)
            alpha = np.asarray(alpha, dtype=np.float64)
            C = alpha.shape[0]
            gx = np.where(x > 0, 1.0, alpha) * np.ones_like(x)
            pe = np.where(x > 0, 0.0, x).reshape(-1, x.shape[-1]).sum(axis=0)
            if C != pe.size:
                pe = pe.sum(keepdims=True)
            return gx, pe
        """,
    ),
    (
        "prelu_grad_scalar_alpha_as_1d",
        "activations",
        "prelu_grad",
        """
        def prelu_grad(x, alpha):
            x = np.asarray(x, dtype=np.float64)
            alpha = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
            gx = np.where(x > 0, 1.0, alpha) * np.ones_like(x)
            pe = np.where(x > 0, 0.0, x).reshape(-1, x.shape[-1]).sum(axis=0)
            if pe.size != alpha.size:
                pe = pe.sum(keepdims=True)
            return gx, pe
        """,
    ),
]

#: right by the docstring ("y_true: one-hot targets, shape (N, C)"): full marks
RIGHT = [
    (
        "cce_onehot_only_per_spec",
        "losses",
        "categorical_cross_entropy",
        """
        def categorical_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1 - eps)
            idx = np.argmax(y_true, axis=1)
            per = -np.log(p[np.arange(len(p)), idx])
            if reduction == "mean": return float(np.mean(per))
            if reduction == "sum": return float(np.sum(per))
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "cce_grad_onehot_only_per_spec",
        "losses",
        "categorical_cross_entropy_grad",
        """
        def categorical_cross_entropy_grad(y_true, y_pred, eps=1e-12):
            y_pred = np.asarray(y_pred, dtype=np.float64)
            p = np.clip(y_pred, eps, 1 - eps)
            n = len(p); idx = np.argmax(y_true, axis=1)
            g = np.zeros_like(p)
            g[np.arange(n), idx] = -1.0 / p[np.arange(n), idx] / n
            return g
        """,
    ),
]


@pytest.mark.parametrize(("name", "topic", "function", "source"), WRONG, ids=[v[0] for v in WRONG])
def test_the_audits_wrong_variants_lose_points(tmp_path, name, topic, function, source):
    assert_loses_points(tmp_path / "learner", name, topic, function, source)


@pytest.mark.parametrize(("name", "topic", "function", "source"), RIGHT, ids=[v[0] for v in RIGHT])
def test_one_hot_categorical_cross_entropy_keeps_full_marks(
    tmp_path, name, topic, function, source
):
    assert_keeps_full_marks(tmp_path / "learner", name, topic, function, source)


def test_the_perceptron_defaults_data_changes_every_epoch():
    """On the defaults check's data, the rule's (w, b) after 0, 1, ..., 3·default epochs are
    pairwise different, so any other epochs default near the stated one (±1, half, double, 0)
    answers differently; and another lr scales them."""
    from grader.hidden.test_forward import DEFAULT_CALLS

    x, y = DEFAULT_CALLS["perceptron_train"]
    _, defaults = stated_defaults("forward", "perceptron_train")
    epochs, lr = defaults["epochs"], defaults["lr"]
    assert (epochs, lr) == (10, 0.1)

    def train(**kwargs: float) -> np.ndarray:
        w, b = reference("forward", "perceptron_train", x, y, **{"lr": lr, **kwargs})
        return np.append(w, b)

    results = [train(epochs=e) for e in range(3 * epochs + 1)]
    for e in range(len(results)):
        for earlier in range(e):
            assert not np.array_equal(results[e], results[earlier]), (
                f"(w, b) after {e} epochs equals (w, b) after {earlier}"
            )
    for other in (0.05, 0.2, 1.0):
        assert not np.array_equal(train(epochs=epochs, lr=other), results[epochs]), other
