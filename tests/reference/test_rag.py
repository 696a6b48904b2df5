"""reference.rag against torch built-ins, brute-force rankings and hand-computed examples.

Vectors: ``cosine_similarity`` vs ``F.cosine_similarity``, ``top_k`` vs ``torch.topk``, ``search``
(faiss) vs ``top_k``. Ties: duplicated rows must come back in ascending index order, whatever
order faiss happens to return them in. Text: chunking properties on generated texts. Metrics:
worked examples computed by hand. Embedding: the hashing stand-in in unit tests, and one
module-scoped group (marker ``model``) that loads the real all-MiniLM-L6-v2 once.
"""

from __future__ import annotations

import hashlib
import itertools

import faiss
import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from grader.strategies import messy_texts, seeds, sentence_texts, texts
from reference import rag

# Elements are 0 or at least 1e-3 in size: F.cosine_similarity clamps norms at 1e-8, so rows of
# tiny (but nonzero) numbers are where it and the exact formula part ways by design.
_ELEMENT = st.one_of(
    st.just(0.0),
    st.floats(1e-3, 10.0),
    st.floats(-10.0, -1e-3),
)


@st.composite
def matrix_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n, m, d = draw(st.integers(1, 5)), draw(st.integers(1, 6)), draw(st.integers(1, 6))
    a = np.array(draw(st.lists(_ELEMENT, min_size=n * d, max_size=n * d))).reshape(n, d)
    b = np.array(draw(st.lists(_ELEMENT, min_size=m * d, max_size=m * d))).reshape(m, d)
    return a, b


def _unit(x: torch.Tensor) -> torch.Tensor:
    return x / x.norm(dim=-1, keepdim=True)


def _random_unit(seed: int, n: int, d: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return _unit(torch.randn(n, d, generator=g, dtype=torch.float64)).to(dtype)


# --------------------------------------------------------------------------------------------
# cosine_similarity
# --------------------------------------------------------------------------------------------


@given(pair=matrix_pairs(), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_cosine_similarity_matches_F_cosine_similarity(pair, dtype):
    a, b = (torch.from_numpy(v).to(dtype) for v in pair)
    expected = F.cosine_similarity(a[:, None, :], b[None, :, :], dim=-1)  # (N, M)
    got = rag.cosine_similarity(a, b)
    assert got.shape == (a.shape[0], b.shape[0])
    assert got.dtype == dtype
    tol = 1e-5 if dtype == torch.float32 else 1e-12
    torch.testing.assert_close(got, expected, atol=tol, rtol=tol)


def test_cosine_similarity_of_zero_vector_is_zero_not_nan():
    a = torch.tensor([[0.0, 0.0, 0.0], [1.0, 2.0, 2.0]])
    b = torch.tensor([[0.0, 0.0, 0.0], [2.0, 4.0, 4.0], [-1.0, -2.0, -2.0]])
    got = rag.cosine_similarity(a, b)
    expected = torch.tensor([[0.0, 0.0, 0.0], [0.0, 1.0, -1.0]])
    assert not torch.isnan(got).any()
    torch.testing.assert_close(got, expected)


def test_cosine_similarity_is_scale_invariant_at_extreme_magnitudes():
    a = torch.tensor([[1000.0, -1000.0, 500.0]], dtype=torch.float64)
    b = torch.tensor([[1e-3, -1e-3, 5e-4], [-1000.0, 1000.0, -500.0]], dtype=torch.float64)
    torch.testing.assert_close(
        rag.cosine_similarity(a, b), torch.tensor([[1.0, -1.0]], dtype=torch.float64)
    )


def test_cosine_similarity_in_bfloat16_is_close_to_float64():
    a, b = _random_unit(0, 3, 8, torch.float64), _random_unit(1, 4, 8, torch.float64)
    got = rag.cosine_similarity(a.bfloat16(), b.bfloat16())
    assert got.dtype == torch.bfloat16
    torch.testing.assert_close(got.double(), a @ b.T, atol=3e-2, rtol=0)


def test_cosine_similarity_output_on_input_device(device):
    a = torch.randn(2, 5, device=device)
    b = torch.randn(3, 5, device=device)
    assert rag.cosine_similarity(a, b).device == a.device


@pytest.mark.parametrize(
    ("a", "b", "match"),
    [
        (torch.ones(3), torch.ones(2, 3), r"cosine_similarity: a has shape \(3,\)"),
        (torch.ones(2, 3), torch.ones(2, 4), r"cosine_similarity: b has shape \(2, 4\).*D=3"),
        (torch.ones(2, 3, dtype=torch.int64), torch.ones(2, 3), r"a must have a floating dtype"),
        (torch.ones(2, 3), torch.ones(2, 3, dtype=torch.float64), r"dtype"),
    ],
)
def test_cosine_similarity_rejects_bad_input_naming_the_argument(a, b, match):
    with pytest.raises(ValueError, match=match):
        rag.cosine_similarity(a, b)


# --------------------------------------------------------------------------------------------
# top_k
# --------------------------------------------------------------------------------------------


@given(seed=seeds(), m=st.integers(1, 30), d=st.integers(2, 16), data=st.data())
def test_top_k_matches_torch_topk_on_distinct_scores(seed, m, d, data):
    g = torch.Generator().manual_seed(seed)
    matrix = torch.randn(m, d, generator=g, dtype=torch.float64) * 3
    query = torch.randn(d, generator=g, dtype=torch.float64)
    scores = F.cosine_similarity(query[None, :], matrix, dim=-1)  # (M,)
    gaps = scores.sort().values.diff()
    assume(m == 1 or gaps.min() > 1e-9)  # distinct scores: torch.topk's order is then unique
    k = data.draw(st.integers(1, m))
    want_scores, want_idx = torch.topk(scores, k)
    idx, got_scores = rag.top_k(query, matrix, k)
    assert idx.dtype == torch.int64
    assert idx.tolist() == want_idx.tolist()
    torch.testing.assert_close(got_scores, want_scores, atol=1e-12, rtol=1e-12)


@settings(max_examples=30)
@given(
    pattern=st.lists(st.integers(0, 4), min_size=1, max_size=25),
    data=st.data(),
)
def test_top_k_orders_duplicate_rows_by_ascending_index(pattern, data):
    # Five base directions at distinct angles to the query; the matrix repeats them in the drawn
    # pattern, so rows built from one base tie exactly.
    angles = torch.tensor([0.0, 0.3, 0.6, 0.9, 1.2], dtype=torch.float64)
    bases = torch.stack([angles.cos(), angles.sin(), torch.zeros(5, dtype=torch.float64)], 1)
    matrix = bases[pattern]
    query = torch.tensor([2.0, 0.0, 0.0], dtype=torch.float64)
    k = data.draw(st.integers(1, len(pattern)))
    expected = sorted(range(len(pattern)), key=lambda j: (pattern[j], j))[:k]  # angle asc
    idx, scores = rag.top_k(query, matrix, k)
    assert idx.tolist() == expected
    torch.testing.assert_close(scores, angles[[pattern[j] for j in expected]].cos())


def test_top_k_tie_keeps_lower_index_inside_the_cut():
    matrix = torch.tensor([[0.0, 1.0], [1.0, 0.0], [2.0, 0.0], [1.0, 1.0], [3.0, 0.0]])
    idx, scores = rag.top_k(torch.tensor([1.0, 0.0]), matrix, 2)
    assert idx.tolist() == [1, 2]
    torch.testing.assert_close(scores, torch.tensor([1.0, 1.0]))


def test_top_k_dtype_and_device_follow_the_input(device):
    for dtype in (torch.float32, torch.float64):
        matrix = torch.randn(6, 4, dtype=dtype, device=device)
        idx, scores = rag.top_k(matrix[2], matrix, 3)
        assert scores.dtype == dtype
        assert idx.device == scores.device == matrix.device
        assert idx[0].item() == 2


@pytest.mark.parametrize(
    ("query", "matrix", "k", "match"),
    [
        (torch.ones(3), torch.ones(4, 3), 5, r"top_k: k=5 is larger than the number of rows M=4"),
        (torch.ones(3), torch.ones(4, 3), 0, r"top_k: k must be >= 1"),
        (torch.ones(1, 3), torch.ones(4, 3), 1, r"top_k: query has shape \(1, 3\)"),
        (torch.ones(2), torch.ones(4, 3), 1, r"top_k: matrix has shape \(4, 3\).*D=2"),
    ],
)
def test_top_k_rejects_bad_input(query, matrix, k, match):
    with pytest.raises(ValueError, match=match):
        rag.top_k(query, matrix, k)


# --------------------------------------------------------------------------------------------
# build_index and search
# --------------------------------------------------------------------------------------------


def test_build_index_stores_the_normalised_rows_as_flat_inner_product():
    emb = torch.tensor([[3.0, 4.0], [0.0, 0.0], [-2.0, 0.0]], dtype=torch.float64)
    index = rag.build_index(emb)
    assert isinstance(index, faiss.IndexFlatIP)
    assert (index.ntotal, index.d) == (3, 2)
    stored = index.reconstruct_n(0, 3)
    np.testing.assert_allclose(stored, [[0.6, 0.8], [0.0, 0.0], [-1.0, 0.0]], atol=1e-7)


def test_build_index_rejects_an_empty_or_non_matrix_input():
    with pytest.raises(ValueError, match=r"build_index: embeddings has shape \(0, 4\)"):
        rag.build_index(torch.zeros(0, 4))
    with pytest.raises(ValueError, match=r"build_index: embeddings has shape \(4,\)"):
        rag.build_index(torch.zeros(4))


@given(
    seed=seeds(), n=st.integers(1, 40), q=st.integers(1, 4), d=st.integers(2, 12), data=st.data()
)
def test_search_matches_top_k_on_random_unit_vectors(seed, n, q, d, data):
    emb = _random_unit(seed, n, d)
    queries = _random_unit(seed + 1, q, d)
    k = data.draw(st.integers(1, n))
    idx, scores = rag.search(rag.build_index(emb), queries, k)
    assert idx.shape == scores.shape == (q, k)
    for row in range(q):
        want_idx, want_scores = rag.top_k(queries[row].double(), emb.double(), k)
        # float32 scores can swap two near-equal neighbours; require the same set of scores and
        # the exact order wherever consecutive scores differ clearly
        torch.testing.assert_close(scores[row].double(), want_scores, atol=1e-5, rtol=0)
        gaps = want_scores.diff().abs()
        clear = torch.cat([gaps > 1e-5, torch.tensor([True])]) & torch.cat(
            [torch.tensor([True]), gaps > 1e-5]
        )
        assert idx[row][clear].tolist() == want_idx[clear].tolist()


@settings(max_examples=25)
@given(seed=seeds(), copies=st.integers(2, 60), n_base=st.integers(1, 5), data=st.data())
def test_search_returns_tied_duplicates_in_ascending_index_order(seed, copies, n_base, data):
    base = _random_unit(seed, n_base, 8)
    emb = base.repeat(copies, 1)  # row j is a copy of base[j % n_base]
    n = emb.shape[0]
    k = data.draw(st.integers(1, n))
    # 24 queries, each a copy of one base vector: faiss switches to BLAS from 20 queries on
    queries = base[torch.arange(24) % n_base]
    idx, _ = rag.search(rag.build_index(emb), queries, k)
    for row in range(24):
        want_idx, _ = rag.top_k(queries[row], emb, k)
        assert idx[row].tolist() == want_idx.tolist()
        # the query ties with every copy of its own base vector: lowest copies first
        first = row % n_base
        assert idx[row].tolist()[: min(k, copies)] == [
            first + n_base * c for c in range(min(k, copies))
        ]


def test_search_fixes_the_order_faiss_returns_for_ties():
    # Plain faiss returns these 40 exact duplicates in heap order (e.g. 20, 15, 10, 5, 0)
    x = _random_unit(0, 5, 8)
    index = rag.build_index(x.repeat(40, 1))
    idx, scores = rag.search(index, x[:2], 5)
    assert idx.tolist() == [[0, 5, 10, 15, 20], [1, 6, 11, 16, 21]]
    torch.testing.assert_close(scores, torch.ones(2, 5), atol=1e-6, rtol=0)


def test_search_through_faiss_on_other_index_types_matches_the_flat_path():
    """A non-IndexFlatIP index takes faiss's own search; ties and top k come out the same."""
    x = _random_unit(5, 30, 8).repeat(3, 1)  # (90, 8), every vector three times
    queries = _random_unit(6, 4, 8)
    flat = rag.build_index(x)
    generic = faiss.IndexFlat(8, faiss.METRIC_INNER_PRODUCT)  # same metric, not IndexFlatIP
    # the very vectors build_index stored: renormalising x's float32 unit rows may move their
    # last bits (it did on an AVX-512 machine), and then the two indexes would not hold the same
    generic.add(flat.reconstruct_n(0, flat.ntotal))
    for q in (queries, queries[:1]):
        idx_flat, s_flat = rag.search(flat, q, 7)
        idx_gen, s_gen = rag.search(generic, q, 7)
        assert idx_gen.tolist() == idx_flat.tolist()
        torch.testing.assert_close(s_gen, s_flat, atol=0, rtol=0)


def test_search_sees_an_index_grown_emptied_or_refilled_after_an_earlier_search():
    """The flat path keeps views of faiss's storage between calls: growing the index (its
    storage moves), emptying and refilling it with as many other vectors, or a new index built
    where a freed one was, must each be searched as it is now, never through a stale view."""
    x, y = _random_unit(11, 50, 8), _random_unit(12, 50, 8)
    index = rag.build_index(x)
    assert rag.search(index, x[:3], 1)[0].ravel().tolist() == [0, 1, 2]
    index.add(np.ascontiguousarray(y.numpy()))  # grows 50 → 100: faiss reallocates
    assert rag.search(index, y[:3], 1)[0].ravel().tolist() == [50, 51, 52]
    index.reset()
    index.add(np.ascontiguousarray(y.flip(0).numpy()))  # 50 others, perhaps at the same place
    assert rag.search(index, y[:3], 1)[0].ravel().tolist() == [49, 48, 47]
    for seed in range(20):  # indexes freed and built again, often at a freed one's address
        z = _random_unit(100 + seed, 50, 8)
        assert rag.search(rag.build_index(z), z[7:8], 1)[0].item() == 7


def test_search_restores_the_callers_faiss_thread_count():
    generic = faiss.IndexFlat(8, faiss.METRIC_INNER_PRODUCT)
    generic.add(_random_unit(7, 20, 8).numpy())
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(2)
    try:
        rag.search(generic, _random_unit(8, 1, 8), 3)
        assert faiss.omp_get_max_threads() == 2
    finally:
        faiss.omp_set_num_threads(before)


def test_search_normalises_the_queries():
    emb = _random_unit(3, 10, 6)
    queries = _random_unit(4, 2, 6)
    index = rag.build_index(emb)
    idx_unit, s_unit = rag.search(index, queries, 4)
    idx_scaled, s_scaled = rag.search(index, queries * 37.0, 4)
    assert idx_unit.tolist() == idx_scaled.tolist()
    torch.testing.assert_close(s_unit, s_scaled, atol=1e-6, rtol=0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_search_output_dtype_and_device_follow_the_queries(device, dtype):
    emb = _random_unit(5, 7, 4)
    queries = _random_unit(6, 3, 4, dtype).to(device)
    idx, scores = rag.search(rag.build_index(emb.to(device)), queries, 2)
    assert idx.dtype == torch.int64 and scores.dtype == dtype
    assert idx.device == scores.device == queries.device


def test_search_rejects_bad_input():
    index = rag.build_index(_random_unit(0, 4, 3))
    with pytest.raises(ValueError, match=r"search: k=5 is larger than the number of indexed"):
        rag.search(index, torch.ones(1, 3), 5)
    with pytest.raises(ValueError, match=r"search: queries has shape \(1, 4\), expected \(Q, 3\)"):
        rag.search(index, torch.ones(1, 4), 1)
    with pytest.raises(ValueError, match=r"search: queries has shape \(3,\)"):
        rag.search(index, torch.ones(3), 1)
    with pytest.raises(TypeError, match=r"search: index must be a faiss.Index"):
        rag.search("index", torch.ones(1, 3), 1)


# --------------------------------------------------------------------------------------------
# chunk_text
# --------------------------------------------------------------------------------------------


@given(text=messy_texts(), chunk_size=st.integers(1, 12), data=st.data())
def test_chunk_text_windows_cover_every_word_with_exact_overlap(text, chunk_size, data):
    overlap = data.draw(st.integers(0, chunk_size - 1))
    words = text.split()
    chunks = rag.chunk_text(text, chunk_size, overlap)
    if not words:
        assert chunks == []
        return
    pieces = [c.split() for c in chunks]
    assert all(" ".join(p) == c for p, c in zip(pieces, chunks, strict=True))  # single spaces
    step = chunk_size - overlap
    for i, p in enumerate(pieces):
        assert p == words[i * step : i * step + chunk_size]  # window i, in document order
        assert 1 <= len(p) <= chunk_size
    for prev, nxt in itertools.pairwise(pieces):
        assert len(prev) == chunk_size  # only the last chunk may be short
        if overlap:
            assert prev[-overlap:] == nxt[:overlap]
        assert len(nxt) > overlap  # every later chunk brings a new word
    # coverage: the first chunk plus each later chunk minus its overlap gives back the text
    rebuilt = pieces[0] + [w for p in pieces[1:] for w in p[overlap:]]
    assert rebuilt == words


def test_chunk_text_worked_example():
    text = "one two three four five six seven"
    assert rag.chunk_text(text, 3, 1) == ["one two three", "three four five", "five six seven"]
    assert rag.chunk_text(text, 3, 0) == ["one two three", "four five six", "seven"]
    assert rag.chunk_text(text, 4, 2) == [
        "one two three four",
        "three four five six",
        "five six seven",
    ]
    assert rag.chunk_text(text, 10, 3) == [text]
    assert rag.chunk_text("  \n\t ", 3, 1) == []


@pytest.mark.parametrize(
    ("chunk_size", "overlap", "match"),
    [
        (3, 3, r"chunk_text: overlap must be < chunk_size"),
        (3, 5, r"chunk_text: overlap must be < chunk_size"),
        (0, 0, r"chunk_text: chunk_size must be >= 1"),
        (3, -1, r"chunk_text: overlap must be >= 0"),
        (2.5, 1, r"chunk_text: chunk_size must be an int"),
    ],
)
def test_chunk_text_rejects_bad_sizes(chunk_size, overlap, match):
    with pytest.raises(ValueError, match=match):
        rag.chunk_text("a b c d", chunk_size, overlap)


# --------------------------------------------------------------------------------------------
# chunk_sentences
# --------------------------------------------------------------------------------------------


def _sentences(text: str) -> list[list[str]]:
    """The test's own reading of the documented rule: a word ending in . ! ? ends a sentence."""
    out: list[list[str]] = []
    current: list[str] = []
    for w in text.split():
        current.append(w)
        if w[-1] in ".!?":
            out.append(current)
            current = []
    return out + ([current] if current else [])


@given(text=sentence_texts(), max_words=st.integers(1, 15))
def test_chunk_sentences_packs_whole_sentences_greedily(text, max_words):
    chunks = rag.chunk_sentences(text, max_words)
    words = text.split()
    assert " ".join(chunks) == " ".join(words)  # every word once, in order
    assert all(1 <= len(c.split()) <= max_words for c in chunks)
    # Expected chunking from the documented rule, built sentence by sentence.
    expected: list[list[str]] = []
    open_chunk = False  # whether expected[-1] may still receive sentences
    for s in _sentences(text):
        if len(s) > max_words:
            expected += [s[i : i + max_words] for i in range(0, len(s), max_words)]
            open_chunk = False
        elif open_chunk and len(expected[-1]) + len(s) <= max_words:
            expected[-1] = expected[-1] + s
        else:
            expected.append(list(s))
            open_chunk = True
    assert [c.split() for c in chunks] == expected


def test_chunk_sentences_worked_example():
    text = "The cat sat. It purred!  Then it slept on the warm mat for hours. Why? 3.14 is pi."
    assert rag.chunk_sentences(text, 5) == [
        "The cat sat. It purred!",
        "Then it slept on the",
        "warm mat for hours.",
        "Why? 3.14 is pi.",
    ]
    assert rag.chunk_sentences(text, 100) == [" ".join(text.split())]
    assert rag.chunk_sentences("no end mark at all", 2) == ["no end", "mark at", "all"]
    assert rag.chunk_sentences(" \n ", 3) == []


def test_chunk_sentences_rejects_bad_max_words():
    with pytest.raises(ValueError, match=r"chunk_sentences: max_words must be >= 1"):
        rag.chunk_sentences("a. b.", 0)


# --------------------------------------------------------------------------------------------
# embed (hashing stand-in) and HashingEmbedder
# --------------------------------------------------------------------------------------------


@given(docs=st.lists(texts(0, 12), min_size=1, max_size=6))
def test_embed_is_the_row_normalised_model_output(docs):
    model = rag.HashingEmbedder(dim=32)
    raw = torch.from_numpy(model.encode(docs))  # counts, not unit length
    got = rag.embed(docs, model)
    assert got.shape == (len(docs), 32) and got.dtype == torch.float32
    norms = raw.norm(dim=1, keepdim=True)
    expected = torch.where(norms > 0, raw / norms.clamp_min(1e-30), torch.zeros_like(raw))
    torch.testing.assert_close(got, expected)
    lengths = got.norm(dim=1)
    for doc, length in zip(docs, lengths.tolist(), strict=True):
        assert length == pytest.approx(1.0 if doc.split() else 0.0, abs=1e-6)


def test_embed_output_on_the_model_device(device):
    got = rag.embed(["a b", "c"], rag.HashingEmbedder(dim=16, device=device))
    assert got.device.type == torch.device(device).type


def test_embed_keeps_the_models_tensor_where_it_is_whatever_the_default_device():
    """The model's output stays on its device: ``torch.as_tensor`` moved it to the default device
    of ``torch.set_default_device`` (the meta device stands in for cuda, where it would have been
    a silent host-to-GPU copy)."""
    docs = ["a b", "c", ""]
    expected = rag.embed(docs, rag.HashingEmbedder(dim=16))
    with torch.device("meta"):
        got = rag.embed(docs, rag.HashingEmbedder(dim=16))
    assert got.device.type == "cpu"
    torch.testing.assert_close(got, expected, rtol=0, atol=0)


def test_embed_rejects_a_single_string_and_an_empty_list():
    model = rag.HashingEmbedder()
    with pytest.raises(TypeError, match=r"embed: texts must be a list of str, got str"):
        rag.embed("one text", model)
    with pytest.raises(ValueError, match=r"embed: texts must hold at least one string"):
        rag.embed([], model)
    with pytest.raises(TypeError, match=r"embed: texts\[1\] must be a str"):
        rag.embed(["ok", 3], model)


def test_hashing_embedder_is_deterministic_and_shares_words_positively():
    a, b = rag.HashingEmbedder(dim=64), rag.HashingEmbedder(dim=64)
    docs = ["Retrieval augmented generation", "retrieval, AUGMENTED generation!", "banana"]
    np.testing.assert_array_equal(a.encode(docs), b.encode(docs))
    v = a.encode(docs, normalize_embeddings=True)
    assert v.dtype == np.float32 and v.shape == (3, 64)
    np.testing.assert_allclose(v[0] @ v[1], 1.0, rtol=1e-6)  # same words, case and punctuation
    assert a.encode(["the cat sat"])[0] @ a.encode(["a cat ran"])[0] > 0
    assert a.encode("banana").shape == (64,)
    # a pinned value: blake2b is stable across processes and platforms
    digest = hashlib.blake2b(b"banana", digest_size=8).digest()
    assert np.flatnonzero(a.encode("banana")).tolist() == [int.from_bytes(digest, "little") % 64]


# --------------------------------------------------------------------------------------------
# augment and answer
# --------------------------------------------------------------------------------------------


def test_augment_writes_the_documented_prompt():
    prompt = rag.augment("What is RAG?", ["RAG retrieves text.", "Then it generates."])
    assert prompt == (
        "Answer the question using the context below.\n"
        "\n"
        "Context:\n"
        "[1] RAG retrieves text.\n"
        "[2] Then it generates.\n"
        "\n"
        "Question: What is RAG?\n"
        "Answer:"
    )
    assert rag.augment("Q?", []) == (
        "Answer the question using the context below.\n\nContext:\n\nQuestion: Q?\nAnswer:"
    )


@given(question=texts(1, 8), contexts=st.lists(texts(1, 10), max_size=6))
def test_augment_holds_the_question_and_every_context_numbered(question, contexts):
    prompt = rag.augment(question, contexts)
    assert f"Question: {question}" in prompt
    for i, c in enumerate(contexts, start=1):
        assert f"[{i}] {c}" in prompt.splitlines()


CORPUS = [
    "The mitochondria is the powerhouse of the cell.",
    "Paris is the capital of France.",
    "Gradient descent updates weights against the gradient.",
    "The Eiffel Tower stands in Paris, France.",
    "Cats sleep for most of a day.",
]


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_answer_passes_the_top_k_chunks_through_augment_to_generate(k):
    model = rag.HashingEmbedder(dim=128)
    index = rag.build_index(rag.embed(CORPUS, model))
    question = "What is the capital of France?"
    seen: list[str] = []

    def generate(prompt: str) -> str:
        seen.append(prompt)
        return "ANSWER"

    assert rag.answer(question, CORPUS, index, model, generate, k=k) == "ANSWER"
    # independent retrieval: brute-force cosine over the raw bag-of-words counts
    counts = torch.from_numpy(model.encode([question, *CORPUS])).double()
    ids, _ = rag.top_k(counts[0], counts[1:], k)
    assert seen == [rag.augment(question, [CORPUS[i] for i in ids.tolist()])]
    assert "Paris is the capital of France." in seen[0]


def test_answer_rejects_chunks_that_do_not_match_the_index():
    model = rag.HashingEmbedder()
    index = rag.build_index(rag.embed(CORPUS, model))
    with pytest.raises(ValueError, match=r"answer: chunks has 2 texts but the index holds 5"):
        rag.answer("q", CORPUS[:2], index, model, str, k=1)


# --------------------------------------------------------------------------------------------
# recall_at_k and mean_reciprocal_rank
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("retrieved", "relevant", "k", "expected"),
    [
        ([4, 2, 7, 1], {2, 1}, 1, 0.0),  # top 1 = {4}
        ([4, 2, 7, 1], {2, 1}, 2, 0.5),  # top 2 = {4, 2}: one of two relevant
        ([4, 2, 7, 1], {2, 1}, 4, 1.0),
        ([4, 2, 7, 1], {2, 1, 9}, 10, 2 / 3),  # k beyond the list: the whole list counts
        ([3, 3, 3], {3, 5}, 3, 0.5),  # a duplicate id counts once
        (torch.tensor([0, 5, 6]), [5, 5, 6], 2, 0.5),  # tensors and lists are fine
    ],
)
def test_recall_at_k_hand_computed(retrieved, relevant, k, expected):
    assert rag.recall_at_k(retrieved, relevant, k) == pytest.approx(expected)


@given(
    retrieved=st.lists(st.integers(0, 9), max_size=10),
    relevant=st.sets(st.integers(0, 9), min_size=1),
    k=st.integers(1, 12),
)
def test_recall_at_k_counts_relevant_hits_over_the_relevant_set(retrieved, relevant, k):
    hits = [i for i in range(10) if i in relevant and i in retrieved[:k]]
    assert rag.recall_at_k(retrieved, relevant, k) == pytest.approx(len(hits) / len(relevant))
    assert rag.recall_at_k(retrieved, relevant, k) <= rag.recall_at_k(retrieved, relevant, k + 1)


def test_recall_at_k_rejects_an_empty_relevant_set_and_bad_k():
    with pytest.raises(ValueError, match=r"recall_at_k: relevant is empty"):
        rag.recall_at_k([1, 2], set(), 2)
    with pytest.raises(ValueError, match=r"recall_at_k: k must be >= 1"):
        rag.recall_at_k([1, 2], {1}, 0)


def test_mean_reciprocal_rank_hand_computed():
    # ranks of the first relevant hit: 2, 1, none, 3 -> (1/2 + 1 + 0 + 1/3) / 4
    retrieved = [[3, 1, 2], [5, 4], [9, 8], [0, 7, 6, 1]]
    relevant = [{1, 2}, {5}, {0}, {6, 1}]
    assert rag.mean_reciprocal_rank(retrieved, relevant) == pytest.approx((0.5 + 1 + 1 / 3) / 4)
    assert rag.mean_reciprocal_rank([[1, 2]], [set()]) == 0.0
    assert rag.mean_reciprocal_rank([[]], [{1}]) == 0.0
    assert rag.mean_reciprocal_rank([torch.tensor([4, 2])], [[2]]) == 0.5


@given(
    cases=st.lists(
        st.tuples(st.lists(st.integers(0, 6), max_size=6), st.sets(st.integers(0, 6))),
        min_size=1,
        max_size=6,
    )
)
def test_mean_reciprocal_rank_averages_over_every_query(cases):
    rr = []
    for ranked, relevant in cases:
        ranks = [r for r, doc in enumerate(ranked, start=1) if doc in relevant]
        rr.append(1 / ranks[0] if ranks else 0.0)
    got = rag.mean_reciprocal_rank([c[0] for c in cases], [c[1] for c in cases])
    assert got == pytest.approx(sum(rr) / len(rr))


def test_mean_reciprocal_rank_rejects_mismatched_or_empty_input():
    with pytest.raises(ValueError, match=r"mean_reciprocal_rank: retrieved_lists has 2"):
        rag.mean_reciprocal_rank([[1], [2]], [{1}])
    with pytest.raises(ValueError, match=r"mean_reciprocal_rank: retrieved_lists is empty"):
        rag.mean_reciprocal_rank([], [])


# --------------------------------------------------------------------------------------------
# The real embedding model (loaded once for this group)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm():
    return rag.load_model()


@pytest.mark.model
class TestMiniLM:
    def test_embed_gives_unit_float32_rows_of_dimension_384(self, minilm):
        got = rag.embed(["A short sentence.", "Another, longer sentence about retrieval."], minilm)
        assert got.shape == (2, 384) and got.dtype == torch.float32
        torch.testing.assert_close(got.norm(dim=1).cpu(), torch.ones(2), atol=1e-5, rtol=0)
        assert rag.load_model() is minilm  # cached: one load per device

    def test_a_paraphrase_is_closer_than_an_unrelated_sentence(self, minilm):
        e = rag.embed(
            [
                "The cat is sleeping on the sofa.",
                "A kitten naps on the couch.",
                "Interest rates rose again this quarter.",
            ],
            minilm,
        )
        sim = rag.cosine_similarity(e, e)
        assert sim[0, 1] > sim[0, 2] + 0.2

    def test_answer_end_to_end_retrieves_the_relevant_chunk(self, minilm):
        index = rag.build_index(rag.embed(CORPUS, minilm))
        prompt = rag.answer(
            "Which city is the capital of France?", CORPUS, index, minilm, lambda p: p, k=2
        )
        context_lines = [ln for ln in prompt.splitlines() if ln.startswith("[")]
        assert len(context_lines) == 2
        assert "Paris is the capital of France." in prompt
        assert "Question: Which city is the capital of France?" in prompt
        assert "mitochondria" not in prompt
