"""rag: texts for chunking (irregular whitespace, sentence punctuation), vectors with exact cosines
(exact ties), small passage collections over a shared vocabulary, and ranked id lists.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st

from grader.strategies.common import reusable, words


@reusable
def texts(min_words: int = 0, max_words: int = 60) -> st.SearchStrategy[str]:
    """Whitespace-separated texts of lowercase words (for chunking tests)."""
    return st.lists(words, min_size=min_words, max_size=max_words).map(" ".join)


_SEPARATORS = st.sampled_from([" ", " ", " ", "  ", "\n", "\t", " \n  "])


@st.composite
def messy_texts(draw: st.DrawFn, min_words: int = 0, max_words: int = 60) -> str:
    """Words joined by random runs of whitespace (spaces, tabs, newlines), padded at both ends."""
    ws = draw(st.lists(words, min_size=min_words, max_size=max_words))
    text = draw(st.sampled_from(["", " ", "\n"]))
    for w in ws:
        text += w + draw(_SEPARATORS)
    return text


@st.composite
def sentence_texts(draw: st.DrawFn, max_sentences: int = 8, max_len: int = 12) -> str:
    """Sentences of 1..max_len words ending in '.', '!' or '?' (the last one sometimes not),
    with decimals like '3.14' inside (a '.' that ends no sentence) and irregular whitespace."""
    inner = st.one_of(words, words, words, st.sampled_from(["3.14", "v1.2", "a.b"]))
    n = draw(st.integers(0, max_sentences))
    parts: list[str] = []
    for i in range(n):
        sentence = draw(st.lists(inner, min_size=1, max_size=max_len))
        last = i == n - 1
        end = draw(st.sampled_from([".", "!", "?", ""] if last else [".", "!", "?"]))
        sentence[-1] += end
        parts.append("".join(w + draw(_SEPARATORS) for w in sentence))
    return "".join(parts)


#: Unit vectors in 4-D whose entries are 0, ±½ or ±1: ±e_i and the 16 sign patterns of (½, ½, ½, ½).
EXACT_DIRECTIONS: np.ndarray = np.array(
    [[s if j == i else 0.0 for j in range(4)] for i in range(4) for s in (1.0, -1.0)]
    + [[0.5 * s for s in signs] for signs in itertools.product((1.0, -1.0), repeat=4)]
)


@st.composite
def exact_direction_arrays(
    draw: st.DrawFn,
    min_rows: int = 1,
    max_rows: int = 8,
    scales: Sequence[float] = (0.5, 1.0, 2.0, 4.0),
    allow_zero: bool = False,
) -> np.ndarray:
    """(n, 4) float64 rows, each a direction of :data:`EXACT_DIRECTIONS` times a power of two.

    Every norm is a power of two, so normalising a row is exact, and the cosine of two rows is one
    of 0, ±½, ±1: equal scores are equal bit for bit whatever order the arithmetic runs in, so tie
    rules can be checked exactly (and with 24 directions, rows often share one). With
    ``allow_zero`` some rows are all zeros (cosine 0 by convention).
    """
    n = draw(st.integers(min_rows, max_rows))
    picks = st.integers(-1 if allow_zero else 0, len(EXACT_DIRECTIONS) - 1)
    rows = []
    for _ in range(n):
        i = draw(picks)
        rows.append(np.zeros(4) if i < 0 else EXACT_DIRECTIONS[i] * draw(_one_of(scales)))
    return np.array(rows, dtype=np.float64).reshape(n, 4)


#: A small vocabulary, so that generated questions and passages share words.
RAG_VOCABULARY: tuple[str, ...] = (
    "paris", "france", "capital", "river", "nile", "longest", "mountain", "highest",
    "wine", "cheese", "brazil", "amazon", "the", "is", "of", "what",
)  # fmt: skip


@st.composite
def passages(draw: st.DrawFn, min_chunks: int = 1, max_chunks: int = 7) -> list[str]:
    """A list of short passages (1–6 words) over :data:`RAG_VOCABULARY`; repeats are possible."""
    return draw(_passage_lists(min_chunks, max_chunks))


@reusable
def _passage_lists(min_chunks: int, max_chunks: int) -> st.SearchStrategy[list[str]]:
    sentence = st.lists(st.sampled_from(RAG_VOCABULARY), min_size=1, max_size=6).map(" ".join)
    return st.lists(sentence, min_size=min_chunks, max_size=max_chunks)


@reusable
def _one_of(values: Sequence[float]) -> st.SearchStrategy[float]:
    return st.sampled_from(values)


@st.composite
def ranked_ids(
    draw: st.DrawFn, max_len: int = 8, max_id: int = 9, min_relevant: int = 1
) -> tuple[list[int], list[int]]:
    """``(retrieved, relevant)`` for one query: a ranking of ids in [0, max_id] (repeats
    possible) and a list of relevant ids (at least ``min_relevant``, no repeats)."""
    ids = st.integers(0, max_id)
    retrieved = draw(st.lists(ids, min_size=0, max_size=max_len))
    relevant = draw(st.lists(ids, min_size=min_relevant, max_size=4, unique=True))
    return retrieved, relevant
