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
}
