"""Learner implementations written by an independent implementer (audit D: conv, rnn, backprop,
forward), graded by the hidden suites: each wrong one loses points on its function, and each one
that is right by its docstring, computing or returning differently from the model answers, keeps
full marks. Every variant is a short source appended to a copy of the model answers.

The audit listed what each hidden test actually draws (its 12 derandomized examples, or fewer
where it says so) and looked for what no example reaches. Of the wrong variants, these kept full
marks before the fix (one class each):

- a 0-d input where the docstring says "any shape" (``step``'s z, ``numerical_gradient``'s x):
  every drawn shape has one to three axes, so an input made at least 1-D (``np.atleast_1d``,
  ``ndmin=1``) answered (1,) for () and kept full marks; a check of each now passes 0-d arrays;
- more leading axes than four (``pad2d``'s (..., H, W), ``flatten``'s (N, ...)): the drawn
  arrays have at most four axes, so pad widths or sizes listed per number of axes (2-D to 4-D)
  kept full marks; a check of each now passes a 5-D array (edge padding of a batch included);
- a ValueError of one's own for a stride longer than the padded input (``conv_output_size``,
  ``conv2d``): the answer is one window and no error is stated, but the drawn sizes reach such a
  stride almost never (n + 2p < 4); a check of each now has strides 3 to 5 past inputs of 2 or 3
  (``conv2d_multi`` and the pools already met one);
- ``mlp_backward`` on a batch of one sample: every generated problem has at least two samples
  and the fixed networks three, so a backward pass that special-cases N = 1 (a single sample's δ
  kept as its bias gradient, shape (1, D)) kept full marks; a check now runs the fixed networks
  (and a leaky_relu and an elu hidden layer) on one sample each;
- ``mlp_backward`` with leaky_relu′(0) = 1 (``z >= 0``): no generated pre-activation is ever
  exactly 0 and the fixed networks had no leaky_relu layer; the one-sample check's leaky_relu
  network has a pre-activation of exactly 0 (MLP_X[0] times HIDDEN's first column), where the
  curriculum's leaky_relu_grad(0) = α holds. (relu′(0) = 1 was already caught there.)

Read as right, though they differ from the model answers: ELU′ as exp(z) below 0 (α = 1), the
softmax layer's full Jacobian, a per-sample loop averaged over the batch (``mlp_backward``);
edge padding written by hand; ``flatten`` by ``len``; ``conv_output_size`` counting the windows
with ``len(range(...))``; ``conv2d`` through ``scipy.signal.correlate2d``, subsampled; the
perceptron rule with ±1 labels (the same updates); ``step`` returning a NumPy scalar (×1.0) or
going through ``np.vectorize`` for a 0-d z; ``numerical_gradient`` through ``np.nditer`` or a
flat copy reshaped back; ``rnn_forward`` reading h_T from hs.

Tried and left out of both tables (they lost points already, or are not mistakes): rnn and LSTM
variants (time order, x[t] for x[:, t], a zero first cell state for T = 1, gate blocks) and
pooling variants (a ValueError for a stride past the map or past the window) all lost points;
a ``step`` that keeps its input's dtype differs only for float32 inputs, which the curriculum
does not pass (inputs are float64); a ``clip_grad_norm`` that returns zeros for all-zero
gradients without dividing is the model answer's result.
"""

from __future__ import annotations

import pytest

from ._variants import assert_keeps_full_marks, assert_loses_points

#: an mlp_backward written from scratch with its own derivative table; ``{relu}`` and ``{leaky}``
#: are the relu and leaky_relu derivatives, ``{elu}`` the elu one, ``{softmax}`` the softmax δ
_MLP_BACKWARD = """
def mlp_backward(x, layers, y_true, loss="mse"):
    acts = {{
        "linear": (lambda z: z, lambda z: np.ones_like(z)),
        "relu": (lambda z: np.maximum(z, 0.0), {relu}),
        "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), {leaky}),
        "sigmoid": (activations.sigmoid, activations.sigmoid_grad),
        "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
        "elu": (activations.elu, {elu}),
        "softmax": (activations.softmax, None),
    }}
    lg = {{"mse": losses.mse_grad, "mae": losses.mae_grad, "huber": losses.huber_grad,
          "binary_cross_entropy": losses.binary_cross_entropy_grad,
          "categorical_cross_entropy": losses.categorical_cross_entropy_grad}}
    if loss not in lg: raise ValueError(loss)
    cache = []; a = x
    for W, b, name in layers:
        if name not in acts: raise ValueError(name)
        z = a @ W + b; out = acts[name][0](z); cache.append((a, z, out)); a = out
    g = lg[loss](y_true, a)
    grads = []
    for (W, b, name), (a_prev, z, out) in zip(layers[::-1], cache[::-1]):
        d = {softmax} if name == "softmax" else g * acts[name][1](z)
        grads.append((a_prev.T @ d, d.sum(axis=0)))
        g = d @ W.T
    return grads[::-1]
"""
_RELU = "lambda z: (z > 0).astype(float)"
_LEAKY = "lambda z: np.where(z > 0, 1.0, 0.01)"
_ELU = "activations.elu_grad"
_SOFTMAX = "activations.softmax_backward(out, g)"


def _mlp_backward(**parts: str) -> str:
    table = {"relu": _RELU, "leaky": _LEAKY, "elu": _ELU, "softmax": _SOFTMAX, **parts}
    return _MLP_BACKWARD.format(**table)


#: (id, topic, function, source appended to the model answers' topic file): wrong variants
WRONG = [
    # --- 0-d inputs ("any shape") ------------------------------------------------------------------
    (
        "step_atleast_1d",
        "forward",
        "step",
        """
        def step(z):
            z = np.atleast_1d(np.asarray(z, dtype=float))
            return np.where(z > 0, 1.0, 0.0)
        """,
    ),
    (
        "numerical_gradient_ndmin_1",
        "backprop",
        "numerical_gradient",
        """
        def numerical_gradient(f, x, h=1e-5):
            x = np.array(x, dtype=float, ndmin=1)
            g = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                u = x.copy(); d = x.copy(); u[i] += h; d[i] -= h
                g[i] = (f(u) - f(d)) / (2 * h)
            return g
        """,
    ),
    # --- more than four axes -----------------------------------------------------------------------
    (
        "pad2d_widths_listed_for_2d_to_4d",
        "conv",
        "pad2d",
        """
        def pad2d(x, p, mode="zero"):
            if mode not in ("zero", "edge"): raise ValueError(mode)
            widths = {2: ((p, p), (p, p)), 3: ((0, 0), (p, p), (p, p)),
                      4: ((0, 0), (0, 0), (p, p), (p, p))}[x.ndim]
            return np.pad(x, widths, mode="constant" if mode == "zero" else "edge")
        """,
    ),
    (
        "flatten_sizes_listed_for_1d_to_4d",
        "conv",
        "flatten",
        """
        def flatten(x):
            if x.ndim == 1: return x.reshape(-1, 1).copy()
            if x.ndim == 2: return x.copy()
            if x.ndim == 3: return x.reshape(x.shape[0], x.shape[1] * x.shape[2]).copy()
            N, C, H, W = x.shape
            return x.reshape(N, C * H * W).copy()
        """,
    ),
    # --- a stride longer than the padded input -------------------------------------------------------
    (
        "conv_output_size_raises_for_a_stride_past_the_input",
        "conv",
        "conv_output_size",
        """
        def conv_output_size(n, f, padding=0, stride=1):
            if f > n + 2 * padding: raise ValueError("the filter does not fit")
            if stride > n + 2 * padding: raise ValueError("the stride is longer than the input")
            return (n + 2 * padding - f) // stride + 1
        """,
    ),
    (
        "conv2d_raises_for_a_stride_past_the_image",
        "conv",
        "conv2d",
        """
        _model_conv2d = conv2d
        def conv2d(x, kernel, stride=1, padding=0):
            if stride > min(x.shape) + 2 * padding: raise ValueError("stride larger than the image")
            return _model_conv2d(x, kernel, stride, padding)
        """,
    ),
    # --- a batch of one sample ---------------------------------------------------------------------
    (
        "mlp_backward_one_sample_delta_as_grad_b",
        "backprop",
        "mlp_backward",
        """
        _model_mlp_backward = mlp_backward
        def mlp_backward(x, layers, y_true, loss="mse"):
            grads = _model_mlp_backward(x, layers, y_true, loss=loss)
            if len(x) == 1:  # one sample: its δ is the bias gradient
                return [(gW, gb.reshape(1, -1)) for gW, gb in grads]
            return grads
        """,
    ),
    # --- the kink of leaky_relu --------------------------------------------------------------------
    (
        "mlp_backward_leaky_relu_grad_one_at_zero",
        "backprop",
        "mlp_backward",
        _mlp_backward(leaky="lambda z: np.where(z >= 0, 1.0, 0.01)"),
    ),
    (
        "mlp_backward_relu_grad_one_at_zero",
        "backprop",
        "mlp_backward",
        _mlp_backward(relu="lambda z: (z >= 0).astype(float)"),
    ),
]

#: variants that are right by the docstrings, written differently from the model answers
RIGHT = [
    (
        "mlp_backward_own_derivative_table",
        "backprop",
        "mlp_backward",
        _mlp_backward(),
    ),
    (
        "mlp_backward_elu_grad_as_exp",
        "backprop",
        "mlp_backward",
        _mlp_backward(elu="lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0)))"),
    ),
    (
        "mlp_backward_softmax_full_jacobian",
        "backprop",
        "mlp_backward",
        _mlp_backward(
            softmax='np.einsum("nij,nj->ni", np.einsum("ni,ij->nij", out, np.eye(out.shape[1]))'
            ' - np.einsum("ni,nj->nij", out, out), g)'
        ),
    ),
    (
        "mlp_backward_one_sample_at_a_time",
        "backprop",
        "mlp_backward",
        """
        _model_mlp_backward = mlp_backward
        def mlp_backward(x, layers, y_true, loss="mse"):
            N = len(x); total = None
            for n in range(N):  # each sample's gradient, with its share 1/N of the mean loss
                g = _model_mlp_backward(x[n:n + 1], layers, y_true[n:n + 1], loss=loss)
                g = [(gW / N, gb / N) for gW, gb in g]
                total = g if total is None else [(a + c, b + d) for (a, b), (c, d) in zip(total, g)]
            return total
        """,
    ),
    (
        "numerical_gradient_nditer",
        "backprop",
        "numerical_gradient",
        """
        def numerical_gradient(f, x, h=1e-5):
            x = np.asarray(x, dtype=float)
            grad = np.zeros_like(x)
            it = np.nditer(x, flags=["multi_index"])
            for _ in it:
                i = it.multi_index
                up = x.copy(); up[i] += h
                dn = x.copy(); dn[i] -= h
                grad[i] = (f(up) - f(dn)) / (2 * h)
            return grad
        """,
    ),
    (
        "numerical_gradient_flat_copy_reshaped",
        "backprop",
        "numerical_gradient",
        """
        def numerical_gradient(f, x, h=1e-5):
            shape = np.shape(x)
            flat = np.array(x, dtype=float).ravel()
            grad = np.empty(flat.size)
            for i in range(flat.size):
                e = np.zeros(flat.size); e[i] = h
                grad[i] = (f((flat + e).reshape(shape)) - f((flat - e).reshape(shape))) / (2 * h)
            return grad.reshape(shape)
        """,
    ),
    (
        "step_times_one",
        "forward",
        "step",
        """
        def step(z):
            return (np.asarray(z) > 0) * 1.0
        """,
    ),
    (
        "step_vectorize",
        "forward",
        "step",
        """
        def step(z):
            return np.vectorize(lambda v: 1.0 if v > 0 else 0.0, otypes=[float])(z)
        """,
    ),
    (
        "perceptron_train_plus_minus_one_labels",
        "forward",
        "perceptron_train",
        """
        def perceptron_train(x, y, lr=0.1, epochs=10):
            t = np.where(np.asarray(y) > 0, 1.0, -1.0)
            w = np.zeros(x.shape[1]); b = 0.0
            for _ in range(epochs):
                for xi, ti in zip(x, t):
                    guess = 1.0 if xi @ w + b > 0 else -1.0
                    if guess != ti:
                        w = w + lr * ti * xi
                        b = b + lr * ti
            return w, b
        """,
    ),
    (
        "pad2d_edge_by_hand",
        "conv",
        "pad2d",
        """
        def pad2d(x, p, mode="zero"):
            if mode not in ("zero", "edge"): raise ValueError(mode)
            out = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(p, p), (p, p)])
            if mode == "zero" or p == 0: return out
            H, W = x.shape[-2:]
            out[..., :p, p:p + W] = x[..., :1, :]
            out[..., p + H:, p:p + W] = x[..., -1:, :]
            out[..., :, :p] = out[..., :, p:p + 1]
            out[..., :, p + W:] = out[..., :, p + W - 1:p + W]
            return out
        """,
    ),
    (
        "conv_output_size_counting_windows",
        "conv",
        "conv_output_size",
        """
        def conv_output_size(n, f, padding=0, stride=1):
            if f > n + 2 * padding: raise ValueError("the filter does not fit")
            return len(range(0, n + 2 * padding - f + 1, stride))
        """,
    ),
    (
        "flatten_by_len",
        "conv",
        "flatten",
        """
        def flatten(x):
            return np.reshape(x, (len(x), -1)).copy()
        """,
    ),
    (
        "conv2d_scipy_correlate2d",
        "conv",
        "conv2d",
        """
        from scipy.signal import correlate2d
        def conv2d(x, kernel, stride=1, padding=0):
            return correlate2d(pad2d(x, padding), kernel, mode="valid")[::stride, ::stride]
        """,
    ),
    (
        "rnn_forward_h_T_read_from_hs",
        "rnn",
        "rnn_forward",
        """
        def rnn_forward(x, h0, Wx, Wh, b):
            N, T, D = x.shape
            hs = np.zeros((N, T, h0.shape[1]))
            for t in range(T):
                hs[:, t] = rnn_cell(x[:, t], hs[:, t - 1] if t else h0, Wx, Wh, b)
            return hs, (hs[:, -1].copy() if T else h0.copy())
        """,
    ),
]


@pytest.mark.parametrize(("name", "topic", "function", "source"), WRONG, ids=[v[0] for v in WRONG])
def test_the_audits_wrong_variants_lose_points(tmp_path, name, topic, function, source):
    assert_loses_points(tmp_path / "learner", name, topic, function, source)


@pytest.mark.parametrize(("name", "topic", "function", "source"), RIGHT, ids=[v[0] for v in RIGHT])
def test_right_variants_keep_full_marks(tmp_path, name, topic, function, source):
    assert_keeps_full_marks(tmp_path / "learner", name, topic, function, source)
