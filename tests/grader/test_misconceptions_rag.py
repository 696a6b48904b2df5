"""The rag misconception catalogue: every variant runs, keeps the learner signature, leaves its
inputs alone, and differs from the model solution on a small fixed input (so the grader can
tell it apart from a correct answer)."""

from __future__ import annotations

import copy
import inspect

import faiss
import numpy as np
import pytest

from grader.misconceptions import Mistake, catalogue
from reference.rag import HashingEmbedder
from solutions import rag as sol

_g = np.random.default_rng(11)
_MODEL = HashingEmbedder(dim=16)
_CORPUS = [
    "vectors are stored in an index",
    "the retriever finds similar chunks",
    "paris is the capital of france",
    "a cat sleeps all day",
]
_BASE = _g.normal(size=(3, 6))
_DUPLICATES = np.tile(_BASE, (30, 1))  # 90 rows, row j copies _BASE[j % 3]


def _index(rows: np.ndarray) -> faiss.Index:
    return sol.build_index(rows)


def _echo(prompt: str) -> str:
    return prompt


#: function → fixed argument tuples; a variant must run on all and differ on at least one.
CASES: dict[str, list[tuple[object, ...]]] = {
    "chunk_text": [
        ("one two three four five six seven eight", 3, 1),
        ("one two three four five six seven", 3, 0),
        ("one two three four five six seven", 3, 1),
        ("a b", 5, 2),
    ],
    "chunk_sentences": [
        ("The cat sat. It purred! Then it slept on the warm mat for hours. Why? 3.14 is pi.", 5),
    ],
    "embed": [(["the cat sat on the mat", "dogs bark"], _MODEL)],
    "cosine_similarity": [
        (np.array([[3.0, 4.0], [1.0, 0.0]]), np.array([[6.0, 8.0], [0.0, 2.0], [-1.0, 1.0]]))
    ],
    "top_k": [
        (np.array([1.0, 0.0]), np.array([[0.0, 1.0], [1.0, 0.0], [5.0, 0.0], [3.0, 3.0]]), 2),
        (np.array([1.0, 0.0]), np.array([[1.0, 1.0], [2.0, 0.0], [-1.0, 0.0], [7.0, 0.0]]), 3),
    ],
    "search": [
        (_index(_DUPLICATES), _BASE * 4.0, 5),
    ],
    "augment": [("What is RAG?", ["It retrieves.", "It generates."])],
    "answer": [("where is paris", _CORPUS, _index(sol.embed(_CORPUS, _MODEL)), _MODEL, _echo, 3)],
    "recall_at_k": [([4, 2, 7, 1], {2, 1, 9}, 2), ([5, 6], {6}, 3)],
    "mean_reciprocal_rank": [([[3, 1, 2], [5, 4], [9, 8]], [{1, 2}, {5}, {0}])],
}

MISTAKES: list[Mistake] = [m for ms in catalogue("rag").values() for m in ms]


def _differs(a: object, b: object) -> bool:
    if isinstance(a, (str, set)) or isinstance(b, (str, set)):
        return a != b
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        if not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))) or len(a) != len(b):
            return True
        return any(_differs(x, y) for x, y in zip(a, b, strict=True))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9)


def _snapshot(args: tuple[object, ...]) -> list[object]:
    """Comparable copies of the arguments (a faiss index by its stored vectors)."""
    out: list[object] = []
    for a in args:
        if isinstance(a, faiss.Index):
            out.append(a.reconstruct_n(0, a.ntotal).copy())
        elif isinstance(a, HashingEmbedder) or callable(a):
            out.append(None)
        else:
            out.append(copy.deepcopy(a))
    return out


def test_catalogue_has_the_rag_mistakes_from_the_issue_list():
    names = {m.key for m in MISTAKES}
    assert len(MISTAKES) >= 5
    for required in (
        "rag.chunk_text/chunk_text_overlap_off_by_one",
        "rag.chunk_text/chunk_text_drops_trailing_words",
        "rag.cosine_similarity/cosine_similarity_dot_product",
        "rag.top_k/top_k_ascending",
        "rag.top_k/top_k_ties_to_higher_index",
        "rag.recall_at_k/recall_at_k_divides_by_k",
        "rag.mean_reciprocal_rank/mean_reciprocal_rank_skips_misses",
    ):
        assert required in names


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_targets_a_solution_function_and_keeps_its_signature(m):
    assert m.topic == "rag" and hasattr(sol, m.function)
    assert m.name and m.hint
    params = inspect.signature(m.impl).parameters
    expected = inspect.signature(getattr(sol, m.function)).parameters
    assert [(p.name, p.default) for p in params.values()] == [
        (p.name, p.default) for p in expected.values()
    ]


@pytest.mark.parametrize("m", MISTAKES, ids=lambda m: m.key)
def test_variant_runs_leaves_inputs_alone_and_differs_from_the_solution(m):
    differs = False
    for args in CASES[m.function]:
        before = _snapshot(args)
        got = m.impl(*args)
        after = _snapshot(args)
        for b, a in zip(before, after, strict=True):
            assert not _differs(b, a) if b is not None else True
        differs |= _differs(got, getattr(sol, m.function)(*args))
    assert differs, f"{m.key} agrees with the solution on every fixed case"


def test_the_fixed_cases_are_answered_by_the_solution_as_by_the_reference():
    """The fixed inputs are sound: on them the solution matches the torch reference."""
    import torch

    from reference import rag as ref

    q, mat, k = CASES["top_k"][0]
    idx, _ = sol.top_k(q, mat, k)
    want, _ = ref.top_k(torch.from_numpy(q), torch.from_numpy(mat), k)
    assert idx.tolist() == want.tolist() == [1, 2]  # the tie between rows 1 and 2 is exact
    index, queries, k = CASES["search"][0]
    ids, _ = sol.search(index, queries, k)
    assert ids.tolist() == [[r + 3 * c for c in range(5)] for r in range(3)]
