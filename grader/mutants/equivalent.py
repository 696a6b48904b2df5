"""Surviving mutants that are the model answer on everything the docstrings allow.

Keyed by :attr:`grader.mutants.operators.Mutant.key` (``topic.function: before → after``); the
value says why no learner is wronged by the suite not telling them apart. A survivor that is
not listed is a hole to close, or a new equivalent to add here with its reason.
"""

from __future__ import annotations

#: at the kink both branches give the same value: ``x > 0`` and ``x >= 0`` agree
_KINK = "both branches agree where the comparison changes (at 0, or |r| = δ)"
#: 2-D inputs (the docstring's shape): axis 1 and -1, 0 and -2 are the same axis
_TWO_D = "the docstring's inputs are 2-D: the two axes are the same one"
#: the norm of a zero row is replaced before dividing: the replacement only divides zeros
_ZERO_ROW = "only a zero row is divided by it, and 0 / c is 0 for any c ≠ 0"
#: zip(..., strict=True) only turns unequal lengths into an error: the docstrings' are equal
_STRICT = "the lengths are equal on every input the docstring allows"
#: the residual enters squared or through its absolute value only
_SIGN = "the residual enters through |r| or r² only: its sign does not matter"
#: a zero vector has no direction: the docstrings of build_index, top_k and search say nothing of
#: it (cosine_similarity's does: 0, and it is graded there), so it is not graded
_NO_DIRECTION = "differs only for an all-zero vector, which the docstring leaves unspecified"
#: search's pool grows while its last candidate ties the k-th: these grow it at least as often
_GROWS = "grows the candidate pool whenever the answer's rule does (only more candidates)"

EQUIVALENT: dict[str, str] = {
    "activations.sigmoid: return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z)) → "
    "return np.where(x > 0, 1.0 / (1.0 + z), z / (1.0 + z))": _KINK,
    "activations.leaky_relu: return np.where(x > 0, x, alpha * x) → "
    "return np.where(x >= 0, x, alpha * x)": _KINK,
    "activations.elu: return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0))) → "
    "return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0.0)))": _KINK,
    "activations.elu: return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0))) → "
    "return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 1.0)))": "np.where keeps x for x > 0: "
    "the clipped branch is read only where x ≤ 0, below both bounds",
    "activations.elu_grad: return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0))) → "
    "return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 1.0)))": "the clipped branch is "
    "read only where x ≤ 0",
    "activations.prelu: return np.where(x > 0, x, np.asarray(alpha) * x) → "
    "return np.where(x >= 0, x, np.asarray(alpha) * x)": _KINK,
    "activations.leaky_relu_grad: return np.where(x > 0, 1.0, alpha) * np.ones_like(x) → "
    "return np.where(x > 0, 1.0, alpha) / np.ones_like(x)": "dividing by ones is multiplying",
    "activations.prelu_grad: grad_x = np.where(x > 0, 1.0, alpha) * np.ones_like(x) → "
    "grad_x = np.where(x > 0, 1.0, alpha) / np.ones_like(x)": "dividing by ones is multiplying",
    "activations.prelu_grad: per_element = np.where(x > 0, 0.0, x) → "
    "per_element = np.where(x >= 0, 0.0, x)": _KINK,
    "activations.prelu_grad: per_channel = per_element.reshape(-1, x.shape[-1]).sum(axis=0) → "
    "per_channel = per_element.reshape(-2, x.shape[-1]).sum(axis=0)": "NumPy reads any negative "
    "size as 'the rest'",
    "activations.prelu_grad: per_channel = per_element.reshape(-1, x.shape[-1]).sum(axis=0) → "
    "per_channel = per_element.reshape(-1, x.shape[-1]).sum(axis=-2)": _TWO_D,
    "rnn.lstm_gates: return np.where(v >= 0, 1.0 / (1.0 + e), e / (1.0 + e)) → "
    "return np.where(v > 0, 1.0 / (1.0 + e), e / (1.0 + e))": _KINK,
    "rnn.lstm_gates: z_i, z_f, z_g, z_o = np.split(z, 4, axis=-1) → "
    "z_i, z_f, z_g, z_o = np.split(z, 4, axis=1)": _TWO_D,
    "losses.huber: per = np.where(a <= delta, 0.5 * r ** 2, delta * (a - 0.5 * delta)) → "
    "per = np.where(a < delta, 0.5 * r ** 2, delta * (a - 0.5 * delta))": _KINK,
    "losses.mse: sq = (np.asarray(y_pred, dtype=np.float64) - y_true) ** 2 → "
    "sq = (y_true - np.asarray(y_pred, dtype=np.float64)) ** 2": "(a − b)² = (b − a)²",
    "losses.one_hot: if labels.size and (labels.min() < 0 or labels.max() >= num_classes): → "
    "if labels.size and (labels.min() < 0 or labels.max() > num_classes):": "a label equal to "
    "C is outside the docstring's [0, C); no error is stated for it (indexing then raises)",
    "conv.conv_output_size: return int((padded - f) // stride + 1) → "
    "return int((padded - f) / stride + 1)": "int() truncates a non-negative quotient as // does",
    "conv.pool_output_size: return int((n - size) // stride + 1) → "
    "return int((n - size) / stride + 1)": "int() truncates a non-negative quotient as // does",
    "forward.perceptron_train: w = w + lr * error * xi → w = w + lr / error * xi": "an update "
    "happens only on a mistake, where error is ±1: dividing by it is multiplying",
    "forward.perceptron_train: b = b + lr * error → b = b + lr / error": "error is ±1 on an update",
    "training.dropout: keep = rng.random(np.shape(x)) >= p → "
    "keep = rng.random(np.shape(x)) > p": "a uniform draw equals p with probability 0",
    "training.dropout: if p == 1: → if p == 2:": "p = 1 still returns zeros (every draw < 1); "
    "only NumPy's divide warning differs, inside np.where's unused branch",
    "training.dropout: if p == 1: → if p == 0:": "p = 0 returns x above; p = 1 still zeros",
    "training.early_stopping: best, best_epoch, waited = (np.inf, 0, 0) → "
    "best, best_epoch, waited = (np.inf, 1, 0)": "epoch 0 always improves on +inf (finite losses)",
    "training.early_stopping: best, best_epoch, waited = (np.inf, 0, 0) → "
    "best, best_epoch, waited = (np.inf, 0, 1)": "epoch 0 always improves and resets the count",
    "training.early_stopping: if waited >= patience and epoch > 0: → "
    "if waited >= patience and epoch >= 0:": "at epoch 0 the count is 0 (it improved)",
    "rag.chunk_text: if chunk_size < 1: → if chunk_size < 0:": "chunk_size 0 then fails the "
    "overlap check (0 ≥ 0) with the same ValueError",
    "rag.chunk_text: if overlap < 0 or overlap >= chunk_size: → "
    "if overlap < 0 or overlap > chunk_size:": "overlap = chunk_size then makes range() step 0: "
    "the same ValueError",
    "rag.chunk_sentences: if max_words < 1: → if max_words < 0:": "max_words 0 then reaches "
    "chunk_text, which raises the same ValueError",
    "rag.chunk_sentences: if len(sentence) > max_words: → if len(sentence) >= max_words:": "a "
    "sentence of exactly max_words words is a chunk of its own either way",
    "forward.perceptron_train: for xi, yi in zip(x, y, strict=True): → for xi, yi in zip(x, y, strict=False):": _STRICT,
    "forward.perceptron_train: error = yi - (1.0 if xi @ w + b > 0 else 0.0) → error = yi - (1.0 if w @ xi + b > 0 else 0.0)": "x_i and w are 1-D: x_i @ w is w @ x_i",
    "losses.mae: err = np.abs(np.asarray(y_pred, dtype=np.float64) - y_true) → err = np.abs(y_true - np.asarray(y_pred, dtype=np.float64))": _SIGN,
    "losses.huber: r = np.asarray(y_pred, dtype=np.float64) - y_true → r = y_true - np.asarray(y_pred, dtype=np.float64)": _SIGN,
    "losses.categorical_cross_entropy: per_sample = -np.sum(y_true * np.log(p), axis=1) → per_sample = -np.sum(y_true * np.log(p), axis=-1)": _TWO_D,
    "backprop.dense_backward: return (grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=0)) → return (grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=-2))": _TWO_D,
    "backprop.mlp_backward: for (W, _, name), (a_prev, z, a_out) in zip(layers[::-1], cache[::-1], strict=True): → for (W, _, name), (a_prev, z, a_out) in zip(layers[::-1], cache[::-1], strict=False):": _STRICT,
    "backprop.chain_forward: for k, (w, b) in enumerate(zip(ws, bs, strict=True)): → for k, (w, b) in enumerate(zip(ws, bs, strict=False)):": _STRICT,
    "training.train_linear_regression: history[epoch] = np.mean((x @ w + b - y) ** 2) → history[epoch] = np.mean((y - (x @ w + b)) ** 2)": _SIGN,
    "rag.embed: norms = np.linalg.norm(v, axis=1, keepdims=True) → norms = np.linalg.norm(v, axis=-1, keepdims=True)": _TWO_D,
    "rag.embed: v = np.asarray(model.encode(list(texts), convert_to_numpy=True), dtype=np.float32) → v = np.asarray(model.encode(list(texts), convert_to_numpy=False), dtype=np.float32)": "np.asarray reads the model's tensor as its array: the same float32 numbers",
    "rag.embed: return (v / np.where(norms == 0, 1.0, norms)).astype(np.float32) → return (v / np.where(norms == 0, 2.0, norms)).astype(np.float32)": _ZERO_ROW,
    "rag.build_index: norms = np.linalg.norm(x, axis=1, keepdims=True) → norms = np.linalg.norm(x, axis=-1, keepdims=True)": _TWO_D,
    "rag.build_index: x = np.ascontiguousarray(x / np.where(norms == 0, 1.0, norms), dtype=np.float32) → x = np.ascontiguousarray(x / np.where(norms == 0, 2.0, norms), dtype=np.float32)": _ZERO_ROW,
    "rag.build_index: x = np.ascontiguousarray(x / np.where(norms == 0, 1.0, norms), dtype=np.float32) → x = np.ascontiguousarray(x / np.where(norms == 0, 0.0, norms), dtype=np.float32)": _NO_DIRECTION,
    "rag.build_index: x = np.ascontiguousarray(x / np.where(norms == 0, 1.0, norms), dtype=np.float32) → x = np.ascontiguousarray(x / np.where(norms == 1, 1.0, norms), dtype=np.float32)": _NO_DIRECTION,
    "rag.cosine_similarity: na = np.linalg.norm(a, axis=1, keepdims=True) → na = np.linalg.norm(a, axis=-1, keepdims=True)": _TWO_D,
    "rag.cosine_similarity: nb = np.linalg.norm(b, axis=1, keepdims=True) → nb = np.linalg.norm(b, axis=-1, keepdims=True)": _TWO_D,
    "rag.cosine_similarity: a_unit = a / np.where(na == 0, 1.0, na) → a_unit = a / np.where(na == 0, 2.0, na)": _ZERO_ROW,
    "rag.cosine_similarity: b_unit = b / np.where(nb == 0, 1.0, nb) → b_unit = b / np.where(nb == 0, 2.0, nb)": _ZERO_ROW,
    "rag.top_k: nm = np.linalg.norm(matrix, axis=1, keepdims=True) → nm = np.linalg.norm(matrix, axis=-1, keepdims=True)": _TWO_D,
    "rag.top_k: scores = (m_unit * q_unit).sum(axis=1) → scores = (m_unit * q_unit).sum(axis=-1)": _TWO_D,
    "rag.top_k: q_unit = query / (nq if nq > 0 else 1.0) → q_unit = query / (nq if nq >= 0 else 1.0)": _NO_DIRECTION,
    "rag.top_k: q_unit = query / (nq if nq > 0 else 1.0) → q_unit = query / (nq if nq > 0 else 2.0)": _ZERO_ROW,
    "rag.top_k: q_unit = query / (nq if nq > 0 else 1.0) → q_unit = query / (nq if nq > 0 else 0.0)": _NO_DIRECTION,
    "rag.top_k: m_unit = matrix / np.where(nm == 0, 1.0, nm) → m_unit = matrix / np.where(nm == 0, 2.0, nm)": _ZERO_ROW,
    "rag.top_k: raise ValueError(f'top_k: k must be between 1 and {matrix.shape[0]}, got {k}') → raise ValueError(f'top_k: k must be between 1 and {matrix.shape[1]}, got {k}')": "only the error message's wording changes",
    "rag.search: norms = np.linalg.norm(q, axis=1, keepdims=True) → norms = np.linalg.norm(q, axis=-1, keepdims=True)": _TWO_D,
    "rag.search: m = min(n, 2 * k) → m = min(n, 3 * k)": "more candidates than needed: the same k best once sorted",
    "rag.search: q = np.ascontiguousarray(q / np.where(norms == 0, 1.0, norms), dtype=np.float32) → q = np.ascontiguousarray(q / np.where(norms == 0, 2.0, norms), dtype=np.float32)": _ZERO_ROW,
    "rag.search: q = np.ascontiguousarray(q / np.where(norms == 0, 1.0, norms), dtype=np.float32) → q = np.ascontiguousarray(q / np.where(norms == 0, 0.0, norms), dtype=np.float32)": _NO_DIRECTION,
    "rag.search: m = min(n, 2 * m) → m = min(n, 3 * m)": "more candidates than needed: the same k best once sorted",
    "rag.search: q = np.ascontiguousarray(q / np.where(norms == 0, 1.0, norms), dtype=np.float32) → q = np.ascontiguousarray(q / np.where(norms == 1, 1.0, norms), dtype=np.float32)": _NO_DIRECTION,
    "rag.search: while m < n and np.any(scores[:, m - 1] == scores[:, k - 1]): → while m < n and np.any(scores[:, m - 1] == scores[:, 1 - k]):": _GROWS,
    "rag.search: while m < n and np.any(scores[:, m - 1] == scores[:, k - 1]): → while m < n and np.any(scores[:, m - 2] == scores[:, k - 1]):": _GROWS,
    "rag.search: while m < n and np.any(scores[:, m - 1] == scores[:, k - 1]): → while m < n and np.any(scores[:, m - 1] == scores[:, k - 0]):": _GROWS,
    "rag.mean_reciprocal_rank: for ranked, relevant in zip(retrieved_lists, relevant_sets, strict=True): → for ranked, relevant in zip(retrieved_lists, relevant_sets, strict=False):": _STRICT,
}
