"""Learner implementations written by an independent implementer (audit E: losses, activations,
rag and finetuning, written from scratch as a learner who misread something would), graded by
the hidden suites: each wrong one loses points on its function, and each one that is right by its
docstring, computing or returning differently from the model answers, keeps full marks. Every
variant is a short source appended to a copy of the model answers.

Of the wrong variants, these kept full marks before the fix (one class each):

- ``softmax`` shifted by something other than the max (the mean): it overflows only where one
  slice spans more than ~709 above the shift, which eight drawn extremes never gave; a new check
  (0.5) takes slices spanning −1000 to 1000 along the last axis, axis 0 and axis 1 of a 3-D array
  (5/5 → 3/5.5);
- ``prelu`` and ``prelu_grad`` through ``np.maximum(x, alpha·x)``, which is x for x > 0 only
  while the slope is at most 1: the drawn slopes lie in [−1, 1], and a learned slope is
  unbounded; a new check (0.5 each) takes per-channel and shared slopes above 1 and a negative
  one (4.5/4.5 → 4/5 each);
- ``chunk_text`` and ``chunk_sentences`` splitting on spaces, tabs and newlines instead of
  ``str.split()``: the drawn texts use no other whitespace; each reference check has an example
  with Windows line ends, a form feed and a no-break space (4/4 → 0/4, 3.5/3.5 → 0.5/3.5);
- ``chunk_sentences`` ending a sentence at a word such as ``"stop."`` or ``(left.)`` (the last
  character is a quote or bracket, which the docstring says decides): its reference check has an
  example with quoted and bracketed sentence ends (3.5/3.5 → 0.5/3.5);
- ``search`` growing its candidate pool only on the first query's ties (or only when every
  query's last candidate ties its k-th): the examples that need a grown pool hold one query, and
  the drawn ones with several never needed it for a later query alone; the crowded-ties check has
  an example whose second query needs it and whose first does not (7/7 → 4/7);
- ``mean_reciprocal_rank`` with a cut-off (MRR@10): the drawn rankings hold at most 8 ids; the
  reference check has an example whose first hit is at position 12 (2/2 → 0/2);
- ``few_shot_prompt`` writing an example with an empty output as an open slot (``Output:``
  without its space): the drawn texts are never empty; the exact-prompt check has an example with
  an empty output and an empty input (2.5/2.5 → 0/2.5).

Read as right, though they differ from the model answers: a categorical cross-entropy that
renormalises the rows first, as Keras does (the rows sum to 1); a ``search`` that grows its
pool one candidate at a time from k + 1 and sorts (−score, id) pairs; a softmax that shifts by
the max only when some |x| exceeds 700 (below that e^x neither overflows nor underflows) or
normalises with ``np.logaddexp.reduce``; PReLU as x times a slope mask; chunking with
``re.findall(r"\\S+")`` or ``re.split(r"\\s+")`` (the same words as ``str.split()``) and a
window range that stops below ``len(words) − overlap``; ``build_index`` normalising its own
copy with ``faiss.normalize_L2``.

Tried and left out of both tables: a ``top_k`` that divides by a zero query's norm (NaN scores)
and a ``one_hot`` sized by ``max(num_classes, labels.max() + 1)`` (both differ only on inputs the
docstrings leave out); ``huber_grad`` with ``<`` instead of ``<=`` (equal at |r| = delta).
"""

from __future__ import annotations

import pytest

from ._variants import assert_keeps_full_marks, assert_loses_points

#: (id, topic, function, source appended to the model answers' topic file): wrong variants
WRONG = [
    (
        "softmax_shift_by_the_mean",
        "activations",
        "softmax",
        """
        def softmax(x, axis=-1):
            x = np.asarray(x, dtype=np.float64)
            e = np.exp(x - np.mean(x, axis=axis, keepdims=True))
            return e / np.sum(e, axis=axis, keepdims=True)
        """,
    ),
    (
        "softmax_shift_by_the_first_entry",
        "activations",
        "softmax",
        """
        def softmax(x, axis=-1):
            x = np.asarray(x, dtype=np.float64)
            e = np.exp(x - np.take(x, [0], axis=axis))
            return e / np.sum(e, axis=axis, keepdims=True)
        """,
    ),
    (
        "softmax_shift_by_the_min",
        "activations",
        "softmax",
        """
        def softmax(x, axis=-1):
            x = np.asarray(x, dtype=np.float64)
            e = np.exp(x - np.min(x, axis=axis, keepdims=True))
            return e / np.sum(e, axis=axis, keepdims=True)
        """,
    ),
    (
        "prelu_maximum_of_x_and_alpha_x",
        "activations",
        "prelu",
        """
        def prelu(x, alpha):
            x = np.asarray(x, dtype=np.float64)
            return np.maximum(x, np.asarray(alpha) * x)
        """,
    ),
    (
        "prelu_grad_from_the_maximum_form",
        "activations",
        "prelu_grad",
        """
        def prelu_grad(x, alpha):
            x = np.asarray(x, dtype=np.float64); a = np.asarray(alpha, dtype=np.float64)
            gx = np.where(x > a * x, 1.0, a) * np.ones_like(x)
            pe = np.where(x > a * x, 0.0, x)
            pc = pe.reshape(-1, x.shape[-1]).sum(axis=0)
            if pc.size != a.size: pc = pc.sum()
            return gx, np.reshape(pc, a.shape)
        """,
    ),
    (
        "prelu_grad_one_at_zero",
        "activations",
        "prelu_grad",
        """
        def prelu_grad(x, alpha):
            x = np.asarray(x, dtype=np.float64)
            alpha = np.asarray(alpha, dtype=np.float64)
            gx = np.where(x >= 0, 1.0, alpha) * np.ones_like(x)
            pe = np.where(x > 0, 0.0, x)
            pc = pe.reshape(-1, x.shape[-1]).sum(axis=0)
            if pc.size != alpha.size: pc = pc.sum()
            return gx, np.reshape(pc, alpha.shape)
        """,
    ),
    (
        "prelu_grad_alpha_mean_not_sum",
        "activations",
        "prelu_grad",
        """
        def prelu_grad(x, alpha):
            x = np.asarray(x, dtype=np.float64)
            alpha = np.asarray(alpha, dtype=np.float64)
            gx = np.where(x > 0, 1.0, alpha) * np.ones_like(x)
            pe = np.where(x > 0, 0.0, x)
            pc = pe.reshape(-1, x.shape[-1]).mean(axis=0)
            if pc.size != alpha.size: pc = pc.mean()
            return gx, np.reshape(pc, alpha.shape)
        """,
    ),
    (
        "relu_grad_bool_mask",
        "activations",
        "relu_grad",
        """
        def relu_grad(x):
            return np.asarray(x) > 0
        """,
    ),
    (
        "cce_clips_only_below",
        "losses",
        "categorical_cross_entropy",
        """
        def categorical_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            per = -np.sum(y_true * np.log(np.maximum(np.asarray(y_pred, dtype=float), eps)), axis=1)
            if reduction == "none":
                return per
            return float(per.sum() if reduction == "sum" else per.mean())
        """,
    ),
    (
        "cce_grad_clips_only_below",
        "losses",
        "categorical_cross_entropy_grad",
        """
        def categorical_cross_entropy_grad(y_true, y_pred, eps=1e-12):
            p = np.maximum(np.asarray(y_pred, dtype=float), eps)
            return -np.asarray(y_true, dtype=float) / p / p.shape[0]
        """,
    ),
    (
        "bce_clips_the_log_arguments_to_one",
        "losses",
        "binary_cross_entropy",
        """
        def binary_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.asarray(y_pred, dtype=float)
            log_p = np.log(np.clip(p, eps, 1.0))  # clipped below only: log(1) where p = 1
            log_q = np.log(np.clip(1 - p, eps, 1.0))
            per = -(y_true * log_p + (1 - y_true) * log_q)
            if reduction == "none":
                return per
            return float(per.sum() if reduction == "sum" else per.mean())
        """,
    ),
    (
        "chunk_text_splits_on_space_tab_newline",
        "rag",
        "chunk_text",
        """
        import re as _re
        def chunk_text(text, chunk_size, overlap):
            if chunk_size < 1 or overlap < 0 or overlap >= chunk_size: raise ValueError("sizes")
            w = [t for t in _re.split(r"[ \\t\\n]+", text) if t]
            out = []
            for s in range(0, len(w), chunk_size - overlap):
                out.append(" ".join(w[s:s + chunk_size]))
                if s + chunk_size >= len(w): break
            return out
        """,
    ),
    (
        "chunk_text_starts_below_n_minus_overlap",
        "rag",
        "chunk_text",
        """
        def chunk_text(text, chunk_size, overlap):
            if chunk_size < 1 or overlap < 0 or overlap >= chunk_size: raise ValueError("sizes")
            w = text.split(); step = chunk_size - overlap
            return [" ".join(w[s:s + chunk_size]) for s in range(0, len(w) - overlap, step)]
        """,
    ),
    (
        "chunk_sentences_splits_on_space_tab_newline",
        "rag",
        "chunk_sentences",
        """
        import re as _re
        def chunk_sentences(text, max_words):
            sents, cur = [], []
            for w in [t for t in _re.split(r"[ \\t\\n]+", text) if t]:
                cur.append(w)
                if w[-1] in ".!?": sents.append(cur); cur = []
            if cur: sents.append(cur)
            chunks, packed = [], []
            for s in sents:
                if len(s) > max_words:
                    if packed: chunks.append(" ".join(packed)); packed = []
                    for i in range(0, len(s), max_words): chunks.append(" ".join(s[i:i+max_words]))
                elif len(packed) + len(s) <= max_words: packed = packed + s
                else: chunks.append(" ".join(packed)); packed = list(s)
            if packed: chunks.append(" ".join(packed))
            return chunks
        """,
    ),
    (
        "chunk_sentences_ends_at_a_closing_quote",
        "rag",
        "chunk_sentences",
        """
        def chunk_sentences(text, max_words):
            sents, cur = [], []
            for w in text.split():
                cur.append(w)
                if w.rstrip('"\\')]')[-1:] in (".", "!", "?"):
                    sents.append(cur)
                    cur = []
            if cur: sents.append(cur)
            chunks, packed = [], []
            for s in sents:
                if len(s) > max_words:
                    if packed: chunks.append(" ".join(packed)); packed = []
                    chunks += [" ".join(s[i:i + max_words]) for i in range(0, len(s), max_words)]
                elif len(packed) + len(s) <= max_words: packed += s
                else: chunks.append(" ".join(packed)); packed = list(s)
            if packed: chunks.append(" ".join(packed))
            return chunks
        """,
    ),
    (
        "chunk_sentences_long_head_fills_the_chunk",
        "rag",
        "chunk_sentences",
        """
        def chunk_sentences(text, max_words):
            sents, cur = [], []
            for w in text.split():
                cur.append(w)
                if w[-1] in ".!?": sents.append(cur); cur = []
            if cur: sents.append(cur)
            chunks, packed = [], []
            for s in sents:
                if len(s) > max_words:
                    room = max_words - len(packed)
                    packed = packed + s[:room]
                    chunks.append(" ".join(packed)); packed = []
                    rest = s[room:]
                    for i in range(0, len(rest), max_words):
                        chunks.append(" ".join(rest[i : i + max_words]))
                elif len(packed) + len(s) <= max_words: packed = packed + s
                else: chunks.append(" ".join(packed)); packed = list(s)
            if packed: chunks.append(" ".join(packed))
            return chunks
        """,
    ),
    (
        "mrr_dedupes_the_ranking",
        "rag",
        "mean_reciprocal_rank",
        """
        def mean_reciprocal_rank(retrieved_lists, relevant_sets):
            total = 0.0
            for ranked, rel in zip(retrieved_lists, relevant_sets):
                rel = set(rel)
                for pos, d in enumerate(dict.fromkeys(ranked), start=1):
                    if d in rel:
                        total += 1.0 / pos; break
            return total / len(retrieved_lists)
        """,
    ),
    (
        "mrr_position_among_distinct_ids",
        "rag",
        "mean_reciprocal_rank",
        """
        def mean_reciprocal_rank(retrieved_lists, relevant_sets):
            rr = []
            for ranked, rel in zip(retrieved_lists, relevant_sets):
                rel = set(rel); seen = []
                r = 0.0
                for d in ranked:
                    if d in seen: continue
                    seen.append(d)
                    if d in rel: r = 1.0 / len(seen); break
                rr.append(r)
            return sum(rr) / len(rr)
        """,
    ),
    (
        "recall_dedupes_the_ranking",
        "rag",
        "recall_at_k",
        """
        def recall_at_k(retrieved, relevant, k):
            relevant = set(relevant)
            if not relevant or k < 1: raise ValueError("bad")
            top = list(dict.fromkeys(retrieved))[:k]
            return len(set(top) & relevant) / len(relevant)
        """,
    ),
    (
        "answer_contexts_sorted_by_id",
        "rag",
        "answer",
        """
        def answer(question, chunks, index, model, generate, k=3):
            ids, _ = search(index, embed([question], model), k)
            return generate(augment(question, [chunks[i] for i in sorted(ids[0])]))
        """,
    ),
    (
        "build_index_normalises_the_callers_array",
        "rag",
        "build_index",
        """
        def build_index(embeddings):
            x = np.ascontiguousarray(embeddings, dtype=np.float32)
            faiss.normalize_L2(x)
            index = faiss.IndexFlatIP(x.shape[1]); index.add(x)
            return index
        """,
    ),
    (
        "few_shot_empty_output_as_open_slot",
        "finetuning",
        "few_shot_prompt",
        """
        def few_shot_prompt(examples, query):
            def block(i, o=""):
                return f"Input: {i}\\nOutput: {o}" if o else f"Input: {i}\\nOutput:"
            return "\\n\\n".join([block(i, o) for i, o in examples] + [block(query)])
        """,
    ),
    (
        "lora_rank_as_min_of_a_shape",
        "finetuning",
        "lora_forward",
        """
        def lora_forward(x, W, A, B, alpha):
            r = min(A.shape)
            return x @ W + (alpha / r) * (x @ A @ B)
        """,
    ),
    (
        "lora_num_params_float",
        "finetuning",
        "lora_num_params",
        """
        def lora_num_params(d_in, d_out, r):
            return float(r * (d_in + d_out))
        """,
    ),
    (
        "search_grows_the_pool_for_the_first_query_only",
        "rag",
        "search",
        """
        def search(index, queries, k):
            n = index.ntotal
            if k < 1 or k > n: raise ValueError("k")
            q = np.array(queries, dtype=np.float32)
            nr = np.linalg.norm(q, axis=1, keepdims=True)
            q = np.ascontiguousarray(q / np.where(nr == 0, 1.0, nr), dtype=np.float32)
            m = min(n, 2 * k)
            s, ids = index.search(q, m)
            while m < n and s[0, m - 1] == s[0, k - 1]:
                m = min(n, 2 * m); s, ids = index.search(q, m)
            oi = np.empty((len(q), k), dtype=np.int64)
            os_ = np.empty((len(q), k), dtype=np.float32)
            for r in range(len(q)):
                o = np.lexsort((ids[r], -s[r]))[:k]; oi[r] = ids[r][o]; os_[r] = s[r][o]
            return oi, os_
        """,
    ),
    (
        "search_grows_the_pool_only_when_every_query_ties",
        "rag",
        "search",
        """
        def search(index, queries, k):
            n = index.ntotal
            if k < 1 or k > n: raise ValueError("k")
            q = np.array(queries, dtype=np.float32)
            nr = np.linalg.norm(q, axis=1, keepdims=True)
            q = np.ascontiguousarray(q / np.where(nr == 0, 1.0, nr), dtype=np.float32)
            m = min(n, 2 * k)
            s, ids = index.search(q, m)
            while m < n and np.all(s[:, m - 1] == s[:, k - 1]):
                m = min(n, 2 * m); s, ids = index.search(q, m)
            oi = np.empty((len(q), k), dtype=np.int64)
            os_ = np.empty((len(q), k), dtype=np.float32)
            for r in range(len(q)):
                o = np.lexsort((ids[r], -s[r]))[:k]; oi[r] = ids[r][o]; os_[r] = s[r][o]
            return oi, os_
        """,
    ),
    (
        "mrr_cut_off_at_10",
        "rag",
        "mean_reciprocal_rank",
        """
        def mean_reciprocal_rank(retrieved_lists, relevant_sets):
            t = 0.0
            for ranked, rel in zip(retrieved_lists, relevant_sets):
                rel = set(rel)
                for p, d in enumerate(ranked[:10], start=1):
                    if d in rel: t += 1 / p; break
            return t / len(retrieved_lists)
        """,
    ),
    (
        "cosine_similarity_squeezed",
        "rag",
        "cosine_similarity",
        """
        def cosine_similarity(a, b):
            na = np.linalg.norm(a, axis=1, keepdims=True)
            nb = np.linalg.norm(b, axis=1, keepdims=True)
            return np.squeeze((a / np.where(na == 0, 1, na)) @ (b / np.where(nb == 0, 1, nb)).T)
        """,
    ),
    (
        "chunk_sentences_line_break_ends_a_sentence",
        "rag",
        "chunk_sentences",
        """
        def chunk_sentences(text, max_words):
            sents = []
            for line in text.splitlines():
                cur = []
                for w in line.split():
                    cur.append(w)
                    if w[-1] in ".!?": sents.append(cur); cur = []
                if cur: sents.append(cur)
            chunks, packed = [], []
            for s in sents:
                if len(s) > max_words:
                    if packed: chunks.append(" ".join(packed)); packed = []
                    chunks += [" ".join(s[i:i + max_words]) for i in range(0, len(s), max_words)]
                elif len(packed) + len(s) <= max_words: packed += s
                else: chunks.append(" ".join(packed)); packed = list(s)
            if packed: chunks.append(" ".join(packed))
            return chunks
        """,
    ),
    (
        "augment_no_blank_line_without_contexts",
        "rag",
        "augment",
        """
        def augment(question, contexts):
            lines = ["Answer the question using the context below.", "", "Context:"]
            lines += [f"[{i}] {c}" for i, c in enumerate(contexts, 1)]
            if contexts: lines.append("")
            lines += [f"Question: {question}", "Answer:"]
            return "\\n".join(lines)
        """,
    ),
    (
        "mse_normalised_by_rows_times_last_axis",
        "losses",
        "mse",
        """
        def mse(y_true, y_pred, reduction="mean"):
            sq = (np.asarray(y_pred, dtype=float) - y_true) ** 2
            if reduction == "none": return sq
            if reduction == "sum": return float(sq.sum())
            return float(sq.sum() / (len(sq) * (sq.shape[-1] if sq.ndim > 1 else 1)))
        """,
    ),
    (
        "mse_grad_normalised_by_rows_times_last_axis",
        "losses",
        "mse_grad",
        """
        def mse_grad(y_true, y_pred):
            r = np.asarray(y_pred, dtype=float) - y_true
            return 2 * r / (len(r) * (r.shape[-1] if r.ndim > 1 else 1))
        """,
    ),
    (
        "bce_normalised_by_rows_times_last_axis",
        "losses",
        "binary_cross_entropy",
        """
        def binary_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.clip(np.asarray(y_pred, dtype=float), eps, 1 - eps)
            per = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
            if reduction == "none": return per
            if reduction == "sum": return float(per.sum())
            return float(per.sum() / (len(per) * (per.shape[-1] if per.ndim > 1 else 1)))
        """,
    ),
    (
        "huber_linear_piece_without_delta",
        "losses",
        "huber",
        """
        def huber(y_true, y_pred, delta=1.0, reduction="mean"):
            r = np.asarray(y_pred, dtype=float) - y_true; a = np.abs(r)
            per = np.where(a <= delta, 0.5 * r**2, delta * a - 0.5)
            if reduction == "none": return per
            if reduction == "sum": return float(per.sum())
            return float(per.mean())
        """,
    ),
]

#: right by their docstrings, computing or returning differently from the model answers
RIGHT = [
    (
        "cce_keras_renormalise",
        "losses",
        "categorical_cross_entropy",
        """
        def categorical_cross_entropy(y_true, y_pred, eps=1e-12, reduction="mean"):
            p = np.asarray(y_pred, dtype=float)
            p = np.clip(p / p.sum(axis=-1, keepdims=True), eps, 1 - eps)
            per = -(y_true * np.log(p)).sum(axis=-1)
            if reduction == "none":
                return per
            return float(per.sum() if reduction == "sum" else per.mean())
        """,
    ),
    (
        "search_pool_from_k_plus_one",
        "rag",
        "search",
        """
        def search(index, queries, k):
            n = index.ntotal
            if k < 1 or k > n: raise ValueError("k")
            q = np.array(queries, dtype=np.float32)
            nr = np.linalg.norm(q, axis=1, keepdims=True)
            q = np.ascontiguousarray(q / np.where(nr == 0, 1.0, nr), dtype=np.float32)
            m = min(n, k + 1)
            while True:
                s, ids = index.search(q, m)
                if m == n or not np.any(s[:, m - 1] == s[:, k - 1]): break
                m = min(n, m + 1)
            rows = [sorted(zip(-s[r], ids[r]))[:k] for r in range(len(q))]
            return (np.array([[int(i) for _, i in row] for row in rows], dtype=np.int64),
                    np.array([[-v for v, _ in row] for row in rows], dtype=np.float32))
        """,
    ),
    (
        "softmax_shift_only_past_700",
        "activations",
        "softmax",
        """
        def softmax(x, axis=-1):
            x = np.asarray(x, dtype=np.float64)
            if np.abs(x).max() > 700:
                x = x - np.max(x, axis=axis, keepdims=True)
            e = np.exp(x)
            return e / np.sum(e, axis=axis, keepdims=True)
        """,
    ),
    (
        "softmax_logaddexp_reduce",
        "activations",
        "softmax",
        """
        def softmax(x, axis=-1):
            x = np.asarray(x, dtype=np.float64)
            return np.exp(x - np.logaddexp.reduce(x, axis=axis, keepdims=True))
        """,
    ),
    (
        "prelu_times_slope_mask",
        "activations",
        "prelu",
        """
        def prelu(x, alpha):
            x = np.asarray(x, dtype=np.float64)
            return x * np.where(x > 0, 1.0, np.asarray(alpha, dtype=np.float64))
        """,
    ),
    (
        "prelu_grad_masks_and_axes",
        "activations",
        "prelu_grad",
        """
        def prelu_grad(x, alpha):
            x = np.asarray(x, dtype=np.float64); a = np.asarray(alpha, dtype=np.float64)
            neg = x <= 0
            gx = np.where(neg, a, 1.0) + np.zeros_like(x)
            da = np.sum(x * neg, axis=tuple(range(x.ndim - 1)))
            return gx, (np.sum(da) if da.size != a.size else da).reshape(a.shape)
        """,
    ),
    (
        "chunk_text_findall_nonspace",
        "rag",
        "chunk_text",
        """
        import re as _re
        def chunk_text(text, chunk_size, overlap):
            if chunk_size < 1 or not 0 <= overlap < chunk_size: raise ValueError("sizes")
            w = _re.findall(r"\\S+", text)
            if not w: return []
            step = chunk_size - overlap
            return [" ".join(w[s:s + chunk_size]) for s in range(0, max(len(w) - overlap, 1), step)]
        """,
    ),
    (
        "chunk_sentences_regex_whitespace",
        "rag",
        "chunk_sentences",
        """
        import re as _re
        def chunk_sentences(text, max_words):
            sents, cur = [], []
            for w in _re.split(r"\\s+", text.strip()):
                if not w: continue
                cur.append(w)
                if w.endswith((".", "!", "?")): sents.append(cur); cur = []
            if cur: sents.append(cur)
            chunks, packed = [], []
            for s in sents:
                if len(s) > max_words:
                    if packed: chunks.append(" ".join(packed)); packed = []
                    chunks += [" ".join(s[i:i + max_words]) for i in range(0, len(s), max_words)]
                elif len(packed) + len(s) <= max_words: packed += s
                else: chunks.append(" ".join(packed)); packed = list(s)
            if packed: chunks.append(" ".join(packed))
            return chunks
        """,
    ),
    (
        "few_shot_prompt_pairs_then_open_slot",
        "finetuning",
        "few_shot_prompt",
        """
        def few_shot_prompt(examples, query):
            parts = []
            for inp, out in examples:
                parts.append("Input: " + inp + "\\n" + "Output: " + out)
            parts.append("Input: " + query + "\\n" + "Output:")
            return "\\n\\n".join(parts)
        """,
    ),
    (
        "build_index_normalize_l2_own_copy",
        "rag",
        "build_index",
        """
        def build_index(embeddings):
            x = np.array(embeddings, dtype=np.float32, order="C", copy=True)
            faiss.normalize_L2(x)
            index = faiss.IndexFlatIP(x.shape[1]); index.add(x)
            return index
        """,
    ),
    (
        "recall_at_k_counts_first_k_positions",
        "rag",
        "recall_at_k",
        """
        def recall_at_k(retrieved, relevant, k):
            rel = set(map(int, relevant))
            if k < 1 or not rel: raise ValueError("bad")
            hits = set()
            for pos, d in enumerate(retrieved):
                if pos >= k: break
                if int(d) in rel: hits.add(int(d))
            return len(hits) / len(rel)
        """,
    ),
]


@pytest.mark.parametrize(("name", "topic", "function", "source"), WRONG, ids=[v[0] for v in WRONG])
def test_the_audits_wrong_variants_lose_points(tmp_path, name, topic, function, source):
    assert_loses_points(tmp_path / "learner", name, topic, function, source)


@pytest.mark.parametrize(("name", "topic", "function", "source"), RIGHT, ids=[v[0] for v in RIGHT])
def test_right_variants_keep_full_marks(tmp_path, name, topic, function, source):
    assert_keeps_full_marks(tmp_path / "learner", name, topic, function, source)
