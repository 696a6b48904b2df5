"""Known-wrong variants of the ``rag`` topic (chunking, embedding, retrieval, prompts, metrics).

Each function has the exact signature of the learner function it imitates and makes one mistake
learners really make: windows that step one word too far, chunkers that lose the tail of the
text, cosine similarity without the normalisation, rankings in the wrong direction or with ties
broken the wrong way, recall divided by k, MRR that forgets the queries without a hit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import faiss
import numpy as np

from grader.misconceptions import mistake

# --- small correct building blocks the variants share (grader side only, never released) ------


def _unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; zero rows stay zero."""
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def _windows(words: list[str], chunk_size: int, step: int) -> list[str]:
    """Correct window loop for a given step: stop at the first window reaching the last word."""
    chunks = []
    for start in range(0, len(words), step):
        chunks.append(" ".join(words[start : start + chunk_size]))
        if start + chunk_size >= len(words):
            break
    return chunks


def _sentences(text: str) -> list[list[str]]:
    out: list[list[str]] = []
    current: list[str] = []
    for word in text.split():
        current.append(word)
        if word[-1] in ".!?":
            out.append(current)
            current = []
    return out + ([current] if current else [])


def _pack(sentences: list[list[str]], max_words: int, *, cut_long: bool = True) -> list[str]:
    """Greedy packing of word lists; ``cut_long=False`` keeps an over-long sentence whole."""
    chunks: list[str] = []
    packed: list[str] = []
    for s in sentences:
        if len(s) > max_words:
            if packed:
                chunks.append(" ".join(packed))
                packed = []
            if cut_long:
                chunks += [" ".join(s[i : i + max_words]) for i in range(0, len(s), max_words)]
            else:
                chunks.append(" ".join(s))
        elif len(packed) + len(s) <= max_words:
            packed = packed + s
        else:
            chunks.append(" ".join(packed))
            packed = list(s)
    if packed:
        chunks.append(" ".join(packed))
    return chunks


def _augment(question: str, contexts: Sequence[str], first: int = 1) -> str:
    lines = ["Answer the question using the context below.", "", "Context:"]
    lines += [f"[{i}] {c}" for i, c in enumerate(contexts, start=first)]
    return "\n".join([*lines, "", f"Question: {question}", "Answer:"])


# --- chunk_text ----------------------------------------------------------------------------------


@mistake(
    "rag.chunk_text",
    "chunk overlap off by one",
    hint="Neighbouring chunks must share exactly `overlap` words, so each window starts "
    "chunk_size − overlap words after the previous one; yours steps one word further and the "
    "chunks share one word too few.",
)
def chunk_text_overlap_off_by_one(text: str, chunk_size: int, overlap: int) -> list[str]:
    return _windows(text.split(), chunk_size, chunk_size - overlap + 1)


@mistake(
    "rag.chunk_text",
    "trailing words dropped",
    hint="Only full windows were kept, so the last few words of the text (or a text shorter "
    "than one chunk) never reach any chunk. The last chunk may be shorter than chunk_size.",
)
def chunk_text_drops_trailing_words(text: str, chunk_size: int, overlap: int) -> list[str]:
    words = text.split()
    step = chunk_size - overlap
    return [
        " ".join(words[s : s + chunk_size]) for s in range(0, len(words) - chunk_size + 1, step)
    ]


@mistake(
    "rag.chunk_text",
    "redundant tail chunks",
    hint="Stop sliding once a window has reached the last word: the windows after it only "
    "repeat words that are already in a chunk.",
)
def chunk_text_redundant_tail(text: str, chunk_size: int, overlap: int) -> list[str]:
    words = text.split()
    step = chunk_size - overlap
    return [" ".join(words[s : s + chunk_size]) for s in range(0, len(words), step)]


# --- chunk_sentences -----------------------------------------------------------------------------


@mistake(
    "rag.chunk_sentences",
    "over-long sentence kept whole",
    hint="A single sentence with more than max_words words must be cut into pieces of "
    "max_words words; no chunk may exceed the limit.",
)
def chunk_sentences_long_sentence_whole(text: str, max_words: int) -> list[str]:
    return _pack(_sentences(text), max_words, cut_long=False)


@mistake(
    "rag.chunk_sentences",
    "sentence marks removed",
    hint="Splitting on the punctuation itself throws the '.', '!' and '?' away (and cuts '3.14' "
    "in two); a sentence ends at a word that ends with one of them, and the words stay intact.",
)
def chunk_sentences_drops_marks(text: str, max_words: int) -> list[str]:
    return _pack([s.split() for s in re.split(r"[.!?]", text) if s.split()], max_words)


# --- embed ---------------------------------------------------------------------------------------


@mistake(
    "rag.embed",
    "embeddings not normalised",
    hint="Divide every embedding by its length: the index compares vectors by inner product, "
    "which is the cosine similarity only for unit vectors.",
)
def embed_without_normalising(texts: Sequence[str], model: Any) -> np.ndarray:
    return np.asarray(model.encode(list(texts), convert_to_numpy=True), dtype=np.float32)


# --- cosine_similarity ---------------------------------------------------------------------------


@mistake(
    "rag.cosine_similarity",
    "cosine without normalisation (plain dot product)",
    hint="Cosine similarity divides the dot product by both vector lengths; a plain dot product "
    "favours long vectors and is not limited to [−1, 1].",
)
def cosine_similarity_dot_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(a) @ np.asarray(b).T


@mistake(
    "rag.cosine_similarity",
    "only one side normalised",
    hint="Both a's rows and b's rows need to be divided by their lengths.",
)
def cosine_similarity_only_b_normalised(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(a) @ _unit(b).T


# --- top_k ---------------------------------------------------------------------------------------


def _scores(query: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return (_unit(matrix) * _unit(query)).sum(axis=1)


@mistake(
    "rag.top_k",
    "ascending order (least similar first)",
    hint="The best match has the highest similarity: rank from the largest score down.",
)
def top_k_ascending(query: np.ndarray, matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    s = _scores(query, matrix)
    order = np.argsort(s, kind="stable")[:k]
    return order, s[order]


@mistake(
    "rag.top_k",
    "ties go to the higher index",
    hint="Reversing an ascending sort also reverses the order of equal scores; tied rows must "
    "come out lowest index first (sort the negated scores with a stable sort instead).",
)
def top_k_ties_to_higher_index(
    query: np.ndarray, matrix: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    s = _scores(query, matrix)
    order = np.argsort(s, kind="stable")[::-1][:k]
    return order, s[order]


@mistake(
    "rag.top_k",
    "ranked by dot product, not cosine",
    hint="Normalise the query and the rows first; otherwise long rows win whatever their "
    "direction, and the scores are not cosine similarities.",
)
def top_k_dot_product(
    query: np.ndarray, matrix: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(matrix) @ np.asarray(query)
    order = np.argsort(-s, kind="stable")[:k]
    return order, s[order]


# --- search --------------------------------------------------------------------------------------


@mistake(
    "rag.search",
    "faiss's order kept for ties",
    hint="faiss returns equal scores in no particular order and may keep any of the tied "
    "vectors at the k-th place: fetch more candidates and sort them by score, then by id.",
)
def search_keeps_faiss_order(
    index: faiss.Index, queries: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    scores, ids = index.search(np.ascontiguousarray(_unit(queries), dtype=np.float32), k)
    return ids, scores


@mistake(
    "rag.search",
    "queries not normalised",
    hint="The index holds unit vectors; divide each query by its length too, or the scores "
    "are scaled by the query length instead of being cosine similarities.",
)
def search_without_normalising_queries(
    index: faiss.Index, queries: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    q = np.ascontiguousarray(queries, dtype=np.float32)
    scores, ids = index.search(q, index.ntotal)
    out_ids = np.empty((q.shape[0], k), dtype=np.int64)
    out_scores = np.empty((q.shape[0], k), dtype=np.float32)
    for row in range(q.shape[0]):
        order = np.lexsort((ids[row], -scores[row]))[:k]
        out_ids[row], out_scores[row] = ids[row][order], scores[row][order]
    return out_ids, out_scores


# --- augment and answer --------------------------------------------------------------------------


@mistake(
    "rag.augment",
    "contexts numbered from 0",
    hint="Number the contexts [1], [2], … as a reader would count them.",
)
def augment_numbered_from_zero(question: str, contexts: Sequence[str]) -> str:
    return _augment(question, contexts, first=0)


@mistake(
    "rag.augment",
    "question left out of the prompt",
    hint="The prompt must end with the question itself, after the contexts.",
)
def augment_without_question(question: str, contexts: Sequence[str]) -> str:
    return _augment("", contexts)


@mistake(
    "rag.answer",
    "contexts in reverse rank order",
    hint="Pass the retrieved chunks to augment best first, in the order search ranked them.",
)
def answer_contexts_reversed(
    question: str,
    chunks: Sequence[str],
    index: faiss.Index,
    model: Any,
    generate: Callable[[str], str],
    k: int = 3,
) -> str:
    v = np.asarray(model.encode([question], convert_to_numpy=True), dtype=np.float32)
    scores, ids = index.search(np.ascontiguousarray(_unit(v), dtype=np.float32), index.ntotal)
    order = np.lexsort((ids[0], -scores[0]))[:k]
    return generate(_augment(question, [chunks[i] for i in ids[0][order]][::-1]))


# --- recall_at_k and mean_reciprocal_rank --------------------------------------------------------


@mistake(
    "rag.recall_at_k",
    "divided by k instead of the number of relevant ids",
    hint="Recall asks how many of the relevant items were found: divide the hits by the size "
    "of the relevant set. Dividing by k gives precision@k.",
)
def recall_at_k_divides_by_k(retrieved: Sequence[int], relevant: Iterable[int], k: int) -> float:
    wanted = {int(r) for r in relevant}
    return len({int(r) for r in list(retrieved)[:k]} & wanted) / k


@mistake(
    "rag.recall_at_k",
    "cut-off k ignored",
    hint="Only the first k retrieved ids count; hits further down the ranking do not.",
)
def recall_at_k_ignores_k(retrieved: Sequence[int], relevant: Iterable[int], k: int) -> float:
    wanted = {int(r) for r in relevant}
    return len({int(r) for r in retrieved} & wanted) / len(wanted)


@mistake(
    "rag.mean_reciprocal_rank",
    "queries without a hit skipped",
    hint="A query whose ranking holds no relevant id scores 0 and still counts in the mean: "
    "divide by the number of all queries.",
)
def mean_reciprocal_rank_skips_misses(
    retrieved_lists: Sequence[Sequence[int]], relevant_sets: Sequence[Iterable[int]]
) -> float:
    rr = []
    for ranked, relevant in zip(retrieved_lists, relevant_sets, strict=True):
        wanted = {int(r) for r in relevant}
        hits = [pos for pos, doc in enumerate(ranked, start=1) if int(doc) in wanted]
        if hits:
            rr.append(1.0 / hits[0])
    return sum(rr) / len(rr) if rr else 0.0


@mistake(
    "rag.mean_reciprocal_rank",
    "every relevant hit summed",
    hint="Only the first relevant id of each ranking counts: stop at the first hit.",
)
def mean_reciprocal_rank_sums_all_hits(
    retrieved_lists: Sequence[Sequence[int]], relevant_sets: Sequence[Iterable[int]]
) -> float:
    total = 0.0
    for ranked, relevant in zip(retrieved_lists, relevant_sets, strict=True):
        wanted = {int(r) for r in relevant}
        total += sum(1.0 / pos for pos, doc in enumerate(ranked, start=1) if int(doc) in wanted)
    return total / len(retrieved_lists)
