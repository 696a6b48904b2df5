"""The training suite's stochastic checks (``grader/hidden/test_training.py``) tell the update rule
apart from its near misses whatever random stream a learner uses: two right implementations with
different streams keep every point of ``train_linear_regression``, and runs that skip or repeat
samples, drop or mis-average the short last batch, split into balanced batches (``array_split``),
reuse one order every epoch or draw from NumPy's global generator lose points (an independent
implementer's variants once kept them all)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.engine.run import run_hidden_tests
from grader.examples import write_answers
from grader.settings import GradeSettings

TRAIN = """

def train_linear_regression(x, y, method="gd", lr=0.05, epochs=100, batch_size=32, rng=None):
    n, d = x.shape
    w, b = np.zeros(d), 0.0
    history = np.zeros(epochs)
    fixed = rng.permutation(n) if rng is not None else None
    for epoch in range(epochs):
        if method == "gd":
            batches = [np.arange(n)]
        elif method == "sgd":
            batches = [np.array([i]) for i in ORDER]
        else:
            batches = BATCHES
        for idx in batches:
            xb, yb = x[idx], y[idx]
            r = xb @ w + b - yb
            w = w - lr * 2.0 * (xb.T @ r) / DIVISOR
            b = b - lr * 2.0 * r.sum() / DIVISOR
        history[epoch] = np.mean((x @ w + b - y) ** 2)
    return w, float(b), history
"""
RIGHT = ("rng.permutation(n)", "minibatch_indices(n, batch_size, rng)", "len(idx)")
OTHER_STREAM = (
    "np.argsort(rng.random(n))",
    "[o[i:i + batch_size] for o in [np.argsort(rng.random(n))] for i in range(0, n, batch_size)]",
    "len(idx)",
)
WRONG = {
    "drops-the-short-last-batch": (
        RIGHT[0],
        "[k for k in minibatch_indices(n, batch_size, rng) if len(k) == batch_size]",
        "len(idx)",
    ),
    "averages-the-short-batch-over-batch-size": (
        RIGHT[0],
        RIGHT[1],
        "(len(idx) if method != 'minibatch' else batch_size)",
    ),
    "one-order-for-every-epoch": (
        "fixed",
        "[fixed[i:i + batch_size] for i in range(0, n, batch_size)]",
        "len(idx)",
    ),
    "draws-samples-with-replacement": (
        "rng.integers(0, n, n)",
        "[rng.integers(0, n, min(batch_size, n - i)) for i in range(0, n, batch_size)]",
        "len(idx)",
    ),
    "balanced-batches-of-array-split": (  # N = 7, B = 3: batches of 3, 2, 2, not 3, 3, 1
        RIGHT[0],
        "np.array_split(rng.permutation(n), -(-n // batch_size))",
        "len(idx)",
    ),
    "numpy-global-generator": (
        "np.random.permutation(n)",
        "[o[i:i + batch_size] for o in [np.random.permutation(n)] for i in range(0, n, batch_size)]",
        "len(idx)",
    ),
}


def _score(tmp_path: Path, variant: tuple[str, str, str]) -> tuple[float, float]:
    order, batches, divisor = variant
    folder = write_answers(tmp_path / "learner")
    source = TRAIN.replace("ORDER", order).replace("BATCHES", batches).replace("DIVISOR", divisor)
    with (folder / "training.py").open("a", encoding="utf-8") as fh:
        fh.write(source)
    result = run_hidden_tests(
        folder,
        GradeSettings(topics=("training",), shrink=False),
        learner="x",
        content_hash="-",
        only_functions={"training.train_linear_regression"},
    )
    return result.score, result.max_score


@pytest.mark.parametrize("variant", [RIGHT, OTHER_STREAM], ids=["permutation", "argsort-stream"])
def test_right_training_keeps_every_point_whatever_its_random_stream(tmp_path, variant):
    score, top = _score(tmp_path, variant)
    assert score == top > 0


@pytest.mark.parametrize("variant", list(WRONG.values()), ids=list(WRONG))
def test_near_misses_of_the_stochastic_update_rule_lose_points(tmp_path, variant):
    """A wrong update rule fails a core check, and with it the function's property points; a
    right rule fed by NumPy's global generator fails the same-seed check only."""
    score, top = _score(tmp_path, variant)
    assert score < (top if variant is WRONG["numpy-global-generator"] else top / 2)


def test_every_function_taking_an_rng_is_held_to_the_same_seed_check():
    """The curriculum's "randomness comes in as rng; nothing reads global state" is graded for
    every curriculum function with an ``rng`` parameter, not only the ones known today."""
    import importlib
    import inspect

    from grader.hidden.test_training import RNG_CALLS
    from reference import TOPICS

    taking_rng = set()
    for topic in TOPICS:
        module = importlib.import_module(f"exercises.{topic}")
        for name, fn in vars(module).items():
            mine = inspect.isfunction(fn) and fn.__module__ == module.__name__
            if mine and "rng" in inspect.signature(fn).parameters:
                taking_rng.add(f"{topic}.{name}")
    assert taking_rng == {f"training.{f}" for f in RNG_CALLS}
