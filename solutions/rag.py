"""Retrieval-augmented generation (topic ``rag``).

A language model only knows what it saw in training. RAG hands it the missing facts at question
time: cut the documents into chunks, embed every chunk as a unit vector, store the vectors in an
index, find the chunks closest to the question, paste them into the prompt, and let the model
answer from them. The last two functions measure how good the retrieval is.

Lesson: lessons/rag.md
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import faiss
import numpy as np


# ----------------------------------------------------------------------------- indexing
def chunk_text(text: str, chunk_size: int, overlap: int) -> list[str]:
    """Split ``text`` into windows of ``chunk_size`` words that overlap by ``overlap`` words.

    Words are the pieces of ``text.split()``; a chunk is its words joined by single spaces.
    Window i starts at word i·(chunk_size − overlap); the windows stop with the first one that
    reaches the last word. So every word is in a chunk, no chunk is longer than ``chunk_size``
    (only the last may be shorter), and consecutive chunks share exactly ``overlap`` words.

    Args:
        text: the document.
        chunk_size: words per chunk, at least 1.
        overlap: words repeated between neighbours, 0 ≤ overlap < chunk_size.

    Returns:
        The chunks in order, ``[]`` for a text without words.

    Raises:
        ValueError: chunk_size < 1, overlap < 0 or overlap ≥ chunk_size.
    """
    ### BEGIN SOLUTION
    # hint: validate the sizes, then slide a window forward by chunk_size − overlap words and stop as soon as a window contains the last word
    if chunk_size < 1:
        raise ValueError(f"chunk_text: chunk_size must be >= 1, got {chunk_size}")
    if overlap < 0 or overlap >= chunk_size:
        raise ValueError(
            f"chunk_text: overlap must satisfy 0 <= overlap < chunk_size, got {overlap}"
        )
    words = text.split()
    step = chunk_size - overlap
    chunks = []
    for start in range(0, len(words), step):
        chunks.append(" ".join(words[start : start + chunk_size]))
        if start + chunk_size >= len(words):
            break
    return chunks
    ### END SOLUTION


def chunk_sentences(text: str, max_words: int) -> list[str]:
    """Pack whole sentences, in order, into chunks of at most ``max_words`` words.

    Sentences: words are the pieces of ``text.split()``; every word whose last character is
    ``.``, ``!`` or ``?`` ends a sentence, and the last word ends the last one.
    Packing (greedy): add each sentence to the current chunk if the chunk stays within
    ``max_words`` words, otherwise start a new chunk with it. A sentence longer than
    ``max_words`` is cut into pieces of ``max_words`` words (the last piece may be shorter); each
    piece is a chunk on its own and the next sentence starts a new chunk.

    Args:
        text: the document.
        max_words: the largest chunk, in words, at least 1.

    Returns:
        The chunks (words joined by single spaces), ``[]`` for a text without words.
    """
    ### BEGIN SOLUTION
    # hint: first group the words into sentences, then keep a running chunk that you close whenever the next sentence would not fit; over-long sentences go through chunk_text with no overlap
    if max_words < 1:
        raise ValueError(f"chunk_sentences: max_words must be >= 1, got {max_words}")
    sentences = []
    current = []
    for word in text.split():
        current.append(word)
        if word[-1] in ".!?":
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)

    chunks = []
    packed = []
    for sentence in sentences:
        if len(sentence) > max_words:
            if packed:
                chunks.append(" ".join(packed))
                packed = []
            chunks.extend(chunk_text(" ".join(sentence), max_words, 0))
        elif len(packed) + len(sentence) <= max_words:
            packed = packed + sentence
        else:
            chunks.append(" ".join(packed))
            packed = list(sentence)
    if packed:
        chunks.append(" ".join(packed))
    return chunks
    ### END SOLUTION


def embed(texts: Sequence[str], model: Any) -> np.ndarray:
    """Embed ``texts`` with a sentence-transformers ``model``; every row scaled to unit length.

    e_i = v_i / ‖v_i‖ where v_i is the model's vector for texts[i]; a zero vector stays zero.
    Normalise yourself: do not count on the model having done it.

    Args:
        texts: a list of N strings.
        model: an object with ``model.encode(list_of_texts, convert_to_numpy=True)`` returning
            an (N, D) array.

    Returns:
        float32 array (N, D) with unit (or zero) rows.
    """
    ### BEGIN SOLUTION
    # hint: call model.encode on the list, then divide each row by its Euclidean norm (guarding rows whose norm is 0) and return float32
    v = np.asarray(model.encode(list(texts), convert_to_numpy=True), dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return (v / np.where(norms == 0, 1.0, norms)).astype(np.float32)
    ### END SOLUTION


def build_index(embeddings: np.ndarray) -> faiss.IndexFlatIP:
    """A faiss inner-product index holding the L2-normalised rows of ``embeddings``.

    On unit vectors the inner product is the cosine similarity, so the index ranks by cosine.
    Row i gets id i. faiss wants a C-contiguous float32 array.

    Args:
        embeddings: (N, D) vectors.

    Returns:
        ``faiss.IndexFlatIP`` of dimension D with N vectors.
    """
    ### BEGIN SOLUTION
    # hint: normalise a float32 copy of the rows, create faiss.IndexFlatIP(D) and add the vectors
    x = np.array(embeddings, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = np.ascontiguousarray(x / np.where(norms == 0, 1.0, norms), dtype=np.float32)
    index = faiss.IndexFlatIP(x.shape[1])
    index.add(x)
    return index
    ### END SOLUTION


# ----------------------------------------------------------------------------- retrieval
def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity between every row of ``a`` and every row of ``b``.

    S[i, j] = a_i · b_j / (‖a_i‖ ‖b_j‖), and 0 wherever a_i or b_j is all zeros (never NaN).

    Args:
        a: (N, D).
        b: (M, D).

    Returns:
        (N, M) array.
    """
    ### BEGIN SOLUTION
    # hint: scale every row of both matrices to unit length (leave zero rows at zero), then one matrix product gives all the dot products
    na = np.linalg.norm(a, axis=1, keepdims=True)
    nb = np.linalg.norm(b, axis=1, keepdims=True)
    a_unit = a / np.where(na == 0, 1.0, na)
    b_unit = b / np.where(nb == 0, 1.0, nb)
    return a_unit @ b_unit.T
    ### END SOLUTION


def top_k(query: np.ndarray, matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``matrix`` with the highest cosine similarity to ``query``.

    Ranked by descending similarity; equal similarities are ranked by ascending row index (the
    lower index first). Rows that are exact copies of each other must tie exactly.

    Args:
        query: (D,).
        matrix: (M, D).
        k: how many rows, 1 ≤ k ≤ M.

    Returns:
        (indices, scores): int64 (k,) and float (k,), best first.

    Raises:
        ValueError: k < 1 or k > M.
    """
    ### BEGIN SOLUTION
    # hint: score each row as the sum of its unit vector times the unit query (a matrix product may round identical rows differently), then a stable sort of the negated scores keeps ties in index order
    if k < 1 or k > matrix.shape[0]:
        raise ValueError(f"top_k: k must be between 1 and {matrix.shape[0]}, got {k}")
    nq = np.linalg.norm(query)
    nm = np.linalg.norm(matrix, axis=1, keepdims=True)
    q_unit = query / (nq if nq > 0 else 1.0)
    m_unit = matrix / np.where(nm == 0, 1.0, nm)
    scores = (m_unit * q_unit).sum(axis=1)  # (M,)
    order = np.argsort(-scores, kind="stable")[:k]
    return order.astype(np.int64), scores[order]
    ### END SOLUTION


def search(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best vectors of ``index`` for each query, ranked as :func:`top_k` ranks them.

    Normalise the queries, search the index by inner product, and order each row by descending
    score with ties going to the lower id. faiss itself returns tied vectors in an arbitrary
    order and may keep any of them at the k-th place, so ask it for more than k candidates
    (until the last candidate scores strictly less than the k-th, or everything is a candidate)
    and sort them yourself.

    Args:
        index: a faiss index, e.g. from :func:`build_index`, of dimension D.
        queries: (Q, D).
        k: 1 ≤ k ≤ index.ntotal.

    Returns:
        (indices, scores): int64 (Q, k) and float32 (Q, k).

    Raises:
        ValueError: k < 1 or k > index.ntotal.
    """
    ### BEGIN SOLUTION
    # hint: index.search(unit float32 queries, m) returns (scores, ids); grow m until no tie can hide past it, then sort each row by score descending and id ascending (np.lexsort) and keep k
    n = index.ntotal
    if k < 1 or k > n:
        raise ValueError(f"search: k must be between 1 and {n}, got {k}")
    q = np.array(queries, dtype=np.float32)
    norms = np.linalg.norm(q, axis=1, keepdims=True)
    q = np.ascontiguousarray(q / np.where(norms == 0, 1.0, norms), dtype=np.float32)
    m = min(n, 2 * k)
    scores, ids = index.search(q, m)
    while m < n and np.any(scores[:, m - 1] == scores[:, k - 1]):
        m = min(n, 2 * m)
        scores, ids = index.search(q, m)
    out_ids = np.empty((q.shape[0], k), dtype=np.int64)
    out_scores = np.empty((q.shape[0], k), dtype=np.float32)
    for row in range(q.shape[0]):
        order = np.lexsort((ids[row], -scores[row]))[:k]  # last key sorts first
        out_ids[row] = ids[row][order]
        out_scores[row] = scores[row][order]
    return out_ids, out_scores
    ### END SOLUTION


# ------------------------------------------------------------ augmentation and generation
def augment(question: str, contexts: Sequence[str]) -> str:
    """Build the prompt: an instruction, the numbered contexts, then the question.

    The exact text, lines joined by ``"\\n"`` with no newline at the end::

        Answer the question using the context below.

        Context:
        [1] <first context>
        [2] <second context>
        ...

        Question: <question>
        Answer:

    Contexts are numbered from 1 in the order given; with no contexts, the ``Context:`` line is
    followed directly by the empty line.

    Returns:
        The prompt string.
    """
    ### BEGIN SOLUTION
    # hint: collect the lines in a list (instruction, empty line, "Context:", one "[i] ..." per context counting from 1, empty line, question, "Answer:") and join them with newlines
    lines = ["Answer the question using the context below.", "", "Context:"]
    lines += [f"[{i}] {context}" for i, context in enumerate(contexts, start=1)]
    lines += ["", f"Question: {question}", "Answer:"]
    return "\n".join(lines)
    ### END SOLUTION


def answer(
    question: str,
    chunks: Sequence[str],
    index: faiss.Index,
    model: Any,
    generate: Callable[[str], str],
    k: int = 3,
) -> str:
    """Retrieval-augmented answer: retrieve the k chunks nearest the question, then generate.

    Embed the question with ``model``, search ``index`` for the k best chunk ids, build the
    prompt with :func:`augment` from ``chunks[id]`` in ranked order (all k of them: a text stored
    twice and retrieved twice is in the prompt twice), and return ``generate(prompt)``: what
    ``generate`` returns, whatever it does with the prompt.

    Args:
        question: the question.
        chunks: the texts the index was built from (vector i is ``chunks[i]``).
        index: a faiss index built from ``embed(chunks, model)``.
        model: the embedding model.
        generate: a function from prompt to answer text.
        k: how many chunks to put into the prompt.

    Returns:
        The generated answer.
    """
    ### BEGIN SOLUTION
    # hint: chain embed, search, augment and generate; search wants a (1, D) batch of queries
    ids, _ = search(index, embed([question], model), k)
    return generate(augment(question, [chunks[i] for i in ids[0]]))
    ### END SOLUTION


# ----------------------------------------------------------------------------- evaluation
def recall_at_k(retrieved: Sequence[int], relevant: Iterable[int], k: int) -> float:
    """Share of the relevant ids that appear in the first ``k`` retrieved ids (one query).

    recall@k = |{retrieved[:k]} ∩ {relevant}| / |{relevant}|: repeated ids count once, in either
    list (``relevant=[3, 3, 5]`` is the set {3, 5}: two relevant ids); a list shorter than k is
    used as it is.

    Args:
        retrieved: ids ranked best first.
        relevant: the ids that answer the query, any iterable of ints (a set, a list).
        k: the cut-off, at least 1.

    Returns:
        A float in [0, 1].

    Raises:
        ValueError: ``relevant`` is empty (recall is undefined) or k < 1.
    """
    ### BEGIN SOLUTION
    # hint: turn the top k and the relevant ids into sets; divide the size of their intersection by the number of relevant ids, not by k
    relevant = {int(r) for r in relevant}
    if not relevant:
        raise ValueError("recall_at_k: relevant is empty")
    if k < 1:
        raise ValueError(f"recall_at_k: k must be >= 1, got {k}")
    found = {int(r) for r in list(retrieved)[:k]} & relevant
    return len(found) / len(relevant)
    ### END SOLUTION


def mean_reciprocal_rank(
    retrieved_lists: Sequence[Sequence[int]], relevant_sets: Sequence[Iterable[int]]
) -> float:
    """Mean reciprocal rank over queries.

    For each query, RR = 1 / (position of the first relevant id, counting from 1), or 0 when no
    retrieved id is relevant; MRR is the mean of RR over all queries (queries without a hit
    count as 0, they are not skipped).

    Args:
        retrieved_lists: one ranked id list per query.
        relevant_sets: one collection of relevant ids per query.

    Returns:
        A float in [0, 1].
    """
    ### BEGIN SOLUTION
    # hint: for every query walk down its ranking to the first relevant id and add 1/position (positions start at 1), then divide by the number of queries
    if len(retrieved_lists) != len(relevant_sets) or len(retrieved_lists) == 0:
        raise ValueError("mean_reciprocal_rank: need the same, nonzero number of lists and sets")
    total = 0.0
    for ranked, relevant in zip(retrieved_lists, relevant_sets, strict=True):
        wanted = {int(r) for r in relevant}
        for position, doc in enumerate(ranked, start=1):
            if int(doc) in wanted:
                total += 1.0 / position
                break
    return total / len(retrieved_lists)
    ### END SOLUTION
