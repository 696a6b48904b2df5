"""Worker-side looks at objects that stay in the worker (e.g. the faiss index a learner built).

A probe reads an object through its public API and returns plain data; the trusted grader then
judges that data. Probes never decide a grade themselves.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def index_search(index: Any, queries: np.ndarray, k: int) -> dict[str, Any]:
    """``ntotal`` and ``search(queries, k)`` of a faiss-like index."""
    scores, ids = index.search(np.ascontiguousarray(queries, dtype=np.float32), int(k))
    return {
        "type": type(index).__name__,
        "ntotal": int(index.ntotal),
        "scores": np.asarray(scores, dtype=np.float64),
        "ids": np.asarray(ids, dtype=np.int64),
    }


PROBES = {"index_search": index_search}


def run(name: str, *args: Any) -> Any:
    if name not in PROBES:
        raise KeyError(f"unknown probe {name!r}")
    return PROBES[name](*args)
