"""The grader's own failure, apart from the engine so that processes which only collect results
(a pool's parent, a Dask client) can catch it without importing the engine (torch, pytest)."""

from __future__ import annotations


class GradingError(RuntimeError):
    """The grader itself failed (not the submission): nothing is recorded for it."""
