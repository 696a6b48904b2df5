"""How good a retrieval is: recall@k and mean reciprocal rank over ranked ids (re-exported by
:mod:`reference.rag`, the evaluation stage of its pipeline)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch

from reference._validate import require_int


def _ids(fn: str, name: str, values: Iterable[Any]) -> list[int]:
    if isinstance(values, torch.Tensor | np.ndarray):
        values = values.tolist()
    if isinstance(values, str):
        raise TypeError(f"{fn}: {name} must hold ids, got a str")
    return [int(v) for v in values]


def recall_at_k(retrieved: Sequence[int], relevant: Iterable[int], k: int) -> float:
    """Fraction of the relevant ids found among the first k retrieved ids (one query).

    recall@k = |set(retrieved[:k]) ∩ set(relevant)| / |set(relevant)|. An id retrieved (or listed
    relevant) twice counts once; a ranking shorter than k is used whole. Recall is undefined
    without relevant ids, so an empty ``relevant`` raises ``ValueError``.

    Args:
        retrieved: ranked ids, best first (list, tuple, 1-D array or tensor of ints).
        relevant: the ids that answer the query (any iterable of ints; duplicates ignored).
        k: cut-off, ≥ 1.

    Returns:
        A Python float in [0, 1].
    """
    fn = "recall_at_k"
    k = require_int(fn, "k", k, minimum=1)
    ranked = _ids(fn, "retrieved", retrieved)
    wanted = set(_ids(fn, "relevant", relevant))
    if not wanted:
        raise ValueError(f"{fn}: relevant is empty; recall needs at least one relevant id")
    return len(set(ranked[:k]) & wanted) / len(wanted)


def mean_reciprocal_rank(
    retrieved_lists: Sequence[Sequence[int]], relevant_sets: Sequence[Iterable[int]]
) -> float:
    """Mean over queries of 1 / (rank of the first relevant id), ranks counted from 1.

    MRR = (1/Q) Σ_q RR_q, RR_q = 1 / min{r : retrieved_q[r − 1] ∈ relevant_q}, and RR_q = 0
    when no retrieved id of query q is relevant (including an empty relevant set). Every query
    counts in the mean.

    Args:
        retrieved_lists: Q ≥ 1 rankings, best first.
        relevant_sets: Q collections of relevant ids, one per ranking.

    Returns:
        A Python float in [0, 1].
    """
    fn = "mean_reciprocal_rank"
    if len(retrieved_lists) != len(relevant_sets):
        raise ValueError(
            f"{fn}: retrieved_lists has {len(retrieved_lists)} rankings but relevant_sets has "
            f"{len(relevant_sets)} sets"
        )
    if len(retrieved_lists) == 0:
        raise ValueError(f"{fn}: retrieved_lists is empty; need at least one query")
    total = 0.0
    for q, (ranked, relevant) in enumerate(zip(retrieved_lists, relevant_sets, strict=True)):
        wanted = set(_ids(fn, f"relevant_sets[{q}]", relevant))
        for rank, doc in enumerate(_ids(fn, f"retrieved_lists[{q}]", ranked), start=1):
            if doc in wanted:
                total += 1.0 / rank
                break
    return total / len(retrieved_lists)
