"""Property checks for functions whose exact output depends on how randomness is used.

A learner may draw random numbers in any valid way, so ``dropout`` or ``minibatch_indices`` are
checked by what must hold for every correct answer. Each check takes
``(actual, args, kwargs, reference_output)`` and returns ``None`` or a one-line problem.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np


def _arg(args: list[Any], kwargs: dict[str, Any], i: int, name: str, default: Any = None) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[i] if len(args) > i else default


def check_dropout(actual: Any, args: list[Any], kwargs: dict[str, Any], _: Any) -> str | None:
    """Inverted dropout: zeros or x/(1−p); drop rate within 4σ of p; identity out of training."""
    x = np.asarray(_arg(args, kwargs, 0, "x"), dtype=np.float64)
    p = float(_arg(args, kwargs, 1, "p"))
    training = _arg(args, kwargs, 3, "training", True)
    out = np.asarray(actual, dtype=np.float64)
    if out.shape != x.shape:
        return f"output has shape {out.shape}, expected {x.shape} (same as x)"
    if not training or p == 0.0:
        return (
            None
            if np.array_equal(out, x)
            else "with training=False (or p=0) dropout must return x unchanged"
        )
    if p >= 1.0:
        return None if not out.any() else "with p=1 every unit is dropped: expected all zeros"
    nonzero = x != 0
    kept = nonzero & (out != 0)
    scaled_ok = np.allclose(out[kept], x[kept] / (1 - p), rtol=1e-9, atol=0)
    if not scaled_ok:
        if np.allclose(out[kept], x[kept]):
            return "kept units equal x: inverted dropout must rescale them by 1/(1−p)"
        if p > 0 and np.allclose(out[kept], x[kept] / p):
            return "kept units equal x/p: keep each unit with probability 1−p and scale by 1/(1−p)"
        return "kept units should equal x/(1−p)"
    dropped = (out == 0) & nonzero
    n = int(nonzero.sum())
    if n == 0:
        return None
    rate = dropped.sum() / n
    sigma = math.sqrt(p * (1 - p) / n)
    if abs(rate - p) > 4 * sigma + 1e-12:
        hint = (
            " (did you keep units with probability p instead of 1−p?)"
            if abs(rate - (1 - p)) < 4 * sigma
            else ""
        )
        return f"dropped {rate:.3f} of the units, expected about p={p}{hint}"
    return None


def check_partition(actual: Any, args: list[Any], kwargs: dict[str, Any], _: Any) -> str | None:
    """Mini-batches: every index exactly once, batch_size per batch except a smaller last one."""
    n = int(_arg(args, kwargs, 0, "n_samples"))
    size = int(_arg(args, kwargs, 1, "batch_size"))
    try:
        arrays = [np.asarray(b) for b in actual]
    except Exception:
        return f"expected a list of index arrays, got {type(actual).__name__}"
    for i, batch in enumerate(arrays):
        if batch.dtype.kind not in "iu":  # the docstring says integer arrays; so does grading
            return f"batch {i} should be an integer index array, got {batch.dtype}"
    batches = [b.astype(np.int64).ravel() for b in arrays]
    expected_count = math.ceil(n / size)
    if len(batches) != expected_count:
        return f"expected {expected_count} batches of at most {size} for {n} samples, got {len(batches)}"
    if any(len(b) != size for b in batches[:-1]) or (batches and not 0 < len(batches[-1]) <= size):
        return f"every batch but the last must hold exactly {size} indices"
    flat = np.concatenate(batches) if batches else np.array([], dtype=np.int64)
    if sorted(flat.tolist()) != list(range(n)):
        return f"the batches must use every index 0..{n - 1} exactly once"
    if n > 8 and np.array_equal(flat, np.arange(n)):
        return "the indices are in order: shuffle them with rng"
    return None


def check_training_loss(
    actual: Any, args: list[Any], kwargs: dict[str, Any], reference: Any
) -> str | None:
    """Stochastic training: shapes right, one loss per epoch, final loss near the reference's."""
    try:
        w, b, history = actual
    except (TypeError, ValueError):
        return "expected (w, b, loss_history)"
    ref_w, _, ref_history = reference
    if np.shape(w) != np.shape(ref_w) or np.ndim(b) != 0:
        return f"w should have shape {np.shape(ref_w)} and b be a scalar"
    if len(history) != len(ref_history):
        return (
            f"loss_history should hold one loss per epoch ({len(ref_history)}), got {len(history)}"
        )
    final, ref_final = float(history[-1]), float(ref_history[-1])
    if not math.isfinite(final) or final > 1.5 * ref_final + 1e-3:
        return f"final loss {final:.4g} is far above what this method reaches ({ref_final:.4g})"
    return None


def check_faiss_index(actual: Any, args: list[Any], kwargs: dict[str, Any], _: Any) -> str | None:
    """An inner-product index holding every vector: search equals brute-force inner products."""
    vectors = np.asarray(_arg(args, kwargs, 0, "embeddings"), dtype=np.float32)
    if not hasattr(actual, "search") or not hasattr(actual, "ntotal"):
        return f"expected a faiss index, got {type(actual).__name__}"
    if actual.ntotal != len(vectors):
        return f"the index holds {actual.ntotal} vectors, expected {len(vectors)}"
    k = min(3, len(vectors))
    scores, _ = actual.search(vectors, k)
    brute = np.sort(vectors @ vectors.T, axis=1)[:, ::-1][:, :k]
    if not np.allclose(scores, brute, atol=1e-4):
        return "the index's scores are not inner products (use faiss.IndexFlatIP)"
    return None


CHECKS: dict[str, Callable[[Any, list[Any], dict[str, Any], Any], str | None]] = {
    "dropout": check_dropout,
    "partition": check_partition,
    "training_loss": check_training_loss,
    "faiss_index": check_faiss_index,
}
