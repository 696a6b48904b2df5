"""Learner implementations written by an independent implementer (audit C: every topic, written
from scratch as a learner who misread something would), graded by the hidden suites: each wrong
one loses points on its function, and each one that is right by its docstring, computing or
returning differently from the model answers, keeps full marks. Every variant is a short source
appended to a copy of the model answers.

Of the wrong variants, these kept full marks before the fix (one class each):

- a decay of 0 (``momentum_step``'s and ``rmsprop_step``'s β, ``ewa``'s β): listed among the
  drawn hyper-parameters, but 12 derandomized examples never drew it, so a step special-casing
  β = 0 (a wrong state, the gradient itself returned as the velocity) and an ``ewa`` in closed
  form (β^−k, infinite at β = 0) kept full marks; a new check runs every step once with its decay
  at 0, and the ``ewa`` check has examples at β = 0 and β = 1;
- ``dropout`` zeroing exactly round(p·n) units: the rate check bounds each call's drop rate
  only; a new check (12 seeds of one 4×10 layer) wants the count to vary between calls and each
  row of the batch to get its own mask;
- ``train_linear_regression`` visiting the samples in index order in its first epoch (shuffling
  from the second on): traced runs only compared epochs with each other; a new check traces one
  epoch for four seeds and fails when all four are in index order;
- ``augment`` and ``few_shot_prompt`` stripping or re-spacing the texts they are given: the
  generated texts were single-spaced words; each exact-prompt check now has an example with
  padded, doubled and tabbed whitespace.

Read as right, though they differ from the model answers (the grader converts array-likes, and
the curriculum states no more): index batches, loss histories and chain outputs as lists; a
``one_hot`` without a range check (its docstring names no error); ``tanh_grad`` as sech² and the
LSTM's gates with the textbook sigmoid, whose overflow at large inputs warns but gives exact
values (the curriculum asks stability of sigmoid, softmax and the cross-entropies only);
``mlp_forward`` without a copy of x (only an empty network would return x itself);
``numerical_gradient`` nudging x in place and restoring it.

Tried and left out of both tables: a sigmoid clipped at ±30 (off by at most 1e-13, inside the
grader's absolute tolerance; the curriculum does not say whether that is a mistake); shortcuts
that return an input unchanged only where no test calls them and no sensible caller would
(``gd_step`` with lr = 0, ``relu`` of an all-positive array, ``mlp_forward`` of an empty network).
"""

from __future__ import annotations

import pytest

from ._variants import assert_keeps_full_marks, assert_loses_points

#: (id, topic, function, source appended to the model answers' topic file): wrong variants
WRONG = [
    # --- forward -----------------------------------------------------------------------------------
    (
        "dense_forward_W_transposed",
        "forward",
        "dense_forward",
        """
        def dense_forward(x, W, b):
            return x @ W.T + b
        """,
    ),
    (
        "mlp_softmax_axis0",
        "forward",
        "mlp_forward",
        """
        def mlp_forward(x, layers):
            t = {"linear": lambda z: z, "relu": activations.relu, "sigmoid": activations.sigmoid,
                 "tanh": activations.tanh, "leaky_relu": activations.leaky_relu, "elu": activations.elu,
                 "softmax": lambda z: activations.softmax(z, axis=0)}
            a = np.array(x, dtype=float)
            for W, b, n in layers:
                if n not in t: raise ValueError(n)
                a = t[n](a @ W + b)
            return a
        """,
    ),
    (
        "weighted_sum_column",
        "forward",
        "weighted_sum",
        """
        def weighted_sum(x, w, b):
            return x @ np.reshape(w, (-1, 1)) + b
        """,
    ),
    (
        "perceptron_predict_ge",
        "forward",
        "perceptron_predict",
        """
        def perceptron_predict(x, w, b):
            return (x @ w + b >= 0).astype(float)
        """,
    ),
    (
        "perceptron_train_batch_update",
        "forward",
        "perceptron_train",
        """
        def perceptron_train(x, y, lr=0.1, epochs=10):
            w = np.zeros(x.shape[1]); b = 0.0
            for _ in range(epochs):
                err = y - (x @ w + b > 0)
                w = w + lr*err @ x; b = b + lr*err.sum()
            return w, float(b)
        """,
    ),
    (
        "perceptron_train_ge_zero",
        "forward",
        "perceptron_train",
        """
        def perceptron_train(x, y, lr=0.1, epochs=10):
            w = np.zeros(x.shape[1]); b = 0.0
            for _ in range(epochs):
                for xi, yi in zip(x, y):
                    err = yi - (1.0 if xi @ w + b >= 0 else 0.0)
                    w = w + lr*err*xi; b = b + lr*err
            return w, float(b)
        """,
    ),
    (
        "perceptron_predict_int",
        "forward",
        "perceptron_predict",
        """
        def perceptron_predict(x, w, b):
            return (x @ w + b > 0).astype(int)
        """,
    ),
    (
        "step_bool",
        "forward",
        "step",
        """
        def step(z):
            return np.asarray(z) > 0
        """,
    ),
    (
        "perceptron_predict_column",
        "forward",
        "perceptron_predict",
        """
        def perceptron_predict(x, w, b):
            return step(x @ np.reshape(w, (-1, 1)) + b)
        """,
    ),
    # --- activations -------------------------------------------------------------------------------
    (
        "softmax_global_max",
        "activations",
        "softmax",
        """
        def softmax(x, axis=-1):
            x = np.asarray(x, dtype=np.float64); e = np.exp(x - np.max(x))
            return e / np.sum(e, axis=axis, keepdims=True)
        """,
    ),
    (
        "softmax_backward_ignores_axis",
        "activations",
        "softmax_backward",
        """
        def softmax_backward(s, grad_out, axis=-1):
            s = np.asarray(s, dtype=float); g = np.asarray(grad_out, dtype=float)
            return s*(g - np.sum(s*g, axis=-1, keepdims=True))
        """,
    ),
    (
        "sigmoid_where_both_branches",
        "activations",
        "sigmoid",
        """
        def sigmoid(x):
            x = np.asarray(x, dtype=np.float64)
            return np.where(x >= 0, 1/(1+np.exp(-x)), np.exp(x)/(1+np.exp(x)))
        """,
    ),
    (
        "sigmoid_via_tanh_float32",
        "activations",
        "sigmoid",
        """
        def sigmoid(x):
            return (0.5*(1+np.tanh(0.5*np.asarray(x, dtype=np.float32))))
        """,
    ),
    (
        "leaky_relu_grad_one_at_zero",
        "activations",
        "leaky_relu_grad",
        """
        def leaky_relu_grad(x, alpha=0.01):
            x = np.asarray(x, dtype=np.float64)
            return np.where(x >= 0, 1.0, alpha)
        """,
    ),
    (
        "leaky_relu_max_form",
        "activations",
        "leaky_relu",
        """
        def leaky_relu(x, alpha=0.01):
            x = np.asarray(x, dtype=np.float64)
            return np.maximum(x, alpha*x)
        """,
    ),
    (
        "elu_exp_overflow",
        "activations",
        "elu",
        """
        def elu(x, alpha=1.0):
            x = np.asarray(x, dtype=np.float64)
            return np.where(x > 0, x, alpha*(np.exp(x)-1))
        """,
    ),
    (
        "prelu_grad_alpha_not_summed_over_batch",
        "activations",
        "prelu_grad",
        """
        def prelu_grad(x, alpha):
            x = np.asarray(x, dtype=np.float64); alpha = np.asarray(alpha, dtype=np.float64)
            gx = np.where(x > 0, 1.0, alpha)*np.ones_like(x)
            pe = np.where(x > 0, 0.0, x)
            ga = pe[0] if pe.ndim > 1 else pe
            ga = ga.reshape(-1, x.shape[-1]).sum(0) if ga.ndim > 1 else ga
            if ga.size != alpha.size: ga = ga.sum()
            return gx, np.reshape(ga, alpha.shape)
        """,
    ),
    (
        "softmax_backward_sum_all",
        "activations",
        "softmax_backward",
        """
        def softmax_backward(s, grad_out, axis=-1):
            s = np.asarray(s, dtype=float); g = np.asarray(grad_out, dtype=float)
            return s*(g - np.sum(s*g))
        """,
    ),
    (
        "prelu_torch_channel_axis1",
        "activations",
        "prelu",
        """
        def prelu(x, alpha):
            x = np.asarray(x, dtype=np.float64); a = np.asarray(alpha, dtype=float)
            if a.ndim == 1 and a.size > 1 and x.ndim > 2: a = a.reshape(1, -1, *[1]*(x.ndim-2))
            return np.where(x > 0, x, a*x)
        """,
    ),
    (
        "prelu_grad_torch_channel_axis1",
        "activations",
        "prelu_grad",
        """
        def prelu_grad(x, alpha):
            x = np.asarray(x, dtype=np.float64); alpha = np.asarray(alpha, dtype=np.float64)
            if alpha.ndim == 1 and alpha.size > 1 and x.ndim > 2:
                a = alpha.reshape(1, -1, *[1]*(x.ndim-2))
                gx = np.where(x > 0, 1.0, a)*np.ones_like(x)
                ga = np.where(x > 0, 0.0, x).sum(axis=tuple(i for i in range(x.ndim) if i != 1))
                return gx, ga
            gx = np.where(x > 0, 1.0, alpha)*np.ones_like(x)
            pc = np.where(x > 0, 0.0, x).reshape(-1, x.shape[-1]).sum(0)
            if pc.size != alpha.size: pc = pc.sum()
            return gx, np.reshape(pc, alpha.shape)
        """,
    ),
    (
        "softmax_backward_resoftmaxes",
        "activations",
        "softmax_backward",
        """
        def softmax_backward(s, grad_out, axis=-1):
            s = softmax(np.asarray(s, dtype=float), axis=axis); g = np.asarray(grad_out, dtype=float)
            return s*(g - np.sum(s*g, axis=axis, keepdims=True))
        """,
    ),
    (
        "softmax_no_keepdims_last_axis",
        "activations",
        "softmax",
        """
        def softmax(x, axis=-1):
            x = np.asarray(x, dtype=np.float64); m = np.max(x, axis=axis, keepdims=True); e = np.exp(x - m)
            return e / np.expand_dims(e.sum(axis=axis), -1)
        """,
    ),
    (
        "relu_in_place_mask",
        "activations",
        "relu",
        """
        def relu(x):
            x = np.asarray(x, dtype=np.float64); x[x < 0] = 0.0
            return x
        """,
    ),
    (
        "relu_maximum_out_x",
        "activations",
        "relu",
        """
        def relu(x):
            return np.maximum(x, 0.0, out=x)
        """,
    ),
    (
        "leaky_relu_in_place",
        "activations",
        "leaky_relu",
        """
        def leaky_relu(x, alpha=0.01):
            x = np.asarray(x, dtype=np.float64); x[x < 0] *= alpha
            return x
        """,
    ),
    (
        "softmax_in_place",
        "activations",
        "softmax",
        """
        def softmax(x, axis=-1):
            x = np.asarray(x, dtype=np.float64); x -= x.max(axis=axis, keepdims=True); np.exp(x, out=x); x /= x.sum(axis=axis, keepdims=True)
            return x
        """,
    ),
    # --- losses ------------------------------------------------------------------------------------
    (
        "huber_smooth_l1_scaled",
        "losses",
        "huber",
        """
        def huber(y_true, y_pred, delta=1.0, reduction="mean"):
            r = np.asarray(y_pred, dtype=np.float64) - y_true; a = np.abs(r)
            per = np.where(a < delta, 0.5*r**2/delta, a - 0.5*delta)
            if reduction == "mean": return float(per.mean())
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "huber_grad_smooth_l1",
        "losses",
        "huber_grad",
        """
        def huber_grad(y_true, y_pred, delta=1.0):
            r = np.asarray(y_pred, dtype=np.float64) - y_true
            return np.where(np.abs(r) < delta, r/delta, np.sign(r)) / r.size
        """,
    ),
    (
        "huber_delta_squared_linear",
        "losses",
        "huber",
        """
        def huber(y_true, y_pred, delta=1.0, reduction="mean"):
            r = np.asarray(y_pred, dtype=np.float64) - y_true; a = np.abs(r)
            per = np.where(a <= delta, 0.5*r**2, delta*a - 0.5*delta)
            if reduction == "mean": return float(per.mean())
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "mae_grad_nonzero_at_zero",
        "losses",
        "mae_grad",
        """
        def mae_grad(y_true, y_pred):
            r = np.asarray(y_pred, dtype=np.float64) - y_true
            return np.where(r >= 0, 1.0, -1.0) / r.size
        """,
    ),
    (
        "bce_log_p_plus_eps",
        "losses",
        "binary_cross_entropy",
        """
        def binary_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.asarray(y_pred, dtype=np.float64)
            per = -(y_true*np.log(p+eps) + (1-y_true)*np.log(1-p+eps))
            if reduction == "mean": return float(per.mean())
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "bce_keras_eps_1e7",
        "losses",
        "binary_cross_entropy",
        """
        def binary_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), 1e-7, 1-1e-7)
            per = -(y_true*np.log(p) + (1-y_true)*np.log(1-p))
            if reduction == "mean": return float(per.mean())
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "bce_grad_eps_added",
        "losses",
        "binary_cross_entropy_grad",
        """
        def binary_cross_entropy_grad(y_true, y_pred, eps=1e-12):
            p = np.asarray(y_pred, dtype=np.float64)
            return (-y_true/(p+eps) + (1-y_true)/(1-p+eps)) / p.size
        """,
    ),
    (
        "bce_grad_ignores_eps_arg",
        "losses",
        "binary_cross_entropy_grad",
        """
        def binary_cross_entropy_grad(y_true, y_pred, eps=1e-12):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), 1e-12, 1-1e-12)
            return (-y_true/p + (1-y_true)/(1-p)) / p.size
        """,
    ),
    (
        "bce_ignores_eps_arg",
        "losses",
        "binary_cross_entropy",
        """
        def binary_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), 1e-12, 1-1e-12)
            per = -(y_true*np.log(p) + (1-y_true)*np.log(1-p))
            if reduction == "mean": return float(per.mean())
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "cce_log_p_plus_eps",
        "losses",
        "categorical_cross_entropy",
        """
        def categorical_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.asarray(y_pred, dtype=np.float64)
            per = -np.sum(y_true*np.log(p+eps), axis=1)
            if reduction == "mean": return float(per.mean())
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "cce_mean_over_all_entries",
        "losses",
        "categorical_cross_entropy",
        """
        def categorical_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1-eps)
            per = -np.sum(y_true*np.log(p), axis=1)
            if reduction == "mean": return float(per.sum()/p.size)
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "cce_grad_over_size",
        "losses",
        "categorical_cross_entropy_grad",
        """
        def categorical_cross_entropy_grad(y_true, y_pred, eps=1e-12):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1-eps)
            return -np.asarray(y_true, dtype=float)/p/p.size
        """,
    ),
    (
        "one_hot_int_dtype",
        "losses",
        "one_hot",
        """
        def one_hot(labels, num_classes):
            labels = np.asarray(labels)
            if labels.size and (labels.min() < 0 or labels.max() >= num_classes): raise ValueError("x")
            return np.eye(num_classes, dtype=int)[labels]
        """,
    ),
    (
        "cce_none_keepdims",
        "losses",
        "categorical_cross_entropy",
        """
        def categorical_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1-eps)
            per = -np.sum(y_true*np.log(p), axis=1, keepdims=True)
            if reduction == "mean": return float(per.mean())
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "mse_grad_shape_0",
        "losses",
        "mse_grad",
        """
        def mse_grad(y_true, y_pred):
            y_pred = np.asarray(y_pred, dtype=np.float64)
            return 2*(y_pred - y_true)/len(y_pred)
        """,
    ),
    (
        "bce_hard_labels_only",
        "losses",
        "binary_cross_entropy",
        """
        def binary_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1-eps)
            per = -np.log(np.where(np.asarray(y_true) >= 0.5, p, 1-p))
            if reduction == "mean": return float(per.mean())
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "bce_grad_hard_labels_only",
        "losses",
        "binary_cross_entropy_grad",
        """
        def binary_cross_entropy_grad(y_true, y_pred, eps=1e-12):
            p = np.clip(np.asarray(y_pred, dtype=np.float64), eps, 1-eps)
            return np.where(np.asarray(y_true) >= 0.5, -1/p, 1/(1-p)) / p.size
        """,
    ),
    (
        "bce_grad_zero_where_clipped",
        "losses",
        "binary_cross_entropy_grad",
        """
        def binary_cross_entropy_grad(y_true, y_pred, eps=1e-12):
            y = np.asarray(y_pred, dtype=np.float64); p = np.clip(y, eps, 1-eps)
            g = (-y_true/p + (1-y_true)/(1-p))/y.size
            return np.where((y < eps) | (y > 1-eps), 0.0, g)
        """,
    ),
    (
        "cce_grad_zero_where_clipped",
        "losses",
        "categorical_cross_entropy_grad",
        """
        def categorical_cross_entropy_grad(y_true, y_pred, eps=1e-12):
            y = np.asarray(y_pred, dtype=np.float64); p = np.clip(y, eps, 1-eps)
            return np.where((y < eps) | (y > 1-eps), 0.0, -np.asarray(y_true, dtype=float)/p/y.shape[0])
        """,
    ),
    (
        "bce_clips_in_place",
        "losses",
        "binary_cross_entropy",
        """
        def binary_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.asarray(y_pred, dtype=np.float64); np.clip(p, eps, 1-eps, out=p)
            per = -(y_true*np.log(p) + (1-y_true)*np.log(1-p))
            if reduction == "mean": return float(per.mean())
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    # --- backprop ----------------------------------------------------------------------------------
    (
        "dense_backward_mean_bias",
        "backprop",
        "dense_backward",
        """
        def dense_backward(x, W, grad_out):
            return grad_out @ W.T, x.T @ grad_out, grad_out.mean(axis=0)
        """,
    ),
    (
        "numgrad_forward_diff",
        "backprop",
        "numerical_gradient",
        """
        def numerical_gradient(f, x, h=1e-5):
            x = np.array(x, dtype=float); g = np.zeros_like(x); f0 = float(f(x))
            for i in np.ndindex(x.shape):
                u = x.copy(); u[i] += h; g[i] = (float(f(u)) - f0)/h
            return g
        """,
    ),
    (
        "numgrad_fixed_h",
        "backprop",
        "numerical_gradient",
        """
        def numerical_gradient(f, x, h=1e-5):
            g = np.zeros(np.shape(x))
            for i in np.ndindex(g.shape):
                u = np.array(x, dtype=float); d = np.array(x, dtype=float); u[i] += 1e-5; d[i] -= 1e-5
                g[i] = (float(f(u)) - float(f(d)))/2e-5
            return g
        """,
    ),
    (
        "chain_backward_o_k_not_prev",
        "backprop",
        "chain_backward",
        """
        def chain_backward(x, ws, bs, y):
            o = chain_forward(x, ws, bs); n = len(o); gw = np.zeros(n); gb = np.zeros(n)
            d = (o[-1]-y)*o[-1]*(1-o[-1])
            for k in range(n-1, -1, -1):
                gb[k] = d; gw[k] = d*o[k]
                if k: d = d*ws[k]*o[k-1]*(1-o[k-1])
            return gw, gb
        """,
    ),
    (
        "mlp_backward_grad_b_mean",
        "backprop",
        "mlp_backward",
        """
        _rb = mlp_backward
        def mlp_backward(x, layers, y_true, loss="mse"):
            g = _rb(x, layers, y_true, loss)
            return [(gw, gb/len(x)) for gw, gb in g]
        """,
    ),
    (
        "dense_backward_grad_x_batch_sum",
        "backprop",
        "dense_backward",
        """
        def dense_backward(x, W, grad_out):
            return np.tile((grad_out @ W.T).sum(0), (len(x), 1)) if len(x) > 1 else grad_out @ W.T, x.T @ grad_out, grad_out.sum(0)
        """,
    ),
    (
        "numgrad_len_loop",
        "backprop",
        "numerical_gradient",
        """
        def numerical_gradient(f, x, h=1e-5):
            x = np.array(x, dtype=float); g = np.zeros_like(x)
            for i in range(len(x)):
                u = x.copy(); d = x.copy(); u[i] += h; d[i] -= h
                g[i] = (f(u) - f(d))/(2*h)
            return g
        """,
    ),
    (
        "mlp_backward_always_mse",
        "backprop",
        "mlp_backward",
        """
        _rb = mlp_backward
        def mlp_backward(x, layers, y_true, loss="mse"):
            if loss not in ("mse", "mae", "huber", "binary_cross_entropy", "categorical_cross_entropy"): raise ValueError(loss)
            return _rb(x, layers, y_true, "mse")
        """,
    ),
    # --- optimizers --------------------------------------------------------------------------------
    (
        "adam_t_plus_one",
        "optimizers",
        "adam_step",
        """
        def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
            m = beta1*m + (1-beta1)*grad; v = beta2*v + (1-beta2)*grad**2
            mh = m/(1-beta1**(t+1)); vh = v/(1-beta2**(t+1))
            return w - lr*mh/(np.sqrt(vh)+eps), m, v
        """,
    ),
    (
        "adam_eps_inside_sqrt",
        "optimizers",
        "adam_step",
        """
        def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
            m = beta1*m + (1-beta1)*grad; v = beta2*v + (1-beta2)*grad**2
            mh = m/(1-beta1**t); vh = v/(1-beta2**t)
            return w - lr*mh/np.sqrt(vh+eps), m, v
        """,
    ),
    (
        "adam_paper_efficient_eps_hat",
        "optimizers",
        "adam_step",
        """
        def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
            m = beta1*m + (1-beta1)*grad; v = beta2*v + (1-beta2)*grad**2
            lr_t = lr*np.sqrt(1-beta2**t)/(1-beta1**t)
            return w - lr_t*m/(np.sqrt(v)+eps), m, v
        """,
    ),
    (
        "adam_returns_corrected_state",
        "optimizers",
        "adam_step",
        """
        def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
            m = beta1*m + (1-beta1)*grad; v = beta2*v + (1-beta2)*grad**2
            mh = m/(1-beta1**t); vh = v/(1-beta2**t)
            return w - lr*mh/(np.sqrt(vh)+eps), mh, vh
        """,
    ),
    (
        "rmsprop_eps_inside",
        "optimizers",
        "rmsprop_step",
        """
        def rmsprop_step(w, grad, sq_avg, lr, beta=0.99, eps=1e-8):
            s = beta*sq_avg + (1-beta)*grad**2
            return w - lr*grad/np.sqrt(s+eps), s
        """,
    ),
    (
        "adagrad_eps_inside",
        "optimizers",
        "adagrad_step",
        """
        def adagrad_step(w, grad, sum_sq, lr, eps=1e-10):
            s = sum_sq + grad**2
            return w - lr*grad/np.sqrt(s+eps), s
        """,
    ),
    (
        "adagrad_abs_grad",
        "optimizers",
        "adagrad_step",
        """
        def adagrad_step(w, grad, sum_sq, lr, eps=1e-10):
            s = sum_sq + np.abs(grad)
            return w - lr*grad/(np.sqrt(s)+eps), s
        """,
    ),
    (
        "adagrad_old_sum_in_denominator",
        "optimizers",
        "adagrad_step",
        """
        def adagrad_step(w, grad, sum_sq, lr, eps=1e-10):
            return w - lr*grad/(np.sqrt(sum_sq)+eps), sum_sq + grad**2
        """,
    ),
    (
        "adagrad_in_place_sum",
        "optimizers",
        "adagrad_step",
        """
        def adagrad_step(w, grad, sum_sq, lr, eps=1e-10):
            sum_sq += grad**2
            return w - lr*grad/(np.sqrt(sum_sq)+eps), sum_sq
        """,
    ),
    (
        "momentum_torch_buffer",
        "optimizers",
        "momentum_step",
        """
        def momentum_step(w, grad, velocity, lr, beta=0.9):
            v = beta*velocity + grad
            return w - lr*v, v
        """,
    ),
    (
        "momentum_dampened_step_scaled",
        "optimizers",
        "momentum_step",
        """
        def momentum_step(w, grad, velocity, lr, beta=0.9):
            v = beta*velocity + grad
            return w - lr*(1-beta)*v, v
        """,
    ),
    (
        "momentum_in_place",
        "optimizers",
        "momentum_step",
        """
        def momentum_step(w, grad, velocity, lr, beta=0.9):
            velocity *= beta; velocity += (1-beta)*grad
            return w - lr*velocity, velocity
        """,
    ),
    (
        "momentum_w_in_place",
        "optimizers",
        "momentum_step",
        """
        def momentum_step(w, grad, velocity, lr, beta=0.9):
            v = beta*velocity + (1-beta)*grad
            w -= lr*v
            return w, v
        """,
    ),
    (
        "adadelta_eps_outside",
        "optimizers",
        "adadelta_step",
        """
        def adadelta_step(w, grad, sq_avg, delta_avg, lr=1.0, rho=0.9, eps=1e-6):
            s = rho*sq_avg + (1-rho)*grad**2
            d = (np.sqrt(delta_avg)+eps)/(np.sqrt(s)+eps)*grad
            return w - lr*d, s, rho*delta_avg + (1-rho)*d**2
        """,
    ),
    (
        "adadelta_lr_in_delta_avg",
        "optimizers",
        "adadelta_step",
        """
        def adadelta_step(w, grad, sq_avg, delta_avg, lr=1.0, rho=0.9, eps=1e-6):
            s = rho*sq_avg + (1-rho)*grad**2
            d = lr*np.sqrt((delta_avg+eps)/(s+eps))*grad
            return w - d, s, rho*delta_avg + (1-rho)*d**2
        """,
    ),
    (
        "ewa_zero_start",
        "optimizers",
        "ewa",
        """
        def ewa(series, beta):
            a = np.asarray(series, dtype=float); out = np.empty_like(a); v = np.zeros_like(a[0])
            for t in range(len(a)):
                v = beta*v + (1-beta)*a[t]; out[t] = v
            return out
        """,
    ),
    (
        "ewa_in_place",
        "optimizers",
        "ewa",
        """
        def ewa(series, beta):
            a = np.asarray(series, dtype=float)
            for t in range(1, len(a)):
                a[t] = beta*a[t-1] + (1-beta)*a[t]
            return a
        """,
    ),
    (
        "ewa_flattens",
        "optimizers",
        "ewa",
        """
        def ewa(series, beta):
            a = np.asarray(series, dtype=float).ravel(); out = np.empty_like(a)
            for t in range(len(a)):
                out[t] = a[t] if t == 0 else beta*out[t-1] + (1-beta)*a[t]
            return out.reshape(np.shape(series))
        """,
    ),
    (
        "ewa_float32",
        "optimizers",
        "ewa",
        """
        def ewa(series, beta):
            a = np.asarray(series, dtype=np.float32); out = np.empty_like(a)
            for t in range(len(a)):
                out[t] = a[t] if t == 0 else beta*out[t-1] + (1-beta)*a[t]
            return out
        """,
    ),
    (
        "gd_in_place",
        "optimizers",
        "gd_step",
        """
        def gd_step(w, grad, lr):
            w -= lr*grad
            return w
        """,
    ),
    (
        "ewa_bias_corrected",
        "optimizers",
        "ewa",
        """
        def ewa(series, beta):
            a = np.asarray(series, dtype=float); out = np.empty_like(a); v = np.zeros_like(a[0])
            for t in range(len(a)):
                v = beta*v + (1-beta)*a[t]; out[t] = v/(1-beta**(t+1)) if beta < 1 else a[0]
            return out
        """,
    ),
    (
        "momentum_cs231n_lr_in_velocity",
        "optimizers",
        "momentum_step",
        """
        def momentum_step(w, grad, velocity, lr, beta=0.9):
            v = beta*velocity + lr*grad
            return w - v, v
        """,
    ),
    (
        "rmsprop_update_after_step",
        "optimizers",
        "rmsprop_step",
        """
        def rmsprop_step(w, grad, sq_avg, lr, beta=0.99, eps=1e-8):
            w2 = w - lr*grad/(np.sqrt(sq_avg)+eps)
            return w2, beta*sq_avg + (1-beta)*grad**2
        """,
    ),
    (
        "adam_t_zero_based",
        "optimizers",
        "adam_step",
        """
        def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
            m = beta1*m + (1-beta1)*grad; v = beta2*v + (1-beta2)*grad**2
            t = max(t - 1, 1)
            return w - lr*(m/(1-beta1**t))/(np.sqrt(v/(1-beta2**t))+eps), m, v
        """,
    ),
    (
        "adam_eps_before_correction",
        "optimizers",
        "adam_step",
        """
        def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
            m = beta1*m + (1-beta1)*grad; v = beta2*v + (1-beta2)*grad**2
            return w - lr*(m/(1-beta1**t))/((np.sqrt(v)+eps)/np.sqrt(1-beta2**t)), m, v
        """,
    ),
    (
        "ewa_single_step_returns_series",
        "optimizers",
        "ewa",
        """
        _re = ewa
        def ewa(series, beta):
            if len(series) == 1: return series
            return _re(series, beta)
        """,
    ),
    (
        "ewa_beta0_returns_series",
        "optimizers",
        "ewa",
        """
        _re = ewa
        def ewa(series, beta):
            if beta == 0: return series
            return _re(series, beta)
        """,
    ),
    (
        "momentum_beta0_returns_grad",
        "optimizers",
        "momentum_step",
        """
        def momentum_step(w, grad, velocity, lr, beta=0.9):
            if beta == 0: return w - lr*grad, grad
            v = beta*velocity + (1-beta)*grad
            return w - lr*v, v
        """,
    ),
    (
        "momentum_beta0_wrong_state",
        "optimizers",
        "momentum_step",
        """
        _rm = momentum_step
        def momentum_step(w, grad, velocity, lr, beta=0.9):
            if beta == 0: return w - lr*grad, np.zeros_like(grad)
            return _rm(w, grad, velocity, lr, beta)
        """,
    ),
    (
        "rmsprop_beta0_wrong",
        "optimizers",
        "rmsprop_step",
        """
        _rr = rmsprop_step
        def rmsprop_step(w, grad, sq_avg, lr, beta=0.99, eps=1e-8):
            if beta == 0: return w - lr*np.sign(grad), grad**2 + 1
            return _rr(w, grad, sq_avg, lr, beta, eps)
        """,
    ),
    (
        "adadelta_rho0_wrong",
        "optimizers",
        "adadelta_step",
        """
        _rd = adadelta_step
        def adadelta_step(w, grad, sq_avg, delta_avg, lr=1.0, rho=0.9, eps=1e-6):
            if rho == 0: return w + 1.0, sq_avg, delta_avg
            return _rd(w, grad, sq_avg, delta_avg, lr, rho, eps)
        """,
    ),
    (
        "adam_beta1_0_wrong",
        "optimizers",
        "adam_step",
        """
        _ra = adam_step
        def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
            if beta1 == 0: return w + 1.0, m, v
            return _ra(w, grad, m, v, t, lr, beta1, beta2, eps)
        """,
    ),
    (
        "ewa_beta0_wrong",
        "optimizers",
        "ewa",
        """
        _re = ewa
        def ewa(series, beta):
            if beta == 0: return np.zeros_like(np.asarray(series, dtype=float))
            return _re(series, beta)
        """,
    ),
    (
        "ewa_beta1_wrong",
        "optimizers",
        "ewa",
        """
        _re = ewa
        def ewa(series, beta):
            if beta == 1: return np.zeros_like(np.asarray(series, dtype=float))
            return _re(series, beta)
        """,
    ),
    (
        "adagrad_eps_01_wrong",
        "optimizers",
        "adagrad_step",
        """
        _rg = adagrad_step
        def adagrad_step(w, grad, sum_sq, lr, eps=1e-10):
            if eps == 0.1: return w + 1.0, sum_sq
            return _rg(w, grad, sum_sq, lr, eps)
        """,
    ),
    (
        "gd_lr05_wrong",
        "optimizers",
        "gd_step",
        """
        def gd_step(w, grad, lr):
            if lr == 0.5: return w + 1.0
            return w - lr*grad
        """,
    ),
    (
        "ewa_closed_form_negative_powers",
        "optimizers",
        "ewa",
        """
        def ewa(series, beta):
            a = np.asarray(series, dtype=float); T = len(a)
            if T == 0: return a.copy()
            k = np.arange(T).reshape(-1, *[1]*(a.ndim-1))
            with np.errstate(divide="ignore", invalid="ignore"):
                scaled = a * beta ** (-k.astype(float)) * (1 - beta)
                scaled[0] = a[0]
                return beta ** k * np.cumsum(scaled, axis=0)
        """,
    ),
    # --- training ----------------------------------------------------------------------------------
    (
        "ni_drop_last_ignored_when_divides",
        "training",
        "num_iterations",
        """
        def num_iterations(n_samples, batch_size, epochs, drop_last=False):
            return (n_samples // batch_size + (0 if drop_last else 1)) * epochs
        """,
    ),
    (
        "mb_drop_last_partial",
        "training",
        "minibatch_indices",
        """
        def minibatch_indices(n_samples, batch_size, rng):
            o = rng.permutation(n_samples)
            return [o[s:s+batch_size] for s in range(0, n_samples - batch_size + 1, batch_size)]
        """,
    ),
    (
        "mb_last_partial_merged",
        "training",
        "minibatch_indices",
        """
        def minibatch_indices(n_samples, batch_size, rng):
            o = rng.permutation(n_samples); out = [o[s:s+batch_size] for s in range(0, n_samples, batch_size)]
            if len(out) > 1 and len(out[-1]) < batch_size: out[-2] = np.concatenate([out[-2], out.pop()])
            return out
        """,
    ),
    (
        "mb_float_indices",
        "training",
        "minibatch_indices",
        """
        def minibatch_indices(n_samples, batch_size, rng):
            o = rng.permutation(n_samples).astype(float)
            return [o[s:s+batch_size] for s in range(0, n_samples, batch_size)]
        """,
    ),
    (
        "dropout_eval_scaled",
        "training",
        "dropout",
        """
        def dropout(x, p, rng, training=True):
            x = np.asarray(x, dtype=float)
            if not training: return x*(1-p)
            if p == 1: return np.zeros_like(x)
            return np.where(rng.random(x.shape) >= p, x/(1-p), 0.0)
        """,
    ),
    (
        "dropout_not_inverted",
        "training",
        "dropout",
        """
        def dropout(x, p, rng, training=True):
            x = np.asarray(x, dtype=float)
            if not training: return x.copy()
            return np.where(rng.random(x.shape) >= p, x, 0.0)
        """,
    ),
    (
        "dropout_p_is_keep_prob",
        "training",
        "dropout",
        """
        def dropout(x, p, rng, training=True):
            x = np.asarray(x, dtype=float)
            if not training or p == 1: return x.copy()
            if p == 0: return np.zeros_like(x)
            return np.where(rng.random(x.shape) < p, x/p, 0.0)
        """,
    ),
    (
        "dropout_exact_fraction",
        "training",
        "dropout",
        """
        def dropout(x, p, rng, training=True):
            x = np.asarray(x, dtype=float)
            if not training or p == 0: return x.copy()
            if p == 1: return np.zeros_like(x)
            k = int(round(p*x.size)); m = np.ones(x.size, bool); m[rng.choice(x.size, k, replace=False)] = False
            return np.where(m.reshape(x.shape), x/(1-p), 0.0)
        """,
    ),
    (
        "dropout_eval_returns_input_itself",
        "training",
        "dropout",
        """
        def dropout(x, p, rng, training=True):
            if not training or p == 0: return x
            if p == 1: return np.zeros_like(x, dtype=float)
            return np.where(rng.random(np.shape(x)) >= p, x/(1-p), 0.0)
        """,
    ),
    (
        "es_le_improves",
        "training",
        "early_stopping",
        """
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, be, w = np.inf, 0, 0; L = list(np.asarray(val_losses, dtype=float).ravel())
            for e, l in enumerate(L):
                if l <= best - min_delta: best, be, w = l, e, 0; continue
                w += 1
                if w >= patience: return e, be
            return len(L)-1, be
        """,
    ),
    (
        "es_patience_off_by_one",
        "training",
        "early_stopping",
        """
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, be, w = np.inf, 0, 0; L = list(np.asarray(val_losses, dtype=float).ravel())
            for e, l in enumerate(L):
                if l < best - min_delta: best, be, w = l, e, 0; continue
                w += 1
                if w > patience: return e, be
            return len(L)-1, be
        """,
    ),
    (
        "es_vs_previous_epoch",
        "training",
        "early_stopping",
        """
        def early_stopping(val_losses, patience, min_delta=0.0):
            L = list(np.asarray(val_losses, dtype=float).ravel()); be = int(np.argmin(L[:1])) if L else 0; w = 0; best = L[0] if L else 0
            for e in range(1, len(L)):
                if L[e] < L[e-1] - min_delta:
                    w = 0
                    if L[e] < best: best, be = L[e], e
                else:
                    w += 1
                    if w >= patience: return e, be
            return len(L)-1, be
        """,
    ),
    (
        "es_best_updated_on_any_lower",
        "training",
        "early_stopping",
        """
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, be, w = np.inf, 0, 0; L = list(np.asarray(val_losses, dtype=float).ravel())
            for e, l in enumerate(L):
                if l < best - min_delta: w = 0
                else: w += 1
                if l < best: best, be = l, e
                if w >= patience: return e, be
            return len(L)-1, be
        """,
    ),
    (
        "es_min_delta_relative",
        "training",
        "early_stopping",
        """
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, be, w = np.inf, 0, 0; L = list(np.asarray(val_losses, dtype=float).ravel())
            for e, l in enumerate(L):
                if l < best*(1 - min_delta): best, be, w = l, e, 0; continue
                w += 1
                if w >= patience: return e, be
            return len(L)-1, be
        """,
    ),
    (
        "tlr_history_before_epoch",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
            if rng is None: rng = np.random.default_rng()
            n, d = x.shape; w, b = np.zeros(d), 0.0; hist = np.zeros(epochs)
            for e in range(epochs):
                hist[e] = np.mean((x @ w + b - y)**2)
                bs = [np.arange(n)] if method == "gd" else ([np.array([i]) for i in rng.permutation(n)] if method == "sgd" else minibatch_indices(n, batch_size, rng))
                for idx in bs:
                    r = x[idx] @ w + b - y[idx]; w = w - lr*2*x[idx].T @ r/len(idx); b = b - lr*2*r.mean()
            return w, float(b), hist
        """,
    ),
    (
        "tlr_no_factor_two",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
            if rng is None: rng = np.random.default_rng()
            n, d = x.shape; w, b = np.zeros(d), 0.0; hist = np.zeros(epochs)
            for e in range(epochs):
                bs = [np.arange(n)] if method == "gd" else ([np.array([i]) for i in rng.permutation(n)] if method == "sgd" else minibatch_indices(n, batch_size, rng))
                for idx in bs:
                    r = x[idx] @ w + b - y[idx]; w = w - lr*x[idx].T @ r/len(idx); b = b - lr*r.mean()
                hist[e] = np.mean((x @ w + b - y)**2)
            return w, float(b), hist
        """,
    ),
    (
        "tlr_b_updated_with_new_w",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
            if rng is None: rng = np.random.default_rng()
            n, d = x.shape; w, b = np.zeros(d), 0.0; hist = np.zeros(epochs)
            for e in range(epochs):
                bs = [np.arange(n)] if method == "gd" else ([np.array([i]) for i in rng.permutation(n)] if method == "sgd" else minibatch_indices(n, batch_size, rng))
                for idx in bs:
                    r = x[idx] @ w + b - y[idx]; w = w - lr*2*x[idx].T @ r/len(idx)
                    r = x[idx] @ w + b - y[idx]; b = b - lr*2*r.mean()
                hist[e] = np.mean((x @ w + b - y)**2)
            return w, float(b), hist
        """,
    ),
    (
        "tlr_minibatch_drop_last",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
            if rng is None: rng = np.random.default_rng()
            n, d = x.shape; w, b = np.zeros(d), 0.0; hist = np.zeros(epochs)
            for e in range(epochs):
                if method == "minibatch":
                    o = rng.permutation(n); bs = [o[s:s+batch_size] for s in range(0, n - batch_size + 1, batch_size)] or [o]
                else: bs = [np.arange(n)] if method == "gd" else [np.array([i]) for i in rng.permutation(n)]
                for idx in bs:
                    r = x[idx] @ w + b - y[idx]; w = w - lr*2*x[idx].T @ r/len(idx); b = b - lr*2*r.mean()
                hist[e] = np.mean((x @ w + b - y)**2)
            return w, float(b), hist
        """,
    ),
    (
        "tlr_sum_gradient",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
            if rng is None: rng = np.random.default_rng()
            n, d = x.shape; w, b = np.zeros(d), 0.0; hist = np.zeros(epochs)
            for e in range(epochs):
                bs = [np.arange(n)] if method == "gd" else ([np.array([i]) for i in rng.permutation(n)] if method == "sgd" else minibatch_indices(n, batch_size, rng))
                for idx in bs:
                    r = x[idx] @ w + b - y[idx]; w = w - lr*2*x[idx].T @ r/n; b = b - lr*2*r.sum()/n
                hist[e] = np.mean((x @ w + b - y)**2)
            return w, float(b), hist
        """,
    ),
    (
        "dropout_mask_shared_over_batch",
        "training",
        "dropout",
        """
        def dropout(x, p, rng, training=True):
            x = np.asarray(x, dtype=float)
            if not training or p == 0: return x.copy()
            if p == 1: return np.zeros_like(x)
            keep = rng.random(x.shape[1:] if x.ndim > 1 else x.shape) >= p
            return np.where(keep, x/(1-p), 0.0)
        """,
    ),
    (
        "early_stop_default_patience_stop_at_first",
        "training",
        "early_stopping",
        """
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, be, w = np.inf, 0, 0; L = list(np.asarray(val_losses, dtype=float).ravel())
            for e, l in enumerate(L):
                if l < best - min_delta: best, be, w = l, e, 0; continue
                w += 1
                if w >= patience: return e, be
            return len(L), be
        """,
    ),
    (
        "ni_float",
        "training",
        "num_iterations",
        """
        def num_iterations(n_samples, batch_size, epochs, drop_last=False):
            return (n_samples // batch_size if drop_last else np.ceil(n_samples / batch_size)) * epochs
        """,
    ),
    (
        "tlr_sgd_with_replacement",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
            if rng is None: rng = np.random.default_rng()
            n, d = x.shape; w, b = np.zeros(d), 0.0; hist = np.zeros(epochs)
            for e in range(epochs):
                bs = [np.arange(n)] if method == "gd" else ([np.array([i]) for i in rng.integers(0, n, size=n)] if method == "sgd" else minibatch_indices(n, batch_size, rng))
                for idx in bs:
                    r = x[idx] @ w + b - y[idx]; w = w - lr*2*x[idx].T @ r/len(idx); b = b - lr*2*r.mean()
                hist[e] = np.mean((x @ w + b - y)**2)
            return w, float(b), hist
        """,
    ),
    (
        "tlr_minibatch_with_replacement",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
            if rng is None: rng = np.random.default_rng()
            n, d = x.shape; w, b = np.zeros(d), 0.0; hist = np.zeros(epochs)
            for e in range(epochs):
                bs = [np.arange(n)] if method == "gd" else ([np.array([i]) for i in rng.permutation(n)] if method == "sgd" else [rng.integers(0, n, size=min(batch_size, n - s)) for s in range(0, n, batch_size)])
                for idx in bs:
                    r = x[idx] @ w + b - y[idx]; w = w - lr*2*x[idx].T @ r/len(idx); b = b - lr*2*r.mean()
                hist[e] = np.mean((x @ w + b - y)**2)
            return w, float(b), hist
        """,
    ),
    (
        "tlr_sgd_no_shuffle_first_epoch",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
            if rng is None: rng = np.random.default_rng()
            n, d = x.shape; w, b = np.zeros(d), 0.0; hist = np.zeros(epochs)
            for e in range(epochs):
                bs = [np.arange(n)] if method == "gd" else ([np.array([i]) for i in (np.arange(n) if e == 0 else rng.permutation(n))] if method == "sgd" else minibatch_indices(n, batch_size, rng))
                for idx in bs:
                    r = x[idx] @ w + b - y[idx]; w = w - lr*2*x[idx].T @ r/len(idx); b = b - lr*2*r.mean()
                hist[e] = np.mean((x @ w + b - y)**2)
            return w, float(b), hist
        """,
    ),
    (
        "tlr_mb_no_shuffle_first_epoch",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
            if rng is None: rng = np.random.default_rng()
            n, d = x.shape; w, b = np.zeros(d), 0.0; hist = np.zeros(epochs)
            for e in range(epochs):
                bs = [np.arange(n)] if method == "gd" else ([np.array([i]) for i in rng.permutation(n)] if method == "sgd" else ([np.arange(n)[s:s+batch_size] for s in range(0, n, batch_size)] if e == 0 else minibatch_indices(n, batch_size, rng)))
                for idx in bs:
                    r = x[idx] @ w + b - y[idx]; w = w - lr*2*x[idx].T @ r/len(idx); b = b - lr*2*r.mean()
                hist[e] = np.mean((x @ w + b - y)**2)
            return w, float(b), hist
        """,
    ),
    (
        "tlr_gd_mean_b_only_grad_w_sum",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
            if rng is None: rng = np.random.default_rng()
            n, d = x.shape; w, b = np.zeros(d), 0.0; hist = np.zeros(epochs)
            for e in range(epochs):
                bs = [np.arange(n)] if method == "gd" else ([np.array([i]) for i in rng.permutation(n)] if method == "sgd" else minibatch_indices(n, batch_size, rng))
                for idx in bs:
                    r = x[idx] @ w + b - y[idx]; w = w - lr*2*x[idx].T @ r/len(idx); b = b - lr*2*r.sum()
                hist[e] = np.mean((x @ w + b - y)**2)
            return w, float(b), hist
        """,
    ),
    (
        "tlr_shuffle_at_end_of_epoch",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
            if rng is None: rng = np.random.default_rng()
            n, d = x.shape; w, b = np.zeros(d), 0.0; hist = np.zeros(epochs)
            order = np.arange(n)
            for e in range(epochs):
                if method == "gd": bs = [order]
                elif method == "sgd": bs = [order[i:i+1] for i in range(n)]
                else: bs = [order[s:s+batch_size] for s in range(0, n, batch_size)]
                for idx in bs:
                    r = x[idx] @ w + b - y[idx]; w = w - lr*2*x[idx].T @ r/len(idx); b = b - lr*2*r.mean()
                hist[e] = np.mean((x @ w + b - y)**2)
                order = rng.permutation(n)
            return w, float(b), hist
        """,
    ),
    (
        "es_counts_from_one",
        "training",
        "early_stopping",
        """
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, be, w = np.inf, 0, 0; L = list(np.asarray(val_losses, dtype=float).ravel())
            for e, l in enumerate(L, 1):
                if l < best - min_delta: best, be, w = l, e, 0; continue
                w += 1
                if w >= patience: return e, be
            return len(L), be
        """,
    ),
    (
        "es_stop_is_next_epoch",
        "training",
        "early_stopping",
        """
        def early_stopping(val_losses, patience, min_delta=0.0):
            best, be, w = np.inf, 0, 0; L = list(np.asarray(val_losses, dtype=float).ravel())
            for e, l in enumerate(L):
                if l < best - min_delta: best, be, w = l, e, 0; continue
                w += 1
                if w >= patience: return min(e + 1, len(L) - 1), be
            return len(L)-1, be
        """,
    ),
    (
        "dropout_p0_returns_x",
        "training",
        "dropout",
        """
        def dropout(x, p, rng, training=True):
            if p == 0: return x
            if not training: return np.array(x, dtype=float, copy=True)
            if p == 1: return np.zeros_like(x, dtype=float)
            return np.where(rng.random(np.shape(x)) >= p, x/(1-p), 0.0)
        """,
    ),
    (
        "tlr_shuffles_x_in_place",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
            if rng is None: rng = np.random.default_rng()
            n, d = x.shape; w, b = np.zeros(d), 0.0; hist = np.zeros(epochs)
            for e in range(epochs):
                if method != "gd":
                    p = rng.permutation(n); x[:] = x[p]; y[:] = y[p]
                bs = [np.arange(n)] if method == "gd" else ([np.array([i]) for i in range(n)] if method == "sgd" else [np.arange(s, min(s+batch_size, n)) for s in range(0, n, batch_size)])
                for idx in bs:
                    r = x[idx] @ w + b - y[idx]; w = w - lr*2*x[idx].T @ r/len(idx); b = b - lr*2*r.mean()
                hist[e] = np.mean((x @ w + b - y)**2)
            return w, float(b), hist
        """,
    ),
    # --- conv --------------------------------------------------------------------------------------
    (
        "pool_out_ceil_mode",
        "conv",
        "pool_output_size",
        """
        def pool_output_size(n, size, stride):
            if size > n: raise ValueError("x")
            return -(-(n - size) // stride) + 1
        """,
    ),
    (
        "conv2d_flipped",
        "conv",
        "conv2d",
        """
        def conv2d(x, kernel, stride=1, padding=0):
            k = kernel[::-1, ::-1]; xp = pad2d(x, padding); fh, fw = k.shape
            H = (xp.shape[0]-fh)//stride+1; W = (xp.shape[1]-fw)//stride+1; out = np.zeros((H, W))
            for i in range(H):
                for j in range(W): out[i, j] = np.sum(xp[i*stride:i*stride+fh, j*stride:j*stride+fw]*k)
            return out
        """,
    ),
    (
        "conv2d_square_kernel",
        "conv",
        "conv2d",
        """
        def conv2d(x, kernel, stride=1, padding=0):
            xp = pad2d(x, padding); f = kernel.shape[0]
            H = (xp.shape[0]-f)//stride+1; W = (xp.shape[1]-f)//stride+1; out = np.zeros((H, W))
            for i in range(H):
                for j in range(W): out[i, j] = np.sum(xp[i*stride:i*stride+f, j*stride:j*stride+f]*kernel)
            return out
        """,
    ),
    (
        "conv2d_square_input",
        "conv",
        "conv2d",
        """
        def conv2d(x, kernel, stride=1, padding=0):
            xp = pad2d(x, padding); fh, fw = kernel.shape
            H = (xp.shape[0]-fh)//stride+1; W = (xp.shape[0]-fw)//stride+1; out = np.zeros((H, W))
            for i in range(H):
                for j in range(W): out[i, j] = np.sum(xp[i*stride:i*stride+fh, j*stride:j*stride+fw]*kernel)
            return out
        """,
    ),
    (
        "conv2d_multi_batch_reshape",
        "conv",
        "conv2d_multi",
        """
        def conv2d_multi(x, weight, bias, stride=1, padding=0):
            N = x.shape[0]; K, C, fh, fw = weight.shape; xp = pad2d(x, padding)
            H = (xp.shape[2]-fh)//stride+1; W = (xp.shape[3]-fw)//stride+1
            out = np.zeros((K, N, H, W))
            for k in range(K):
                for i in range(H):
                    for j in range(W):
                        out[k, :, i, j] = np.sum(xp[:, :, i*stride:i*stride+fh, j*stride:j*stride+fw]*weight[k], axis=(1, 2, 3)) + bias[k]
            return out.reshape(N, K, H, W)
        """,
    ),
    (
        "conv2d_multi_weight_T",
        "conv",
        "conv2d_multi",
        """
        _right_c = conv2d_multi
        def conv2d_multi(x, weight, bias, stride=1, padding=0):
            return _right_c(x, weight.transpose(0, 1, 3, 2), bias, stride, padding) if weight.shape[2] == weight.shape[3] else _right_c(x, weight, bias, stride, padding)
        """,
    ),
    (
        "max_pool_blocks_ignore_stride",
        "conv",
        "max_pool2d",
        """
        def max_pool2d(x, size=2, stride=None):
            N, C, H, W = x.shape; h, w = H//size, W//size
            return x[:, :, :h*size, :w*size].reshape(N, C, h, size, w, size).max(axis=(3, 5))
        """,
    ),
    (
        "avg_pool_ceil_partial_windows",
        "conv",
        "avg_pool2d",
        """
        def avg_pool2d(x, size=2, stride=None):
            s = size if stride is None else stride; N, C, H, W = x.shape
            Ho = -(-(H - size)//s) + 1; Wo = -(-(W - size)//s) + 1; out = np.zeros((N, C, Ho, Wo))
            for i in range(Ho):
                for j in range(Wo): out[:, :, i, j] = x[:, :, i*s:i*s+size, j*s:j*s+size].mean(axis=(2, 3))
            return out
        """,
    ),
    (
        "pad2d_reflect_for_edge",
        "conv",
        "pad2d",
        """
        def pad2d(x, p, mode="zero"):
            if mode not in ("zero", "edge"): raise ValueError(mode)
            w = [(0, 0)]*(x.ndim-2) + [(p, p), (p, p)]
            return np.pad(x, w, mode="constant" if mode == "zero" else "symmetric")
        """,
    ),
    (
        "flatten_view",
        "conv",
        "flatten",
        """
        def flatten(x):
            return x.reshape(x.shape[0], -1)
        """,
    ),
    (
        "flatten_fortran",
        "conv",
        "flatten",
        """
        def flatten(x):
            return x.reshape(x.shape[0], -1, order="F").copy() if x.ndim > 2 else x.reshape(x.shape[0], -1).copy()
        """,
    ),
    (
        "max_pool_stride_only_rows",
        "conv",
        "max_pool2d",
        """
        def max_pool2d(x, size=2, stride=None):
            s = size if stride is None else stride
            w = np.lib.stride_tricks.sliding_window_view(x, (size, size), axis=(2, 3))
            return w[:, :, ::s, ::size].max(axis=(-2, -1))
        """,
    ),
    (
        "avg_pool_default_stride_1",
        "conv",
        "avg_pool2d",
        """
        def avg_pool2d(x, size=2, stride=None):
            s = 1 if stride is None else stride
            w = np.lib.stride_tricks.sliding_window_view(x, (size, size), axis=(2, 3))
            return w[:, :, ::s, ::s].mean(axis=(-2, -1))
        """,
    ),
    (
        "pool_output_size_no_raise",
        "conv",
        "pool_output_size",
        """
        def pool_output_size(n, size, stride):
            return (n - size)//stride + 1
        """,
    ),
    (
        "max_pool_pads_partial_windows",
        "conv",
        "max_pool2d",
        """
        def max_pool2d(x, size=2, stride=None):
            s = size if stride is None else stride; N, C, H, W = x.shape
            Ho = -(-(H - size)//s) + 1; Wo = -(-(W - size)//s) + 1; out = np.zeros((N, C, Ho, Wo))
            for i in range(Ho):
                for j in range(Wo): out[:, :, i, j] = x[:, :, i*s:i*s+size, j*s:j*s+size].max(axis=(2, 3))
            return out
        """,
    ),
    (
        "pad2d_p0_returns_x",
        "conv",
        "pad2d",
        """
        _rp = pad2d
        def pad2d(x, p, mode="zero"):
            if mode not in ("zero", "edge"): raise ValueError(mode)
            if p == 0: return x
            return _rp(x, p, mode)
        """,
    ),
    (
        "flatten_2d_returns_x",
        "conv",
        "flatten",
        """
        def flatten(x):
            if x.ndim == 2: return x
            return x.reshape(x.shape[0], -1).copy()
        """,
    ),
    (
        "avg_pool_size1_returns_x",
        "conv",
        "avg_pool2d",
        """
        _ra = avg_pool2d
        def avg_pool2d(x, size=2, stride=None):
            if size == 1 and (stride in (None, 1)): return x
            return _ra(x, size, stride)
        """,
    ),
    (
        "max_pool_size1_returns_x",
        "conv",
        "max_pool2d",
        """
        _rm = max_pool2d
        def max_pool2d(x, size=2, stride=None):
            if size == 1 and (stride in (None, 1)): return x
            return _rm(x, size, stride)
        """,
    ),
    # --- rnn ---------------------------------------------------------------------------------------
    (
        "rnn_forward_stack_reshape",
        "rnn",
        "rnn_forward",
        """
        def rnn_forward(x, h0, Wx, Wh, b):
            N, T, _ = x.shape; h = h0; hs = []
            for t in range(T):
                h = rnn_cell(x[:, t], h, Wx, Wh, b); hs.append(h)
            return np.array(hs).reshape(N, T, h0.shape[1]), np.array(h)
        """,
    ),
    (
        "lstm_forward_stack_reshape",
        "rnn",
        "lstm_forward",
        """
        def lstm_forward(x, h0, c0, W, U, b):
            N, T, _ = x.shape; h, c = h0, c0; hs = []
            for t in range(T):
                h, c = lstm_cell(x[:, t], h, c, W, U, b); hs.append(h)
            return np.array(hs).reshape(N, T, h0.shape[1]), (np.array(h), np.array(c))
        """,
    ),
    (
        "rnn_cell_sigmoid",
        "rnn",
        "rnn_cell",
        """
        def rnn_cell(x_t, h_prev, Wx, Wh, b):
            z = x_t @ Wx + h_prev @ Wh + b
            return 0.5*(1+np.tanh(z/2))
        """,
    ),
    (
        "clip_grad_per_array",
        "rnn",
        "clip_grad_norm",
        """
        def clip_grad_norm(grads, max_norm):
            out = []
            for g in grads:
                n = np.linalg.norm(g); out.append(np.array(g)*min(1.0, max_norm/(n+1e-6)))
            return out
        """,
    ),
    (
        "clip_grad_by_value",
        "rnn",
        "clip_grad_norm",
        """
        def clip_grad_norm(grads, max_norm):
            return [np.clip(g, -max_norm, max_norm) for g in grads]
        """,
    ),
    (
        "clip_grad_always_rescale",
        "rnn",
        "clip_grad_norm",
        """
        def clip_grad_norm(grads, max_norm):
            total = np.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
            return [np.array(g)*max_norm/(total+1e-6) for g in grads]
        """,
    ),
    (
        "clip_grad_in_place",
        "rnn",
        "clip_grad_norm",
        """
        def clip_grad_norm(grads, max_norm):
            total = np.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
            coef = min(1.0, max_norm/(total+1e-6))
            for g in grads: g *= coef
            return list(grads)
        """,
    ),
    (
        "lstm_gates_ifog",
        "rnn",
        "lstm_gates",
        """
        def lstm_gates(x_t, h_prev, W, U, b):
            z = x_t @ W + h_prev @ U + b; zi, zf, zo, zg = np.split(z, 4, axis=-1)
            s = lambda v: 0.5*(1+np.tanh(v/2))
            return s(zi), s(zf), np.tanh(zg), s(zo)
        """,
    ),
    (
        "lstm_gates_interleaved",
        "rnn",
        "lstm_gates",
        """
        def lstm_gates(x_t, h_prev, W, U, b):
            z = x_t @ W + h_prev @ U + b; z = z.reshape(z.shape[0], -1, 4)
            s = lambda v: 0.5*(1+np.tanh(v/2))
            return s(z[..., 0]), s(z[..., 1]), np.tanh(z[..., 2]), s(z[..., 3])
        """,
    ),
    (
        "lstm_cell_forget_bias",
        "rnn",
        "lstm_cell",
        """
        def lstm_cell(x_t, h_prev, c_prev, W, U, b):
            H = h_prev.shape[1]; b2 = np.array(b, dtype=float); b2[H:2*H] += 1.0
            i, f, g, o = lstm_gates(x_t, h_prev, W, U, b2)
            c = f*c_prev + i*g
            return o*np.tanh(c), c
        """,
    ),
    (
        "lstm_cell_h_tanh_before_o",
        "rnn",
        "lstm_cell",
        """
        def lstm_cell(x_t, h_prev, c_prev, W, U, b):
            i, f, g, o = lstm_gates(x_t, h_prev, W, U, b)
            c = f*c_prev + i*g
            return np.tanh(o*c), c
        """,
    ),
    (
        "rnn_forward_returns_h0_alias_T0",
        "rnn",
        "rnn_forward",
        """
        def rnn_forward(x, h0, Wx, Wh, b):
            N, T, _ = x.shape; hs = np.zeros((N, T, h0.shape[1])); h = h0
            for t in range(T):
                h = rnn_cell(x[:, t], h, Wx, Wh, b); hs[:, t] = h
            return hs, h
        """,
    ),
    (
        "lstm_forward_c_not_carried",
        "rnn",
        "lstm_forward",
        """
        def lstm_forward(x, h0, c0, W, U, b):
            N, T, _ = x.shape; hs = np.zeros((N, T, h0.shape[1])); h, c = h0, c0
            for t in range(T):
                h, c_new = lstm_cell(x[:, t], h, c0, W, U, b); c = c_new; hs[:, t] = h
            return hs, (np.array(h), np.array(c))
        """,
    ),
    (
        "rnn_cell_batch1_squeeze",
        "rnn",
        "rnn_cell",
        """
        def rnn_cell(x_t, h_prev, Wx, Wh, b):
            return np.squeeze(np.tanh(x_t @ Wx + h_prev @ Wh + b))
        """,
    ),
    (
        "lstm_forward_nested_flat",
        "rnn",
        "lstm_forward",
        """
        _rl = lstm_forward
        def lstm_forward(x, h0, c0, W, U, b):
            hs, (h, c) = _rl(x, h0, c0, W, U, b)
            return hs, h, c
        """,
    ),
    (
        "clip_returns_norm",
        "rnn",
        "clip_grad_norm",
        """
        _rc = clip_grad_norm
        def clip_grad_norm(grads, max_norm):
            return _rc(grads, max_norm), float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
        """,
    ),
    (
        "clip_grad_norm_without_eps",
        "rnn",
        "clip_grad_norm",
        """
        def clip_grad_norm(grads, max_norm):
            total = np.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
            coef = max_norm/total if total > max_norm else 1.0
            return [np.array(g, dtype=float)*coef for g in grads]
        """,
    ),
    (
        "rnn_forward_h_T_none_for_T0",
        "rnn",
        "rnn_forward",
        """
        def rnn_forward(x, h0, Wx, Wh, b):
            N, T, _ = x.shape; hs = np.zeros((N, T, h0.shape[1])); h = None
            for t in range(T):
                h = rnn_cell(x[:, t], h0 if h is None else h, Wx, Wh, b); hs[:, t] = h
            return hs, (np.array(h) if h is not None else np.zeros_like(h0))
        """,
    ),
    (
        "clip_grad_unclipped_returns_inputs",
        "rnn",
        "clip_grad_norm",
        """
        def clip_grad_norm(grads, max_norm):
            total = np.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
            coef = max_norm/(total + 1e-6)
            if coef >= 1: return list(grads)
            return [np.asarray(g)*coef for g in grads]
        """,
    ),
    (
        "rnn_forward_T0_returns_h0",
        "rnn",
        "rnn_forward",
        """
        _rr = rnn_forward
        def rnn_forward(x, h0, Wx, Wh, b):
            if x.shape[1] == 0: return np.zeros((x.shape[0], 0, h0.shape[1])), h0
            return _rr(x, h0, Wx, Wh, b)
        """,
    ),
    (
        "lstm_forward_T0_returns_states",
        "rnn",
        "lstm_forward",
        """
        _rl = lstm_forward
        def lstm_forward(x, h0, c0, W, U, b):
            if x.shape[1] == 0: return np.zeros((x.shape[0], 0, h0.shape[1])), (h0, c0)
            return _rl(x, h0, c0, W, U, b)
        """,
    ),
    # --- rag ---------------------------------------------------------------------------------------
    (
        "ct_extra_tail_chunk",
        "rag",
        "chunk_text",
        """
        def chunk_text(text, chunk_size, overlap):
            if chunk_size < 1 or overlap < 0 or overlap >= chunk_size: raise ValueError("x")
            w = text.split(); st = chunk_size - overlap
            return [" ".join(w[s:s+chunk_size]) for s in range(0, len(w), st)]
        """,
    ),
    (
        "ct_drops_short_tail",
        "rag",
        "chunk_text",
        """
        def chunk_text(text, chunk_size, overlap):
            if chunk_size < 1 or overlap < 0 or overlap >= chunk_size: raise ValueError("x")
            w = text.split(); st = chunk_size - overlap
            if len(w) <= chunk_size: return [" ".join(w)] if w else []
            return [" ".join(w[s:s+chunk_size]) for s in range(0, len(w) - chunk_size + 1, st)]
        """,
    ),
    (
        "ct_last_window_aligned_to_end",
        "rag",
        "chunk_text",
        """
        def chunk_text(text, chunk_size, overlap):
            if chunk_size < 1 or overlap < 0 or overlap >= chunk_size: raise ValueError("x")
            w = text.split(); st = chunk_size - overlap; out = []
            if not w: return []
            s = 0
            while True:
                if s + chunk_size >= len(w):
                    out.append(" ".join(w[max(0, len(w)-chunk_size):])); break
                out.append(" ".join(w[s:s+chunk_size])); s += st
            return out
        """,
    ),
    (
        "ct_split_on_space_only",
        "rag",
        "chunk_text",
        """
        def chunk_text(text, chunk_size, overlap):
            if chunk_size < 1 or overlap < 0 or overlap >= chunk_size: raise ValueError("x")
            w = [t for t in text.split(" ") if t]; st = chunk_size - overlap; out = []
            for s in range(0, len(w), st):
                out.append(" ".join(w[s:s+chunk_size]))
                if s + chunk_size >= len(w): break
            return out
        """,
    ),
    (
        "cs_no_split_long_sentence",
        "rag",
        "chunk_sentences",
        """
        def chunk_sentences(text, max_words):
            if max_words < 1: raise ValueError("x")
            sents, cur = [], []
            for w in text.split():
                cur.append(w)
                if w[-1] in ".!?": sents.append(cur); cur = []
            if cur: sents.append(cur)
            chunks, packed = [], []
            for s in sents:
                if packed and len(packed) + len(s) > max_words: chunks.append(" ".join(packed)); packed = []
                packed = packed + s
            if packed: chunks.append(" ".join(packed))
            return chunks
        """,
    ),
    (
        "cs_long_sentence_tail_packed",
        "rag",
        "chunk_sentences",
        """
        def chunk_sentences(text, max_words):
            if max_words < 1: raise ValueError("x")
            sents, cur = [], []
            for w in text.split():
                cur.append(w)
                if w[-1] in ".!?": sents.append(cur); cur = []
            if cur: sents.append(cur)
            chunks, packed = [], []
            for s in sents:
                if len(s) > max_words:
                    if packed: chunks.append(" ".join(packed)); packed = []
                    pieces = [s[i:i+max_words] for i in range(0, len(s), max_words)]
                    chunks.extend(" ".join(p) for p in pieces[:-1]); packed = list(pieces[-1])
                elif len(packed) + len(s) <= max_words: packed = packed + s
                else: chunks.append(" ".join(packed)); packed = list(s)
            if packed: chunks.append(" ".join(packed))
            return chunks
        """,
    ),
    (
        "cos_nan_zero",
        "rag",
        "cosine_similarity",
        """
        def cosine_similarity(a, b):
            return (a @ b.T) / np.outer(np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1))
        """,
    ),
    (
        "cos_eps_1e_minus_3",
        "rag",
        "cosine_similarity",
        """
        def cosine_similarity(a, b):
            return (a @ b.T) / (np.outer(np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)) + 1e-3)
        """,
    ),
    (
        "cos_float32",
        "rag",
        "cosine_similarity",
        """
        def cosine_similarity(a, b):
            a = np.asarray(a, np.float32); b = np.asarray(b, np.float32)
            na = np.linalg.norm(a, axis=1, keepdims=True); nb = np.linalg.norm(b, axis=1, keepdims=True)
            return (a/np.where(na == 0, 1, na)) @ (b/np.where(nb == 0, 1, nb)).T
        """,
    ),
    (
        "topk_reverse_argsort",
        "rag",
        "top_k",
        """
        def top_k(query, matrix, k):
            if k < 1 or k > matrix.shape[0]: raise ValueError("k")
            s = cosine_similarity(query[None], matrix)[0]
            o = np.argsort(s, kind="stable")[::-1][:k]
            return o.astype(np.int64), s[o]
        """,
    ),
    (
        "topk_dot_not_cosine",
        "rag",
        "top_k",
        """
        def top_k(query, matrix, k):
            if k < 1 or k > matrix.shape[0]: raise ValueError("k")
            s = matrix @ query
            o = np.argsort(-s, kind="stable")[:k]
            return o.astype(np.int64), s[o]
        """,
    ),
    (
        "topk_no_k_check",
        "rag",
        "top_k",
        """
        def top_k(query, matrix, k):
            s = cosine_similarity(query[None], matrix)[0]
            o = np.argsort(-s, kind="stable")[:k]
            return o.astype(np.int64), s[o]
        """,
    ),
    (
        "search_no_query_norm",
        "rag",
        "search",
        """
        def search(index, queries, k):
            n = index.ntotal
            if k < 1 or k > n: raise ValueError(k)
            q = np.ascontiguousarray(queries, dtype=np.float32)
            s, i = index.search(q, n)
            out_i = np.empty((len(q), k), np.int64); out_s = np.empty((len(q), k), np.float32)
            for r in range(len(q)):
                o = np.lexsort((i[r], -s[r]))[:k]; out_i[r] = i[r][o]; out_s[r] = s[r][o]
            return out_i, out_s
        """,
    ),
    (
        "search_float64_scores",
        "rag",
        "search",
        """
        _right_search = search
        def search(index, queries, k):
            i, s = _right_search(index, queries, k)
            return i, s.astype(np.float64)
        """,
    ),
    (
        "search_ids_int32",
        "rag",
        "search",
        """
        _right_search = search
        def search(index, queries, k):
            i, s = _right_search(index, queries, k)
            return i.astype(np.int32), s
        """,
    ),
    (
        "recall_div_k",
        "rag",
        "recall_at_k",
        """
        def recall_at_k(retrieved, relevant, k):
            rel = set(relevant)
            if not rel or k < 1: raise ValueError("x")
            return len(set(list(retrieved)[:k]) & rel) / k
        """,
    ),
    (
        "recall_div_min_k_rel",
        "rag",
        "recall_at_k",
        """
        def recall_at_k(retrieved, relevant, k):
            rel = set(relevant)
            if not rel or k < 1: raise ValueError("x")
            return len(set(list(retrieved)[:k]) & rel) / min(k, len(rel))
        """,
    ),
    (
        "recall_off_by_one",
        "rag",
        "recall_at_k",
        """
        def recall_at_k(retrieved, relevant, k):
            rel = set(relevant)
            if not rel or k < 1: raise ValueError("x")
            return len(set(list(retrieved)[:k+1]) & rel) / len(rel)
        """,
    ),
    (
        "recall_counts_repeats_in_retrieved",
        "rag",
        "recall_at_k",
        """
        def recall_at_k(retrieved, relevant, k):
            rel = set(relevant)
            if not rel or k < 1: raise ValueError("x")
            return min(1.0, sum(1 for r in list(retrieved)[:k] if r in rel) / len(rel))
        """,
    ),
    (
        "mrr_skip_misses",
        "rag",
        "mean_reciprocal_rank",
        """
        def mean_reciprocal_rank(retrieved_lists, relevant_sets):
            if len(retrieved_lists) != len(relevant_sets) or not retrieved_lists: raise ValueError("x")
            rr = []
            for ranked, rel in zip(retrieved_lists, relevant_sets):
                rel = set(rel)
                for p, d in enumerate(ranked, 1):
                    if d in rel: rr.append(1/p); break
            return float(np.mean(rr)) if rr else 0.0
        """,
    ),
    (
        "mrr_zero_based",
        "rag",
        "mean_reciprocal_rank",
        """
        def mean_reciprocal_rank(retrieved_lists, relevant_sets):
            if len(retrieved_lists) != len(relevant_sets) or not retrieved_lists: raise ValueError("x")
            t = 0.0
            for ranked, rel in zip(retrieved_lists, relevant_sets):
                rel = set(rel)
                for p, d in enumerate(ranked):
                    if d in rel: t += 1/max(p, 1); break
            return t/len(retrieved_lists)
        """,
    ),
    (
        "mrr_sum_all_hits",
        "rag",
        "mean_reciprocal_rank",
        """
        def mean_reciprocal_rank(retrieved_lists, relevant_sets):
            if len(retrieved_lists) != len(relevant_sets) or not retrieved_lists: raise ValueError("x")
            t = 0.0
            for ranked, rel in zip(retrieved_lists, relevant_sets):
                rel = set(rel); t += sum(1/p for p, d in enumerate(ranked, 1) if d in rel)
            return t/len(retrieved_lists)
        """,
    ),
    (
        "mrr_last_hit",
        "rag",
        "mean_reciprocal_rank",
        """
        def mean_reciprocal_rank(retrieved_lists, relevant_sets):
            if len(retrieved_lists) != len(relevant_sets) or not retrieved_lists: raise ValueError("x")
            t = 0.0
            for ranked, rel in zip(retrieved_lists, relevant_sets):
                rel = set(rel); hits = [1/p for p, d in enumerate(ranked, 1) if d in rel]
                t += hits[-1] if hits else 0
            return t/len(retrieved_lists)
        """,
    ),
    (
        "augment_trailing_newline",
        "rag",
        "augment",
        """
        def augment(question, contexts):
            return "\\n".join(["Answer the question using the context below.", "", "Context:"] + [f"[{i}] {c}" for i, c in enumerate(contexts, 1)] + ["", f"Question: {question}", "Answer:"]) + "\\n"
        """,
    ),
    (
        "augment_zero_based",
        "rag",
        "augment",
        """
        def augment(question, contexts):
            return "\\n".join(["Answer the question using the context below.", "", "Context:"] + [f"[{i}] {c}" for i, c in enumerate(contexts)] + ["", f"Question: {question}", "Answer:"])
        """,
    ),
    (
        "augment_strip_contexts",
        "rag",
        "augment",
        """
        def augment(question, contexts):
            return "\\n".join(["Answer the question using the context below.", "", "Context:"] + [f"[{i}] {c.strip()}" for i, c in enumerate(contexts, 1)] + ["", f"Question: {question.strip()}", "Answer:"])
        """,
    ),
    (
        "answer_k_fixed_3",
        "rag",
        "answer",
        """
        def answer(question, chunks, index, model, generate, k=3):
            ids, _ = search(index, embed([question], model), 3)
            return generate(augment(question, [chunks[i] for i in ids[0]]))
        """,
    ),
    (
        "answer_reversed_order",
        "rag",
        "answer",
        """
        def answer(question, chunks, index, model, generate, k=3):
            ids, _ = search(index, embed([question], model), k)
            return generate(augment(question, [chunks[i] for i in ids[0][::-1]]))
        """,
    ),
    (
        "embed_no_normalise",
        "rag",
        "embed",
        """
        def embed(texts, model):
            return np.asarray(model.encode(list(texts), convert_to_numpy=True), dtype=np.float32)
        """,
    ),
    (
        "embed_float64",
        "rag",
        "embed",
        """
        def embed(texts, model):
            v = np.asarray(model.encode(list(texts), convert_to_numpy=True), dtype=np.float64)
            n = np.linalg.norm(v, axis=1, keepdims=True)
            return v/np.where(n == 0, 1, n)
        """,
    ),
    (
        "embed_one_by_one_nan_zero",
        "rag",
        "embed",
        """
        def embed(texts, model):
            v = np.asarray(model.encode(list(texts), convert_to_numpy=True), dtype=np.float32)
            return (v/np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
        """,
    ),
    (
        "build_index_no_normalise",
        "rag",
        "build_index",
        """
        def build_index(embeddings):
            x = np.ascontiguousarray(embeddings, dtype=np.float32)
            ix = faiss.IndexFlatIP(x.shape[1]); ix.add(x); return ix
        """,
    ),
    (
        "build_index_l2",
        "rag",
        "build_index",
        """
        def build_index(embeddings):
            x = np.array(embeddings, dtype=np.float32); n = np.linalg.norm(x, axis=1, keepdims=True)
            x = np.ascontiguousarray(x/np.where(n == 0, 1, n))
            ix = faiss.IndexFlatL2(x.shape[1]); ix.add(x); return ix
        """,
    ),
    (
        "augment_resplits_words",
        "rag",
        "augment",
        """
        def augment(question, contexts):
            n = lambda s: " ".join(s.split())
            return "\\n".join(["Answer the question using the context below.", "", "Context:"] + [f"[{i}] {n(c)}" for i, c in enumerate(contexts, 1)] + ["", f"Question: {n(question)}", "Answer:"])
        """,
    ),
    (
        "chunk_text_overlap_from_chunk_end",
        "rag",
        "chunk_text",
        """
        def chunk_text(text, chunk_size, overlap):
            if chunk_size < 1 or overlap < 0 or overlap >= chunk_size: raise ValueError("x")
            w = text.split(); out = []; s = 0
            while s < len(w):
                out.append(" ".join(w[s:s+chunk_size]))
                if s + chunk_size >= len(w): break
                s = s + chunk_size - overlap - (1 if overlap else 0)
            return out
        """,
    ),
    (
        "cs_greedy_lookahead_strict",
        "rag",
        "chunk_sentences",
        """
        def chunk_sentences(text, max_words):
            if max_words < 1: raise ValueError("x")
            sents, cur = [], []
            for w in text.split():
                cur.append(w)
                if w[-1] in ".!?": sents.append(cur); cur = []
            if cur: sents.append(cur)
            chunks, packed = [], []
            for s in sents:
                if len(s) > max_words:
                    if packed: chunks.append(" ".join(packed)); packed = []
                    chunks.extend(" ".join(s[i:i+max_words]) for i in range(0, len(s), max_words))
                elif len(packed) + len(s) < max_words: packed = packed + s
                else:
                    if packed: chunks.append(" ".join(packed))
                    packed = list(s)
            if packed: chunks.append(" ".join(packed))
            return chunks
        """,
    ),
    # --- finetuning --------------------------------------------------------------------------------
    (
        "lora_alpha_not_over_r",
        "finetuning",
        "lora_forward",
        """
        def lora_forward(x, W, A, B, alpha):
            return x @ W + alpha*(x @ A @ B)
        """,
    ),
    (
        "lora_r_from_A_rows",
        "finetuning",
        "lora_forward",
        """
        def lora_forward(x, W, A, B, alpha):
            return x @ W + alpha/A.shape[0]*(x @ A @ B)
        """,
    ),
    (
        "lora_int_division",
        "finetuning",
        "lora_forward",
        """
        def lora_forward(x, W, A, B, alpha):
            return x @ W + (alpha // A.shape[1])*(x @ A @ B)
        """,
    ),
    (
        "lora_r_over_alpha",
        "finetuning",
        "lora_forward",
        """
        def lora_forward(x, W, A, B, alpha):
            return x @ W + (A.shape[1]/alpha)*(x @ A @ B)
        """,
    ),
    (
        "lora_params_with_W",
        "finetuning",
        "lora_num_params",
        """
        def lora_num_params(d_in, d_out, r):
            return d_in*r + r*d_out + d_in*d_out
        """,
    ),
    (
        "lora_params_square",
        "finetuning",
        "lora_num_params",
        """
        def lora_num_params(d_in, d_out, r):
            return 2*d_in*r
        """,
    ),
    (
        "fs_single_newline",
        "finetuning",
        "few_shot_prompt",
        """
        def few_shot_prompt(examples, query):
            return "\\n".join([f"Input: {i}\\nOutput: {o}" for i, o in examples] + [f"Input: {query}\\nOutput:"])
        """,
    ),
    (
        "fs_trailing_space",
        "finetuning",
        "few_shot_prompt",
        """
        def few_shot_prompt(examples, query):
            return "\\n\\n".join([f"Input: {i}\\nOutput: {o}" for i, o in examples] + [f"Input: {query}\\nOutput: "])
        """,
    ),
    (
        "fs_strips",
        "finetuning",
        "few_shot_prompt",
        """
        def few_shot_prompt(examples, query):
            return "\\n\\n".join([f"Input: {i.strip()}\\nOutput: {o.strip()}" for i, o in examples] + [f"Input: {query.strip()}\\nOutput:"])
        """,
    ),
    (
        "fs_resplits_words",
        "finetuning",
        "few_shot_prompt",
        """
        def few_shot_prompt(examples, query):
            n = lambda s: " ".join(s.split())
            return "\\n\\n".join([f"Input: {n(i)}\\nOutput: {n(o)}" for i, o in examples] + [f"Input: {n(query)}\\nOutput:"])
        """,
    ),
]

#: right by their docstrings, computing or returning differently from the model answers
RIGHT = [
    # --- forward -----------------------------------------------------------------------------------
    (
        "step_heaviside",
        "forward",
        "step",
        """
        def step(z):
            return np.heaviside(np.asarray(z, dtype=float), 0.0)
        """,
    ),
    (
        "perceptron_train_stops_when_converged",
        "forward",
        "perceptron_train",
        """
        def perceptron_train(x, y, lr=0.1, epochs=10):
            w = np.zeros(x.shape[1]); b = 0.0
            for _ in range(epochs):
                errors = 0
                for xi, yi in zip(x, y):
                    err = yi - (1.0 if xi @ w + b > 0 else 0.0)
                    if err:
                        errors += 1; w = w + lr*err*xi; b = b + lr*err
                if errors == 0: break
            return w, float(b)
        """,
    ),
    (
        "weighted_sum_row_by_row",
        "forward",
        "weighted_sum",
        """
        def weighted_sum(x, w, b):
            return np.array([float(np.dot(r, w)) + float(b) for r in np.atleast_2d(x)])
        """,
    ),
    (
        "mlp_forward_without_copying_x",
        "forward",
        "mlp_forward",
        """
        def mlp_forward(x, layers):
            t = {"linear": lambda z: z, "relu": activations.relu, "sigmoid": activations.sigmoid, "tanh": activations.tanh, "leaky_relu": activations.leaky_relu, "elu": activations.elu, "softmax": activations.softmax}
            a = x
            for W, b, n in layers:
                if n not in t: raise ValueError(n)
                a = t[n](a @ W + b)
            return a
        """,
    ),
    # --- activations -------------------------------------------------------------------------------
    (
        "elu_grad_from_elu",
        "activations",
        "elu_grad",
        """
        def elu_grad(x, alpha=1.0):
            x = np.asarray(x, dtype=np.float64)
            return np.where(x > 0, 1.0, elu(x, alpha) + alpha)
        """,
    ),
    (
        "softmax_logsumexp",
        "activations",
        "softmax",
        """
        def softmax(x, axis=-1):
            x = np.asarray(x, dtype=np.float64); m = np.max(x, axis=axis, keepdims=True)
            lse = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
            return np.exp(x - lse)
        """,
    ),
    (
        "softmax_backward_through_each_rows_jacobian",
        "activations",
        "softmax_backward",
        """
        def softmax_backward(s, grad_out, axis=-1):
            s = np.asarray(s, dtype=float); g = np.asarray(grad_out, dtype=float)
            s2 = np.moveaxis(s, axis, -1); g2 = np.moveaxis(g, axis, -1)
            flat_s = s2.reshape(-1, s2.shape[-1]); flat_g = g2.reshape(-1, g2.shape[-1])
            out = np.stack([ (np.diag(r) - np.outer(r, r)) @ q for r, q in zip(flat_s, flat_g)]) if flat_s.size else flat_s.copy()
            return np.moveaxis(out.reshape(s2.shape), -1, axis)
        """,
    ),
    (
        "sigmoid_clipped_at_500",
        "activations",
        "sigmoid",
        """
        def sigmoid(x):
            x = np.clip(np.asarray(x, dtype=np.float64), -500, 500)
            return 1/(1+np.exp(-x))
        """,
    ),
    (
        "relu_keeps_its_inputs_dtype",
        "activations",
        "relu",
        """
        def relu(x):
            return np.maximum(x, 0)
        """,
    ),
    (
        "tanh_grad_as_sech_squared",
        "activations",
        "tanh_grad",
        """
        def tanh_grad(x):
            x = np.asarray(x, dtype=np.float64)
            return 1/np.cosh(x)**2
        """,
    ),
    # --- losses ------------------------------------------------------------------------------------
    (
        "huber_strict_less",
        "losses",
        "huber",
        """
        def huber(y_true, y_pred, delta=1.0, reduction="mean"):
            r = np.asarray(y_pred, dtype=np.float64) - y_true; a = np.abs(r)
            per = np.where(a < delta, 0.5*r**2, delta*(a - 0.5*delta))
            if reduction == "mean": return float(per.mean())
            if reduction == "sum": return float(per.sum())
            if reduction == "none": return per
            raise ValueError(reduction)
        """,
    ),
    (
        "huber_grad_where_sign",
        "losses",
        "huber_grad",
        """
        def huber_grad(y_true, y_pred, delta=1.0):
            r = np.asarray(y_pred, dtype=np.float64) - y_true
            return np.where(np.abs(r) <= delta, r, delta*np.sign(r)) / r.size
        """,
    ),
    (
        "one_hot_without_a_range_check",
        "losses",
        "one_hot",
        """
        def one_hot(labels, num_classes):
            return np.eye(num_classes)[np.asarray(labels)]
        """,
    ),
    (
        "one_hot_of_1d_labels_by_fancy_indexing",
        "losses",
        "one_hot",
        """
        def one_hot(labels, num_classes):
            labels = np.asarray(labels).ravel()
            if labels.size and (labels.min() < 0 or labels.max() >= num_classes): raise ValueError("x")
            out = np.zeros((labels.size, num_classes)); out[np.arange(labels.size), labels] = 1.0
            return out
        """,
    ),
    (
        "one_hot_rows_of_a_cached_identity",
        "losses",
        "one_hot",
        """
        _EYES = {}
        def one_hot(labels, num_classes):
            labels = np.asarray(labels)
            if labels.size and (labels.min() < 0 or labels.max() >= num_classes): raise ValueError("x")
            eye = _EYES.setdefault(num_classes, np.eye(num_classes))
            return eye[labels] if labels.ndim else eye[int(labels)]
        """,
    ),
    # --- backprop ----------------------------------------------------------------------------------
    (
        "mlp_backward_from_activation_outputs",
        "backprop",
        "mlp_backward",
        """
        def mlp_backward(x, layers, y_true, loss="mse"):
            t = {"linear": (lambda z: z, lambda a: np.ones_like(a)), "relu": (activations.relu, lambda a: (a > 0).astype(float)),
                 "sigmoid": (activations.sigmoid, lambda a: a*(1-a)), "tanh": (activations.tanh, lambda a: 1-a*a),
                 "leaky_relu": (activations.leaky_relu, lambda a: np.where(a > 0, 1.0, 0.01)), "elu": (activations.elu, lambda a: np.where(a > 0, 1.0, a + 1.0)),
                 "softmax": (activations.softmax, None)}
            lg = {"mse": losses.mse_grad, "mae": losses.mae_grad, "huber": losses.huber_grad, "binary_cross_entropy": losses.binary_cross_entropy_grad, "categorical_cross_entropy": losses.categorical_cross_entropy_grad}
            if loss not in lg: raise ValueError(loss)
            cache = []; a = x
            for W, b, n in layers:
                if n not in t: raise ValueError(n)
                an = t[n][0](a @ W + b); cache.append((a, an)); a = an
            g = lg[loss](y_true, a); out = []
            for (W, _, n), (ap, ao) in zip(layers[::-1], cache[::-1]):
                d = activations.softmax_backward(ao, g) if n == "softmax" else g*t[n][1](ao)
                g, gw, gb = dense_backward(ap, W, d); out.append((gw, gb))
            return out[::-1]
        """,
    ),
    (
        "numgrad_nudges_x_in_place_and_restores_it",
        "backprop",
        "numerical_gradient",
        """
        def numerical_gradient(f, x, h=1e-5):
            g = np.zeros(np.shape(x))
            for i in np.ndindex(g.shape):
                old = x[i]; x[i] = old + h; fp = float(f(x)); x[i] = old - h; fm = float(f(x)); x[i] = old
                g[i] = (fp - fm)/(2*h)
            return g
        """,
    ),
    (
        "chain_forward_as_a_list",
        "backprop",
        "chain_forward",
        """
        def chain_forward(x, ws, bs):
            o = float(x); out = []
            for w, b in zip(ws, bs):
                o = float(activations.sigmoid(np.array(w*o + b))); out.append(o)
            return out
        """,
    ),
    # --- optimizers --------------------------------------------------------------------------------
    (
        "ewa_list_of_averages",
        "optimizers",
        "ewa",
        """
        def ewa(series, beta):
            a = np.asarray(series, dtype=float); out = [a[0]]
            for t in range(1, len(a)): out.append(beta*out[-1] + (1-beta)*a[t])
            return np.array(out)
        """,
    ),
    (
        "momentum_velocity_rearranged",
        "optimizers",
        "momentum_step",
        """
        def momentum_step(w, grad, velocity, lr, beta=0.9):
            v = beta*(velocity - grad) + grad
            return w - lr*v, v
        """,
    ),
    # --- training ----------------------------------------------------------------------------------
    (
        "dropout_keep_lt_one_minus_p",
        "training",
        "dropout",
        """
        def dropout(x, p, rng, training=True):
            x = np.asarray(x, dtype=float)
            if not training or p == 0: return x.copy()
            if p == 1: return np.zeros_like(x)
            return np.where(rng.random(x.shape) < 1 - p, x/(1-p), 0.0)
        """,
    ),
    (
        "dropout_mask_per_unit_via_binomial_count",
        "training",
        "dropout",
        """
        def dropout(x, p, rng, training=True):
            x = np.asarray(x, dtype=float)
            if not training or p == 0: return x.copy()
            if p == 1: return np.zeros_like(x)
            keep = rng.random(x.shape) >= p
            return x*keep/(1-p)
        """,
    ),
    (
        "tlr_sgd_via_minibatch_indices_of_one",
        "training",
        "train_linear_regression",
        """
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
            if rng is None: rng = np.random.default_rng()
            n, d = x.shape; w, b = np.zeros(d), 0.0; hist = np.zeros(epochs)
            for e in range(epochs):
                bs = [np.arange(n)] if method == "gd" else minibatch_indices(n, 1 if method == "sgd" else batch_size, rng)
                for idx in bs:
                    r = x[idx] @ w + b - y[idx]; w = w - lr*2*x[idx].T @ r/len(idx); b = b - lr*2*r.mean()
                hist[e] = np.mean((x @ w + b - y)**2)
            return w, float(b), hist
        """,
    ),
    (
        "dropout_strict_greater_draw",
        "training",
        "dropout",
        """
        def dropout(x, p, rng, training=True):
            x = np.asarray(x, dtype=float)
            if not training or p == 0: return x.copy()
            if p == 1: return np.zeros_like(x)
            return np.where(rng.uniform(size=x.shape) > p, x/(1-p), 0.0)
        """,
    ),
    (
        "minibatch_indices_as_lists",
        "training",
        "minibatch_indices",
        """
        def minibatch_indices(n_samples, batch_size, rng):
            o = rng.permutation(n_samples)
            return [list(o[s:s+batch_size]) for s in range(0, n_samples, batch_size)]
        """,
    ),
    (
        "train_linear_regression_history_as_a_list",
        "training",
        "train_linear_regression",
        """
        _right_tlr = train_linear_regression
        def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
            w, b, h = _right_tlr(x, y, method, lr, epochs, batch_size, rng)
            return w, b, list(h)
        """,
    ),
    # --- conv --------------------------------------------------------------------------------------
    (
        "conv2d_loops",
        "conv",
        "conv2d",
        """
        def conv2d(x, kernel, stride=1, padding=0):
            xp = pad2d(x, padding); fh, fw = kernel.shape
            H = (xp.shape[0]-fh)//stride+1; W = (xp.shape[1]-fw)//stride+1; out = np.zeros((H, W))
            for i in range(H):
                for j in range(W): out[i, j] = np.sum(xp[i*stride:i*stride+fh, j*stride:j*stride+fw]*kernel)
            return out
        """,
    ),
    (
        "conv_out_int_truediv",
        "conv",
        "conv_output_size",
        """
        def conv_output_size(n, f, padding=0, stride=1):
            if f > n + 2*padding: raise ValueError("f")
            return int((n + 2*padding - f) / stride) + 1
        """,
    ),
    (
        "conv2d_stride_by_subsampling",
        "conv",
        "conv2d",
        """
        def conv2d(x, kernel, stride=1, padding=0):
            xp = pad2d(x, padding); fh, fw = kernel.shape
            full = np.array([[np.sum(xp[i:i+fh, j:j+fw]*kernel) for j in range(xp.shape[1]-fw+1)] for i in range(xp.shape[0]-fh+1)])
            return full[::stride, ::stride]
        """,
    ),
    (
        "conv_output_size_as_a_ceiling",
        "conv",
        "conv_output_size",
        """
        import math
        def conv_output_size(n, f, padding=0, stride=1):
            if f > n + 2*padding: raise ValueError("f")
            return math.ceil((n + 2*padding - f + 1) / stride)
        """,
    ),
    (
        "pad2d_np_pad_every_axis_of_a_2d_array",
        "conv",
        "pad2d",
        """
        def pad2d(x, p, mode="zero"):
            if mode not in ("zero", "edge"): raise ValueError(mode)
            if mode == "zero":
                w = [(0, 0)]*(x.ndim-2) + [(p, p), (p, p)]
                return np.pad(x, w)
            return np.pad(x, p, mode="edge") if x.ndim == 2 else np.pad(x, [(0, 0)]*(x.ndim-2) + [(p, p), (p, p)], mode="edge")
        """,
    ),
    (
        "conv2d_multi_einsum_for_one_channel",
        "conv",
        "conv2d_multi",
        """
        def conv2d_multi(x, weight, bias, stride=1, padding=0):
            xp = pad2d(x, padding); fh, fw = weight.shape[2:]
            w = np.lib.stride_tricks.sliding_window_view(xp, (fh, fw), axis=(2, 3))[:, :, ::stride, ::stride]
            out = np.einsum("nhwab,kab->nkhw", w[:, 0], weight[:, 0]) if x.shape[1] == 1 else np.tensordot(w, weight, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)
            return out + bias[None, :, None, None]
        """,
    ),
    # --- rnn ---------------------------------------------------------------------------------------
    (
        "clip_grad_norm_with_np_linalg_norm",
        "rnn",
        "clip_grad_norm",
        """
        def clip_grad_norm(grads, max_norm):
            total = np.sqrt(sum(np.linalg.norm(g)**2 for g in grads))
            coef = min(1.0, max_norm/(total+1e-6))
            return [np.array(g)*coef for g in grads]
        """,
    ),
    (
        "lstm_gates_textbook_sigmoid",
        "rnn",
        "lstm_gates",
        """
        def lstm_gates(x_t, h_prev, W, U, b):
            z = x_t @ W + h_prev @ U + b; zi, zf, zg, zo = np.split(z, 4, axis=-1)
            s = lambda v: 1/(1+np.exp(-v))
            return s(zi), s(zf), np.tanh(zg), s(zo)
        """,
    ),
    # --- rag ---------------------------------------------------------------------------------------
    (
        "cos_eps_tiny",
        "rag",
        "cosine_similarity",
        """
        def cosine_similarity(a, b):
            return (a @ b.T) / (np.outer(np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)) + 1e-12)
        """,
    ),
    (
        "mrr_via_index",
        "rag",
        "mean_reciprocal_rank",
        """
        def mean_reciprocal_rank(retrieved_lists, relevant_sets):
            if len(retrieved_lists) != len(relevant_sets) or not retrieved_lists: raise ValueError("x")
            t = 0.0
            for ranked, rel in zip(retrieved_lists, relevant_sets):
                rel = set(rel); hits = [p for p, d in enumerate(ranked) if d in rel]
                t += 1/(hits[0]+1) if hits else 0.0
            return t/len(retrieved_lists)
        """,
    ),
    (
        "chunk_sentences_split_by_a_regex",
        "rag",
        "chunk_sentences",
        """
        import re as _re
        def chunk_sentences(text, max_words):
            if max_words < 1: raise ValueError("x")
            sents = [s.split() for s in _re.split(r'(?<=[.!?])\\s+', text.strip()) if s.split()]
            chunks, packed = [], []
            for s in sents:
                if len(s) > max_words:
                    if packed: chunks.append(" ".join(packed)); packed = []
                    chunks.extend(" ".join(s[i:i+max_words]) for i in range(0, len(s), max_words))
                elif len(packed) + len(s) <= max_words: packed = packed + s
                else: chunks.append(" ".join(packed)); packed = list(s)
            if packed: chunks.append(" ".join(packed))
            return chunks
        """,
    ),
    # --- finetuning --------------------------------------------------------------------------------
    (
        "lora_r_from_B",
        "finetuning",
        "lora_forward",
        """
        def lora_forward(x, W, A, B, alpha):
            return x @ W + alpha / B.shape[0] * (x @ A @ B)
        """,
    ),
    (
        "lora_params_factored",
        "finetuning",
        "lora_num_params",
        """
        def lora_num_params(d_in, d_out, r):
            return r*(d_in + d_out)
        """,
    ),
    (
        "lora_forward_skips_an_all_zero_adapter",
        "finetuning",
        "lora_forward",
        """
        def lora_forward(x, W, A, B, alpha):
            base = x @ W
            if not np.any(B): return base
            return base + alpha/A.shape[1]*(x @ A @ B)
        """,
    ),
]


@pytest.mark.parametrize(("name", "topic", "function", "source"), WRONG, ids=[v[0] for v in WRONG])
def test_the_audits_wrong_variants_lose_points(tmp_path, name, topic, function, source):
    assert_loses_points(tmp_path / "learner", name, topic, function, source)


@pytest.mark.parametrize(("name", "topic", "function", "source"), RIGHT, ids=[v[0] for v in RIGHT])
def test_right_variants_keep_full_marks(tmp_path, name, topic, function, source):
    assert_keeps_full_marks(tmp_path / "learner", name, topic, function, source)
