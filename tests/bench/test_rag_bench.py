"""Smoke test of the RAG benchmark (bench/rag.py): its brute-force search, its agreement check,
and a quick run of the whole section. No timing assertions: speed belongs to ``make bench``."""

from __future__ import annotations

import argparse

import numpy as np
import pytest
import torch

from bench import rag as bench_rag
from reference import rag


def test_numpy_top_k_ranks_a_hand_made_case_by_cosine_ties_to_lower_id():
    matrix = np.array([[1, 0], [0, 1], [0.6, 0.8], [-1, 0], [0, 1]], dtype=np.float32)
    ids, scores = bench_rag.numpy_top_k(matrix, np.array([2.0, 0.0]), 4)  # query normalised
    assert ids.tolist() == [[0, 2, 1, 4]]  # cosines 1, 0.6, then 0 for rows 1 and 4: lower id
    np.testing.assert_allclose(scores, [[1.0, 0.6, 0.0, 0.0]], atol=1e-6)
    # (k chosen so that no tie straddles the k-th place: which tied row is kept there is free)
    ids, _ = bench_rag.numpy_top_k(matrix, np.array([[0.0, 3.0], [-1.0, 0.0]]), 3)
    assert ids.tolist() == [[1, 4, 2], [3, 1, 4]]


def test_numpy_top_k_matches_torch_topk_and_faiss_on_random_unit_vectors():
    matrix = bench_rag.random_unit_vectors(2000, 32, seed=3)
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
    queries = bench_rag.random_unit_vectors(25, 32, seed=4)
    ids, scores = bench_rag.numpy_top_k(matrix, queries, 5)
    expected = torch.topk(
        torch.from_numpy(queries).double() @ torch.from_numpy(matrix).double().T, 5
    )
    np.testing.assert_array_equal(ids, expected.indices.numpy())
    np.testing.assert_allclose(scores, expected.values.numpy(), atol=1e-5)
    faiss_ids, _ = rag.search(
        rag.build_index(torch.from_numpy(matrix)), torch.from_numpy(queries), 5
    )
    np.testing.assert_array_equal(ids, faiss_ids.numpy())


def test_compare_top_k_flags_wrong_ids_and_wrong_order_but_forgives_exact_ties():
    matrix = np.array([[1, 0], [0.6, 0.8], [0, 1], [0.6, 0.8]], dtype=np.float32)
    queries = np.array([[1.0, 0.0], [0.0, 1.0]])
    right = np.array([[0, 1], [1, 2]])  # query 1: rows 1 and 3 tie at 0.8
    assert bench_rag.compare_top_k(matrix, queries, right, right).identical
    wrong = np.array([[0, 2], [2, 1]])  # a worse row; the right rows in the wrong order
    result = bench_rag.compare_top_k(matrix, queries, right, wrong)
    assert (result.queries, result.differ, result.near_ties) == (2, 2, 0)
    tie = np.array([[0, 3], [3, 2]])  # row 3 equals row 1: same scores rank by rank
    result = bench_rag.compare_top_k(matrix, queries, right, tie)
    assert (result.differ, result.near_ties, result.identical) == (2, 2, False)


QUICK = argparse.Namespace(repeat=1, quick=True, device="cpu")


def _agreement_row(rows):
    found = [r for r in rows if r.target == "identical"]
    assert len(found) == 1
    return found[0]


def test_quick_run_reports_throughput_latencies_the_search_target_agreement_and_quality():
    rows = bench_rag.rows(QUICK)
    assert rows and all(r.section == "RAG" for r in rows)
    whats = [r.what for r in rows]
    assert any(w.startswith("embedding throughput") for w in whats)
    assert rows[0].value.endswith(")") and "sentences/s" in rows[0].value
    for size in ("1k×384", "5k×384"):
        for method in ("NumPy brute force", "faiss IndexFlatIP.search", "`reference.rag.search`"):
            row = next(r for r in rows if r.what.startswith(method) and size in r.what)
            assert "p50" in row.value and "p95" in row.value and "identical top-5: yes" in row.value
    ratios = [r for r in rows if r.what.startswith("rag.search / NumPy single-query")]
    assert len(ratios) == 2 and all(r.target == "≤ 1×" and r.met is not None for r in ratios)
    assert [r.met for r in rows if r.target == "≤ 1×"] == [
        float(r.value.split("×")[0]) <= 1.0 for r in ratios
    ]
    agreement = _agreement_row(rows)
    # 2 sizes × (faiss, faiss 1 thread, rag.search, NumPy batched, faiss batched) × 20 queries
    assert agreement.met is True and "identical top-5: yes (200/200 rankings)" in agreement.value
    quality = {
        r.what.split(",")[0]: float(r.value) for r in rows if r.what.startswith(("recall", "MRR"))
    }
    assert set(quality) == {"recall@1", "recall@3", "recall@5", "MRR@10"}
    assert all(0.0 <= v <= 1.0 for v in quality.values())
    assert quality["recall@1"] <= quality["recall@3"] <= quality["recall@5"]


def test_agreement_check_fails_when_numpy_and_faiss_disagree(monkeypatch: pytest.MonkeyPatch):
    real = bench_rag.numpy_top_k

    def off_by_one(matrix, queries, k):
        ids, scores = real(matrix, queries, k)
        return (ids + 1) % len(matrix), scores

    monkeypatch.setattr(bench_rag, "numpy_top_k", off_by_one)
    rows = bench_rag.search_rows(QUICK, sizes=(500,), n_queries=4)
    agreement = _agreement_row(rows)
    assert (
        agreement.met is False
        and "NO" in agreement.value
        and "by a wrong result" in agreement.value
    )
    assert all("identical top-5: NO" in r.value for r in rows if "p50" in r.value)
