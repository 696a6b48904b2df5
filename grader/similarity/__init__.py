"""``gradelab similarity``: learners whose code is suspiciously alike, per topic.

Fingerprinting is copydetect's (:mod:`grader.similarity.fingerprint`), the pairing and the
flag rule are :mod:`grader.similarity.pairs`, the page :mod:`grader.similarity.page`.
Writes ``DIR/similarity.csv`` (every pair sharing any code) and ``DIR/index.html``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from grader.class_folder import discover
from grader.outputs import atomic_write
from grader.outputs.csv_table import csv_table
from grader.similarity import page
from grader.similarity.pairs import THRESHOLD, Pair, compare_class
from grader.topics import check_topics

__all__ = ["THRESHOLD", "Pair", "similarity_csv", "write_similarity"]


def similarity_csv(pairs: list[Pair]) -> str:
    """One row per pair that shares any code, flagged first, most similar first."""
    header = [
        "topic",
        "learner_a",
        "learner_b",
        "similarity_a",
        "similarity_b",
        "shared_tokens",
        "flagged",
    ]
    rows = (
        [
            p.topic,
            p.learner_a,
            p.learner_b,
            f"{p.similarity_a:.3f}",
            f"{p.similarity_b:.3f}",
            p.shared_tokens,
            "yes" if p.flagged else "no",
        ]
        for p in pairs
        if p.shared_tokens
    )
    return csv_table(header, rows, text={"topic", "learner_a", "learner_b"})


def write_similarity(
    paths: list[Path],
    out: Path,
    topics: list[str] | None = None,
    threshold: float = THRESHOLD,
    progress: Callable[[int, str], None] | None = None,
) -> list[Pair]:
    """Compare the class's submissions under ``paths``; write ``out/`` and return the pairs.
    ``progress(total, topic)`` hears of each topic compared, ``total`` the topics to compare."""
    chosen = check_topics(topics)
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    from grader.grading import check_unique

    found = discover(paths)
    check_unique(found)  # as grade: two submissions of one id are named, never one kept silently
    told = None if progress is None else functools.partial(progress, len(chosen))
    pairs = compare_class(found, chosen, threshold, told)
    atomic_write(out / "similarity.csv", similarity_csv(pairs))
    atomic_write(out / "index.html", page.render(pairs, threshold))
    return pairs
