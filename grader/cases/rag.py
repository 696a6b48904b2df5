"""Public cases for rag: word-window and sentence chunking (tails, overlap, irregular whitespace,
decimals, over-long sentences), embedding with the tiny hashing embedder (duplicates, an empty
text), the faiss index, cosine similarity (zero rows, opposite vectors), top-k and faiss search
with exact ties going to the lower index, the prompt format, the whole answer pipeline, and the
two retrieval metrics (cut-off k, queries without a hit).

Vectors in tie cases hold only values such as 0, ±1/2, 1, 2, so every score is exact and equal
scores are equal bit for bit, whatever the order of the arithmetic.
"""

from __future__ import annotations

import numpy as np

from exercises.tests._handles import HashingEmbedder
from grader.cases import Handle, Index, case

_rng = np.random.default_rng(2024)


def _unit_rows(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


# --- chunking ------------------------------------------------------------------------------------
NINE = "the quick brown fox jumps over the lazy dog"
TEN = "  one\ttwo\n three   four five six seven eight nine ten "

# --- vectors with exact scores: unit rows whose entries are 0, ±1/2 or 1 --------------------------
EXACT = np.array(
    [
        [1.0, 0.0, 0.0, 0.0],
        [0.5, 0.5, 0.5, 0.5],
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0, 0.0],
        [0.5, -0.5, 0.5, 0.5],
    ]
)
RANDOM_UNIT = _unit_rows(_rng.normal(size=(5, 3)))

# --- a tiny document collection for the whole pipeline ---------------------------------------------
CHUNKS = [
    "Paris is the capital of France.",
    "The Nile is the longest river in Africa.",
    "Mount Everest is the highest mountain on Earth.",
    "France is famous for its wine and cheese.",
    "The Amazon river flows through Brazil.",
]
_raw = HashingEmbedder().encode(CHUNKS)
CHUNK_VECTORS = (_raw / np.linalg.norm(_raw, axis=1, keepdims=True)).astype(np.float32)

CASES = [
    # chunk_text
    case("chunk_text", NINE, 4, 1, note="9 words, windows of 4 sharing 1 word"),
    case("chunk_text", TEN, 4, 2, note="10 words with tabs/newlines, windows of 4 sharing 2"),
    case("chunk_text", "just three words", 5, 2, note="a text shorter than one chunk"),
    case("chunk_text", "a b c d e f g", 3, 0, note="no overlap, a short last chunk"),
    case("chunk_text", "", 3, 1, note="a text without words gives no chunks"),
    # chunk_sentences
    case(
        "chunk_sentences",
        "RAG finds facts. Then it answers! Does it work? Yes.",
        6,
        note="four sentences packed greedily into chunks of at most 6 words",
    ),
    case(
        "chunk_sentences",
        "Short one. This sentence has far too many words to fit in one chunk. End.",
        4,
        note="a sentence longer than max_words is cut into pieces",
    ),
    case(
        "chunk_sentences",
        "Pi is about 3.14 today. It is not a sentence end here",
        5,
        note="'3.14' ends no sentence; the last sentence has no mark",
    ),
    case(
        "chunk_sentences",
        "first part.\n\nsecond part   without end",
        10,
        note="irregular whitespace, everything fits in one chunk",
    ),
    case("chunk_sentences", "", 4, note="a text without words gives no chunks"),
    # embed
    case(
        "embed",
        ["the cat sat on the mat", "dogs chase cats", "the cat sat on the mat"],
        Handle("tiny_embedder"),
        note="identical texts get identical unit rows",
    ),
    case(
        "embed",
        ["a single sentence about retrieval", ""],
        Handle("tiny_embedder"),
        note="an empty text has a zero vector, which stays zero",
    ),
    # build_index
    case("build_index", EXACT, note="6 unit vectors in 4-D", check="faiss_index"),
    case("build_index", RANDOM_UNIT, note="5 unit vectors in 3-D", check="faiss_index"),
    # cosine_similarity
    case(
        "cosine_similarity",
        np.array([[1.0, 0.0], [3.0, 4.0], [0.0, 0.0]]),
        np.array([[2.0, 0.0], [1.0, 1.0]]),
        note="rows of different lengths and a zero row (similarity 0, not NaN)",
    ),
    case(
        "cosine_similarity",
        np.array([[1.0, 2.0, 3.0]]),
        np.array([[-2.0, -4.0, -6.0], [1.0, 2.0, 3.0], [3.0, 0.0, -1.0]]),
        note="opposite, identical and orthogonal directions: -1, 1, 0",
    ),
    case(
        "cosine_similarity",
        _rng.normal(size=(2, 5)),
        _rng.normal(size=(4, 5)),
        note="random (2, 5) against (4, 5)",
    ),
    # top_k
    case(
        "top_k",
        np.array([1.0, 0.0]),
        np.array([[0.0, 1.0], [2.0, 0.0], [1.0, 1.0], [-1.0, 0.0]]),
        2,
        note="ranked by cosine, best first",
    ),
    case(
        "top_k",
        np.array([2.0, 0.0]),
        np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 2.0], [4.0, 0.0], [1.0, 0.0]]),
        3,
        note="rows 1, 3 and 4 tie exactly: lower index first",
    ),
    case(
        "top_k",
        np.array([-1.0, 2.0, 0.5]),
        np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [-2.0, 4.0, 1.0], [3.0, -1.0, 0.0]]),
        4,
        note="k = M, with a zero row (similarity 0)",
    ),
    case(
        "top_k",
        np.array([0.5, 0.5]),
        np.array([[1.0, 0.0], [0.0, 1.0]]),
        1,
        note="k = 1 with a tie: the lower index wins",
    ),
    # search
    case(
        "search",
        Index(EXACT),
        np.array([[2.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]]),
        3,
        note="vectors 0, 2 and 4 are identical: ties go to the lower id",
    ),
    case(
        "search",
        Index(EXACT),
        np.array([[0.0, 0.0, 0.0, 3.0]]),
        1,
        note="k = 1 with vectors 1 and 5 tied",
    ),
    case(
        "search",
        Index(EXACT),
        np.array([[0.0, -4.0, 0.0, 0.0]]),
        6,
        note="k = ntotal, negative scores included",
    ),
    case(
        "search",
        Index(RANDOM_UNIT.astype(np.float32)),
        _rng.normal(size=(2, 3)),
        2,
        note="random vectors (faiss scores in float32, so atol 1e-6)",
        rtol=1e-5,
        atol=1e-6,
    ),
    # augment
    case(
        "augment",
        "What is RAG?",
        ["RAG adds retrieved text to the prompt.", "It was proposed in 2020."],
        note="two contexts",
    ),
    case("augment", "Who wrote it?", [], note="no contexts"),
    case("augment", "Why?", ["Because."], note="one context"),
    # answer
    case(
        "answer",
        "What is the capital of France?",
        CHUNKS,
        Index(CHUNK_VECTORS),
        Handle("tiny_embedder"),
        Handle("echo_generate"),
        2,
        note="k = 2; generate echoes the prompt back",
    ),
    case(
        "answer",
        "Which river flows through Brazil?",
        CHUNKS,
        Index(CHUNK_VECTORS),
        Handle("tiny_embedder"),
        Handle("echo_generate"),
        note="default k = 3; generate echoes the prompt back",
    ),
    # recall_at_k
    case(
        "recall_at_k", [3, 1, 4, 1, 5], [1, 5, 9], 4, note="one of three relevant ids in the top 4"
    ),
    case("recall_at_k", [7, 2, 9], [2], 5, note="a ranking shorter than k"),
    case("recall_at_k", [8, 6, 1], [1, 6], 1, note="k = 1, no hit in the first place"),
    # mean_reciprocal_rank
    case(
        "mean_reciprocal_rank",
        [[3, 1, 2], [4, 5, 6], [7, 8, 9]],
        [[1], [6, 4], [0]],
        note="hits at ranks 2 and 1, and a query without a hit",
    ),
    case("mean_reciprocal_rank", [[5, 6, 7, 8]], [[7]], note="one query, hit at rank 3"),
    case("mean_reciprocal_rank", [[1, 2], [3]], [[9], [8]], note="no query has a hit"),
]
