"""Correct learner implementations written differently from the model answers (an audit for false
negatives), graded by the hidden suites: each must keep full marks on its function.

Every function of every topic has at least one, written as an independent learner would: other
algorithms (conv2d by im2col, by loops or with ``sliding_window_view``; pooling by reshape or
loops; softmax through ``logsumexp``; LSTM through one concatenated weight matrix; Adam with
the bias corrections inline; search asking faiss for every vector; chunking with while-loops or
a regex), other summation orders (``einsum``, row by row, sums of products), other containers
where the curriculum allows them (lists for tuples, ``np.float64`` or 0-d arrays for floats)
and other ways to draw from ``rng``. Every variant is a short source appended to a copy of the
model answers; only its own topic and function are graded.
"""

from __future__ import annotations

import pytest

from ._variants import assert_keeps_full_marks

#: (id, topic, function, source appended to the model answers' topic file): right variants
RIGHT = [
    # --- forward -----------------------------------------------------------------------------------
    (
        "weighted_sum_einsum",
        "forward",
        "weighted_sum",
        """
        def weighted_sum(x, w, b):
            return np.einsum("nd,d->n", x, w) + b
        """,
    ),
    (
        "weighted_sum_products_summed",
        "forward",
        "weighted_sum",
        """
        def weighted_sum(x, w, b):
            return np.sum(x * w[None, :], axis=1) + float(b)
        """,
    ),
    (
        "step_greater_astype",
        "forward",
        "step",
        """
        def step(z):
            return np.greater(z, 0).astype(np.float64)
        """,
    ),
    (
        "step_sign_of_clipped",
        "forward",
        "step",
        """
        def step(z):
            return np.sign(np.clip(np.asarray(z, dtype=float), 0.0, None))
        """,
    ),
    (
        "perceptron_predict_loop",
        "forward",
        "perceptron_predict",
        """
        def perceptron_predict(x, w, b):
            return np.array([1.0 if float(np.dot(xi, w)) + b > 0 else 0.0 for xi in x])
        """,
    ),
    (
        "perceptron_train_index_loop_np_float",
        "forward",
        "perceptron_train",
        """
        def perceptron_train(x, y, lr=0.1, epochs=10):
            w = np.zeros(x.shape[1], dtype=np.float64)
            b = np.float64(0.0)
            for epoch in range(epochs):
                for i in range(x.shape[0]):
                    y_hat = 1.0 if np.dot(x[i], w) + b > 0 else 0.0
                    w += lr * (y[i] - y_hat) * x[i]
                    b += lr * (y[i] - y_hat)
            return [w, b]
        """,
    ),
    (
        "dense_forward_einsum",
        "forward",
        "dense_forward",
        """
        def dense_forward(x, W, b):
            return np.einsum("ni,io->no", x, W) + b[np.newaxis, :]
        """,
    ),
    (
        "dense_forward_column_loop",
        "forward",
        "dense_forward",
        """
        def dense_forward(x, W, b):
            out = np.zeros((x.shape[0], W.shape[1]))
            for j in range(W.shape[1]):
                out[:, j] = (x * W[:, j]).sum(axis=1) + b[j]
            return out
        """,
    ),
    (
        "mlp_forward_own_activations",
        "forward",
        "mlp_forward",
        """
        def mlp_forward(x, layers):
            def softmax(z):
                lse = np.max(z, axis=-1, keepdims=True)
                lse = lse + np.log(np.sum(np.exp(z - lse), axis=-1, keepdims=True))
                return np.exp(z - lse)
            acts = {
                "linear": lambda z: z,
                "relu": lambda z: z * (z > 0),
                "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
                "tanh": np.tanh,
                "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
                "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
                "softmax": softmax,
            }
            a = np.array(x, dtype=np.float64)
            for W, b, name in layers:
                if name not in acts:
                    raise ValueError(f"unknown activation {name}; use one of {sorted(acts)}")
                a = acts[name](np.dot(a, W) + b)
            return a
        """,
    ),
    # --- activations -------------------------------------------------------------------------------
    (
        "sigmoid_masks",
        "activations",
        "sigmoid",
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=np.float64)
            out = np.empty_like(x)
            pos = x >= 0
            out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
            e = np.exp(x[~pos])
            out[~pos] = e / (1.0 + e)
            return out
        """,
    ),
    (
        "sigmoid_logaddexp",
        "activations",
        "sigmoid",
        """
        def sigmoid(x):
            return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=np.float64)))
        """,
    ),
    (
        "sigmoid_tanh_form",
        "activations",
        "sigmoid",
        """
        def sigmoid(x):
            return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64)))
        """,
    ),
    (
        "sigmoid_grad_from_exp_abs",
        "activations",
        "sigmoid_grad",
        """
        def sigmoid_grad(x):
            e = np.exp(-np.abs(np.asarray(x, dtype=np.float64)))
            return e / (1.0 + e) ** 2
        """,
    ),
    (
        "tanh_via_sigmoid",
        "activations",
        "tanh",
        """
        def tanh(x):
            return 2.0 * sigmoid(2.0 * np.asarray(x, dtype=np.float64)) - 1.0
        """,
    ),
    (
        "tanh_grad_one_minus_square",
        "activations",
        "tanh_grad",
        """
        def tanh_grad(x):
            return 1.0 - np.tanh(x) ** 2
        """,
    ),
    (
        "relu_times_mask",
        "activations",
        "relu",
        """
        def relu(x):
            x = np.asarray(x, dtype=np.float64)
            return x * (x > 0)
        """,
    ),
    (
        "relu_where",
        "activations",
        "relu",
        """
        def relu(x):
            x = np.array(x, dtype=float)
            x[x < 0] = 0.0
            return x
        """,
    ),
    (
        "relu_grad_heaviside",
        "activations",
        "relu_grad",
        """
        def relu_grad(x):
            return np.heaviside(np.asarray(x, dtype=np.float64), 0.0)
        """,
    ),
    (
        "leaky_relu_masks",
        "activations",
        "leaky_relu",
        """
        def leaky_relu(x, alpha=0.01):
            x = np.asarray(x, dtype=np.float64)
            return x * (x > 0) + alpha * x * (x <= 0)
        """,
    ),
    (
        "leaky_relu_grad_full_like",
        "activations",
        "leaky_relu_grad",
        """
        def leaky_relu_grad(x, alpha=0.01):
            x = np.asarray(x, dtype=np.float64)
            g = np.full_like(x, alpha)
            g[x > 0] = 1.0
            return g
        """,
    ),
    (
        "elu_masked_exp_minus_one",
        "activations",
        "elu",
        """
        def elu(x, alpha=1.0):
            x = np.asarray(x, dtype=np.float64)
            out = x.copy()
            neg = x <= 0
            out[neg] = alpha * (np.exp(x[neg]) - 1.0)
            return out
        """,
    ),
    (
        "elu_grad_from_elu_plus_alpha",
        "activations",
        "elu_grad",
        """
        def elu_grad(x, alpha=1.0):
            x = np.asarray(x, dtype=np.float64)
            return np.where(x > 0, 1.0, elu(x, alpha) + alpha)
        """,
    ),
    (
        "prelu_broadcast_maximum",
        "activations",
        "prelu",
        """
        def prelu(x, alpha):
            x = np.asarray(x, dtype=np.float64)
            return np.maximum(x, 0.0) + np.asarray(alpha, dtype=np.float64) * np.minimum(x, 0.0)
        """,
    ),
    (
        "prelu_grad_sum_over_leading_axes",
        "activations",
        "prelu_grad",
        """
        def prelu_grad(x, alpha):
            x = np.asarray(x, dtype=np.float64)
            a = np.asarray(alpha, dtype=np.float64)
            dx = np.where(x > 0, 1.0, np.broadcast_to(a, x.shape))
            neg = np.minimum(x, 0.0)
            if a.size == 1:
                da = np.full(a.shape, neg.sum())
            else:
                da = neg.sum(axis=tuple(range(x.ndim - 1)))
            return dx, da
        """,
    ),
    (
        "softmax_logsumexp_moveaxis",
        "activations",
        "softmax",
        """
        def softmax(x, axis=-1):
            x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
            m = x.max(axis=-1, keepdims=True)
            lse = m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True))
            return np.moveaxis(np.exp(x - lse), -1, axis)
        """,
    ),
    (
        "softmax_divide_by_reciprocal",
        "activations",
        "softmax",
        """
        def softmax(x, axis=-1):
            x = np.asarray(x, dtype=np.float64)
            e = np.exp(x - x.max(axis=axis, keepdims=True))
            return e * (1.0 / e.sum(axis=axis, keepdims=True))
        """,
    ),
    (
        "softmax_backward_jacobian_einsum",
        "activations",
        "softmax_backward",
        """
        def softmax_backward(s, grad_out, axis=-1):
            s = np.moveaxis(np.asarray(s, dtype=np.float64), axis, -1)
            g = np.moveaxis(np.asarray(grad_out, dtype=np.float64), axis, -1)
            jac = s[..., :, None] * (np.eye(s.shape[-1]) - s[..., None, :])
            return np.moveaxis(np.einsum("...ij,...i->...j", jac, g), -1, axis)
        """,
    ),
    (
        "softmax_backward_expanded",
        "activations",
        "softmax_backward",
        """
        def softmax_backward(s, grad_out, axis=-1):
            s = np.asarray(s, dtype=np.float64)
            g = np.asarray(grad_out, dtype=np.float64)
            return s * g - s * np.einsum("...,...->...", s, g).sum(axis=axis, keepdims=True)
        """,
    ),
    # --- losses ------------------------------------------------------------------------------------
    (
        "mse_np_float_and_dot",
        "losses",
        "mse",
        """
        def mse(y_true, y_pred, reduction="mean"):
            r = (np.asarray(y_pred, dtype=np.float64) - y_true).ravel()
            if reduction == "none":
                return (r ** 2).reshape(np.shape(y_pred))
            if reduction == "sum":
                return np.float64(np.dot(r, r))
            if reduction == "mean":
                return np.dot(r, r) / r.size
            raise ValueError(reduction)
        """,
    ),
    (
        "mse_zero_d_array",
        "losses",
        "mse",
        """
        def mse(y_true, y_pred, reduction="mean"):
            sq = np.square(np.subtract(y_pred, y_true, dtype=np.float64))
            if reduction not in ("mean", "sum", "none"):
                raise ValueError(reduction)
            if reduction == "none":
                return sq
            return np.array(sq.mean() if reduction == "mean" else sq.sum())
        """,
    ),
    (
        "mse_grad_mean_of_ones",
        "losses",
        "mse_grad",
        """
        def mse_grad(y_true, y_pred):
            r = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
            return 2 * r * (1.0 / np.prod(r.shape))
        """,
    ),
    (
        "mae_loop_reduction_table",
        "losses",
        "mae",
        """
        def mae(y_true, y_pred, reduction="mean"):
            err = np.abs(np.subtract(y_true, y_pred, dtype=np.float64))
            table = {"mean": lambda e: e.sum() / e.size, "sum": np.sum, "none": lambda e: e}
            if reduction not in table:
                raise ValueError(reduction)
            return table[reduction](err)
        """,
    ),
    (
        "mae_grad_where",
        "losses",
        "mae_grad",
        """
        def mae_grad(y_true, y_pred):
            r = np.asarray(y_pred, dtype=np.float64) - y_true
            return np.where(r > 0, 1.0, np.where(r < 0, -1.0, 0.0)) / r.size
        """,
    ),
    (
        "huber_min_form",
        "losses",
        "huber",
        """
        def huber(y_true, y_pred, delta=1.0, reduction="mean"):
            a = np.abs(np.asarray(y_pred, dtype=np.float64) - y_true)
            q = np.minimum(a, delta)
            per = 0.5 * q ** 2 + delta * (a - q)
            if reduction == "mean":
                return float(per.mean())
            if reduction == "sum":
                return float(per.sum())
            if reduction == "none":
                return per
            raise ValueError(reduction)
        """,
    ),
    (
        "huber_grad_piecewise",
        "losses",
        "huber_grad",
        """
        def huber_grad(y_true, y_pred, delta=1.0):
            r = np.asarray(y_pred, dtype=np.float64) - y_true
            g = np.where(np.abs(r) <= delta, r, delta * np.sign(r))
            return g / r.size
        """,
    ),
    (
        "bce_log1p",
        "losses",
        "binary_cross_entropy",
        """
        def binary_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1 - eps)
            per = -(y_true * np.log(p) + (1 - y_true) * np.log1p(-p))
            if reduction == "none":
                return per
            if reduction == "sum":
                return per.sum()
            if reduction == "mean":
                return per.mean()
            raise ValueError(reduction)
        """,
    ),
    (
        "bce_minimum_maximum",
        "losses",
        "binary_cross_entropy",
        """
        def binary_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.minimum(np.maximum(np.asarray(y_pred, dtype=np.float64), eps), 1.0 - eps)
            per = -y_true * np.log(p) - (1.0 - y_true) * np.log(1.0 - p)
            out = {"none": per, "sum": np.sum(per), "mean": np.sum(per) / per.size}
            if reduction not in out:
                raise ValueError(reduction)
            return out[reduction]
        """,
    ),
    (
        "bce_grad_combined_fraction",
        "losses",
        "binary_cross_entropy_grad",
        """
        def binary_cross_entropy_grad(y_true, y_pred, eps=1e-12):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1 - eps)
            return (p - y_true) / (p * (1 - p)) / p.size
        """,
    ),
    (
        "cce_log_of_true_class_by_sum",
        "losses",
        "categorical_cross_entropy",
        """
        def categorical_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.clip(y_pred, eps, 1 - eps).astype(np.float64)
            per = -np.einsum("nc,nc->n", np.asarray(y_true, dtype=np.float64), np.log(p))
            if reduction == "none":
                return per
            if reduction == "sum":
                return float(per.sum())
            if reduction == "mean":
                return float(per.sum() / len(per))
            raise ValueError(reduction)
        """,
    ),
    (
        "cce_grad_divide_once",
        "losses",
        "categorical_cross_entropy_grad",
        """
        def categorical_cross_entropy_grad(y_true, y_pred, eps=1e-12):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1 - eps)
            return -y_true / (len(p) * p)
        """,
    ),
    (
        "one_hot_zeros_and_fancy_assignment",
        "losses",
        "one_hot",
        """
        def one_hot(labels, num_classes):
            labels = np.asarray(labels, dtype=np.int64)
            out = np.zeros((labels.shape[0], num_classes))
            out[np.arange(labels.shape[0]), labels] = 1
            return out
        """,
    ),
    (
        "one_hot_broadcast_compare",
        "losses",
        "one_hot",
        """
        def one_hot(labels, num_classes):
            labels = np.asarray(labels)
            return (labels[:, None] == np.arange(num_classes)[None, :]).astype(float)
        """,
    ),
    # --- backprop ----------------------------------------------------------------------------------
    (
        "dense_backward_einsum_list",
        "backprop",
        "dense_backward",
        """
        def dense_backward(x, W, grad_out):
            gx = np.einsum("no,io->ni", grad_out, W)
            gW = np.einsum("ni,no->io", x, grad_out)
            gb = np.einsum("no->o", grad_out)
            return [gx, gW, gb]
        """,
    ),
    (
        "dense_backward_outer_products",
        "backprop",
        "dense_backward",
        """
        def dense_backward(x, W, grad_out):
            gW = np.zeros(W.shape)
            for n in range(x.shape[0]):
                gW += np.outer(x[n], grad_out[n])
            return np.dot(grad_out, W.T), gW, np.ones(x.shape[0]) @ grad_out
        """,
    ),
    (
        "mlp_backward_fused_output_gradients",
        "backprop",
        "mlp_backward",
        """
        def mlp_backward(x, layers, y_true, loss="mse"):
            acts = {
                "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
                "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(float)),
                "sigmoid": (activations.sigmoid, lambda z, a: a * (1 - a)),
                "tanh": (np.tanh, lambda z, a: 1 - a ** 2),
                "leaky_relu": (activations.leaky_relu, lambda z, a: np.where(z > 0, 1.0, 0.01)),
                "elu": (activations.elu, lambda z, a: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))),
                "softmax": (activations.softmax, None),
            }
            grads_of = {
                "mse": losses.mse_grad,
                "mae": losses.mae_grad,
                "huber": losses.huber_grad,
                "binary_cross_entropy": losses.binary_cross_entropy_grad,
                "categorical_cross_entropy": losses.categorical_cross_entropy_grad,
            }
            if loss not in grads_of:
                raise ValueError(loss)
            inputs, zs, outs = [], [], []
            a = x
            for W, b, name in layers:
                if name not in acts:
                    raise ValueError(name)
                z = a @ W + b
                inputs.append(a)
                zs.append(z)
                a = acts[name][0](z)
                outs.append(a)
            grads = [None] * len(layers)
            g = grads_of[loss](y_true, a)
            for l in reversed(range(len(layers))):
                W, _, name = layers[l]
                z, out = zs[l], outs[l]
                if name == "softmax":
                    delta = out * (g - (out * g).sum(axis=1, keepdims=True))
                else:
                    delta = g * acts[name][1](z, out)
                grads[l] = (inputs[l].T @ delta, delta.sum(axis=0))
                g = delta @ W.T
            return grads
        """,
    ),
    (
        "chain_forward_list_of_floats",
        "backprop",
        "chain_forward",
        """
        import math

        def chain_forward(x, ws, bs):
            outs, o = [], float(x)
            for w, b in zip(ws, bs):
                z = float(w) * o + float(b)
                o = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
                outs.append(o)
            return np.array(outs)
        """,
    ),
    (
        "chain_backward_loop",
        "backprop",
        "chain_backward",
        """
        def chain_backward(x, ws, bs, y):
            o = chain_forward(x, ws, bs)
            n = len(ws)
            dw, db = np.zeros(n), np.zeros(n)
            grad = o[-1] - y  # dL/do_n
            for k in range(n - 1, -1, -1):
                dz = grad * o[k] * (1 - o[k])
                db[k] = dz
                dw[k] = dz * (o[k - 1] if k > 0 else x)
                grad = dz * ws[k]
            return dw, db
        """,
    ),
    (
        "numerical_gradient_flat_index",
        "backprop",
        "numerical_gradient",
        """
        def numerical_gradient(f, x, h=1e-5):
            x = np.asarray(x, dtype=np.float64)
            grad = np.empty(x.size)
            for i in range(x.size):
                e = np.zeros(x.size)
                e[i] = h
                e = e.reshape(x.shape)
                grad[i] = (f(x + e) - f(x - e)) / (2 * h)
            return grad.reshape(x.shape)
        """,
    ),
    # --- optimizers --------------------------------------------------------------------------------
    (
        "gd_step_add_negative",
        "optimizers",
        "gd_step",
        """
        def gd_step(w, grad, lr):
            return np.add(w, -lr * np.asarray(grad))
        """,
    ),
    (
        "momentum_step_list",
        "optimizers",
        "momentum_step",
        """
        def momentum_step(w, grad, velocity, lr, beta=0.9):
            v = velocity * beta + grad * (1 - beta)
            return [w - v * lr, v]
        """,
    ),
    (
        "adagrad_step_sqrt_of_sum",
        "optimizers",
        "adagrad_step",
        """
        def adagrad_step(w, grad, sum_sq, lr, eps=1e-10):
            s = sum_sq + grad * grad
            return w - lr / (np.sqrt(s) + eps) * grad, s
        """,
    ),
    (
        "rmsprop_step_in_place_on_copies",
        "optimizers",
        "rmsprop_step",
        """
        def rmsprop_step(w, grad, sq_avg, lr, beta=0.99, eps=1e-8):
            s = sq_avg.copy()
            s *= beta
            s += (1 - beta) * grad ** 2
            w_new = w.copy()
            w_new -= lr * grad / (s ** 0.5 + eps)
            return w_new, s
        """,
    ),
    (
        "adadelta_step_two_roots",
        "optimizers",
        "adadelta_step",
        """
        def adadelta_step(w, grad, sq_avg, delta_avg, lr=1.0, rho=0.9, eps=1e-6):
            sq = rho * sq_avg + (1 - rho) * np.square(grad)
            update = np.sqrt(delta_avg + eps) / np.sqrt(sq + eps) * grad
            acc = rho * delta_avg + (1 - rho) * np.square(update)
            return w - lr * update, sq, acc
        """,
    ),
    (
        "adam_step_inline_corrections",
        "optimizers",
        "adam_step",
        """
        def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad ** 2
            w = w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
            return w, m, v
        """,
    ),
    (
        "adam_step_torch_style",
        "optimizers",
        "adam_step",
        """
        import math

        def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
            m_new = m * beta1 + grad * (1 - beta1)
            v_new = v * beta2 + grad * grad * (1 - beta2)
            step_size = lr / (1 - beta1 ** t)
            denom = np.sqrt(v_new) / math.sqrt(1 - beta2 ** t) + eps
            return w - step_size * m_new / denom, m_new, v_new
        """,
    ),
    (
        "ewa_incremental_form",
        "optimizers",
        "ewa",
        """
        def ewa(series, beta):
            a = np.asarray(series, dtype=np.float64)
            out = [a[0]]
            for value in a[1:]:
                out.append(out[-1] + (1 - beta) * (value - out[-1]))
            return np.stack(out) if len(a) else a.copy()
        """,
    ),
    (
        "ewa_closed_form_weights",
        "optimizers",
        "ewa",
        """
        def ewa(series, beta):
            a = np.asarray(series, dtype=np.float64)
            T = a.shape[0]
            out = np.empty_like(a)
            for t in range(T):
                weights = np.array([(1 - beta) * beta ** (t - k) for k in range(1, t + 1)])
                first = beta ** t
                out[t] = first * a[0] + np.tensordot(weights, a[1 : t + 1], axes=(0, 0))
            return out
        """,
    ),
    # --- training ----------------------------------------------------------------------------------
    (
        "num_iterations_ceil_division",
        "training",
        "num_iterations",
        """
        def num_iterations(n_samples, batch_size, epochs, drop_last=False):
            per_epoch = n_samples // batch_size if drop_last else -(-n_samples // batch_size)
            return per_epoch * epochs
        """,
    ),
    (
        "minibatch_indices_shuffle_and_array_split",
        "training",
        "minibatch_indices",
        """
        def minibatch_indices(n_samples, batch_size, rng):
            idx = np.arange(n_samples)
            rng.shuffle(idx)
            return [idx[i : i + batch_size].copy() for i in range(0, n_samples, batch_size)]
        """,
    ),
    (
        "minibatch_indices_choice_while_loop",
        "training",
        "minibatch_indices",
        """
        def minibatch_indices(n_samples, batch_size, rng):
            order = rng.choice(n_samples, size=n_samples, replace=False)
            batches, start = [], 0
            while start < n_samples:
                batches.append(order[start : start + batch_size])
                start += batch_size
            return batches
        """,
    ),
    (
        "train_linear_regression_own_loops",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in {"gd", "sgd", "minibatch"}:
                raise ValueError(method)
            rng = np.random.default_rng() if rng is None else rng
            n, d = x.shape
            w = np.zeros(d)
            b = 0.0
            size = {"gd": n, "sgd": 1, "minibatch": batch_size}[method]
            losses = []
            for _ in range(epochs):
                order = np.arange(n) if method == "gd" else rng.permutation(n)
                for start in range(0, n, size):
                    idx = order[start : start + size]
                    err = x[idx] @ w + b - y[idx]
                    w = w - lr * (2.0 / len(idx)) * (x[idx].T @ err)
                    b = b - lr * (2.0 / len(idx)) * err.sum()
                losses.append(float(((x @ w + b - y) ** 2).mean()))
            return w, b, np.array(losses)
        """,
    ),
    (
        "dropout_uniform_keep_mask",
        "training",
        "dropout",
        """
        def dropout(x, p, rng, training=True):
            x = np.asarray(x, dtype=np.float64)
            if not training:
                return x.copy()
            if p >= 1:
                return np.zeros_like(x)
            mask = (rng.uniform(0.0, 1.0, size=x.shape) < 1 - p).astype(np.float64)
            return x * mask / (1 - p)
        """,
    ),
    (
        "early_stopping_while_loop",
        "training",
        "early_stopping",
        """
        def early_stopping(val_losses, patience, min_delta=0.0):
            losses = list(np.asarray(val_losses, dtype=float))
            best, best_epoch, bad, epoch = float("inf"), 0, 0, 0
            while epoch < len(losses):
                if losses[epoch] < best - min_delta:
                    best, best_epoch, bad = losses[epoch], epoch, 0
                else:
                    bad += 1
                    if bad >= patience and epoch > 0:
                        break
                epoch += 1
            return min(epoch, len(losses) - 1), best_epoch
        """,
    ),
    # --- conv --------------------------------------------------------------------------------------
    (
        "conv_output_size_floor",
        "conv",
        "conv_output_size",
        """
        import math

        def conv_output_size(n, f, padding=0, stride=1):
            if f > n + 2 * padding:
                raise ValueError("the filter does not fit")
            return math.floor((n + 2 * padding - f) / stride) + 1
        """,
    ),
    (
        "pool_output_size_counting_loop",
        "conv",
        "pool_output_size",
        """
        def pool_output_size(n, size, stride):
            if size > n:
                raise ValueError("window too large")
            count, start = 0, 0
            while start + size <= n:
                count += 1
                start += stride
            return count
        """,
    ),
    (
        "pad2d_by_hand",
        "conv",
        "pad2d",
        """
        def pad2d(x, p, mode="zero"):
            if mode not in ("zero", "edge"):
                raise ValueError(mode)
            x = np.asarray(x)
            H, W = x.shape[-2:]
            out = np.zeros(x.shape[:-2] + (H + 2 * p, W + 2 * p), dtype=x.dtype)
            out[..., p : p + H, p : p + W] = x
            if mode == "edge":
                rows = np.clip(np.arange(H + 2 * p) - p, 0, H - 1)
                cols = np.clip(np.arange(W + 2 * p) - p, 0, W - 1)
                out = x[..., rows, :][..., :, cols]
            return out
        """,
    ),
    (
        "conv2d_im2col",
        "conv",
        "conv2d",
        """
        def conv2d(x, kernel, stride=1, padding=0):
            xp = np.pad(x, padding)
            fh, fw = kernel.shape
            oh = (xp.shape[0] - fh) // stride + 1
            ow = (xp.shape[1] - fw) // stride + 1
            cols = np.empty((oh * ow, fh * fw))
            for i in range(oh):
                for j in range(ow):
                    cols[i * ow + j] = xp[i * stride : i * stride + fh, j * stride : j * stride + fw].ravel()
            return (cols @ kernel.ravel()).reshape(oh, ow)
        """,
    ),
    (
        "conv2d_shifted_sums",
        "conv",
        "conv2d",
        """
        def conv2d(x, kernel, stride=1, padding=0):
            xp = np.pad(x, ((padding, padding), (padding, padding)))
            fh, fw = kernel.shape
            oh = (xp.shape[0] - fh) // stride + 1
            ow = (xp.shape[1] - fw) // stride + 1
            out = np.zeros((oh, ow))
            for a in range(fh):
                for b in range(fw):
                    out += kernel[a, b] * xp[a : a + stride * (oh - 1) + 1 : stride, b : b + stride * (ow - 1) + 1 : stride]
            return out
        """,
    ),
    (
        "conv2d_multi_loops",
        "conv",
        "conv2d_multi",
        """
        def conv2d_multi(x, weight, bias, stride=1, padding=0):
            N, C, H, W = x.shape
            K, _, fh, fw = weight.shape
            xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
            oh = (H + 2 * padding - fh) // stride + 1
            ow = (W + 2 * padding - fw) // stride + 1
            out = np.zeros((N, K, oh, ow))
            for n in range(N):
                for k in range(K):
                    for i in range(oh):
                        for j in range(ow):
                            patch = xp[n, :, i * stride : i * stride + fh, j * stride : j * stride + fw]
                            out[n, k, i, j] = np.sum(patch * weight[k]) + bias[k]
            return out
        """,
    ),
    (
        "conv2d_multi_im2col_matmul",
        "conv",
        "conv2d_multi",
        """
        def conv2d_multi(x, weight, bias, stride=1, padding=0):
            N, C, H, W = x.shape
            K, _, fh, fw = weight.shape
            xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
            win = np.lib.stride_tricks.sliding_window_view(xp, (fh, fw), axis=(2, 3))
            win = win[:, :, ::stride, ::stride]  # (N, C, oh, ow, fh, fw)
            oh, ow = win.shape[2], win.shape[3]
            cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(N * oh * ow, C * fh * fw)
            out = cols @ weight.reshape(K, -1).T + bias
            return out.reshape(N, oh, ow, K).transpose(0, 3, 1, 2)
        """,
    ),
    (
        "edge_filters_from_lists",
        "conv",
        "HORIZONTAL_EDGE",
        """
        HORIZONTAL_EDGE = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=float)
        """,
    ),
    (
        "vertical_edge_as_a_transpose",
        "conv",
        "VERTICAL_EDGE",
        """
        VERTICAL_EDGE = HORIZONTAL_EDGE.T
        """,
    ),
    (
        "max_pool2d_loops",
        "conv",
        "max_pool2d",
        """
        def max_pool2d(x, size=2, stride=None):
            s = stride or size
            N, C, H, W = x.shape
            oh, ow = (H - size) // s + 1, (W - size) // s + 1
            out = np.empty((N, C, oh, ow))
            for i in range(oh):
                for j in range(ow):
                    out[:, :, i, j] = x[:, :, i * s : i * s + size, j * s : j * s + size].max(axis=(2, 3))
            return out
        """,
    ),
    (
        "max_pool2d_reshape_when_not_overlapping",
        "conv",
        "max_pool2d",
        """
        def max_pool2d(x, size=2, stride=None):
            s = size if stride is None else stride
            N, C, H, W = x.shape
            oh, ow = (H - size) // s + 1, (W - size) // s + 1
            if s == size:
                cut = x[:, :, : oh * size, : ow * size]
                return cut.reshape(N, C, oh, size, ow, size).max(axis=(3, 5))
            out = np.full((N, C, oh, ow), -np.inf)
            for a in range(size):
                for b in range(size):
                    out = np.maximum(out, x[:, :, a : a + s * (oh - 1) + 1 : s, b : b + s * (ow - 1) + 1 : s])
            return out
        """,
    ),
    (
        "avg_pool2d_sum_over_size_squared",
        "conv",
        "avg_pool2d",
        """
        def avg_pool2d(x, size=2, stride=None):
            s = size if stride is None else stride
            N, C, H, W = x.shape
            oh, ow = (H - size) // s + 1, (W - size) // s + 1
            total = np.zeros((N, C, oh, ow))
            for a in range(size):
                for b in range(size):
                    total += x[:, :, a : a + s * (oh - 1) + 1 : s, b : b + s * (ow - 1) + 1 : s]
            return total / (size * size)
        """,
    ),
    (
        "flatten_reshape_minus_one",
        "conv",
        "flatten",
        """
        def flatten(x):
            return np.array(x).reshape(len(x), -1)
        """,
    ),
    # --- rnn ---------------------------------------------------------------------------------------
    (
        "rnn_cell_concatenated_weights",
        "rnn",
        "rnn_cell",
        """
        def rnn_cell(x_t, h_prev, Wx, Wh, b):
            return np.tanh(np.concatenate([x_t, h_prev], axis=1) @ np.vstack([Wx, Wh]) + b)
        """,
    ),
    (
        "rnn_forward_list_then_stack",
        "rnn",
        "rnn_forward",
        """
        def rnn_forward(x, h0, Wx, Wh, b):
            h, states = h0, []
            for t in range(x.shape[1]):
                h = np.tanh(x[:, t, :] @ Wx + h @ Wh + b)
                states.append(h)
            if not states:
                return np.zeros((x.shape[0], 0, h0.shape[1])), h0.copy()
            return np.stack(states, axis=1), states[-1].copy()
        """,
    ),
    (
        "rnn_forward_input_projection_first",
        "rnn",
        "rnn_forward",
        """
        def rnn_forward(x, h0, Wx, Wh, b):
            xw = np.einsum("ntd,dh->nth", x, Wx) + b
            hs = np.zeros(xw.shape[:2] + (h0.shape[1],))
            h = h0
            for t in range(x.shape[1]):
                h = np.tanh(xw[:, t] + h @ Wh)
                hs[:, t] = h
            return (hs, h.copy())
        """,
    ),
    (
        "clip_grad_norm_flat_vector",
        "rnn",
        "clip_grad_norm",
        """
        def clip_grad_norm(grads, max_norm):
            flat = np.concatenate([np.ravel(g) for g in grads])
            total = np.linalg.norm(flat)
            coef = max_norm / (total + 1e-6)
            if coef >= 1:
                return [np.array(g, dtype=float) for g in grads]
            return [np.asarray(g) * coef for g in grads]
        """,
    ),
    (
        "lstm_gates_one_concatenated_matrix",
        "rnn",
        "lstm_gates",
        """
        def lstm_gates(x_t, h_prev, W, U, b):
            z = np.hstack([x_t, h_prev]) @ np.vstack([W, U]) + b
            H = z.shape[1] // 4
            sig = lambda v: 0.5 * (1 + np.tanh(0.5 * v))
            return (sig(z[:, :H]), sig(z[:, H : 2 * H]), np.tanh(z[:, 2 * H : 3 * H]), sig(z[:, 3 * H :]))
        """,
    ),
    (
        "lstm_gates_four_separate_products",
        "rnn",
        "lstm_gates",
        """
        def lstm_gates(x_t, h_prev, W, U, b):
            H = U.shape[0]
            out = []
            for k in range(4):
                cols = slice(k * H, (k + 1) * H)
                z = x_t @ W[:, cols] + h_prev @ U[:, cols] + b[cols]
                out.append(np.tanh(z) if k == 2 else np.exp(-np.logaddexp(0, -z)))
            return tuple(out)
        """,
    ),
    (
        "lstm_cell_inline",
        "rnn",
        "lstm_cell",
        """
        def lstm_cell(x_t, h_prev, c_prev, W, U, b):
            z = x_t @ W + h_prev @ U + b
            H = h_prev.shape[1]
            sig = lambda v: 0.5 + 0.5 * np.tanh(0.5 * v)
            i, f, o = sig(z[:, :H]), sig(z[:, H : 2 * H]), sig(z[:, 3 * H :])
            g = np.tanh(z[:, 2 * H : 3 * H])
            c = i * g + f * c_prev
            return [np.tanh(c) * o, c]
        """,
    ),
    (
        "lstm_forward_list_then_stack",
        "rnn",
        "lstm_forward",
        """
        def lstm_forward(x, h0, c0, W, U, b):
            h, c, hs = h0, c0, []
            for x_t in np.swapaxes(x, 0, 1):
                h, c = lstm_cell(x_t, h, c, W, U, b)
                hs.append(h)
            stacked = np.stack(hs, axis=1) if hs else np.empty((x.shape[0], 0, h0.shape[1]))
            return stacked, [np.copy(h), np.copy(c)]
        """,
    ),
    # --- rag ---------------------------------------------------------------------------------------
    (
        "chunk_text_while_loop",
        "rag",
        "chunk_text",
        """
        def chunk_text(text, chunk_size, overlap):
            if chunk_size < 1 or overlap < 0 or overlap >= chunk_size:
                raise ValueError("bad sizes")
            words = text.split()
            chunks, start = [], 0
            while start < len(words):
                chunks.append(" ".join(words[start : start + chunk_size]))
                if start + chunk_size >= len(words):
                    break
                start += chunk_size - overlap
            return chunks
        """,
    ),
    (
        "chunk_text_regex_words",
        "rag",
        "chunk_text",
        """
        import re

        def chunk_text(text, chunk_size, overlap):
            if not (chunk_size >= 1 and 0 <= overlap < chunk_size):
                raise ValueError("bad sizes")
            words = re.findall(r"\\S+", text)
            step = chunk_size - overlap
            n_chunks = 0 if not words else max(1, -(-(len(words) - overlap) // step))
            return [" ".join(words[i * step : i * step + chunk_size]) for i in range(n_chunks)]
        """,
    ),
    (
        "chunk_sentences_regex_split",
        "rag",
        "chunk_sentences",
        """
        import re

        def chunk_sentences(text, max_words):
            if max_words < 1:
                raise ValueError(max_words)
            words = text.split()
            sentences, cur = [], []
            for word in words:
                cur.append(word)
                if re.search(r"[.!?]$", word):
                    sentences.append(cur)
                    cur = []
            if cur:
                sentences.append(cur)
            out, chunk = [], []
            for s in sentences:
                if len(s) > max_words:
                    if chunk:
                        out.append(" ".join(chunk))
                        chunk = []
                    out += [" ".join(s[i : i + max_words]) for i in range(0, len(s), max_words)]
                    continue
                if len(chunk) + len(s) > max_words:
                    out.append(" ".join(chunk))
                    chunk = []
                chunk += s
            if chunk:
                out.append(" ".join(chunk))
            return out
        """,
    ),
    (
        "embed_float64_norm_then_cast",
        "rag",
        "embed",
        """
        def embed(texts, model):
            v = np.asarray(model.encode(list(texts), convert_to_numpy=True), dtype=np.float64)
            n = np.sqrt((v * v).sum(axis=1, keepdims=True))
            n[n == 0] = 1.0
            return (v / n).astype(np.float32)
        """,
    ),
    (
        "build_index_faiss_normalize_l2",
        "rag",
        "build_index",
        """
        def build_index(embeddings):
            x = np.array(embeddings, dtype=np.float32, order="C", copy=True)
            faiss.normalize_L2(x)
            index = faiss.IndexFlatIP(x.shape[1])
            index.add(x)
            return index
        """,
    ),
    (
        "cosine_similarity_einsum_outer_norms",
        "rag",
        "cosine_similarity",
        """
        def cosine_similarity(a, b):
            dots = np.einsum("nd,md->nm", a, b)
            na = np.sqrt(np.einsum("nd,nd->n", a, a))
            nb = np.sqrt(np.einsum("md,md->m", b, b))
            denom = np.outer(na, nb)
            out = np.zeros_like(dots)
            np.divide(dots, denom, out=out, where=denom > 0)
            return out
        """,
    ),
    (
        "top_k_lexsort_rows_loop",
        "rag",
        "top_k",
        """
        def top_k(query, matrix, k):
            if not 1 <= k <= len(matrix):
                raise ValueError(k)
            qn = np.linalg.norm(query)
            scores = []
            for row in matrix:
                rn = np.linalg.norm(row)
                scores.append(0.0 if rn == 0 or qn == 0 else float(np.dot(row / rn, query / qn)))
            scores = np.array(scores)
            order = np.lexsort((np.arange(len(scores)), -scores))[:k]
            return order.astype(np.int64), scores[order]
        """,
    ),
    (
        "top_k_sorted_pairs",
        "rag",
        "top_k",
        """
        def top_k(query, matrix, k):
            if k < 1 or k > matrix.shape[0]:
                raise ValueError(k)
            q = query / (np.linalg.norm(query) or 1.0)
            norms = np.linalg.norm(matrix, axis=1)
            unit = matrix / np.where(norms > 0, norms, 1.0)[:, None]
            scores = (unit * q).sum(axis=1)
            best = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
            return np.array(best, dtype=np.int64), scores[best]
        """,
    ),
    (
        "search_asks_for_every_vector",
        "rag",
        "search",
        """
        def search(index, queries, k):
            n = index.ntotal
            if not 1 <= k <= n:
                raise ValueError(k)
            q = np.array(queries, dtype=np.float32)
            q /= np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-30)
            scores, ids = index.search(np.ascontiguousarray(q), n)
            ids_out, scores_out = [], []
            for s_row, i_row in zip(scores, ids):
                pairs = sorted(zip(s_row.tolist(), i_row.tolist()), key=lambda p: (-p[0], p[1]))[:k]
                ids_out.append([i for _, i in pairs])
                scores_out.append([s for s, _ in pairs])
            return np.array(ids_out, dtype=np.int64), np.array(scores_out, dtype=np.float32)
        """,
    ),
    (
        "augment_f_string_and_join",
        "rag",
        "augment",
        """
        def augment(question, contexts):
            numbered = "".join(f"[{i + 1}] {c}\\n" for i, c in enumerate(contexts))
            return (
                "Answer the question using the context below.\\n\\nContext:\\n"
                + numbered
                + f"\\nQuestion: {question}\\nAnswer:"
            )
        """,
    ),
    (
        "answer_top_k_by_hand",
        "rag",
        "answer",
        """
        def answer(question, chunks, index, model, generate, k=3):
            q = embed([question], model)
            ids, scores = search(index, q, k)
            contexts = [chunks[int(i)] for i in ids[0].tolist()]
            return generate(augment(question, contexts))
        """,
    ),
    (
        "recall_at_k_loop",
        "rag",
        "recall_at_k",
        """
        def recall_at_k(retrieved, relevant, k):
            wanted = set(relevant)
            if k < 1 or not wanted:
                raise ValueError("recall@k needs k >= 1 and relevant ids")
            hits = []
            for doc in list(retrieved)[:k]:
                if doc in wanted and doc not in hits:
                    hits.append(doc)
            return len(hits) / len(wanted)
        """,
    ),
    (
        "mrr_with_next_and_np_mean",
        "rag",
        "mean_reciprocal_rank",
        """
        def mean_reciprocal_rank(retrieved_lists, relevant_sets):
            if len(retrieved_lists) != len(relevant_sets) or not retrieved_lists:
                raise ValueError("one relevant set per ranking")
            rrs = []
            for ranked, relevant in zip(retrieved_lists, relevant_sets):
                relevant = set(relevant)
                rank = next((i for i, doc in enumerate(ranked, 1) if doc in relevant), None)
                rrs.append(0.0 if rank is None else 1.0 / rank)
            return float(np.mean(rrs))
        """,
    ),
    # --- finetuning --------------------------------------------------------------------------------
    (
        "lora_forward_merged_weight",
        "finetuning",
        "lora_forward",
        """
        def lora_forward(x, W, A, B, alpha):
            return x @ (W + alpha / A.shape[1] * (A @ B))
        """,
    ),
    (
        "lora_forward_x_times_ab",
        "finetuning",
        "lora_forward",
        """
        def lora_forward(x, W, A, B, alpha):
            scale = alpha / B.shape[0]
            return x @ W + scale * x @ (A @ B)
        """,
    ),
    (
        "lora_num_params_shapes",
        "finetuning",
        "lora_num_params",
        """
        def lora_num_params(d_in, d_out, r):
            return int(np.prod((d_in, r))) + int(np.prod((r, d_out)))
        """,
    ),
    (
        "few_shot_prompt_string_building",
        "finetuning",
        "few_shot_prompt",
        """
        def few_shot_prompt(examples, query):
            prompt = ""
            for inp, out in examples:
                prompt += "Input: " + inp + "\\nOutput: " + out + "\\n\\n"
            return prompt + "Input: " + query + "\\nOutput:"
        """,
    ),
]


@pytest.mark.parametrize(("name", "topic", "function", "source"), RIGHT, ids=[v[0] for v in RIGHT])
def test_independent_correct_versions_keep_full_marks(tmp_path, name, topic, function, source):
    assert_keeps_full_marks(tmp_path / "learner", name, topic, function, source)
