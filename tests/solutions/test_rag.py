"""solutions.rag (NumPy + faiss) agrees with reference.rag (torch) and never modifies its inputs.

Embeddings come from the deterministic ``reference.rag.HashingEmbedder`` (the real MiniLM model
is exercised in tests/reference/test_rag.py).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from grader.strategies import messy_texts, seeds, sentence_texts, texts
from reference import rag as ref
from solutions import rag as sol

TOL = {"rtol": 1e-10, "atol": 1e-10}

# 0 or |x| >= 1e-3: keeps row norms away from the underflow/eps region where any two correct
# implementations may legitimately differ.
_ELEMENT = st.one_of(st.just(0.0), st.floats(1e-3, 10.0), st.floats(-10.0, -1e-3))


def _matrix(n: int, d: int) -> st.SearchStrategy[np.ndarray]:
    return st.lists(_ELEMENT, min_size=n * d, max_size=n * d).map(
        lambda v: np.array(v, dtype=np.float64).reshape(n, d)
    )


def _unit(seed: int, n: int, d: int) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


# ----------------------------------------------------------------------------- chunking


@given(text=messy_texts(), chunk_size=st.integers(1, 12), data=st.data())
def test_chunk_text_agrees_with_reference(text, chunk_size, data):
    overlap = data.draw(st.integers(0, chunk_size - 1))
    assert sol.chunk_text(text, chunk_size, overlap) == ref.chunk_text(text, chunk_size, overlap)


@pytest.mark.parametrize(("chunk_size", "overlap"), [(3, 3), (3, 4), (0, 0), (4, -1)])
def test_chunk_text_raises_value_error_like_reference(chunk_size, overlap):
    for fn in (sol.chunk_text, ref.chunk_text):
        with pytest.raises(ValueError):
            fn("a b c d e", chunk_size, overlap)


@given(text=sentence_texts(), max_words=st.integers(1, 15))
def test_chunk_sentences_agrees_with_reference(text, max_words):
    assert sol.chunk_sentences(text, max_words) == ref.chunk_sentences(text, max_words)


# ----------------------------------------------------------------------------- embedding


@given(docs=st.lists(texts(0, 10), min_size=1, max_size=6), dim=st.sampled_from([8, 64]))
def test_embed_agrees_with_reference_on_the_hashing_embedder(docs, dim):
    model = ref.HashingEmbedder(dim=dim)
    got = sol.embed(docs, model)
    assert isinstance(got, np.ndarray) and got.dtype == np.float32
    np.testing.assert_allclose(got, ref.embed(docs, model).numpy(), rtol=1e-6, atol=1e-7)


@given(emb=st.integers(1, 6).flatmap(lambda n: _matrix(n, 5)))
def test_build_index_stores_the_same_vectors_as_reference(emb):
    before = emb.copy()
    got = sol.build_index(emb)
    np.testing.assert_array_equal(emb, before)
    want = ref.build_index(torch.from_numpy(emb))
    assert (got.ntotal, got.d) == (want.ntotal, want.d)
    np.testing.assert_allclose(
        got.reconstruct_n(0, got.ntotal), want.reconstruct_n(0, want.ntotal), rtol=1e-6, atol=1e-7
    )


# ----------------------------------------------------------------------------- retrieval


@given(
    dims=st.tuples(st.integers(1, 5), st.integers(1, 6), st.integers(1, 6)),
    data=st.data(),
)
def test_cosine_similarity_agrees_with_reference_and_leaves_inputs_alone(dims, data):
    n, m, d = dims
    a, b = data.draw(_matrix(n, d)), data.draw(_matrix(m, d))
    a0, b0 = a.copy(), b.copy()
    got = sol.cosine_similarity(a, b)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)
    assert got.shape == (n, m)
    np.testing.assert_allclose(
        got, ref.cosine_similarity(torch.from_numpy(a), torch.from_numpy(b)).numpy(), **TOL
    )


@given(seed=seeds(), m=st.integers(1, 30), d=st.integers(2, 10), data=st.data())
def test_top_k_agrees_with_reference_on_random_rows(seed, m, d, data):
    rng = np.random.default_rng(seed)
    matrix, query = rng.normal(size=(m, d)) * 3, rng.normal(size=d)
    k = data.draw(st.integers(1, m))
    m0, q0 = matrix.copy(), query.copy()
    idx, scores = sol.top_k(query, matrix, k)
    np.testing.assert_array_equal(matrix, m0)
    np.testing.assert_array_equal(query, q0)
    want_idx, want_scores = ref.top_k(torch.from_numpy(query), torch.from_numpy(matrix), k)
    assert idx.tolist() == want_idx.tolist()
    np.testing.assert_allclose(scores, want_scores.numpy(), **TOL)


@given(seed=seeds(), pattern=st.lists(st.integers(0, 3), min_size=1, max_size=30), data=st.data())
def test_top_k_agrees_with_reference_on_duplicated_rows(seed, pattern, data):
    base = np.random.default_rng(seed).normal(size=(4, 7))
    matrix = base[pattern]
    query = base[data.draw(st.integers(0, 3))]
    k = data.draw(st.integers(1, len(pattern)))
    idx, _ = sol.top_k(query, matrix, k)
    want_idx, _ = ref.top_k(torch.from_numpy(query), torch.from_numpy(matrix), k)
    assert idx.tolist() == want_idx.tolist()


def test_top_k_rejects_k_larger_than_the_matrix_like_reference():
    for fn, arr in ((sol.top_k, np.ones), (ref.top_k, torch.ones)):
        with pytest.raises(ValueError):
            fn(arr(3), arr((2, 3)), 3)


@settings(max_examples=30)
@given(seed=seeds(), n=st.integers(1, 40), q=st.integers(1, 24), data=st.data())
def test_search_agrees_with_reference_on_random_unit_vectors(seed, n, q, data):
    emb, queries = _unit(seed, n, 12), _unit(seed + 1, q, 12) * 5.0
    k = data.draw(st.integers(1, n))
    want_idx, want_scores = ref.search(
        ref.build_index(torch.from_numpy(emb)), torch.from_numpy(queries), k
    )
    # rankings are compared where float32 rounding cannot swap two neighbours
    assume(n == 1 or bool((want_scores.diff(dim=1).abs() > 1e-5).all()))
    q0 = queries.copy()
    idx, scores = sol.search(sol.build_index(emb), queries, k)
    np.testing.assert_array_equal(queries, q0)
    assert idx.shape == scores.shape == (q, k)
    assert idx.tolist() == want_idx.tolist()
    np.testing.assert_allclose(scores, want_scores.numpy(), atol=1e-5)


@settings(max_examples=25)
@given(seed=seeds(), copies=st.integers(2, 50), n_base=st.integers(1, 4), data=st.data())
def test_search_agrees_with_reference_on_tied_duplicates(seed, copies, n_base, data):
    base = _unit(seed, n_base, 8)
    emb = np.tile(base, (copies, 1))
    queries = base[np.arange(22) % n_base]
    k = data.draw(st.integers(1, emb.shape[0]))
    idx, _ = sol.search(sol.build_index(emb), queries, k)
    want_idx, _ = ref.search(ref.build_index(torch.from_numpy(emb)), torch.from_numpy(queries), k)
    assert idx.tolist() == want_idx.tolist()


# ------------------------------------------------------------ augmentation and generation


@given(question=texts(1, 8), contexts=st.lists(texts(0, 10), max_size=5))
def test_augment_writes_the_same_prompt_as_reference(question, contexts):
    before = list(contexts)
    assert sol.augment(question, contexts) == ref.augment(question, contexts)
    assert contexts == before


CORPUS = [
    "Chunks are embedded and stored in a vector index.",
    "The retriever returns the chunks most similar to the question.",
    "Paris is the capital of France.",
    "LoRA trains two small matrices beside a frozen weight.",
    "Recall at k counts the relevant chunks among the first k.",
]


@pytest.mark.parametrize("k", [1, 3, 5])
def test_answer_sends_the_same_prompt_to_generate_as_reference(k):
    model = ref.HashingEmbedder(dim=96)
    question = "Which chunks does the retriever return?"
    prompts: list[str] = []
    got = sol.answer(
        question,
        CORPUS,
        sol.build_index(sol.embed(CORPUS, model)),
        model,
        lambda p: prompts.append(p) or "ok",
        k=k,
    )
    want = ref.answer(
        question,
        CORPUS,
        ref.build_index(ref.embed(CORPUS, model)),
        model,
        lambda p: prompts.append(p) or "ok",
        k=k,
    )
    assert got == want == "ok"
    assert prompts[0] == prompts[1]
    assert "[1] The retriever returns the chunks most similar to the question." in prompts[0]


# ----------------------------------------------------------------------------- evaluation


@given(
    retrieved=st.lists(st.integers(0, 9), max_size=10),
    relevant=st.sets(st.integers(0, 9), min_size=1),
    k=st.integers(1, 12),
)
def test_recall_at_k_agrees_with_reference(retrieved, relevant, k):
    r0, s0 = list(retrieved), set(relevant)
    assert sol.recall_at_k(retrieved, relevant, k) == pytest.approx(
        ref.recall_at_k(retrieved, relevant, k)
    )
    assert retrieved == r0 and relevant == s0


def test_recall_at_k_with_no_relevant_ids_raises_like_reference():
    for fn in (sol.recall_at_k, ref.recall_at_k):
        with pytest.raises(ValueError):
            fn([1, 2, 3], set(), 2)


@given(
    cases=st.lists(
        st.tuples(st.lists(st.integers(0, 6), max_size=6), st.sets(st.integers(0, 6))),
        min_size=1,
        max_size=6,
    )
)
def test_mean_reciprocal_rank_agrees_with_reference(cases):
    lists, sets = [c[0] for c in cases], [c[1] for c in cases]
    got = sol.mean_reciprocal_rank(lists, sets)
    assert got == pytest.approx(ref.mean_reciprocal_rank(lists, sets))
    assert lists == [c[0] for c in cases] and sets == [c[1] for c in cases]
