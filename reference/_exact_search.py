"""The exact top k of queries against a faiss index, the machinery of ``reference.rag.search``.

faiss scores in float32, which may round two identical stored vectors differently and so cannot
order ties. Here every vector within :data:`FAISS_TOL` of the k-th float32 score is a candidate,
the candidates are scored again in float64 from the stored vectors (float32 × float32 products
are exact there, and every row is summed the same way, so identical rows tie exactly), and they
are sorted by descending score, ties to the lower id.

- An ``IndexFlatIP`` (:func:`search_flat`): the float32 pass is one BLAS product with the index's
  own storage (no copy; moved onto huge pages once, :mod:`reference._hugepages`), the k-th score
  found by ``np.partition``. For one query this is a matrix-vector product followed by as few
  steps as possible (after it streamed the storage through the cache, each step runs cold).
- Any other index (:func:`search_faiss`): faiss's own search, fetching 2k candidates and
  doubling while the last one still scores within the tolerance of the k-th.

Queries arrive here as float32 host arrays (Q, D), L2-normalised by :func:`unit_queries`.
"""

from __future__ import annotations

import faiss
import numpy as np
import torch

from reference import _hugepages

#: faiss computes scores in float32; a candidate within this of the k-th score may be a tie.
FAISS_TOL = 1e-4

#: Queries scored together in one float32 matrix product on the flat path (bounds its memory).
QUERY_BLOCK = 64


def unit_queries(q: np.ndarray) -> np.ndarray:
    """q_i / ‖q_i‖ for every row of q (Q, D) float32; a zero row stays zero."""
    if len(q) == 1:  # one query: one dot product, no einsum set-up
        norm = np.sqrt(np.dot(q[0], q[0]))
        return q / norm if norm > 0 else q.copy()
    norm = np.sqrt(np.einsum("qd,qd->q", q, q))[:, None]  # (Q, 1)
    return q / np.where(norm > 0, norm, np.float32(1.0))


#: torch float dtypes NumPy has, and NumPy's name for each
NUMPY_FLOATS = {torch.float16: np.float16, torch.float32: np.float32, torch.float64: np.float64}


def flat_vectors(index: faiss.IndexFlatIP) -> np.ndarray:
    """The index's stored vectors (N, D) float32, a view of faiss's own memory (no copy).

    Views are kept by (address, N, D) of the storage: a key names the memory it views, so a view
    found is right for any index whose storage is there now (one freed and another built at the
    same place included), and the storage is moved onto huge pages once, when first seen.
    """
    address, n, d = int(index.get_xb()), index.ntotal, index.d
    xb = _VIEWS.get((address, n, d))
    if xb is None:
        xb = faiss.rev_swig_ptr(index.get_xb(), n * d).reshape(n, d)
        _hugepages.collapse(xb)
        if len(_VIEWS) >= 64:  # indexes come and go: keep the cache small
            _VIEWS.clear()
        _VIEWS[(address, n, d)] = xb
    return xb


#: (storage address, N, D) → a view of an IndexFlatIP's storage (see :func:`flat_vectors`)
_VIEWS: dict[tuple[int, int, int], np.ndarray] = {}


def _row_dots64(q: np.ndarray, stored: np.ndarray) -> np.ndarray:
    """⟨q, row⟩ in float64 for every row of ``stored`` (M, D); float32 × float32 products are
    exact in float64, and every row is summed the same way, so identical rows tie exactly."""
    return (stored.astype(np.float64) * q.astype(np.float64)).sum(axis=-1)  # (..., M)


def search_flat(index: faiss.IndexFlatIP, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top k against an ``IndexFlatIP``: float32 BLAS pass, float64 re-rank (Q, k)."""
    xb = flat_vectors(index)  # (N, D)
    if len(q) == 1:  # one query: a matrix-vector product, as few steps as possible after it
        ids, scores = _top_k_exact(xb, q[0], xb @ q[0], k)
        return ids[None], scores[None]
    ids, scores = np.empty((len(q), k), dtype=np.int64), np.empty((len(q), k))
    for lo in range(0, len(q), QUERY_BLOCK):
        block = q[lo : lo + QUERY_BLOCK] @ xb.T  # (B, N) float32
        for row, s32 in enumerate(block, start=lo):
            ids[row], scores[row] = _top_k_exact(xb, q[row], s32, k)
    return ids, scores


def _top_k_exact(
    xb: np.ndarray, q: np.ndarray, s32: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The exact top k (ids, float64 scores) of one query q (D,), given its float32 scores s32
    (N,) against the stored vectors xb (N, D): every vector within ``FAISS_TOL`` of the k-th
    float32 score is re-scored in float64 and sorted by descending score, ties to the lower id.
    (After the product streamed all of xb through the cache, each step here runs cold: keep
    them few.)"""
    n = len(s32)
    kth = np.partition(s32, n - k)[n - k]  # the k-th largest float32 score
    cand = np.flatnonzero(s32 >= kth - FAISS_TOL)  # (M,) ascending ids, M ≥ k
    exact = _row_dots64(q, xb[cand])  # (M,)
    best = np.argsort(-exact, kind="stable")[:k]  # stable: ties keep ascending id
    return cand[best], exact[best]


def search_faiss(index: faiss.Index, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top k through faiss's own search (any index type), (Q, k)."""
    n = index.ntotal
    fetch = min(n, 2 * k)
    threads = faiss.omp_get_max_threads()
    if len(q) == 1:
        faiss.omp_set_num_threads(1)  # one query: thread start-up costs more than it saves
    try:
        while True:
            faiss_scores, ids = index.search(q, fetch)  # (Q, fetch), descending scores
            # An unfetched vector scores <= the last candidate; stop once that is clearly below
            # every query's k-th score.
            last, kth = faiss_scores[:, fetch - 1], faiss_scores[:, k - 1]
            if fetch == n or bool((last < kth - FAISS_TOL).all()):
                break
            fetch = min(n, 2 * fetch)
    finally:
        faiss.omp_set_num_threads(threads)
    try:
        stored = index.reconstruct_batch(ids.ravel()).reshape(len(q), fetch, index.d)
        scores = _row_dots64(q[:, None, :], stored)  # (Q, fetch)
    except RuntimeError:  # e.g. an IVF index without a direct map
        scores = faiss_scores.astype(np.float64)
    by_id = np.argsort(ids, axis=1, kind="stable")  # first ascending id ...
    ids, scores = np.take_along_axis(ids, by_id, 1), np.take_along_axis(scores, by_id, 1)
    by_score = np.argsort(-scores, axis=1, kind="stable")[:, :k]  # ... then descending score
    return np.take_along_axis(ids, by_score, 1), np.take_along_axis(scores, by_score, 1)
