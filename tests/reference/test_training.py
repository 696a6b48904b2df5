"""reference.training against torch.utils.data, autograd, torch.linalg.lstsq, binomial bounds
and a direct simulation of Keras' EarlyStopping callback."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

from grader.strategies import float_arrays, regression_data, seeds
from reference import training as tr

F64 = {"rtol": 1e-10, "atol": 1e-12}


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------- num_iterations


@given(
    n=st.integers(0, 300),
    batch_size=st.integers(1, 64),
    epochs=st.integers(0, 5),
    drop_last=st.booleans(),
)
def test_num_iterations_matches_len_of_torch_dataloader_times_epochs(
    n, batch_size, epochs, drop_last
):
    loader = DataLoader(TensorDataset(torch.arange(n)), batch_size=batch_size, drop_last=drop_last)
    assert tr.num_iterations(n, batch_size, epochs, drop_last) == len(loader) * epochs


def test_num_iterations_for_gd_sgd_and_minibatch_on_the_notes_batch_size_1000():
    """The notes' mini-batch example uses batches of 1000: 10 500 samples give 11 steps an epoch
    (10 without the last, incomplete batch); full batch gives 1, batch size 1 gives N."""
    assert tr.num_iterations(10_500, 1000, 1) == 11
    assert tr.num_iterations(10_500, 1000, 1, drop_last=True) == 10
    assert tr.num_iterations(10_500, 1000, 3) == 33
    assert tr.num_iterations(10_500, 10_500, 4) == 4  # gradient descent: one step per epoch
    assert tr.num_iterations(10_500, 1, 2) == 21_000  # SGD: one step per sample
    assert isinstance(tr.num_iterations(10, 3, 2), int)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((-1, 2, 1), "n_samples"),
        ((10, 0, 1), "batch_size"),
        ((10, 2, -1), "epochs"),
        ((10.0, 2, 1), "n_samples"),
        ((10, 2.5, 1), "batch_size"),
        ((10, True, 1), "batch_size"),
    ],
)
def test_num_iterations_rejects_bad_counts_naming_them(args, name):
    with pytest.raises(ValueError, match=name):
        tr.num_iterations(*args)


# ---------------------------------------------------------------- minibatch_indices


@given(n=st.integers(0, 200), batch_size=st.integers(1, 50), seed=seeds())
def test_minibatch_indices_partition_range_n_into_full_batches_and_one_remainder(
    n, batch_size, seed
):
    batches = tr.minibatch_indices(n, batch_size, gen(seed))
    assert len(batches) == math.ceil(n / batch_size)
    for i, batch in enumerate(batches):
        assert batch.dtype == torch.int64 and batch.ndim == 1
        expected = batch_size if i < len(batches) - 1 else n - batch_size * (len(batches) - 1)
        assert len(batch) == expected
    flat = torch.cat(batches) if batches else torch.zeros(0, dtype=torch.int64)
    assert torch.equal(torch.sort(flat).values, torch.arange(n))


@given(n=st.integers(1, 200), batch_size=st.integers(1, 50), seed=seeds())
def test_minibatch_indices_equal_torch_random_sampler_batches_for_the_same_seed(
    n, batch_size, seed
):
    sampler = BatchSampler(RandomSampler(range(n), generator=gen(seed)), batch_size, False)
    ours = [b.tolist() for b in tr.minibatch_indices(n, batch_size, gen(seed))]
    assert ours == list(sampler)


def test_minibatch_indices_shuffle_depends_on_the_generator_only():
    a = tr.minibatch_indices(100, 10, gen(1))
    b = tr.minibatch_indices(100, 10, gen(1))
    c = tr.minibatch_indices(100, 10, gen(2))
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(torch.equal(x, y) for x, y in zip(a, c, strict=True))
    assert not torch.equal(torch.cat(a), torch.arange(100))  # really shuffled
    assert tr.minibatch_indices(0, 4, gen(0)) == []
    assert torch.equal(
        torch.sort(torch.cat(tr.minibatch_indices(7, 3, None))).values, torch.arange(7)
    )


@pytest.mark.parametrize(
    ("args", "name"),
    [((-1, 2, None), "n_samples"), ((5, 0, None), "batch_size"), ((5, 2, 42), "rng")],
)
def test_minibatch_indices_rejects_bad_arguments(args, name):
    with pytest.raises(ValueError, match=name):
        tr.minibatch_indices(*args)


# ---------------------------------------------------------------- train_linear_regression


def autograd_regression(
    x: torch.Tensor,
    y: torch.Tensor,
    lr: float,
    epochs: int,
    batches_per_epoch,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A hand-rolled torch training loop: autograd gradients of F.mse_loss, manual updates."""
    w = torch.zeros(x.shape[1], dtype=x.dtype, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, requires_grad=True)
    history = []
    for _ in range(epochs):
        for idx in batches_per_epoch():
            loss = torch.nn.functional.mse_loss(x[idx] @ w + b, y[idx])
            gw, gb = torch.autograd.grad(loss, (w, b))
            with torch.no_grad():
                w -= lr * gw
                b -= lr * gb
        with torch.no_grad():
            history.append(torch.nn.functional.mse_loss(x @ w + b, y))
    return w.detach(), b.detach(), torch.stack(history) if history else torch.zeros(0)


@settings(max_examples=25)
@given(data=regression_data(), lr=st.floats(1e-3, 0.1), epochs=st.integers(0, 30))
def test_train_linear_regression_gd_matches_autograd_full_batch_loop(data, lr, epochs):
    x, y = (torch.from_numpy(a) for a in data)
    everything = torch.arange(len(y))
    w, b, hist = tr.train_linear_regression(x, y, "gd", lr, epochs)
    w_ref, b_ref, hist_ref = autograd_regression(x, y, lr, epochs, lambda: [everything])
    torch.testing.assert_close(w, w_ref, **F64)
    torch.testing.assert_close(b, b_ref, **F64)
    assert hist.shape == (epochs,)
    if epochs:
        torch.testing.assert_close(hist, hist_ref, **F64)


@settings(max_examples=20)
@given(
    data=regression_data(max_n=25),
    method=st.sampled_from(["sgd", "minibatch"]),
    batch_size=st.integers(1, 10),
    seed=seeds(),
)
def test_train_linear_regression_sgd_and_minibatch_match_autograd_on_the_same_batches(
    data, method, batch_size, seed
):
    """Given the same batches (minibatch_indices on an identically seeded generator, one call
    per epoch; its batches are checked against torch's RandomSampler above), the reference must
    take exactly the steps of an autograd loop. (RandomSampler itself cannot drive several
    epochs here: each pass draws a second, unused permutation from its generator.)"""
    x, y = (torch.from_numpy(a) for a in data)
    b_size = 1 if method == "sgd" else batch_size
    same = gen(seed)
    w, b, hist = tr.train_linear_regression(x, y, method, 0.02, 5, batch_size, gen(seed))
    w_ref, b_ref, hist_ref = autograd_regression(
        x, y, 0.02, 5, lambda: tr.minibatch_indices(len(y), b_size, same)
    )
    torch.testing.assert_close(w, w_ref, **F64)
    torch.testing.assert_close(b, b_ref, **F64)
    torch.testing.assert_close(hist, hist_ref, **F64)


@settings(max_examples=15)
@given(data=regression_data(min_n=24, max_n=60, max_d=3))
def test_train_linear_regression_gd_converges_to_the_least_squares_solution(data):
    x, y = (torch.from_numpy(a) for a in data)
    design = torch.cat([x, torch.ones(len(y), 1, dtype=x.dtype)], dim=1)  # (N, D+1)
    hessian_eigs = torch.linalg.eigvalsh(2.0 / len(y) * design.T @ design)
    condition = (hessian_eigs[-1] / hessian_eigs[0]).item()
    assume(condition < 30)  # well-conditioned data
    lr = 1.0 / hessian_eigs[-1].item()  # contraction factor ≤ 1 − 1/κ per step
    epochs = int(math.log(1e-14) / math.log(1 - 1 / condition)) + 10
    w, b, hist = tr.train_linear_regression(x, y, "gd", lr, epochs)
    solution = torch.linalg.lstsq(design, y.unsqueeze(1)).solution.squeeze(1)  # (D+1,)
    torch.testing.assert_close(w, solution[:-1], rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(b, solution[-1], rtol=1e-6, atol=1e-6)
    best = torch.mean((design @ solution - y) ** 2)
    torch.testing.assert_close(hist[-1], best, rtol=1e-9, atol=1e-12)
    assert torch.all(hist[1:] <= hist[:-1] + 1e-12)  # lr ≤ 1/L: monotone decrease


@settings(max_examples=20)
@given(data=regression_data(max_n=20), seed=seeds())
def test_train_linear_regression_minibatch_with_one_batch_equals_gd(data, seed):
    x, y = (torch.from_numpy(a) for a in data)
    gd = tr.train_linear_regression(x, y, "gd", 0.05, 8)
    mb = tr.train_linear_regression(x, y, "minibatch", 0.05, 8, len(y) + 3, gen(seed))
    for a, b in zip(gd, mb, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_train_linear_regression_defaults_and_shapes():
    g = gen(0)
    x = torch.randn(50, 3, generator=g, dtype=torch.float64)
    y = x @ torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64) + 0.3
    w, b, hist = tr.train_linear_regression(x, y)  # gd, lr=0.05, epochs=100
    assert w.shape == (3,) and b.shape == () and hist.shape == (100,)
    assert hist[-1] < 1e-2 * hist[0]
    w0, b0, h0 = tr.train_linear_regression(x, y, "sgd", epochs=0, rng=g)
    assert torch.equal(w0, torch.zeros(3, dtype=torch.float64)) and b0.item() == 0.0
    assert h0.shape == (0,)
    for method in ("sgd", "minibatch"):
        _, _, h = tr.train_linear_regression(x, y, method, 0.01, 30, 8, gen(1))
        assert h[-1] < 1e-2 * h[0], method


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_train_linear_regression_keeps_dtype_device_and_inputs(device, dtype):
    x = torch.randn(12, 2, generator=gen(3)).to(device=device, dtype=dtype)
    y = torch.randn(12, generator=gen(4)).to(device=device, dtype=dtype)
    x0, y0 = x.clone(), y.clone()
    for method in ("gd", "sgd", "minibatch"):
        outs = tr.train_linear_regression(x, y, method, 0.01, 3, 5, gen(5))
        for out in outs:
            assert out.device == x.device and out.dtype == dtype, method
    assert torch.equal(x, x0) and torch.equal(y, y0)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"x": torch.zeros(4, 2), "y": torch.zeros(5)}, ["y", "(5,)"]),
        ({"x": torch.zeros(4), "y": torch.zeros(4)}, ["x", "(4,)"]),
        ({"x": torch.zeros(0, 2), "y": torch.zeros(0)}, ["x"]),
        ({"x": torch.zeros(4, 2, dtype=torch.int64), "y": torch.zeros(4)}, ["x", "int64"]),
        ({"x": torch.zeros(4, 2), "y": torch.zeros(4), "method": "adam"}, ["method"]),
        ({"x": torch.zeros(4, 2), "y": torch.zeros(4), "lr": 0.0}, ["lr"]),
        ({"x": torch.zeros(4, 2), "y": torch.zeros(4), "epochs": -1}, ["epochs"]),
        ({"x": torch.zeros(4, 2), "y": torch.zeros(4), "batch_size": 0}, ["batch_size"]),
    ],
)
def test_train_linear_regression_rejects_bad_input_naming_the_argument(kwargs, words):
    with pytest.raises(ValueError) as info:
        tr.train_linear_regression(**kwargs)
    for word in words:
        assert word in str(info.value)


# ---------------------------------------------------------------- dropout

N_UNITS = 200_000


@settings(max_examples=10)
@given(p=st.sampled_from([0.05, 0.3, 0.5, 0.8, 0.99]), seed=seeds())
def test_dropout_keeps_a_binomial_fraction_1_minus_p_and_rescales_kept_units(p, seed):
    x = torch.rand(N_UNITS, generator=gen(seed), dtype=torch.float64) + 0.5  # never zero
    out = tr.dropout(x, p, gen(seed + 1))
    kept = out != 0
    # K ~ Binomial(n, 1 − p): |K/n − (1 − p)| ≤ 6 standard deviations
    assert abs(kept.double().mean().item() - (1 - p)) <= 6 * math.sqrt(p * (1 - p) / N_UNITS)
    torch.testing.assert_close(out[kept], x[kept] / (1 - p), **F64)


@settings(max_examples=10)
@given(p=st.sampled_from([0.1, 0.3, 0.5, 0.7]), seed=seeds())
def test_dropout_preserves_the_mean_in_expectation(p, seed):
    out = tr.dropout(torch.ones(N_UNITS, dtype=torch.float64), p, gen(seed))
    # out_i ∈ {0, 1/(1−p)}, mean 1, variance p/(1−p)
    assert abs(out.mean().item() - 1.0) <= 6 * math.sqrt(p / (1 - p) / N_UNITS)


def test_dropout_0_3_deactivates_about_30_percent_in_training_and_none_at_inference():
    """The notes' example: dropout 0.3 switches off ~30% of a layer's units while training."""
    layer = torch.ones(64, 1000, dtype=torch.float64)
    train = tr.dropout(layer, 0.3, gen(7))
    off = (train == 0).double().mean().item()
    assert abs(off - 0.3) < 6 * math.sqrt(0.3 * 0.7 / layer.numel())
    infer = tr.dropout(layer, 0.3, gen(7), training=False)
    assert torch.equal(infer, layer)


def test_dropout_uses_the_same_scaling_as_torch_functional_dropout():
    x = torch.rand(1000, generator=gen(0), dtype=torch.float64) + 1.0
    with torch.random.fork_rng():
        torch.manual_seed(0)
        theirs = torch.nn.functional.dropout(x, 0.4, training=True)
    ours = tr.dropout(x, 0.4, gen(0))
    assert set(torch.unique(theirs / x).tolist()) >= {0.0}
    torch.testing.assert_close(theirs[theirs != 0], x[theirs != 0] / 0.6, **F64)
    torch.testing.assert_close(ours[ours != 0], x[ours != 0] / 0.6, **F64)


@given(x=float_arrays(bound=1000.0), seed=seeds())
def test_dropout_edge_cases_identity_at_p0_and_inference_zeros_at_p1(x, seed):
    t = torch.from_numpy(x)
    for out in (tr.dropout(t, 0.0, gen(seed)), tr.dropout(t, 0.9, gen(seed), training=False)):
        assert torch.equal(out, t) and out.data_ptr() != t.data_ptr()
    assert torch.equal(tr.dropout(t, 1.0, gen(seed)), torch.zeros_like(t))
    before = t.clone()
    out = tr.dropout(t, 0.5, gen(seed))
    assert torch.equal(t, before)  # input untouched
    assert torch.isfinite(out).all()


def test_dropout_is_reproducible_from_the_generator():
    x = torch.ones(100)
    assert torch.equal(tr.dropout(x, 0.5, gen(3)), tr.dropout(x, 0.5, gen(3)))
    assert not torch.equal(tr.dropout(x, 0.5, gen(3)), tr.dropout(x, 0.5, gen(4)))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_dropout_returns_the_input_dtype_and_device(device, dtype):
    x = torch.ones(8, 5, dtype=dtype, device=device)
    for training in (True, False):
        out = tr.dropout(x, 0.25, gen(0), training)  # a CPU generator works for any device
        assert out.dtype == dtype and out.device == x.device and out.shape == x.shape


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"x": torch.ones(3), "p": -0.1}, "p"),
        ({"x": torch.ones(3), "p": 1.5}, "p"),
        ({"x": torch.ones(3, dtype=torch.int32), "p": 0.5}, "x"),
        ({"x": torch.ones(3), "p": 0.5, "training": 1}, "training"),
        ({"x": torch.ones(3), "p": 0.5, "rng": np.random.default_rng(0)}, "rng"),
    ],
)
def test_dropout_rejects_bad_arguments(kwargs, name):
    kwargs.setdefault("rng", None)
    with pytest.raises(ValueError, match=name):
        tr.dropout(**kwargs)


# ---------------------------------------------------------------- early_stopping


class KerasEarlyStopping:
    """A line-by-line transcription of keras.callbacks.EarlyStopping's logic for
    monitor="val_loss", mode="min", no baseline, start_from_epoch=0 (Keras 3)."""

    def __init__(self, patience: int, min_delta: float) -> None:
        self.patience = patience
        self.min_delta = -abs(min_delta)  # mode "min" flips the sign
        self.best = float("inf")
        self.best_epoch = 0
        self.wait = 0
        self.stop_training = False

    def on_epoch_end(self, epoch: int, current: float) -> None:
        self.wait += 1
        if current - self.min_delta < self.best:  # _is_improvement with np.less
            self.best, self.best_epoch, self.wait = current, epoch, 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stop_training = True


def keras_fit(val_losses: list[float], patience: int, min_delta: float) -> tuple[int, int]:
    callback = KerasEarlyStopping(patience, min_delta)
    for epoch, loss in enumerate(val_losses):
        callback.on_epoch_end(epoch, loss)
        if callback.stop_training:
            return epoch, callback.best_epoch
    return len(val_losses) - 1, callback.best_epoch


# dyadic losses and deltas: "loss + delta < best" and "loss < best − delta" round identically
grid_losses = st.lists(st.integers(0, 16).map(lambda k: k / 4), min_size=1, max_size=20)


@given(
    losses=grid_losses,
    patience=st.integers(0, 5),
    min_delta=st.sampled_from([0.0, 0.25, 0.5, 1.0]),
)
def test_early_stopping_matches_a_simulation_of_keras_callback(losses, patience, min_delta):
    got = tr.early_stopping(torch.tensor(losses, dtype=torch.float64), patience, min_delta)
    assert got == keras_fit(losses, patience, min_delta)
    assert all(isinstance(v, int) for v in got)


@pytest.mark.parametrize(
    ("losses", "patience", "min_delta", "expected"),
    [
        ([1.0, 0.9, 0.8, 0.85, 0.86, 0.87], 3, 0.0, (5, 2)),  # 3 bad epochs after epoch 2
        ([1.0, 0.9, 0.8, 0.85, 0.86, 0.87], 2, 0.0, (4, 2)),
        ([1.0, 0.9, 0.8, 0.85, 0.79, 0.87], 2, 0.0, (5, 4)),  # epoch 4 resets the count
        ([4.0, 3.0, 2.0, 1.0], 1, 0.0, (3, 3)),  # always improving: runs to the end
        ([1.0, 0.875, 0.75, 0.625], 2, 0.25, (2, 0)),  # decreases smaller than min_delta
        ([1.0, 0.875, 0.75, 0.625], 2, 0.0, (3, 3)),
        ([1.0, 2.0, 0.5], 0, 0.0, (1, 0)),  # patience 0: first bad epoch stops
        ([1.0, 1.0, 1.0, 1.0], 1, 0.0, (1, 0)),  # a tie is not an improvement
        ([3.0], 5, 0.0, (0, 0)),
    ],
)
def test_early_stopping_fixed_examples(losses, patience, min_delta, expected):
    val = torch.tensor(losses, dtype=torch.float64)
    assert tr.early_stopping(val, patience, min_delta) == expected
    assert keras_fit(losses, patience, min_delta) == expected  # the simulation agrees


def test_early_stopping_accepts_float32_and_any_device(device):
    val = torch.tensor([1.0, 0.5, 0.6, 0.7], device=device)
    assert tr.early_stopping(val, 2) == (3, 1)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((torch.zeros(0), 1), "val_losses"),
        ((torch.zeros(2, 2), 1), "val_losses"),
        ((torch.zeros(3), -1), "patience"),
        ((torch.zeros(3), 1.5), "patience"),
        ((torch.zeros(3), 1, -0.1), "min_delta"),
    ],
)
def test_early_stopping_rejects_bad_arguments(args, name):
    with pytest.raises(ValueError, match=name):
        tr.early_stopping(*args)
