"""Hidden tests: training. Iteration counts and early stopping against the reference (and on
hand-made loss curves, and counts of zero batches), full-batch regression against the reference,
and, for everything that draws random numbers, properties every correct answer has: mini-batches
partition the indices, are shuffled and change their contents with the seed; SGD / mini-batch
training logs the full-data loss, comes close to the least-squares fit, follows the update rule
with batches of B (the last smaller) and draws every epoch's order afresh; dropout drops about p
of the units for small and large p (a binomial bound), rescales the rest by 1/(1 − p) and is the
identity at inference; every function taking an rng answers alike for one seed and differently
for others. A property failure that identifies a catalogued mistake names it."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from exercises.tests._harness import compare
from grader.engine.expect import Mismatch, diagnose, expect_close, reference, tolerance_for
from grader.engine.proxy import handle
from grader.misconceptions import Mistake, catalogue
from grader.strategies import regression_data, seeds
from grader.suites import (
    DEFAULTS,
    PURE,
    SEEDS_DIFFER,
    assert_pure,
    expect_seeds_differ,
    expect_stated_defaults,
    graded,
    looks_like,
    params,
)

TOPIC = "training"


def mistake(function: str, impl_name: str) -> Mistake:
    """The catalogued mistake ``impl_name`` of ``training.<function>``."""
    for m in catalogue(TOPIC)[f"{TOPIC}.{function}"]:
        if m.impl.__name__ == impl_name:
            return m
    raise KeyError(f"{TOPIC}.{function}/{impl_name} is not catalogued")


def mismatch(message: str, known: Mistake | None = None) -> Mismatch:
    """A failed property, naming ``known`` when the failure identifies that mistake."""
    return Mismatch(looks_like(message, known), known)


def fail(message: str, actual: Any, learner: Any) -> None:
    """A failed property of a deterministic call: name the catalogued mistake that reproduces
    ``actual`` on the learner's last call, if one does."""
    rtol, atol = tolerance_for(actual)
    raise mismatch(message, diagnose(actual, learner.session.calls[-1], rtol, atol, learner))


def rng(seed: int) -> Any:
    """An ``np.random.Generator`` built in the learner's worker."""
    return handle(f"rng:{seed}")


# ---------------------------------------------------------------- num_iterations


@graded(
    "num_iterations", "matches the reference for any N, batch size, epochs and drop_last", points=2
)
@given(
    n=st.integers(0, 200),
    batch=st.integers(1, 40),
    epochs=st.integers(0, 6),
    drop_last=st.booleans(),
)
def test_num_iterations_matches_reference(learner, n, batch, epochs, drop_last):
    expect_close(
        learner.training.num_iterations(n, batch, epochs, drop_last=drop_last),
        reference(TOPIC, "num_iterations", n, batch, epochs, drop_last=drop_last),
        learner,
    )


@graded(
    "num_iterations",
    "no updates when no batch is left: N < B with drop_last, or no samples",
    points=0.5,
)
@given(
    sizes=st.integers(2, 40).flatmap(lambda b: st.tuples(st.integers(1, b - 1), st.just(b))),
    epochs=st.integers(1, 6),
)
@example(sizes=(3, 5), epochs=2)
def test_num_iterations_without_a_batch(learner, sizes, epochs):
    """⌊N / B⌋ = 0 batches when N < B and drop_last: 0 updates, whatever the epochs; and no samples
    make no batch either way (⌈0 / B⌉ = 0). A count of "at least one batch per epoch" fails."""
    short, batch = sizes
    for n, b, drop_last in [(0, batch, False), (0, batch, True), (short, batch, True)]:
        got = learner.training.num_iterations(n, b, epochs, drop_last=drop_last)
        if compare(got, 0, 0.0, 0.0) is not None:
            fail(
                f"num_iterations({n}, {b}, {epochs}, drop_last={drop_last}) returned {got!r}: "
                f"{'no samples make' if n == 0 else f'{n} < {b} samples with drop_last make'} "
                "no batch, so no update (⌈N / B⌉, or ⌊N / B⌋ with drop_last, can be 0)",
                got,
                learner,
            )


@graded("num_iterations", "SGD makes N·epochs updates, full-batch GD one per epoch", points=1)
@given(n=st.integers(1, 100), epochs=st.integers(1, 5))
def test_num_iterations_sgd_and_full_batch(learner, n, epochs):
    expect_close(learner.training.num_iterations(n, 1, epochs), n * epochs, learner)
    expect_close(learner.training.num_iterations(n, n, epochs), epochs, learner)


# ---------------------------------------------------------------- minibatch_indices

DROPS_LAST = mistake("minibatch_indices", "minibatch_drops_last_partial_batch")
NOT_SHUFFLED = mistake("minibatch_indices", "minibatch_not_shuffled")


def partition_problem(batches: Any, n: int, size: int) -> Mismatch | None:
    """Why ``batches`` is not ⌈n/size⌉ integer arrays of ``size`` (the last may be smaller)
    holding every index of range(n) once; None when it is."""
    try:
        arrays = [np.asarray(b) for b in batches]
    except TypeError:
        return mismatch(f"expected a list of index arrays, got {type(batches).__name__}")
    if any(a.ndim != 1 or (a.size and a.dtype.kind not in "iu") for a in arrays):
        return mismatch("every batch must be a 1-d array of integer indices")
    lengths = [a.size for a in arrays]
    flat = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
    count = math.ceil(n / size)
    if len(arrays) != count:
        dropped = n % size != 0 and len(arrays) == n // size and all(k == size for k in lengths)
        return mismatch(
            f"n_samples={n} in batches of {size} makes {count} batch(es), got {len(arrays)}",
            DROPS_LAST if dropped else None,
        )
    if any(k != size for k in lengths[:-1]) or (lengths and not 0 < lengths[-1] <= size):
        return mismatch(f"every batch but the last must hold {size} indices, got sizes {lengths}")
    if sorted(flat.tolist()) != list(range(n)):
        return mismatch(f"the batches must hold every index 0..{n - 1} exactly once")
    return None


@graded(
    "minibatch_indices", "every index lands in exactly one batch of batch_size", points=3, core=True
)
@given(n=st.integers(1, 60), size=st.integers(1, 20), seed=seeds())
def test_minibatches_partition_the_indices(learner, n, size, seed):
    problem = partition_problem(learner.training.minibatch_indices(n, size, rng(seed)), n, size)
    if problem:
        raise problem


@graded("minibatch_indices", "the indices are shuffled with the rng it is given", points=1.5)
@settings(max_examples=6)
@given(n=st.integers(10, 50), size=st.integers(1, 12), seed=seeds())
def test_minibatches_are_shuffled(learner, n, size, seed):
    batches = learner.training.minibatch_indices(n, size, rng(seed))
    problem = partition_problem(batches, n, size)
    if problem:
        raise problem
    order = np.concatenate([np.asarray(b) for b in batches])
    if np.array_equal(order, np.arange(n)):  # a shuffle gives this with probability 1/n!
        raise mismatch(f"the batches hold 0..{n - 1} in order: they are not shuffled", NOT_SHUFFLED)


#: (N, B) and how many seeds: N = 10, B = 4 has a short last batch of 2, N = 12, B = 3 none
CONTENT_SIZES = [(10, 4), (12, 3)]
CONTENT_SEEDS = 20


@graded(
    "minibatch_indices",
    "the batches' contents, not only their order, change with the seed",
    points=0.5,
)
@settings(max_examples=2)
@given(first_seed=seeds())
def test_minibatch_contents_change_with_the_seed(learner, first_seed):
    """Over 20 seeds no batch (as a set of indices) comes back every time. A uniform shuffle puts
    a given set of 4 (of 10) indices in a batch with probability 2/210, the last 2 with 1/45: all
    20 times has probability below 1e-30. Shuffling only the order of fixed blocks, or keeping
    the short last batch as the last indices, fails."""
    for n, size in CONTENT_SIZES:
        always: set[frozenset[int]] | None = None
        for k in range(CONTENT_SEEDS):
            batches = learner.training.minibatch_indices(n, size, rng((first_seed + k) % 2**32))
            problem = partition_problem(batches, n, size)
            if problem:
                raise problem
            sets = {frozenset(np.asarray(b).tolist()) for b in batches}
            always = sets if always is None else always & sets
        if always:
            kept = sorted(sorted(b) for b in always)[0]
            raise mismatch(
                f"with n_samples={n}, batch_size={size} the batch {kept} came back for all "
                f"{CONTENT_SEEDS} seeds: shuffle the indices themselves (one permutation of "
                "range(n_samples)), then cut it into batches; shuffling the order of fixed "
                "blocks is not enough"
            )


# ---------------------------------------------------------------- train_linear_regression

NO_SHUFFLE = mistake("train_linear_regression", "regression_without_shuffling")
LAST_BATCH_LOSS = mistake("train_linear_regression", "regression_logs_last_batch_loss")


@graded(
    "train_linear_regression",
    "full-batch gradient descent matches the reference (w, b and the loss history)",
    points=3,
)
@given(
    data=regression_data(max_n=12, max_d=3),
    lr=st.sampled_from([0.05, 0.01, 0.1]),
    epochs=st.integers(1, 25),
)
def test_gradient_descent_matches_reference(learner, data, lr, epochs):
    x, y = data
    expect_close(
        learner.training.train_linear_regression(x, y, "gd", lr, epochs),
        reference(TOPIC, "train_linear_regression", x, y, "gd", lr, epochs),
        learner,
    )


def least_squares_mse(x: np.ndarray, y: np.ndarray) -> float:
    """The lowest MSE any (w, b) reaches on (x, y): the least-squares fit with an intercept."""
    design = np.hstack([x, np.ones((len(x), 1))])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(np.mean((design @ coef - y) ** 2))


def stochastic_run(learner, x, y, method, seed, epochs=40, batch_size=4, lr=0.05):
    """The learner's (w, b, history) for ``method``, its shapes checked."""
    result = learner.training.train_linear_regression(
        x, y, method, lr, epochs, batch_size, rng(seed)
    )
    try:
        w, b, history = (np.asarray(v, dtype=np.float64) for v in result)
    except (TypeError, ValueError):
        raise mismatch("expected (w, b, loss_history)") from None
    if w.shape != (x.shape[1],) or b.ndim != 0 or history.shape != (epochs,):
        raise mismatch(
            f"expected w of shape {(x.shape[1],)}, a scalar b and {epochs} losses; "
            f"got shapes {w.shape}, {b.shape}, {history.shape}"
        )
    return w, b, history


METHODS = ["sgd", "minibatch"]


@pytest.mark.parametrize(
    "method",
    [
        pytest.param(
            m,
            marks=graded(
                "train_linear_regression",
                f"{m}: logs the full-data MSE per epoch and nears the least-squares fit",
                points=2,
            ),
            id=m,
        )
        for m in METHODS
    ],
)
@settings(max_examples=4)
@given(data=regression_data(min_n=10, max_n=16, max_d=2), seed=seeds())
def test_stochastic_training_nears_the_least_squares_fit(learner, method, data, seed):
    x, y = data
    w, b, history = stochastic_run(learner, x, y, method, seed)
    final = float(np.mean((x @ w + b - y) ** 2))
    if not math.isclose(history[-1], final, rel_tol=1e-6, abs_tol=1e-9):
        raise mismatch(
            f"the last logged loss is {history[-1]:.6g}, but the MSE of the returned w, b on all "
            f"the data is {final:.6g}",
            LAST_BATCH_LOSS,
        )
    # 40 epochs close at least 90% of the gap between w = 0, b = 0 and the best fit (a correct
    # run closes over 98% on these well-conditioned problems, whatever the shuffles)
    start, best = float(np.mean(y**2)), least_squares_mse(x, y)
    if not final <= best + 0.1 * (start - best):
        raise mismatch(
            f"after 40 epochs the loss is {final:.4g}; from {start:.4g} at w = 0, b = 0 it should "
            f"come close to the least-squares fit's {best:.4g}"
        )


@pytest.mark.parametrize(
    "method",
    [
        pytest.param(
            m,
            marks=graded(
                "train_linear_regression",
                f"{m}: reshuffles the samples with rng every epoch",
                points=1,
            ),
            id=m,
        )
        for m in METHODS
    ],
)
@settings(max_examples=3)
@given(data=regression_data(min_n=6, max_n=12, max_d=2), seed=seeds())
def test_stochastic_training_depends_on_the_shuffle(learner, method, data, seed):
    x, y = data
    first = stochastic_run(learner, x, y, method, seed, epochs=3, batch_size=2, lr=0.05)
    second = stochastic_run(learner, x, y, method, seed + 1, epochs=3, batch_size=2, lr=0.05)
    if all(np.array_equal(a, b) for a, b in zip(first, second, strict=True)):
        in_order = NO_SHUFFLE.impl(x, y, method, 0.05, 3, 2, np.random.default_rng(0))
        same = all(
            np.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(first, in_order, strict=True)
        )
        raise mismatch(
            "two different rngs gave exactly the same result: the samples are not shuffled",
            NO_SHUFFLE if same else None,
        )


# The update rule and the visiting of the samples, whatever the learner's random stream: on a
# problem small enough to try every order (N = 5 samples: 120 SGD orders; N = 7 in batches of 3:
# 140 ways to deal the samples into batches of 3, 3 and 1), the logged loss of each epoch names the
# order that epoch used. A run whose losses no sequence of such orders gives did not make one
# update per sample / per batch of every epoch with the batch's mean gradient (a short last batch
# dropped or divided by B, samples drawn with replacement, N = 7 split into balanced batches of
# 3, 2 and 2, ...). The orders found also show how each epoch's order was drawn: a new one from
# rng every epoch repeats one of the last two epochs' orders with probability 2/120 (2/140), while
# reshuffling every other epoch, or replaying one order forwards and backwards, repeats them
# always; and the batches' contents change from epoch to epoch, not only their order.


def epoch_orders(n: int, method: str, batch_size: int) -> list[list[list[int]]]:
    """Every way one epoch can visit range(n): SGD, each permutation as batches of one; mini-batch,
    each sequence of batches of ``batch_size`` (the last smaller) holding every index once (the
    order inside a batch does not change its mean gradient)."""
    if method == "sgd":
        return [[[i] for i in p] for p in itertools.permutations(range(n))]
    sizes = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    orders: list[list[list[int]]] = []

    def deal(left: tuple[int, ...], todo: list[int], batches: list[list[int]]) -> None:
        if not todo:
            orders.append(batches)
            return
        for chosen in itertools.combinations(left, todo[0]):
            rest = tuple(i for i in left if i not in chosen)
            deal(rest, todo[1:], [*batches, list(chosen)])

    deal(tuple(range(n)), sizes, [])
    return orders


def run_epoch(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, batches: list[list[int]], lr: float
) -> tuple[np.ndarray, float]:
    """One epoch of the update rule in float64: per batch B, r = x_B·w + b − y_B,
    w ← w − lr·(2/|B|)·x_Bᵀ r, b ← b − lr·2·mean(r)."""
    for idx in batches:
        xb, yb = x[idx], y[idx]
        r = xb @ w + b - yb  # (|B|,)
        w = w - lr * 2.0 * (xb.T @ r) / len(idx)
        b = b - lr * 2.0 * float(r.mean())
    return w, b


def run_epochs(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, orders: list[list[list[int]]], lr: float
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`run_epoch` from (w, b) for every order at once: (w (K, D), b (K,)). Every order has
    the same batch sizes, so batch j of all K orders is one (K, |B_j|) index array."""
    ws, bs = np.broadcast_to(w, (len(orders), len(w))).copy(), np.full(len(orders), float(b))
    for j in range(len(orders[0])):
        idx = np.array([order[j] for order in orders])  # (K, |B_j|)
        xb, yb = x[idx], y[idx]  # (K, |B_j|, D), (K, |B_j|)
        r = np.einsum("ksd,kd->ks", xb, ws) + bs[:, None] - yb
        ws = ws - lr * 2.0 * np.einsum("ksd,ks->kd", xb, r) / idx.shape[1]
        bs = bs - lr * 2.0 * r.mean(axis=1)
    return ws, bs


def orders_behind(
    x: np.ndarray, y: np.ndarray, history: np.ndarray, method: str, batch_size: int, lr: float
) -> list[tuple[list[int], np.ndarray, float]]:
    """Every (order index per epoch, final w, final b) whose epochs give the logged losses."""
    orders = epoch_orders(len(x), method, batch_size)
    paths: list[tuple[list[int], np.ndarray, float]] = [([], np.zeros(x.shape[1]), 0.0)]
    for logged in history:
        grown = []
        for chosen, w, b in paths:
            ws, bs = run_epochs(x, y, w, b, orders, lr)
            mses = np.mean((ws @ x.T + bs[:, None] - y) ** 2, axis=1)  # (K,)
            near = np.abs(mses - logged) <= np.maximum(
                1e-6 * np.maximum(np.abs(mses), logged), 1e-12
            )
            for k in np.flatnonzero(near):  # math.isclose(mse, logged, rel_tol=1e-6, abs_tol=1e-12)
                grown.append(([*chosen, int(k)], ws[k], float(bs[k])))
        paths = grown[:50]  # a generic problem leaves one; a bound all the same
        if not paths:
            break
    return paths


STOCHASTIC_N = {"sgd": (5, 1), "minibatch": (7, 3)}  # N samples, batch size
STOCHASTIC_EPOCHS, STOCHASTIC_LR = 10, 0.1


def traced_run(learner, method: str, seed: int, data_seed: int):
    """(x, y, w, b, history, paths) of a learner's run on a problem small enough to trace: the
    orders each epoch could have used to give its logged loss (:func:`orders_behind`)."""
    n, batch_size = STOCHASTIC_N[method]
    source = np.random.default_rng(data_seed)
    x, y = source.normal(size=(n, 2)), source.normal(size=n)
    w, b, history = stochastic_run(
        learner, x, y, method, seed, STOCHASTIC_EPOCHS, batch_size, STOCHASTIC_LR
    )
    paths = orders_behind(x, y, history, method, batch_size, STOCHASTIC_LR)
    return x, y, w, b, history, paths


@pytest.mark.parametrize(
    "method",
    [
        pytest.param(
            m,
            marks=graded(
                "train_linear_regression",
                f"{m}: every epoch updates once per "
                f"{'sample' if m == 'sgd' else 'batch'} with its mean gradient, in a new order",
                points=2,
                core=True,
            ),
            id=m,
        )
        for m in METHODS
    ],
)
@settings(max_examples=3)
@given(seed=seeds(), data_seed=st.integers(0, 2**16))
def test_stochastic_training_follows_the_update_rule(learner, method, seed, data_seed):
    n, batch_size = STOCHASTIC_N[method]
    _, _, w, b, _, paths = traced_run(learner, method, seed, data_seed)
    unit = "sample" if method == "sgd" else f"batch of {batch_size} (the last one smaller)"
    if not paths:
        raise mismatch(
            f"no order that visits each of the {n} samples once per epoch, one update per {unit} "
            "with that batch's mean gradient, gives your logged losses: is a sample skipped or "
            "drawn twice, a short last batch dropped or averaged over batch_size, or are the "
            "batches of other sizes than batch_size (only the last one may be smaller)?"
        )
    if not any(
        np.allclose(w, pw, rtol=1e-6, atol=1e-10)
        and math.isclose(b, pb, rel_tol=1e-6, abs_tol=1e-10)
        for _, pw, pb in paths
    ):
        raise mismatch("the returned w, b are not those after the last logged epoch")
    if all(len(set(chosen)) == 1 for chosen, _, _ in paths):
        raise mismatch(
            f"all {STOCHASTIC_EPOCHS} epochs visited the samples in the same order: draw a new "
            "order from rng every epoch"
        )


#: of the 17 pairs of epochs one or two apart (10 epochs), how many may share an order: a new
#: order each epoch shares one with probability 1/120 (SGD) or 1/140 (mini-batch) per pair, so
#: 5 or more with probability below 3e-7; reshuffling every other epoch shares at least 5, one
#: order replayed forwards and backwards 8. (A batch kept in all 10 epochs: below 3e-8.)
REPEATS_ALLOWED = 4


def _repeats(chosen: list[int]) -> int:
    """Pairs of epochs one or two apart that used the same order."""
    return sum(chosen[e] == chosen[e + lag] for lag in (1, 2) for e in range(len(chosen) - lag))


def _fixed_batches(chosen: list[int], orders: list[list[list[int]]]) -> set[frozenset[int]]:
    """The batches (as sets of indices) that every epoch of ``chosen`` used."""
    kept = [{frozenset(batch) for batch in orders[k]} for k in chosen]
    return set.intersection(*kept) if kept else set()


@pytest.mark.parametrize(
    "method",
    [
        pytest.param(
            m,
            marks=graded(
                "train_linear_regression",
                f"{m}: draws every epoch's order afresh from rng"
                + ("" if m == "sgd" else ", the batches' contents included"),
                points=0.5,
            ),
            id=m,
        )
        for m in METHODS
    ],
)
@settings(max_examples=3)
@given(seed=seeds(), data_seed=st.integers(0, 2**16))
def test_stochastic_training_draws_every_epoch_afresh(learner, method, seed, data_seed):
    n, batch_size = STOCHASTIC_N[method]
    *_, paths = traced_run(learner, method, seed, data_seed)
    if not paths:  # the update rule's own check says why
        raise mismatch("no order of the samples gives your logged losses (see the update rule)")
    if method == "minibatch":
        orders = epoch_orders(n, method, batch_size)
        fixed = [_fixed_batches(chosen, orders) for chosen, _, _ in paths]
        if all(fixed):
            kept = sorted(sorted(batch) for batch in fixed[0])[0]
            raise mismatch(
                f"the batch {kept} was used in all {STOCHASTIC_EPOCHS} epochs: shuffle the "
                "samples themselves every epoch, then cut them into batches (shuffling the order "
                "of fixed batches is not enough)"
            )
    if all(_repeats(chosen) > REPEATS_ALLOWED for chosen, _, _ in paths):
        chosen = paths[0][0]
        raise mismatch(
            f"of {STOCHASTIC_EPOCHS} epochs, {_repeats(chosen)} pairs one or two epochs apart "
            f"visited the samples in the same order (epoch orders {chosen}): draw a new order "
            "from rng at the start of every epoch, not every other one, and do not replay an "
            "earlier order"
        )


#: seeds of the first-epoch check, on one traced problem: a new order drawn from rng is the
#: index order (0, 1, ..., N − 1, as SGD samples or as mini-batches) with probability 1/120
#: (SGD) or 1/140 (mini-batch), so in all four runs with probability below 3e-8
FIRST_EPOCH_SEEDS, FIRST_EPOCH_DATA_SEED = (101, 102, 103, 104), 5


@pytest.mark.parametrize(
    "method",
    [
        pytest.param(
            m,
            marks=graded(
                "train_linear_regression", f"{m}: the first epoch is shuffled too", points=0.5
            ),
            id=m,
        )
        for m in METHODS
    ],
)
def test_stochastic_training_shuffles_the_first_epoch(learner, method):
    """One epoch with each of four seeds: a run that visits the samples in index order in its
    first epoch (shuffling at the end of each epoch, or only from the second on) fails, however
    it shuffles later ones. Order 0 of :func:`epoch_orders` is the index order."""
    n, batch_size = STOCHASTIC_N[method]
    source = np.random.default_rng(FIRST_EPOCH_DATA_SEED)
    x, y = source.normal(size=(n, 2)), source.normal(size=n)
    for seed in FIRST_EPOCH_SEEDS:
        _, _, history = stochastic_run(learner, x, y, method, seed, 1, batch_size, STOCHASTIC_LR)
        paths = orders_behind(x, y, history, method, batch_size, STOCHASTIC_LR)
        if not paths:  # the update rule's own check says why
            raise mismatch("no order of the samples gives your logged loss (see the update rule)")
        if any(chosen != [0] for chosen, _, _ in paths):
            return
    unit = "samples" if method == "sgd" else f"batches of {batch_size}"
    raise mismatch(
        f"with {len(FIRST_EPOCH_SEEDS)} different seeds the first epoch visited the {unit} in "
        "index order (0, 1, 2, ...) every time: draw the epoch's order from rng at the start of "
        "every epoch, the first one included, not at its end"
    )


RNG_CALLS: dict[str, Any] = {
    "minibatch_indices": lambda seed: (23, 4, rng(seed)),
    "dropout": lambda seed: (np.linspace(-1.0, 1.0, 60).reshape(6, 10), 0.4, rng(seed)),
    "train_linear_regression": lambda seed: (
        np.linspace(-1.0, 1.0, 12).reshape(6, 2),
        np.linspace(0.5, -0.5, 6),
        "minibatch",
        0.1,
        3,
        4,
        rng(seed),
    ),
}


@pytest.mark.parametrize(
    "fn", params(list(RNG_CALLS), "draws only from its rng: same seed, same result", 1)
)
def test_the_same_seed_gives_the_same_result(learner, fn):
    call = getattr(learner.training, fn)
    first, second = call(*RNG_CALLS[fn](11)), call(*RNG_CALLS[fn](11))
    if compare(second, first, 0.0, 0.0) is not None:
        raise mismatch(
            "two calls with generators seeded alike gave different results: draw every random "
            "number from the rng argument (np.random.* and default_rng() read other state)"
        )


_SEEDED_X = np.random.default_rng(0).normal(size=(12, 2))
_SEEDED_Y = np.random.default_rng(1).normal(size=12)

#: each function of the topic that takes an rng, called on inputs where two independent draws
#: give the same answer with astronomically small probability: 40! orders of 40 indices, 2^200
#: dropout masks, and three epochs over 12 samples (12!³ SGD orders; (12!/(5!·5!·2!))³ ≈ 4.6e12
#: mini-batch deals)
SEEDED_RUNS: dict[str, Any] = {
    "minibatch_indices": lambda learner, r: learner.training.minibatch_indices(40, 6, r()),
    "dropout": lambda learner, r: learner.training.dropout(np.linspace(0.5, 2.0, 200), 0.5, r()),
    "train_linear_regression": lambda learner, r: [
        learner.training.train_linear_regression(_SEEDED_X, _SEEDED_Y, m, 0.05, 3, 5, r())
        for m in METHODS
    ],
}


@pytest.mark.parametrize("fn", params(list(SEEDED_RUNS), SEEDS_DIFFER, 0.5))
def test_different_seeds_give_different_results(learner, fn):
    expect_seeds_differ(lambda seed: SEEDED_RUNS[fn](learner, lambda: rng(seed)))


# ---------------------------------------------------------------- dropout

NO_RESCALE = mistake("dropout", "dropout_without_rescaling")
KEEPS_P = mistake("dropout", "dropout_keeps_with_probability_p")
AT_INFERENCE = mistake("dropout", "dropout_at_inference")


def dropout_problem(x: np.ndarray, p: float, out: Any) -> Mismatch | None:
    """Why ``out`` is not an inverted-dropout mask of x with drop probability 0 < p < 1."""
    out = np.asarray(out, dtype=np.float64)
    if out.shape != x.shape:
        return mismatch(f"the output has shape {out.shape}, expected x's shape {x.shape}")
    kept, dropped = out != 0, out == 0  # x has no zeros, so a zero is a dropped unit
    if kept.any() and np.allclose(out[kept], x[kept], rtol=1e-9, atol=0):
        return mismatch("the units you keep equal x: divide them by 1 − p", NO_RESCALE)
    if not np.allclose(out[kept], x[kept] / (1 - p), rtol=1e-9, atol=0):
        if np.allclose(out[kept], x[kept] / p, rtol=1e-9, atol=0):
            return mismatch("the units you keep are x/p, expected x/(1 − p)", KEEPS_P)
        return mismatch("every output must be 0 (dropped) or x/(1 − p) (kept)")
    n = x.size
    rate = dropped.sum() / n
    bound = 5 * math.sqrt(p * (1 - p) / n)  # 5σ of the binomial drop rate
    if abs(rate - p) > bound:
        swapped = abs(rate - (1 - p)) <= bound
        return mismatch(
            f"dropped {rate:.3f} of {n} units, expected p = {p} ± {bound:.3f}",
            KEEPS_P if swapped else None,
        )
    return None


@st.composite
def layers(draw: st.DrawFn, min_units: int = 400) -> np.ndarray:
    """Activations without zeros (a zero output then always means 'dropped')."""
    rows = draw(st.integers(1, 20))
    cols = max(1, -(-min_units // rows))
    gen = np.random.default_rng(draw(seeds()))
    x = gen.normal(size=(rows, cols))
    return np.where(x == 0, 1.0, x)


drop_ps = st.sampled_from([0.3, 0.1, 0.2, 0.25, 0.6, 0.75, 0.9])  # not 0.5: p and 1 − p agree
small_ps = st.sampled_from([0.1, 0.2, 0.25, 0.3])
large_ps = st.sampled_from([0.6, 0.7, 0.75, 0.8, 0.9])


@graded("dropout", "drops about p of the units and divides the rest by 1 − p", points=3, core=True)
@settings(max_examples=8)
@given(x=layers(), p=small_ps, q=large_ps, seed=seeds())
def test_dropout_in_training(learner, x, p, q, seed):
    """Each example drops with a small p and with a large one (0.6 to 0.9): a dropout right only
    for p ≤ 0.5 (p capped at 0.5, 1 − p dropped when p > 0.5) fails every example."""
    for drop, s in ((p, seed), (q, (seed + 1) % 2**32)):
        problem = dropout_problem(x, drop, learner.training.dropout(x, drop, rng(s)))
        if problem:
            raise problem


@graded("dropout", "returns x unchanged at inference (training=False)", points=2)
@settings(max_examples=6)
@given(x=layers(min_units=50), p=drop_ps, seed=seeds())
def test_dropout_at_inference_is_the_identity(learner, x, p, seed):
    out = learner.training.dropout(x, p, rng(seed), training=False)
    if np.shape(out) != x.shape or not np.array_equal(np.asarray(out, dtype=np.float64), x):
        looks_dropped = np.shape(out) == x.shape and dropout_problem(x, p, out) is None
        raise mismatch(
            "with training=False dropout must return x unchanged",
            AT_INFERENCE if looks_dropped else None,
        )


@graded("dropout", "p = 0 keeps every unit and p = 1 drops every unit", points=1)
@given(x=layers(min_units=20), seed=seeds())
def test_dropout_edge_probabilities(learner, x, seed):
    keep_all = learner.training.dropout(x, 0.0, rng(seed))
    if np.shape(keep_all) != x.shape or not np.allclose(keep_all, x, rtol=1e-12, atol=0):
        swapped = np.shape(keep_all) == x.shape and not np.any(keep_all)
        raise mismatch(
            "with p = 0 nothing is dropped: expected x itself", KEEPS_P if swapped else None
        )
    drop_all = learner.training.dropout(x, 1.0, rng(seed + 1))
    if np.shape(drop_all) != x.shape or np.any(np.asarray(drop_all) != 0):
        raise mismatch("with p = 1 every unit is dropped: expected all zeros")


@graded("dropout", "the notes' p = 0.3: about 30% of a layer switched off, its mean kept", points=1)
def test_dropout_notes_example(learner):
    x = np.ones((100, 50))
    out = np.asarray(learner.training.dropout(x, 0.3, rng(2024)), dtype=np.float64)
    problem = dropout_problem(x, 0.3, out)
    if problem:
        raise problem
    sigma = math.sqrt(0.3 / 0.7 / x.size)  # std of the mean of x·mask/(1 − p) for x = 1
    if abs(out.mean() - 1.0) > 5 * sigma:
        raise mismatch(f"the layer's mean is {out.mean():.3f}; inverted dropout keeps it near 1")


#: (x, p, seeds) for the independence check: 4 rows of 10 units without zeros, 12 seeds
INDEPENDENCE_X = np.linspace(0.5, 2.0, 40).reshape(4, 10)
INDEPENDENCE_P = 0.25
INDEPENDENCE_SEEDS = range(300, 312)


@graded("dropout", "drops each unit on its own: the count varies, each row its own mask", points=1)
def test_dropout_drops_each_unit_independently(learner):
    """Over 12 seeds, a dropout that zeroes exactly round(p·n) units (a fixed count, however
    its positions are drawn), or draws one mask for a row and shares it with every row of the
    batch, fails; an independent draw per unit, Binomial(40, 0.25) dropped, gives one count all
    12 times with probability below 1e-9 and four equal rows in every call far less often."""
    x, p = INDEPENDENCE_X, INDEPENDENCE_P
    counts, shared = set(), 0
    for seed in INDEPENDENCE_SEEDS:
        out = np.asarray(learner.training.dropout(x, p, rng(seed)), dtype=np.float64)
        if out.shape != x.shape:
            raise mismatch(f"the output has shape {out.shape}, expected x's shape {x.shape}")
        dropped = out == 0
        counts.add(int(dropped.sum()))
        shared += bool(np.all(dropped == dropped[0]))
    if len(counts) == 1:
        raise mismatch(
            f"with p = {p} on {x.size} units every one of {len(INDEPENDENCE_SEEDS)} seeds "
            f"dropped exactly {counts.pop()} units: drop each unit with probability p on its "
            "own (one uniform draw per unit), so the number dropped varies from call to call"
        )
    if shared == len(INDEPENDENCE_SEEDS):
        raise mismatch(
            "every row of the batch got the same mask: draw the mask for the whole shape of x, "
            "one draw per unit, not one row's mask broadcast over the batch"
        )


@graded("dropout", PURE, points=0.5)
def test_dropout_does_not_modify_its_input(learner):
    x = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    learner.training.dropout(x, 0.5, rng(7))
    learner.training.dropout(x, 0.5, rng(7), training=False)  # the identity, as a new array
    assert_pure(learner)


@graded("train_linear_regression", PURE, points=0.5)
@pytest.mark.parametrize("method", ["gd", "minibatch"])
def test_train_linear_regression_does_not_modify_its_inputs(learner, method):
    x = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]])
    y = np.array([1.0, -0.5, 2.0])
    learner.training.train_linear_regression(x, y, method, 0.05, 2, 2, rng(3))
    assert_pure(learner)


# ---------------------------------------------------------------- early_stopping


@st.composite
def loss_curves(draw: st.DrawFn) -> np.ndarray:
    """Validation losses in multiples of 1/8 (exact arithmetic, so ties are real ties) that
    fall, dip and rise again."""
    steps = draw(st.lists(st.integers(-3, 2), min_size=0, max_size=11))
    start = draw(st.integers(8, 24))
    return np.maximum(np.cumsum([start, *steps]), 0) / 8.0


@graded("early_stopping", "matches the reference on random loss curves", points=2)
@given(
    losses=loss_curves(),
    patience=st.integers(0, 4),
    min_delta=st.sampled_from([0.0, 0.125, 0.25, 0.375]),
)
def test_early_stopping_matches_reference(learner, losses, patience, min_delta):
    expect_close(
        learner.training.early_stopping(losses, patience, min_delta=min_delta),
        reference(TOPIC, "early_stopping", losses, patience, min_delta=min_delta),
        learner,
    )


#: (losses, patience, min_delta, (stop_epoch, best_epoch)), worked out by hand.
SCENARIOS = [
    ([1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.95], 2, 0.0, (4, 2)),  # a dip that is not a best
    ([1.0, 0.96, 0.93, 0.92, 0.91, 0.905], 2, 0.05, (4, 2)),  # small decreases do not count
    ([5.0, 4.0, 3.0, 2.0, 1.0], 1, 0.0, (4, 4)),  # never stops early
    ([1.0, 1.0, 0.5, 0.4], 1, 0.0, (1, 0)),  # an equal loss is no improvement
    ([2.0, 1.5, 1.6, 1.7, 1.8, 1.2, 1.9], 3, 0.0, (4, 1)),  # stops before the late drop
    ([3.0, 2.0, 2.5, 1.0], 0, 0.0, (2, 1)),  # patience 0: the first bad epoch stops
    ([0.5], 3, 0.0, (0, 0)),  # a single epoch
]


@graded("early_stopping", "stops at the right epoch on hand-made loss curves", points=2)
def test_early_stopping_scenarios(learner):
    for losses, patience, min_delta, expected in SCENARIOS:
        expect_close(
            learner.training.early_stopping(np.array(losses), patience, min_delta=min_delta),
            expected,
            learner,
        )


@graded(
    "early_stopping", "the best epoch has the lowest loss, and stop = best + patience", points=1
)
@given(losses=loss_curves(), patience=st.integers(1, 4))
def test_early_stopping_properties(learner, losses, patience):
    result = learner.training.early_stopping(losses, patience)
    try:
        stop, best = (int(v) for v in result)
    except (TypeError, ValueError):
        raise mismatch("expected (stop_epoch, best_epoch), two ints") from None
    last = len(losses) - 1
    if not 0 <= best <= stop <= last:
        fail(
            f"expected 0 ≤ best_epoch ≤ stop_epoch ≤ {last}, got ({stop}, {best})", result, learner
        )
    seen = losses[: stop + 1]
    if best != int(np.argmin(seen)):
        fail(
            f"best_epoch {best} has loss {losses[best]}, but epoch {int(np.argmin(seen))} had "
            f"the lowest loss {seen.min()} before training stopped",
            result,
            learner,
        )
    if stop != last and stop != best + patience:
        fail(
            f"training stopped at epoch {stop}, but the best was at {best} with patience "
            f"{patience}: it should stop at epoch {best + patience}",
            result,
            learner,
        )


@graded("early_stopping", PURE, points=0.5)
def test_early_stopping_does_not_modify_its_input(learner):
    learner.training.early_stopping(np.array([1.0, 0.75, 0.875, 0.9375, 0.5]), 2)
    assert_pure(learner)


#: required arguments on which each stated default changes the answer (expect_stated_defaults)
DEFAULT_CALLS: dict[str, Any] = {
    "num_iterations": (10, 3, 2),  # 10 = 3·3 + 1: drop_last decides
    "train_linear_regression": [
        (np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]]), np.array([1.0, -0.5, 2.0])),
        # batch_size matters only in mini-batches, and only with more than 32 samples
        (
            np.linspace(-1.0, 1.0, 80).reshape(40, 2),
            np.linspace(0.5, -0.5, 40),
            {"method": "minibatch", "epochs": 3, "rng": rng(5)},
        ),
    ],
    "dropout": (np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]]), 0.5, rng(7)),
    # improvements of 5e-5: any min_delta above 0 ignores them
    "early_stopping": (np.array([1.0, 0.99995, 0.9999, 0.99985, 0.9998, 0.99975]), 2),
}


@pytest.mark.parametrize("fn", params(list(DEFAULT_CALLS), DEFAULTS, 0.5))
def test_defaults_are_the_stated_ones(learner, fn):
    expect_stated_defaults(learner, TOPIC, fn, DEFAULT_CALLS[fn])
