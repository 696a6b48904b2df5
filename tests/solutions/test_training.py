"""solutions.training (NumPy) agrees with reference.training where nothing is random, satisfies
the defining properties where something is (partition, kept fraction, rescaling), and never
modifies its inputs."""

from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.strategies import float_arrays, regression_data, seeds
from reference import training as ref
from solutions import training as sol


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


@given(
    n=st.integers(0, 500),
    batch_size=st.integers(1, 64),
    epochs=st.integers(0, 6),
    drop_last=st.booleans(),
)
def test_num_iterations_agrees_with_reference(n, batch_size, epochs, drop_last):
    got = sol.num_iterations(n, batch_size, epochs, drop_last)
    assert type(got) is int
    assert got == ref.num_iterations(n, batch_size, epochs, drop_last)
    assert sol.num_iterations(n, batch_size, epochs) == ref.num_iterations(n, batch_size, epochs)


@given(n=st.integers(0, 200), batch_size=st.integers(1, 50), seed=seeds())
def test_minibatch_indices_partition_range_n_in_batches_of_batch_size(n, batch_size, seed):
    batches = sol.minibatch_indices(n, batch_size, rng(seed))
    assert len(batches) == math.ceil(n / batch_size)
    sizes = [len(b) for b in batches]
    assert all(s == batch_size for s in sizes[:-1])
    if batches:
        assert sizes[-1] == n - batch_size * (len(batches) - 1)
    flat = np.concatenate(batches) if batches else np.zeros(0, dtype=int)
    assert np.issubdtype(flat.dtype, np.integer)
    np.testing.assert_array_equal(np.sort(flat), np.arange(n))


def test_minibatch_indices_are_shuffled_by_the_generator():
    a = np.concatenate(sol.minibatch_indices(200, 16, rng(1)))
    b = np.concatenate(sol.minibatch_indices(200, 16, rng(1)))
    c = np.concatenate(sol.minibatch_indices(200, 16, rng(2)))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a, np.arange(200))


@settings(max_examples=25)
@given(data=regression_data(), lr=st.floats(1e-3, 0.1), epochs=st.integers(0, 40))
def test_train_linear_regression_gd_agrees_with_reference(data, lr, epochs):
    x, y = data
    x0, y0 = x.copy(), y.copy()
    w, b, hist = sol.train_linear_regression(x, y, "gd", lr, epochs)
    w_ref, b_ref, hist_ref = ref.train_linear_regression(
        torch.from_numpy(x0.copy()), torch.from_numpy(y0.copy()), "gd", lr, epochs
    )
    np.testing.assert_allclose(w, w_ref.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b, b_ref.item(), rtol=1e-10, atol=1e-12)
    assert np.shape(hist) == (epochs,)
    np.testing.assert_allclose(hist, hist_ref.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)


def test_train_linear_regression_default_method_is_gd_and_agrees_with_reference():
    x = rng(0).normal(size=(30, 2))
    y = x @ np.array([2.0, -1.0]) + 0.5
    w, b, hist = sol.train_linear_regression(x, y)
    w_ref, b_ref, hist_ref = ref.train_linear_regression(torch.from_numpy(x), torch.from_numpy(y))
    np.testing.assert_allclose(w, w_ref.numpy(), rtol=1e-10)
    np.testing.assert_allclose(b, b_ref.item(), rtol=1e-10)
    np.testing.assert_allclose(hist, hist_ref.numpy(), rtol=1e-10, atol=1e-14)


@settings(max_examples=20)
@given(data=regression_data(max_n=20), seed=seeds())
def test_train_linear_regression_minibatch_with_a_single_batch_equals_gd(data, seed):
    x, y = data
    gd = sol.train_linear_regression(x, y, "gd", 0.05, 10)
    mb = sol.train_linear_regression(x, y, "minibatch", 0.05, 10, len(y) + 1, rng(seed))
    for a, b in zip(gd, mb, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@settings(max_examples=20)
@given(data=regression_data(min_n=1, max_n=1), seed=seeds())
def test_train_linear_regression_sgd_on_one_sample_equals_gd(data, seed):
    x, y = data
    gd = sol.train_linear_regression(x, y, "gd", 0.05, 10)
    sgd = sol.train_linear_regression(x, y, "sgd", 0.05, 10, rng=rng(seed))
    for a, b in zip(gd, sgd, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@settings(max_examples=10)
@given(data=regression_data(min_n=30, max_n=60, max_d=3, noise=0.0), seed=seeds())
def test_train_linear_regression_sgd_and_minibatch_fit_noise_free_data(data, seed):
    """Without noise the least-squares fit is exact, so every method drives the MSE to ~0."""
    x, y = data
    first = None
    for method in ("sgd", "minibatch"):
        w, b, hist = sol.train_linear_regression(x, y, method, 0.02, 150, 8, rng(seed))
        assert np.shape(w) == (x.shape[1],) and np.shape(hist) == (150,)
        assert isinstance(b, float)
        assert np.all(np.isfinite(hist))
        assert hist[-1] < 1e-6 * max(np.mean(y**2), 1e-3), method
        first = hist if first is None else first
    again = sol.train_linear_regression(x, y, "sgd", 0.02, 150, 8, rng(seed))[2]
    np.testing.assert_array_equal(again, first)  # reproducible from the generator


# ---------------------------------------------------------------- dropout

N_UNITS = 200_000


@settings(max_examples=10)
@given(p=st.sampled_from([0.05, 0.3, 0.5, 0.8, 0.99]), seed=seeds())
def test_dropout_keeps_about_1_minus_p_and_rescales_the_kept_units(p, seed):
    x = rng(seed).uniform(0.5, 1.5, size=N_UNITS)
    x0 = x.copy()
    out = sol.dropout(x, p, rng(seed + 1))
    kept = out != 0
    assert abs(kept.mean() - (1 - p)) <= 6 * math.sqrt(p * (1 - p) / N_UNITS)
    np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-12)
    np.testing.assert_array_equal(x, x0)


@settings(max_examples=10)
@given(p=st.sampled_from([0.1, 0.3, 0.5]), seed=seeds())
def test_dropout_preserves_the_mean(p, seed):
    out = sol.dropout(np.ones((400, 500)), p, rng(seed))
    assert out.shape == (400, 500)
    assert abs(out.mean() - 1.0) <= 6 * math.sqrt(p / (1 - p) / out.size)


def test_dropout_0_3_deactivates_about_30_percent_in_training_and_none_at_inference():
    layer = np.ones((64, 1000))
    off = (sol.dropout(layer, 0.3, rng(0)) == 0).mean()
    assert abs(off - 0.3) < 6 * math.sqrt(0.21 / layer.size)
    np.testing.assert_array_equal(sol.dropout(layer, 0.3, rng(0), training=False), layer)


@given(x=float_arrays(bound=1000.0), seed=seeds())
def test_dropout_edges_agree_with_reference(x, seed):
    """p = 0 and inference are the identity (a new array), p = 1 gives zeros, like the reference."""
    x0 = x.copy()
    t = torch.from_numpy(x.copy())
    for p, training in ((0.0, True), (0.7, False), (1.0, True)):
        got = sol.dropout(x, p, rng(seed), training)
        expected = ref.dropout(t, p, torch.Generator().manual_seed(0), training)
        np.testing.assert_array_equal(got, expected.numpy())
        assert not np.shares_memory(got, x)
    out = sol.dropout(x, 0.5, rng(seed))
    assert out.shape == x.shape and np.all(np.isfinite(out))
    np.testing.assert_array_equal(x, x0)


# ---------------------------------------------------------------- early_stopping


@given(
    losses=st.lists(st.integers(0, 12).map(lambda k: k / 4), min_size=1, max_size=20)
    | st.lists(st.floats(0, 10), min_size=1, max_size=20),
    patience=st.integers(0, 5),
    min_delta=st.sampled_from([0.0, 0.25, 0.5, 0.01]),
)
def test_early_stopping_agrees_with_reference(losses, patience, min_delta):
    arr = np.array(losses)
    got = sol.early_stopping(arr, patience, min_delta)
    assert isinstance(got, tuple) and all(type(v) is int for v in got)
    assert got == ref.early_stopping(torch.from_numpy(arr.copy()), patience, min_delta)
    np.testing.assert_array_equal(arr, np.array(losses))


def test_early_stopping_worked_example():
    losses = np.array([1.0, 0.9, 0.8, 0.85, 0.86, 0.87])
    assert sol.early_stopping(losses, 3) == (5, 2)
    assert sol.early_stopping(losses, 2) == (4, 2)
    assert sol.early_stopping(np.array([1.0, 0.875, 0.75]), 2, min_delta=0.25) == (2, 0)
