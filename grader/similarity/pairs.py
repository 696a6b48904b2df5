"""Every pair of learners, per topic: how much of their code they share beyond the stub.

A pair is *flagged* when either side's similarity (the share of that file's fingerprinted
tokens also found in the other, see :mod:`grader.similarity.fingerprint`) reaches the
threshold and the shared code is at least :data:`MIN_SHARED_TOKENS` long, so two learners who
each wrote one short line are not flagged for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from grader.release.build import ROOT
from grader.similarity.fingerprint import (
    Overlap,
    boilerplate_hashes,
    fingerprint,
    indexed,
    overlap,
)
from grader.submissions import Submission

#: default share of a file found in the other that flags a pair
THRESHOLD = 0.5
#: shortest shared code (filtered characters) that can flag a pair
MIN_SHARED_TOKENS = 80
#: the slices of a pair that is not shown side by side: one read-only pair of empty arrays for
#: all of them (a class of 1,000 has 500,000 pairs per topic)
NO_SLICES = (np.empty((2, 0), int), np.empty((2, 0), int))
for _empty in NO_SLICES:
    _empty.flags.writeable = False


@dataclass
class Pair:
    """Two learners' files of one topic, compared."""

    topic: str
    learner_a: str
    learner_b: str
    similarity_a: float  # share of a's code found in b
    similarity_b: float
    shared_tokens: int
    flagged: bool
    code: tuple[str, str] = ("", "")
    slices: tuple[np.ndarray, np.ndarray] = NO_SLICES  # set for a flagged pair only

    @property
    def score(self) -> float:
        return max(self.similarity_a, self.similarity_b)

    def describe(self) -> str:
        return (
            f"{self.topic}: {self.learner_a} ~ {self.learner_b} "
            f"({self.similarity_a:.0%} / {self.similarity_b:.0%})"
        )


def stub_source(topic: str) -> str:
    """The released stub of ``topic`` (exercises/<topic>.py): boilerplate for everyone."""
    return (ROOT / "exercises" / f"{topic}.py").read_text(encoding="utf-8")


def compare_topic(
    topic: str, codes: dict[str, str], threshold: float = THRESHOLD, stub: str | None = None
) -> list[Pair]:
    """Every pair of ``codes`` (learner → source of their ``topic`` file), most similar first."""
    boilerplate = boilerplate_hashes(stub_source(topic) if stub is None else stub)
    prints = {learner: indexed(fingerprint(code, boilerplate)) for learner, code in codes.items()}
    pairs = []
    for a, b in combinations(sorted(prints), 2):
        found: Overlap = overlap(prints[a], prints[b], slices=False)
        sim_a, sim_b = found.similarity
        flagged = max(sim_a, sim_b) >= threshold and found.tokens >= MIN_SHARED_TOKENS
        pair = Pair(topic, a, b, sim_a, sim_b, found.tokens, flagged)
        if flagged:  # shown side by side: its shared slices too
            pair.code = (codes[a], codes[b])
            pair.slices = overlap(prints[a], prints[b]).slices
        pairs.append(pair)
    return sorted(pairs, key=lambda p: (-p.score, p.learner_a, p.learner_b))


def compare_class(
    submissions: list[Submission],
    topics: list[str],
    threshold: float = THRESHOLD,
    progress: Callable[[str], None] | None = None,
) -> list[Pair]:
    """Per topic, every pair of learners who both handed that topic in; flagged pairs first.
    ``progress(topic)`` is called as each topic is done (a class of hundreds takes minutes)."""
    pairs = []
    for topic in topics:
        codes = {
            s.learner: s.files[topic].decode("utf-8", errors="replace")
            for s in submissions
            if topic in s.files
        }
        pairs += compare_topic(topic, codes, threshold)
        if progress is not None:
            progress(topic)
    return sorted(pairs, key=lambda p: (not p.flagged, -p.score, p.topic, p.learner_a))
