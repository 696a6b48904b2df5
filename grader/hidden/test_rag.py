"""Hidden tests: rag. Chunking against the reference and by its properties (every word covered in
order, exact overlaps, no chunk too long, clause marks ending no sentence, every whitespace of
str.split(), a quote or bracket after the final '.' ending no sentence), embeddings with the tiny
hashing embedder (and a salted one: each call embeds with its own model), the learner's faiss
index probed against brute force, cosine similarity, top-k and faiss search with exact ties
(vectors whose cosines are exact; large tied groups across the k-th place, for any query of a
batch), the prompt format, the whole answer pipeline (with a generate that rewrites its prompt,
chunks stored twice included), and the two retrieval metrics (relevant ids listed twice, a first
hit past position 10 included).

``search`` and ``answer`` take the faiss index the learner's ``build_index`` left in the sandbox,
so ``expect_close`` cannot re-run the catalogued mistakes on the recorded call.
:func:`expect_named` does it here instead, with trusted twins of the objects: handles are built
again from ``exercises/tests/_handles.py`` and a kept index is replaced by a faiss index over the
same unit vectors, which is what a correct ``build_index`` holds.
"""

from __future__ import annotations

import itertools
from typing import Any

import faiss
import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from exercises.tests._handles import build as build_handle
from exercises.tests._harness import compare
from grader.engine.expect import Mismatch, expect_close, reference, to_numpy, tolerance_for
from grader.engine.proxy import handle
from grader.misconceptions import catalogue
from grader.sandbox.channel import HandleRef, RemoteRef
from grader.strategies import (
    EXACT_DIRECTIONS,
    exact_direction_arrays,
    float_arrays,
    messy_texts,
    passages,
    ranked_ids,
    seeds,
    sentence_texts,
    texts,
    words,
)
from grader.suites import (
    DEFAULTS,
    PURE,
    RAISES,
    assert_pure,
    expect_raises,
    expect_stated_defaults,
    graded,
    looks_like,
    params,
)

TOPIC = "rag"
# The indexes here hold a few vectors: faiss's OpenMP threads only cost time (a reference search
# takes ~10 ms of spinning threads instead of ~0.2 ms), as the worker's OMP_NUM_THREADS=1 has it.
faiss.omp_set_num_threads(1)
SENTENCE_END = (".", "!", "?")


# --- helpers -----------------------------------------------------------------------------------


def _unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length in float32 (zero rows stay zero), as an index stores them."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.ascontiguousarray(x / np.where(norms == 0, 1.0, norms), dtype=np.float32)


def trusted_index(vectors: np.ndarray) -> faiss.IndexFlatIP:
    """What a correct ``build_index(vectors)`` holds: the unit rows in an inner-product index."""
    unit = _unit(vectors)
    index = faiss.IndexFlatIP(unit.shape[1])
    index.add(unit)
    return index


def _live(value: Any, objects: dict[RemoteRef, Any]) -> Any:
    """A recorded argument as a mistake implementation takes it: handles built, refs replaced."""
    if isinstance(value, HandleRef):
        return build_handle(value.name)
    if isinstance(value, RemoteRef):
        return objects[value]
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list | tuple):
        return type(value)(_live(v, objects) for v in value)
    if isinstance(value, dict):
        return {k: _live(v, objects) for k, v in value.items()}
    return value


def expect_named(
    actual: Any, expected: Any, learner: Any, objects: dict[RemoteRef, Any] | None = None
) -> None:
    """:func:`expect_close` that also names mistakes of calls taking kept objects (an index).

    On a mismatch ``expect_close`` could not diagnose, every catalogued mistake of the last call's
    function runs here on the call's inputs, with handles rebuilt and each kept object replaced
    by its trusted twin in ``objects``; those whose output matches ``actual`` are named, as
    ``expect_close`` names them.
    """
    try:
        expect_close(actual, expected, learner)
    except Mismatch as exc:
        if exc.diagnosis is not None or not learner.session.calls:
            raise
        record = learner.session.calls[-1]
        rtol, atol = tolerance_for(to_numpy(expected))
        matches = []
        for mistake in catalogue(TOPIC).get(f"{TOPIC}.{record.function}", []):
            try:
                args = _live(record.args, objects or {})
                kwargs = _live(record.kwargs, objects or {})
                with np.errstate(all="ignore"):
                    output = to_numpy(mistake.impl(*args, **kwargs))
            except Exception:
                continue
            if compare(actual, output, rtol, atol) is None:
                matches.append(mistake)
        if not matches:
            raise
        raise Mismatch(looks_like(str(exc), matches), matches[0]) from None


def _words_of(chunks: Any) -> list[list[str]]:
    assert isinstance(chunks, list | tuple), f"expected a list of str, got {type(chunks).__name__}"
    assert all(isinstance(c, str) for c in chunks), "every chunk should be a str"
    return [c.split() for c in chunks]


# --- chunk_text ----------------------------------------------------------------------------------


#: whitespace that str.split() splits on but a split on spaces, tabs and newlines does not
CRLF_TEXT = "one two\r\nthree\r\n\r\nfour five\x0csix\xa0seven eight\r\n"
CRLF_SENTENCES = "Rain fell.\r\nIt stopped!\r\nThe sun\x0cis out.\xa0Birds sang\r\n"
#: a word whose last character is a quote or a bracket ends no sentence, whatever comes before it
QUOTED_SENTENCES = 'He said "stop." and (left.) then "why?" ok. End'


@st.composite
def window_sizes(draw: st.DrawFn) -> tuple[int, int]:
    chunk_size = draw(st.integers(1, 8))
    return chunk_size, draw(st.integers(0, chunk_size - 1))


@graded("chunk_text", "matches the reference for many sizes and overlaps", points=2)
@given(text=messy_texts(max_words=30), sizes=window_sizes())
# words are the pieces of str.split(): Windows line ends, form feeds and no-break spaces separate
# them too (the drawn texts use spaces, tabs and newlines only)
@example(text=CRLF_TEXT, sizes=(3, 1))
def test_chunk_text_matches_reference(learner, text, sizes):
    expect_close(
        learner.rag.chunk_text(text, *sizes), reference(TOPIC, "chunk_text", text, *sizes), learner
    )


@graded("chunk_text", "covers every word in order; neighbours share exactly `overlap`", points=1)
@settings(max_examples=8)
@given(text=messy_texts(max_words=30), sizes=window_sizes())
def test_chunk_text_properties(learner, text, sizes):
    chunk_size, overlap = sizes
    chunks = _words_of(learner.rag.chunk_text(text, chunk_size, overlap))
    assert all(1 <= len(c) <= chunk_size for c in chunks), (
        f"every chunk must hold between 1 and chunk_size={chunk_size} words"
    )
    for before, after in itertools.pairwise(chunks):
        assert len(before) == chunk_size, "only the last chunk may be shorter than chunk_size"
        assert before[len(before) - overlap :] == after[:overlap], (
            f"consecutive chunks must share exactly overlap={overlap} words"
        )
        assert len(after) > overlap, (
            "a chunk adds no new word: stop as soon as a window reaches the last word"
        )
    rebuilt = (chunks[0] if chunks else []) + [w for c in chunks[1:] for w in c[overlap:]]
    assert rebuilt == text.split(), (
        "the chunks, overlaps removed, must give back every word in order"
    )


# --- chunk_sentences ------------------------------------------------------------------------------


@graded(
    "chunk_sentences", "matches the reference on texts with decimals and long sentences", points=2
)
@example(text=CRLF_SENTENCES, max_words=3)  # str.split()'s whitespace
@example(text=QUOTED_SENTENCES, max_words=4)  # the last character decides
@given(text=sentence_texts(), max_words=st.integers(1, 8))
def test_chunk_sentences_matches_reference(learner, text, max_words):
    expect_close(
        learner.rag.chunk_sentences(text, max_words),
        reference(TOPIC, "chunk_sentences", text, max_words),
        learner,
    )


@graded("chunk_sentences", "keeps every word, no chunk too long, short sentences whole", points=1)
@settings(max_examples=8)
@given(text=sentence_texts(), max_words=st.integers(1, 8))
def test_chunk_sentences_properties(learner, text, max_words):
    chunks = _words_of(learner.rag.chunk_sentences(text, max_words))
    assert all(1 <= len(c) <= max_words for c in chunks), (
        f"every chunk must hold between 1 and max_words={max_words} words"
    )
    flat = [w for c in chunks for w in c]
    assert flat == text.split(), "the chunks must hold every word of the text once, in order"
    chunk_of = [i for i, c in enumerate(chunks) for _ in c]  # chunk number of each word
    start = 0
    for end, word in enumerate(flat):
        if word.endswith(SENTENCE_END) or end == len(flat) - 1:
            if end - start + 1 <= max_words:
                assert len(set(chunk_of[start : end + 1])) == 1, (
                    f"the sentence {' '.join(flat[start : end + 1])!r} fits in one chunk "
                    "but was split"
                )
            start = end + 1


CLAUSE_MARKS = (",", ";", ":")


@st.composite
def clause_texts(draw: st.DrawFn, max_sentences: int = 5, max_len: int = 10) -> str:
    """Sentences ending in '.', '!' or '?' (the last one sometimes not) whose words often end in
    ',', ';' or ':': clause marks, which end no sentence."""
    marked = st.tuples(words, st.sampled_from(CLAUSE_MARKS)).map("".join)
    inner = st.one_of(words, marked, marked)
    n = draw(st.integers(1, max_sentences))
    sentences = []
    for i in range(n):
        sentence = draw(st.lists(inner, min_size=2, max_size=max_len))
        sentence[-1] += draw(
            st.sampled_from([".", "!", "?", ""] if i == n - 1 else [".", "!", "?"])
        )
        sentences.append(" ".join(sentence))
    return " ".join(sentences)


@graded("chunk_sentences", "only '.', '!' and '?' end a sentence, not ',', ';' or ':'", points=0.5)
@given(text=clause_texts(), max_words=st.integers(2, 8))
@example(text="first part; second part: third, end. next one.", max_words=4)
def test_chunk_sentences_clause_marks_end_no_sentence(learner, text, max_words):
    expect_close(
        learner.rag.chunk_sentences(text, max_words),
        reference(TOPIC, "chunk_sentences", text, max_words),
        learner,
    )


# --- embed ---------------------------------------------------------------------------------------

text_lists = st.lists(texts(0, 8), min_size=1, max_size=5)


@graded("embed", "matches the reference with the tiny embedder", points=2)
@given(items=text_lists)
def test_embed_matches_reference(learner, items):
    expect_named(
        learner.rag.embed(items, handle("tiny_embedder")),
        reference(TOPIC, "embed", items, build_handle("tiny_embedder")),
        learner,
    )


@graded("embed", "returns float32 (N, D) unit rows; equal texts, equal rows", points=1)
@settings(max_examples=8)
@given(items=text_lists)
def test_embed_properties(learner, items):
    items = [*items, items[0]]  # a repeated text
    e = learner.rag.embed(items, handle("tiny_embedder"))
    assert isinstance(e, np.ndarray) and e.ndim == 2 and e.shape[0] == len(items), (
        f"expected an array of shape ({len(items)}, D)"
    )
    assert e.dtype == np.float32, f"expected float32 vectors (faiss needs them), got {e.dtype}"
    norms = np.linalg.norm(e.astype(np.float64), axis=1)
    empty = np.array([not t.split() for t in items])
    assert np.allclose(norms[~empty], 1.0, atol=1e-5), "every row must have length 1"
    assert np.all(norms[empty] == 0), "a text without words has a zero vector, which stays zero"
    assert np.array_equal(e[0], e[-1]), "the same text must get the same vector"


@graded("embed", "embeds with the model it is given: two models, two sets of vectors", points=0.5)
@settings(max_examples=6)
@given(items=st.lists(texts(1, 8), min_size=1, max_size=5))
@example(items=["paris is the capital", "the nile"])
def test_embed_uses_the_model_it_is_given(learner, items):
    """The same texts through two embedders (the tiny one and one hashing words with a salt):
    each call must give its own model's vectors, so nothing may be reused by text alone (a cache
    keyed by the text returns the first model's vectors for the second)."""
    for name in ("tiny_embedder", "salted_embedder", "tiny_embedder"):
        expect_named(
            learner.rag.embed(items, handle(name)),
            reference(TOPIC, "embed", items, build_handle(name)),
            learner,
        )


# --- build_index -----------------------------------------------------------------------------------


@st.composite
def index_problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    """(vectors (N, D) not normalised, unit float32 queries (Q, D), k)."""
    n, d = draw(st.integers(1, 8)), draw(st.integers(1, 6))
    vectors = draw(float_arrays((n, d), bound=5.0))
    vectors[np.linalg.norm(vectors, axis=1) < 1e-3] = 1.0  # no (near-)zero rows here
    queries = _unit(draw(float_arrays((draw(st.integers(1, 3)), d), bound=5.0)) + 1e-3)
    return vectors, queries, draw(st.integers(1, n))


@graded(
    "build_index", "holds every row, normalised, and ranks by inner product", points=2, core=True
)
@given(problem=index_problems())
def test_build_index_ranks_by_cosine(learner, problem):
    vectors, queries, k = problem
    ref = learner.rag.build_index.keep(vectors)
    got = learner.probe("index_search", ref, queries, k)
    assert got["ntotal"] == len(vectors), (
        f"the index holds {got['ntotal']} vectors, expected {len(vectors)} (one per row)"
    )
    cos = queries.astype(np.float64) @ _unit(vectors).astype(np.float64).T  # (Q, N)
    best = -np.sort(-cos, axis=1)[:, :k]
    assert np.allclose(got["scores"], best, atol=1e-4), (
        "the index's scores are not the cosine similarities: store the L2-normalised rows "
        "in an inner-product index (faiss.IndexFlatIP)"
    )
    ids = got["ids"]
    assert np.allclose(np.take_along_axis(cos, ids, axis=1), got["scores"], atol=1e-4), (
        "the ids the index returns do not belong to their scores: row i must get id i"
    )


@graded("build_index", "each stored vector finds itself first", points=1)
@settings(max_examples=8)
@given(vectors=exact_direction_arrays(max_rows=6))
def test_build_index_finds_each_vector_itself(learner, vectors):
    vectors = np.unique(_unit(vectors), axis=0).astype(np.float64) * 3.0  # distinct, length 3
    ref = learner.rag.build_index.keep(vectors)
    got = learner.probe("index_search", ref, _unit(vectors), 1)
    assert got["ntotal"] == len(vectors), f"the index should hold {len(vectors)} vectors"
    assert np.array_equal(got["ids"][:, 0], np.arange(len(vectors))), (
        "searching with stored vector i must find id i first"
    )
    assert np.allclose(got["scores"][:, 0], 1.0, atol=1e-5), (
        "a vector's score with itself must be 1: the stored rows need unit length"
    )


# --- cosine_similarity -----------------------------------------------------------------------------


@st.composite
def matrix_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """(a (N, D), b (M, D)), now and then with an all-zero row."""
    d = draw(st.integers(1, 5))
    a = draw(float_arrays((draw(st.integers(1, 4)), d), bound=5.0))
    b = draw(float_arrays((draw(st.integers(1, 4)), d), bound=5.0))
    b *= draw(st.sampled_from([2.0, 0.5, 3.0]))  # rows of b are rarely unit vectors
    for m in (a, b):
        m[np.abs(m) < 1e-3] = 0.0  # no subnormal squares in the norms
        if draw(st.booleans()):
            m[draw(st.integers(0, len(m) - 1))] = 0.0
    return a, b


@graded("cosine_similarity", "matches the reference, zero rows included", points=2)
@given(pair=matrix_pairs())
def test_cosine_similarity_matches_reference(learner, pair):
    expect_close(
        learner.rag.cosine_similarity(*pair), reference(TOPIC, "cosine_similarity", *pair), learner
    )


@graded("cosine_similarity", "in [-1, 1], 1 with itself, unchanged by scaling rows", points=1)
@settings(max_examples=8)
@given(pair=matrix_pairs(), scale=st.sampled_from([0.001, 0.5, 3.0, 1000.0]))
def test_cosine_similarity_properties(learner, pair, scale):
    a, b = pair
    s = np.asarray(learner.rag.cosine_similarity(a, b), dtype=np.float64)
    assert s.shape == (len(a), len(b)), f"expected shape {(len(a), len(b))}, got {s.shape}"
    assert np.all(np.isfinite(s)), "a zero row must give similarity 0, not NaN"
    assert np.all(np.abs(s) <= 1 + 1e-9), "cosine similarities lie in [-1, 1]"
    scaled = np.asarray(learner.rag.cosine_similarity(a * scale, b), dtype=np.float64)
    assert np.allclose(scaled, s, atol=1e-9), "scaling a row must not change its cosine similarity"
    self_sim = np.diag(np.asarray(learner.rag.cosine_similarity(a, a), dtype=np.float64))
    nonzero = np.linalg.norm(a, axis=1) > 0
    assert np.allclose(self_sim[nonzero], 1.0, atol=1e-9), "a vector's similarity with itself is 1"


# --- top_k -----------------------------------------------------------------------------------------


def _well_separated(scores: np.ndarray, gap: float) -> bool:
    """No two scores of a row closer than ``gap``: the ranking does not depend on rounding."""
    s = np.sort(np.atleast_2d(scores), axis=1)
    return bool(np.all(np.diff(s, axis=1) > gap))


@st.composite
def random_top_k(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    """Gaussian query and rows (from a drawn seed) whose cosines are at least 1e-6 apart."""
    gen = np.random.default_rng(draw(seeds()))
    d, m = draw(st.integers(2, 5)), draw(st.integers(1, 8))
    query, matrix = gen.normal(size=d), gen.normal(size=(m, d)) * gen.uniform(0.1, 5.0, (m, 1))
    assume(
        _well_separated(
            np.asarray(reference(TOPIC, "cosine_similarity", query[None], matrix)), 1e-6
        )
    )
    return query, matrix, draw(st.integers(1, m))


@st.composite
def tied_top_k(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    matrix = draw(exact_direction_arrays(max_rows=8, allow_zero=True))
    query = draw(exact_direction_arrays(min_rows=1, max_rows=1))[0]
    return query, matrix, draw(st.integers(1, len(matrix)))


@graded("top_k", "matches the reference on random vectors", points=2)
@given(problem=random_top_k())
def test_top_k_matches_reference(learner, problem):
    expect_close(learner.rag.top_k(*problem), reference(TOPIC, "top_k", *problem), learner)


@graded("top_k", "breaks exact ties by the lower index", points=2)
@given(problem=tied_top_k())
def test_top_k_breaks_ties_by_lower_index(learner, problem):
    expect_close(learner.rag.top_k(*problem), reference(TOPIC, "top_k", *problem), learner)


@graded("top_k", "returns k distinct rows, best first, none better left out", points=1)
@settings(max_examples=8)
@given(problem=st.one_of(random_top_k(), tied_top_k()))
def test_top_k_properties(learner, problem):
    query, matrix, k = problem
    idx, scores = learner.rag.top_k(query, matrix, k)
    idx, scores = np.asarray(idx), np.asarray(scores, dtype=np.float64)
    assert idx.shape == (k,) and scores.shape == (k,), f"expected {k} indices and {k} scores"
    assert np.issubdtype(idx.dtype, np.integer), f"indices should be integers, got {idx.dtype}"
    assert len(set(idx.tolist())) == k and idx.min() >= 0 and idx.max() < len(matrix), (
        "the indices must be k different rows of the matrix"
    )
    cos = np.asarray(reference(TOPIC, "cosine_similarity", query[None], matrix))[0]
    assert np.allclose(scores, cos[idx], atol=1e-9), (
        "each score must be its row's cosine similarity"
    )
    assert np.all(np.diff(scores) <= 1e-12), "the scores must come best first (descending)"
    left_out = np.setdiff1d(np.arange(len(matrix)), idx)
    assert not left_out.size or cos[left_out].max() <= scores[-1] + 1e-12, (
        "a row more similar than the k-th was left out"
    )


@st.composite
def crowded_ties(draw: st.DrawFn, max_queries: int = 1) -> tuple[np.ndarray, np.ndarray, int]:
    """(queries (Q, 4), rows (M, 4), k): 8 to 40 rows along at most three exact directions, so
    large groups of rows tie exactly, and k inside a tied group whenever one straddles the k-th
    place: which rows of the group make the cut is the tie rule's alone. (A selection such as
    np.argpartition keeps arbitrary members of the group; below ~8 rows it rarely shows.)"""
    m = draw(st.integers(8, 40))
    directions = draw(
        st.lists(st.integers(0, len(EXACT_DIRECTIONS) - 1), min_size=1, max_size=3, unique=True)
    )
    rows = np.array(
        [EXACT_DIRECTIONS[directions[draw(st.integers(0, len(directions) - 1))]] for _ in range(m)]
    ) * np.array([[draw(st.sampled_from([0.5, 1.0, 2.0, 4.0]))] for _ in range(m)])
    queries = draw(exact_direction_arrays(min_rows=1, max_rows=max_queries))
    scores = _unit(queries).astype(np.float64) @ _unit(rows).astype(np.float64).T  # exact
    first = -np.sort(-scores[0])
    straddling = [k for k in range(1, m) if first[k - 1] == first[k]]
    k = draw(st.sampled_from(straddling)) if straddling else draw(st.integers(1, m))
    return queries, rows, k


#: rows along e1 (cosine 1 with the query), (½, ½, ½, ½) (cosine ½) and e3 (cosine 0); k = 1:
#: np.argpartition keeps row 5 of the tied rows 4 and 5
TIE_AT_K = (EXACT_DIRECTIONS[0], EXACT_DIRECTIONS[[8, 8, 4, 4, 0, 0]], 1)


@graded("top_k", "breaks ties across the k-th place by the lower index, many rows tied", points=0.5)
@given(problem=crowded_ties())
@example(problem=(TIE_AT_K[0][None], *TIE_AT_K[1:]))
def test_top_k_ties_straddling_the_kth_place(learner, problem):
    queries, rows, k = problem
    query = queries[0]
    expect_close(
        learner.rag.top_k(query, rows, k), reference(TOPIC, "top_k", query, rows, k), learner
    )


# --- search ----------------------------------------------------------------------------------------


@st.composite
def tied_search(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    """(vectors with many exact ties, non-unit queries, k)."""
    vectors = draw(exact_direction_arrays(max_rows=8))
    queries = draw(exact_direction_arrays(min_rows=1, max_rows=3, scales=(0.5, 2.0, 4.0)))
    return vectors, queries, draw(st.integers(1, len(vectors)))


@st.composite
def random_search(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    """Gaussian vectors and float32 queries (from a drawn seed), cosines at least 1e-4 apart
    (faiss scores in float32)."""
    gen = np.random.default_rng(draw(seeds()))
    d, n = draw(st.integers(2, 6)), draw(st.integers(1, 8))
    vectors = gen.normal(size=(n, d)) * gen.uniform(0.1, 5.0, (n, 1))
    queries = gen.normal(size=(draw(st.integers(1, 3)), d)).astype(np.float32)
    assume(_well_separated(_unit(queries) @ _unit(vectors).T, 1e-4))
    return vectors, queries, draw(st.integers(1, n))


def _search(learner: Any, vectors: np.ndarray, queries: np.ndarray, k: int) -> None:
    """Search the learner's own index over ``vectors``; compare with the reference.

    The index gets unit rows, so a ``build_index`` that forgets to normalise does not cost
    points here too (its own tests catch that).
    """
    ref = learner.rag.build_index.keep(_unit(vectors).astype(np.float64))
    index = trusted_index(vectors)
    expect_named(
        learner.rag.search(ref, queries, k),
        reference(TOPIC, "search", index, queries, k),
        learner,
        {ref: index},
    )


@graded("search", "matches the reference on random vectors", points=2)
@given(problem=random_search())
def test_search_matches_reference(learner, problem):
    _search(learner, *problem)


@graded("search", "normalises the queries and breaks exact ties by the lower id", points=2)
@given(problem=tied_search())
def test_search_breaks_ties_by_lower_id(learner, problem):
    _search(learner, *problem)


#: rows along two exact directions, k = 3 inside the group of six tied rows: asked for 2k = 6
#: candidates, faiss returns rows 1..6 but not row 0 (a pool of 2k without growing it while the
#: last candidate ties the k-th, as search's docstring says, keeps full marks otherwise: the
#: mutation sweep found it, ``make mutants``)
TIE_PAST_2K = (EXACT_DIRECTIONS[15][None], EXACT_DIRECTIONS[[12, 7, 12, 12, 12, 12, 12, 7]], 3)
#: TIE_PAST_2K's query second, after a query whose k-th and 2k-th candidates differ (four more rows
#: along its own direction, cosine 1 with it and −1 with the other): the pool grows for every query
#: whose last candidate ties its k-th, not only when the first query's does
TIE_PAST_2K_SECOND = (
    EXACT_DIRECTIONS[[16, 15]],
    EXACT_DIRECTIONS[[12, 7, 12, 12, 12, 12, 12, 7, 16, 16, 16, 16]],
    3,
)


@graded("search", "breaks ties across the k-th place by the lower id, many rows tied", points=0.5)
@settings(max_examples=8)
@given(problem=crowded_ties(max_queries=3))
@example(problem=(TIE_AT_K[0][None], *TIE_AT_K[1:]))
@example(problem=TIE_PAST_2K)
@example(problem=TIE_PAST_2K_SECOND)
def test_search_ties_straddling_the_kth_place(learner, problem):
    queries, rows, k = problem
    _search(learner, rows, queries.astype(np.float32), k)


@graded("search", "ranks as top_k does, query by query", points=1)
@settings(max_examples=8)
@given(problem=tied_search())
def test_search_agrees_with_brute_force(learner, problem):
    vectors, queries, k = problem
    ref = learner.rag.build_index.keep(_unit(vectors).astype(np.float64))
    ids, scores = learner.rag.search(ref, queries, k)
    ids, scores = np.asarray(ids), np.asarray(scores, dtype=np.float64)
    assert ids.shape == scores.shape == (len(queries), k), (
        f"expected ids and scores of shape {(len(queries), k)}"
    )
    for q, row_ids, row_scores in zip(queries, ids, scores, strict=True):
        want_ids, want_scores = reference(TOPIC, "top_k", q, vectors, k)  # brute force
        assert np.array_equal(row_ids, want_ids) and np.allclose(row_scores, want_scores), (
            f"for the query {q.tolist()} the ranking should be {want_ids.tolist()} (best first, "
            f"ties to the lower id), got {row_ids.tolist()}"
        )


# --- augment -------------------------------------------------------------------------------------

phrases = texts(1, 8)


@graded("augment", "builds exactly the reference prompt", points=1)
@given(question=phrases, contexts=st.lists(phrases, max_size=5))
@example(  # verbatim: no stripping or re-spacing of the texts it is given
    question="  what  is\tit? ", contexts=[" padded ", "two  inner\tgaps", "trailing  "]
)
def test_augment_matches_reference(learner, question, contexts):
    expect_close(
        learner.rag.augment(question, contexts),
        reference(TOPIC, "augment", question, contexts),
        learner,
    )


@graded("augment", "holds every context numbered from 1, then the question", points=1)
@given(question=phrases, contexts=st.lists(phrases, max_size=5))
def test_augment_properties(learner, question, contexts):
    prompt = learner.rag.augment(question, contexts)
    assert isinstance(prompt, str), f"expected a str, got {type(prompt).__name__}"
    lines = prompt.split("\n")
    numbered = [line for line in lines if line.startswith("[")]
    assert numbered == [f"[{i}] {c}" for i, c in enumerate(contexts, start=1)], (
        "each context should be on its own line as '[i] <context>', counting from 1, in order"
    )
    assert f"Question: {question}" in lines, "the prompt must hold the line 'Question: <question>'"
    assert lines.index(f"Question: {question}") > len(numbered), (
        "the question comes after the contexts"
    )


# --- answer --------------------------------------------------------------------------------------


@st.composite
def answer_problems(draw: st.DrawFn) -> tuple[str, list[str], int]:
    """(question, chunks, k); now and then a chunk is stored twice (its copies tie exactly, and
    the prompt holds each copy the search returns)."""
    chunks = list(draw(passages()))
    if draw(st.booleans()):
        chunks.insert(draw(st.integers(0, len(chunks))), draw(st.sampled_from(chunks)))
    question = draw(passages(min_chunks=1, max_chunks=1))[0]
    return question, chunks, draw(st.integers(1, len(chunks)))


#: a chunk stored twice: both copies are among the question's top 3, and both go in the prompt
DUPLICATED_CHUNKS = [
    "the nile is the longest river",
    "paris is the capital of france",
    "wine and cheese",
    "paris is the capital of france",
]


def _chunk_vectors(chunks: list[str]) -> np.ndarray:
    return _unit(build_handle("tiny_embedder").encode(chunks)).astype(np.float64)


@graded(
    "answer",
    "matches the reference pipeline (tiny embedder, a generate that rewrites its prompt)",
    points=2,
)
@given(problem=answer_problems())
@example(problem=("what is the capital of france", DUPLICATED_CHUNKS, 3))
def test_answer_matches_reference(learner, problem):
    """``generate`` upper-cases the prompt and prefixes it: an answer that returns the prompt it
    built, never calling generate, fails (with an echoing generate it could not be told apart)."""
    question, chunks, k = problem
    vectors = _chunk_vectors(chunks)
    ref = learner.rag.build_index.keep(vectors)
    index = trusted_index(vectors)
    expected = reference(
        TOPIC,
        "answer",
        question,
        chunks,
        index,
        build_handle("tiny_embedder"),
        build_handle("upper_generate"),
        k,
    )
    actual = learner.rag.answer(
        question, chunks, ref, handle("tiny_embedder"), handle("upper_generate"), k
    )
    expect_named(actual, expected, learner, {ref: index})


@graded("answer", "prompts with the k chunks most similar to the question, best first", points=1)
@settings(max_examples=8)
@given(problem=answer_problems())
def test_answer_prompts_with_the_best_chunks(learner, problem):
    question, chunks, k = problem
    vectors = _chunk_vectors(chunks)
    ref = learner.rag.build_index.keep(vectors)
    prompt = learner.rag.answer(
        question, chunks, ref, handle("tiny_embedder"), handle("echo_generate"), k=k
    )
    assert isinstance(prompt, str), "answer must return what generate returns (here: the prompt)"
    q = _unit(build_handle("tiny_embedder").encode([question]))[0]
    ids, _ = reference(TOPIC, "top_k", q.astype(np.float64), vectors, k)
    want = [f"[{i}] {chunks[j]}" for i, j in enumerate(ids, start=1)]
    got = [line for line in prompt.split("\n") if line.startswith("[")]
    assert got == want, f"the prompt's contexts should be the chunks {ids.tolist()}, best first"
    assert f"Question: {question}" in prompt, "the prompt must hold the question"


# --- recall_at_k and mean_reciprocal_rank ----------------------------------------------------------


@st.composite
def recall_cases(draw: st.DrawFn) -> tuple[list[int], list[int], int]:
    """(retrieved, relevant, k) with k mostly inside the ranking, so the cut-off matters."""
    retrieved, relevant = draw(ranked_ids(max_len=10))
    return retrieved, relevant, draw(st.integers(1, len(retrieved) + 1))


@graded("recall_at_k", "matches the reference for many rankings and cut-offs", points=1)
@example(case=([5, 1, 7, 2], [1, 2, 3], 2))  # tells "divided by k" and "k ignored" apart
@given(case=recall_cases())
def test_recall_at_k_matches_reference(learner, case):
    expect_close(learner.rag.recall_at_k(*case), reference(TOPIC, "recall_at_k", *case), learner)


@graded("recall_at_k", "in [0, 1], grows with k, counts only the first k ids", points=1)
@settings(max_examples=8)
@given(case=recall_cases())
def test_recall_at_k_properties(learner, case):
    retrieved, relevant, k = case
    r = [float(learner.rag.recall_at_k(retrieved, relevant, j)) for j in (k, k + 1)]
    assert 0.0 <= r[0] <= r[1] <= 1.0, "recall must lie in [0, 1] and never drop when k grows"
    top = [*retrieved[:k], *[1000] * (k - len(retrieved[:k]))]  # k ids (1000 is never relevant)
    padded = [*top, *relevant]  # every relevant id, the added ones after position k
    assert float(learner.rag.recall_at_k(padded, relevant, k)) == r[0], (
        "relevant ids ranked after position k must not count"
    )
    everything = [*retrieved, *relevant]
    full = float(learner.rag.recall_at_k(everything, relevant, len(everything)))
    assert full == 1.0, "when every relevant id is within the first k, recall@k is 1"


@st.composite
def recall_cases_with_repeats(draw: st.DrawFn) -> tuple[list[int], list[int], int]:
    """:func:`recall_cases` with some relevant ids listed twice (``relevant`` may be any iterable;
    a repeated id counts once)."""
    retrieved, relevant, k = draw(recall_cases())
    twice = draw(st.lists(st.sampled_from(relevant), min_size=1, max_size=3))
    order = draw(st.permutations([*relevant, *twice]))
    return retrieved, list(order), k


@graded("recall_at_k", "a relevant id listed twice counts once", points=0.5)
@example(case=([5, 1, 7, 2], [1, 1, 2, 3], 3))  # {1, 2, 3}: 1/3 (not 1/4)
@given(case=recall_cases_with_repeats())
def test_recall_at_k_with_repeated_relevant_ids(learner, case):
    expect_close(learner.rag.recall_at_k(*case), reference(TOPIC, "recall_at_k", *case), learner)


rankings_and_sets = st.lists(ranked_ids(min_relevant=0), min_size=1, max_size=4)


@graded("mean_reciprocal_rank", "matches the reference, queries without a hit included", points=1)
@given(queries=rankings_and_sets)
#: no cut-off: a first hit at position 12 counts 1/12 (an MRR@10 would make it 0; the drawn rankings
#: hold at most 8 ids)
@example(queries=[([*range(20, 31), 3], [3]), ([1, 2], [2])])
def test_mean_reciprocal_rank_matches_reference(learner, queries):
    lists, sets = [r for r, _ in queries], [s for _, s in queries]
    expect_close(
        learner.rag.mean_reciprocal_rank(lists, sets),
        reference(TOPIC, "mean_reciprocal_rank", lists, sets),
        learner,
    )


@graded("mean_reciprocal_rank", "is 1/rank of the first hit; a miss counts as 0", points=1)
@given(rank=st.integers(1, 6), misses=st.integers(1, 3))
def test_mean_reciprocal_rank_worked_examples(learner, rank, misses):
    ranking = [*range(10, 10 + rank - 1), 1, 2]  # first relevant id at position `rank`
    one = float(learner.rag.mean_reciprocal_rank([ranking], [[1, 2]]))
    assert abs(one - 1.0 / rank) < 1e-12, (
        f"the first relevant id is at rank {rank}, so the reciprocal rank is 1/{rank}"
    )
    lists = [ranking] + [[7, 8]] * misses
    mixed = float(learner.rag.mean_reciprocal_rank(lists, [[1, 2]] + [[0]] * misses))
    assert abs(mixed - 1.0 / rank / (1 + misses)) < 1e-12, (
        "queries without a relevant id score 0 and still count in the mean"
    )


# --- inputs are not modified -------------------------------------------------------------------


ARRAY_CALLS = {
    "cosine_similarity": lambda: (np.array([[3.0, 4.0], [0.0, 0.0]]), np.array([[1.0, 2.0]])),
    "top_k": lambda: (np.array([3.0, 4.0]), np.array([[1.0, 2.0], [-2.0, 0.5], [6.0, 8.0]]), 2),
    "build_index": lambda: (np.array([[3.0, 4.0], [1.0, 0.0]], dtype=np.float32),),
}
KEPT = {"build_index"}  # returns an object: it stays in the worker


def _unit_rows(m: int) -> np.ndarray:
    return np.eye(m, 3, dtype=np.float32)  # (m, 3) unit rows


#: function → (arguments built with the learner's proxy, what is wrong) its docstring says raise
STATED_ERRORS: dict[str, list[tuple[Any, str]]] = {
    "chunk_text": [
        (lambda learner: ("a b c d", 0, 0), "chunk_size=0"),
        (lambda learner: ("a b c d", 3, -1), "overlap=-1"),
        (lambda learner: ("a b c d", 3, 3), "overlap=3 equal to chunk_size=3"),
    ],
    "top_k": [
        (lambda learner: (np.ones(3), _unit_rows(3).astype(np.float64), 4), "k=4 > M=3 rows"),
        (lambda learner: (np.ones(3), _unit_rows(3).astype(np.float64), 0), "k=0"),
    ],
    "search": [
        (
            lambda learner: (learner.rag.build_index.keep(_unit_rows(2)), _unit_rows(1), 3),
            "k=3 > the 2 indexed vectors",
        ),
        (
            lambda learner: (learner.rag.build_index.keep(_unit_rows(2)), _unit_rows(1), 0),
            "k=0",
        ),
    ],
    "recall_at_k": [
        (lambda learner: ([1, 2, 3], [], 2), "an empty `relevant`"),
        (lambda learner: ([1, 2, 3], [2], 0), "k=0"),
    ],
}


@pytest.mark.parametrize("fn", params(list(STATED_ERRORS), RAISES, 1))
def test_raises_where_its_docstring_says(learner, fn):
    for build, why in STATED_ERRORS[fn]:
        args = build(learner)
        expect_raises(lambda args=args: getattr(learner.rag, fn)(*args), why)


@pytest.mark.parametrize("fn", params(list(ARRAY_CALLS), PURE, 0.5))
def test_does_not_modify_its_inputs(learner, fn):
    call = getattr(learner.rag, fn)
    (call.keep if fn in KEPT else call)(*ARRAY_CALLS[fn]())
    assert_pure(learner)


@graded("search", "does not modify its queries", points=0.5)
def test_search_does_not_modify_its_queries(learner):
    ref = learner.rag.build_index.keep(np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32))
    learner.rag.search(ref, np.array([[3.0, 4.0]], dtype=np.float32), 1)
    mutated = learner.session.calls[-1].mutated  # the search call's own arguments
    assert not mutated, f"modified its argument {mutated[0]} in place"


_CHUNKS = [f"chunk {i} about topic {i % 3}" for i in range(6)]
#: arguments, built with the learner's proxy, on which each stated default changes the answer
DEFAULT_CALLS: dict[str, Any] = {
    "answer": lambda learner: (  # six chunks: k = 3 and any other k prompt with others
        "what about topic 1?",
        _CHUNKS,
        learner.rag.build_index.keep(_chunk_vectors(_CHUNKS)),
        handle("tiny_embedder"),
        handle("echo_generate"),
    ),
}


@pytest.mark.parametrize("fn", params(list(DEFAULT_CALLS), DEFAULTS, 0.5))
def test_defaults_are_the_stated_ones(learner, fn):
    expect_stated_defaults(learner, TOPIC, fn, DEFAULT_CALLS[fn](learner))
