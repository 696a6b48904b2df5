"""Learner implementations written by an independent implementer (audit B: training, conv, rnn,
rag, finetuning), graded by the hidden suites: each wrong one loses points on its function, and
each one that is right by its docstring, but draws or computes differently from the model
answers, keeps full marks. Every variant is a short source appended to a copy of the model
answers (the audit's own sources, its finding number first in the id).

The holes they pin, one class each (every wrong variant kept full marks before the fix):

- F01/F02/F10 ``train_linear_regression`` traced its epochs only on N = 5, B = 2 over 4 epochs:
  balanced ``array_split`` batches (2, 2, 1 there) matched, fixed batch contents in a shuffled
  order, reshuffling every other epoch or replaying one order backwards passed "not every epoch
  alike"; now N = 7, B = 3 (3, 3, 1 against 3, 2, 2) over 10 epochs, no order replayed one or two
  epochs later, no batch kept in every epoch; ``minibatch_indices``' contents change with the seed;
- F03 functions taking an ``rng`` that ignore it (a seed of their own, a cached permutation, none
  at all) passed "same seed, same result": every one is now held to
  :func:`grader.suites.expect_seeds_differ` (``test_every_function_taking_an_rng_...`` proves it
  for each curriculum function with an ``rng`` parameter, known today or not);
- F04 ``dropout`` was drawn mostly at p ≤ 0.3: each example now drops with a small and a large p;
- F05 ``answer`` was graded with a ``generate`` that echoes the prompt (returning the prompt
  passed) and chunks that were never stored twice (deduplicating the prompt passed);
- F09 ``num_iterations`` never met N < B with drop_last, nor N = 0;
- F11 ``top_k`` / ``search`` ties across the k-th place were drawn on at most 8 rows;
- F15 the LSTM's large cell states were checked only for |h| ≤ 1, not against the reference;
- F16 ``embed`` met one embedder only (a cache keyed by the text passed);
- F17 ``chunk_sentences`` texts had no ``,`` ``;`` ``:``;
- F18 ``few_shot_prompt`` never met one (input, output) pair given twice;
- F19 ``recall_at_k``'s relevant ids were never listed twice (its docstring: any iterable, a
  repeated id counts once), and ``clip_grad_norm``'s stated list type was compared loosely (the
  comparison with the reference reads any sequence on purpose; a check of its own holds it).
"""

from __future__ import annotations

import importlib
import inspect

import pytest

from grader.examples import grade_variant
from grader.suites import SEEDS_DIFFER
from reference import TOPICS

from ._variants import assert_keeps_full_marks, assert_loses_points

#: (id, topic, function, source appended to the model answers' topic file): wrong variants
WRONG = [
    (
        # fixed batch composition; only the order of the full batches is shuffled
        "F01_mb_shuffle_full_batches_keep_last",
        "training",
        "minibatch_indices",
        """
            def minibatch_indices(n_samples, batch_size, rng):
                full = n_samples // batch_size
                blocks = [np.arange(i * batch_size, (i + 1) * batch_size) for i in range(full)]
                out = [blocks[i] for i in rng.permutation(full)]
                if n_samples % batch_size: out.append(np.arange(full * batch_size, n_samples))
                return out
        """,
    ),
    (
        # minibatch training with fixed batch composition, batch order shuffled
        "F01_tl_mb_shuffle_batch_order",
        "training",
        "train_linear_regression",
        """
            def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
                if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
                if rng is None: rng = np.random.default_rng()
                n, d = x.shape
                w, b = np.zeros(d), 0.0
                hist = np.zeros(epochs)

                full = n // batch_size
                blocks = [np.arange(i * batch_size, (i + 1) * batch_size) for i in range(full)]
                for e in range(epochs):
                    if method == "gd": batches = [np.arange(n)]
                    elif method == "sgd": batches = [np.array([i]) for i in rng.permutation(n)]
                    else:
                        batches = [blocks[i] for i in rng.permutation(full)]
                        if n % batch_size: batches.append(np.arange(full * batch_size, n))
                    for idx in batches:
                        r = x[idx] @ w + b - y[idx]
                        w = w - lr * 2 * x[idx].T @ r / len(idx); b = b - lr * 2 * r.mean()
                    hist[e] = np.mean((x @ w + b - y) ** 2)
                return w, float(b), hist
        """,
    ),
    (
        # np.array_split into ceil(N/B) balanced batches (10,B=4 -> 4,3,3)
        "F02_tl_mb_array_split",
        "training",
        "train_linear_regression",
        """
            def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
                if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
                if rng is None: rng = np.random.default_rng()
                n, d = x.shape
                w, b = np.zeros(d), 0.0
                hist = np.zeros(epochs)

                for e in range(epochs):
                    if method == "gd": batches = [np.arange(n)]
                    elif method == "sgd": batches = [np.array([i]) for i in rng.permutation(n)]
                    else: batches = np.array_split(rng.permutation(n), -(-n // batch_size))
                    for idx in batches:
                        r = x[idx] @ w + b - y[idx]
                        w = w - lr * 2 * x[idx].T @ r / len(idx); b = b - lr * 2 * r.mean()
                    hist[e] = np.mean((x @ w + b - y) ** 2)
                return w, float(b), hist
        """,
    ),
    (
        # ignores rng, shuffles with default_rng(0)
        "F03_mb_fixed_seed",
        "training",
        "minibatch_indices",
        """
            def minibatch_indices(n_samples, batch_size, rng):
                order = np.random.default_rng(0).permutation(n_samples)
                return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]
        """,
    ),
    (
        # caches one permutation per n in module state
        "F03_mb_cached_perm",
        "training",
        "minibatch_indices",
        """
            _PERMS = {}
            def minibatch_indices(n_samples, batch_size, rng):
                if n_samples not in _PERMS:
                    _PERMS[n_samples] = rng.permutation(n_samples)
                order = _PERMS[n_samples]
                return [order[s:s + batch_size].copy() for s in range(0, n_samples, batch_size)]
        """,
    ),
    (
        # no randomness at all: reversed order
        "F03_mb_reversed",
        "training",
        "minibatch_indices",
        """
            def minibatch_indices(n_samples, batch_size, rng):
                order = np.arange(n_samples)[::-1].copy()
                return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]
        """,
    ),
    (
        # dropout ignores rng, uses default_rng(42)
        "F03_do_fixed_seed",
        "training",
        "dropout",
        """
            def dropout(x, p, rng, training=True):
                if not training or p == 0: return np.array(x, dtype=float, copy=True)
                if p == 1: return np.zeros_like(x, dtype=float)
                keep = np.random.default_rng(42).random(np.shape(x)) >= p
                return np.where(keep, x / (1 - p), 0.0)
        """,
    ),
    (
        # dropout clamps p to 0.5
        "F04_do_p_clamped_half",
        "training",
        "dropout",
        """
            def dropout(x, p, rng, training=True):
                if not training or p == 0: return np.array(x, dtype=float, copy=True)
                if p == 1: return np.zeros_like(x, dtype=float)
                q = min(p, 0.5)
                keep = rng.random(np.shape(x)) >= q
                return np.where(keep, x / (1 - q), 0.0)
        """,
    ),
    (
        # dropout drops with 1-p when p>0.5
        "F04_do_p_gt_half_swapped",
        "training",
        "dropout",
        """
            def dropout(x, p, rng, training=True):
                if not training or p == 0: return np.array(x, dtype=float, copy=True)
                if p == 1: return np.zeros_like(x, dtype=float)
                q = p if p <= 0.5 else 1 - p
                keep = rng.random(np.shape(x)) >= q
                return np.where(keep, x / (1 - p), 0.0)
        """,
    ),
    (
        # answer returns the prompt, never calls generate
        "F05_an_no_generate",
        "rag",
        "answer",
        """
            def answer(question, chunks, index, model, generate, k=3):
                ids, _ = search(index, embed([question], model), k)
                return augment(question, [chunks[i] for i in ids[0]])
        """,
    ),
    (
        # answer drops duplicate chunk texts from the prompt
        "F05_an_dedupe_chunks",
        "rag",
        "answer",
        """
            def answer(question, chunks, index, model, generate, k=3):
                ids, _ = search(index, embed([question], model), k)
                ctx = []
                for i in ids[0]:
                    if chunks[i] not in ctx: ctx.append(chunks[i])
                return generate(augment(question, ctx))
        """,
    ),
    (
        # num_iterations: at least one batch per epoch (n<B with drop_last, n=0)
        "F09_ni_at_least_one",
        "training",
        "num_iterations",
        """
            def num_iterations(n_samples, batch_size, epochs, drop_last=False):
                per = n_samples // batch_size if drop_last else -(-n_samples // batch_size)
                return max(per, 1) * epochs
        """,
    ),
    (
        # reshuffles only every other epoch
        "F10_tl_sgd_shuffle_every_other",
        "training",
        "train_linear_regression",
        """
            def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
                if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
                if rng is None: rng = np.random.default_rng()
                n, d = x.shape
                w, b = np.zeros(d), 0.0
                hist = np.zeros(epochs)

                perm = rng.permutation(n)
                for e in range(epochs):
                    if e % 2 == 0: perm = rng.permutation(n)
                    if method == "gd": batches = [np.arange(n)]
                    elif method == "sgd": batches = [np.array([i]) for i in perm]
                    else: batches = [perm[s:s + batch_size] for s in range(0, n, batch_size)]
                    for idx in batches:
                        r = x[idx] @ w + b - y[idx]
                        w = w - lr * 2 * x[idx].T @ r / len(idx); b = b - lr * 2 * r.mean()
                    hist[e] = np.mean((x @ w + b - y) ** 2)
                return w, float(b), hist
        """,
    ),
    (
        # one shuffle, odd epochs replay it reversed
        "F10_tl_sgd_reverse_alternate",
        "training",
        "train_linear_regression",
        """
            def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
                if method not in ("gd", "sgd", "minibatch"): raise ValueError(method)
                if rng is None: rng = np.random.default_rng()
                n, d = x.shape
                w, b = np.zeros(d), 0.0
                hist = np.zeros(epochs)

                perm = rng.permutation(n)
                for e in range(epochs):
                    p = perm if e % 2 == 0 else perm[::-1]
                    if method == "gd": batches = [np.arange(n)]
                    elif method == "sgd": batches = [np.array([i]) for i in p]
                    else: batches = [p[s:s + batch_size] for s in range(0, n, batch_size)]
                    for idx in batches:
                        r = x[idx] @ w + b - y[idx]
                        w = w - lr * 2 * x[idx].T @ r / len(idx); b = b - lr * 2 * r.mean()
                    hist[e] = np.mean((x @ w + b - y) ** 2)
                return w, float(b), hist
        """,
    ),
    (
        # top_k via argpartition: ties at the k-th place go to an arbitrary index
        "F11_tk_argpartition",
        "rag",
        "top_k",
        """
            def top_k(query, matrix, k):
                if k < 1 or k > matrix.shape[0]: raise ValueError("k")
                s = cosine_similarity(query[None], matrix)[0]
                part = np.argpartition(-s, k - 1)[:k]
                o = part[np.lexsort((part, -s[part]))]
                return o.astype(np.int64), s[o]
        """,
    ),
    (
        # lstm_cell clips the cell state to [-3, 3]
        "F15_lc_clip_c",
        "rnn",
        "lstm_cell",
        """
            def lstm_cell(x_t, h_prev, c_prev, W, U, b):
                i, f, g, o = lstm_gates(x_t, h_prev, W, U, b)
                c = np.clip(f * c_prev + i * g, -3, 3)
                return o * np.tanh(c), c
        """,
    ),
    (
        # lstm_forward clips the carried cell state to [-3, 3]
        "F15_lc_cell_clip5_forward",
        "rnn",
        "lstm_forward",
        """
            def lstm_forward(x, h0, c0, W, U, b):
                N, T, _ = x.shape
                hs = np.zeros((N, T, h0.shape[1])); h, c = h0, c0
                for t in range(T):
                    h, c = lstm_cell(x[:, t], h, c, W, U, b); c = np.clip(c, -3, 3); hs[:, t] = h
                return hs, (np.array(h), np.array(c))
        """,
    ),
    (
        # embed caches vectors by text in module state, ignoring the model
        "F16_em_dedupe_cache",
        "rag",
        "embed",
        """
            _CACHE = {}
            def embed(texts, model):
                rows = []
                for t in texts:
                    if t not in _CACHE:
                        v = np.asarray(model.encode([t], convert_to_numpy=True), dtype=np.float32)[0]
                        n = np.linalg.norm(v)
                        _CACHE[t] = v / (n if n else 1.0)
                    rows.append(_CACHE[t])
                return np.array(rows, dtype=np.float32)
        """,
    ),
    (
        # chunk_sentences also ends sentences at ; : ,
        "F17_cs_extra_enders",
        "rag",
        "chunk_sentences",
        """
            ENDS = '.!?;:,'

            def chunk_sentences(text, max_words):
                if max_words < 1: raise ValueError("x")
                sents, cur = [], []
                for w in text.split():
                    cur.append(w)
                    if w[-1] in ENDS: sents.append(cur); cur = []
                if cur: sents.append(cur)

                chunks, packed = [], []
                for s in sents:
                    if len(s) > max_words:
                        if packed: chunks.append(" ".join(packed)); packed = []
                        chunks.extend(" ".join(s[i:i + max_words]) for i in range(0, len(s), max_words))
                    elif len(packed) + len(s) <= max_words: packed = packed + s
                    else: chunks.append(" ".join(packed)); packed = list(s)
                if packed: chunks.append(" ".join(packed))
                return chunks
        """,
    ),
    (
        # few_shot_prompt drops repeated (input, output) pairs
        "F18_fs_dedupe_examples",
        "finetuning",
        "few_shot_prompt",
        """
            def few_shot_prompt(examples, query):
                seen, blocks = set(), []
                for i, o in examples:
                    if (i, o) in seen: continue
                    seen.add((i, o)); blocks.append(f"Input: {i}\nOutput: {o}")
                blocks.append(f"Input: {query}\nOutput:")
                return "\n\n".join(blocks)
        """,
    ),
    (
        # recall_at_k divides by len(relevant) as a list
        "F19_rk_len_list_not_set",
        "rag",
        "recall_at_k",
        """
            def recall_at_k(retrieved, relevant, k):
                rel = list(relevant)
                if not rel: raise ValueError("empty")
                if k < 1: raise ValueError("k")
                return len(set(list(retrieved)[:k]) & set(rel)) / len(rel)
        """,
    ),
    (
        # clip_grad_norm returns a tuple (docstring: a new list)
        "F19_cg_tuple_out",
        "rnn",
        "clip_grad_norm",
        """
            def clip_grad_norm(grads, max_norm):
                total = np.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
                coef = min(1.0, max_norm / (total + 1e-6))
                return tuple(np.array(g) * coef for g in grads)
        """,
    ),
    (
        # found by the mutation sweep (make mutants): 2k candidates, never more while the last
        # one ties the k-th, as the docstring asks; faiss may leave the lowest tied id out
        "M01_search_pool_of_2k",
        "rag",
        "search",
        """
            def search(index, queries, k):
                n = index.ntotal
                if k < 1 or k > n: raise ValueError(k)
                q = np.array(queries, dtype=np.float32)
                q = q / np.where((nq := np.linalg.norm(q, axis=1, keepdims=True)) == 0, 1.0, nq)
                scores, ids = index.search(np.ascontiguousarray(q, dtype=np.float32), min(n, 2 * k))
                order = [np.lexsort((i, -s))[:k] for s, i in zip(scores, ids)]
                return (np.array([i[o] for i, o in zip(ids, order)], dtype=np.int64),
                        np.array([s[o] for s, o in zip(scores, order)], dtype=np.float32))
        """,
    ),
]

#: right by their docstrings, drawing or computing differently from the model answers: full marks
RIGHT = [
    (
        "minibatch_indices_argsort_stream",
        "training",
        "minibatch_indices",
        """
        def minibatch_indices(n_samples, batch_size, rng):
            order = np.argsort(rng.random(n_samples), kind="stable")
            return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]
        """,
    ),
    (
        "minibatch_indices_shuffle_in_place_of_a_copy",
        "training",
        "minibatch_indices",
        """
        def minibatch_indices(n_samples, batch_size, rng):
            order = np.arange(n_samples)
            rng.shuffle(order)
            return [order[s:s + batch_size].copy() for s in range(0, n_samples, batch_size)]
        """,
    ),
    (
        "dropout_binomial_mask",
        "training",
        "dropout",
        """
        def dropout(x, p, rng, training=True):
            x = np.asarray(x, dtype=float)
            if not training or p == 0:
                return x.copy()
            if p == 1:
                return np.zeros_like(x)
            return x * rng.binomial(1, 1 - p, size=x.shape) / (1 - p)
        """,
    ),
    (
        "num_iterations_math_ceil",
        "training",
        "num_iterations",
        """
        import math

        def num_iterations(n_samples, batch_size, epochs, drop_last=False):
            per = n_samples // batch_size if drop_last else math.ceil(n_samples / batch_size)
            return int(per * epochs)
        """,
    ),
    (
        "top_k_lexsort",
        "rag",
        "top_k",
        """
        def top_k(query, matrix, k):
            if k < 1 or k > matrix.shape[0]:
                raise ValueError("k")
            s = cosine_similarity(query[None], matrix)[0]
            order = np.lexsort((np.arange(len(s)), -s))[:k]
            return order.astype(np.int64), s[order]
        """,
    ),
    (
        "recall_at_k_sets",
        "rag",
        "recall_at_k",
        """
        def recall_at_k(retrieved, relevant, k):
            relevant = set(relevant)
            if not relevant or k < 1:
                raise ValueError("recall_at_k")
            return len(set(list(retrieved)[:k]) & relevant) / len(relevant)
        """,
    ),
    (
        "clip_grad_norm_list_comprehension",
        "rnn",
        "clip_grad_norm",
        """
        def clip_grad_norm(grads, max_norm):
            total = np.sqrt(sum(float((np.asarray(g) ** 2).sum()) for g in grads))
            coef = min(1.0, max_norm / (total + 1e-6))
            return [np.asarray(g, dtype=float) * coef for g in grads]
        """,
    ),
]


@pytest.mark.parametrize(("name", "topic", "function", "source"), WRONG, ids=[v[0] for v in WRONG])
def test_the_audits_wrong_variants_lose_points(tmp_path, name, topic, function, source):
    assert_loses_points(tmp_path / "learner", name, topic, function, source)


@pytest.mark.parametrize(("name", "topic", "function", "source"), RIGHT, ids=[v[0] for v in RIGHT])
def test_right_variants_keep_full_marks(tmp_path, name, topic, function, source):
    assert_keeps_full_marks(tmp_path / "learner", name, topic, function, source)


def _functions_taking_an_rng() -> list[tuple[str, str]]:
    """(topic, function) of every curriculum function with an ``rng`` parameter, read from the
    stubs learners are given."""
    found = []
    for topic in TOPICS:
        module = importlib.import_module(f"exercises.{topic}")
        for name, fn in vars(module).items():
            mine = inspect.isfunction(fn) and fn.__module__ == module.__name__
            if mine and "rng" in inspect.signature(fn).parameters:
                found.append((topic, name))
    return found


IGNORES_ITS_RNG = """
import inspect as _inspect

_right_{fn} = {fn}


def {fn}(*args, **kwargs):
    bound = _inspect.signature(_right_{fn}).bind(*args, **kwargs)
    bound.arguments["rng"] = np.random.default_rng(0)  # a seed of its own: the rng is ignored
    return _right_{fn}(*bound.args, **bound.kwargs)
"""


def test_functions_taking_an_rng_are_found():
    """The meta-test below has something to hold: today training's three."""
    assert {f"{t}.{f}" for t, f in _functions_taking_an_rng()} >= {
        "training.minibatch_indices",
        "training.dropout",
        "training.train_linear_regression",
    }


@pytest.mark.parametrize(("topic", "function"), _functions_taking_an_rng(), ids=lambda v: str(v))
def test_every_function_taking_an_rng_is_held_to_different_seeds_different_results(
    tmp_path, topic, function
):
    """Each curriculum function with an ``rng`` parameter, right in every other way but drawing
    from a generator of its own, fails its suite's :data:`grader.suites.SEEDS_DIFFER` check
    (:func:`grader.suites.expect_seeds_differ`): a new such function without the check fails
    here."""
    source = IGNORES_ITS_RNG.format(fn=function)
    _, _, outcomes = grade_variant(tmp_path / "learner", topic, function, source)
    checks = {o.check: o.status for o in outcomes}
    assert SEEDS_DIFFER in checks, f"no '{SEEDS_DIFFER}' check grades {topic}.{function}"
    assert checks[SEEDS_DIFFER] == "failed", checks
