"""reference/layers.py: each layer against the torch built-in layer holding the same weights."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from reference import layers

F64 = torch.float64


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _randn(*shape: int, seed: int = 0, dtype: torch.dtype = F64) -> torch.Tensor:
    return torch.randn(*shape, generator=_gen(seed), dtype=dtype)


def _assert_grads_flow(module: nn.Module, out: torch.Tensor) -> None:
    """Every parameter gets a finite, nonzero gradient from a generic loss."""
    weights = torch.linspace(-1, 1, out.numel(), dtype=out.dtype, device=out.device)
    weights = weights.reshape(out.shape)
    (out * weights).sum().backward()
    for name, p in module.named_parameters():
        assert p.grad is not None, f"{name} got no gradient"
        assert torch.isfinite(p.grad).all(), name
        assert p.grad.abs().sum() > 0, f"{name} has an all-zero gradient"


# ---------------------------------------------------------------- Dense


@settings(max_examples=15)
@given(
    n=st.integers(1, 5), d_in=st.integers(1, 6), d_out=st.integers(1, 6), seed=st.integers(0, 99)
)
def test_dense_matches_nn_linear_with_transposed_weight(n, d_in, d_out, seed):
    dense = layers.Dense(d_in, d_out, rng=_gen(seed), dtype=F64)
    linear = nn.Linear(d_in, d_out, dtype=F64)
    with torch.no_grad():
        linear.weight.copy_(dense.W.T)
        linear.bias.copy_(dense.b)
    x = _randn(n, d_in, seed=seed + 1)
    torch.testing.assert_close(dense(x), linear(x))


def test_dense_gradients_match_nn_linear_and_reach_every_parameter():
    dense = layers.Dense(4, 3, rng=_gen(0), dtype=F64)
    linear = nn.Linear(4, 3, dtype=F64)
    with torch.no_grad():
        linear.weight.copy_(dense.W.T)
        linear.bias.copy_(dense.b)
    x = _randn(5, 4)
    _assert_grads_flow(dense, dense(x))
    _assert_grads_flow(linear, linear(x))
    torch.testing.assert_close(dense.W.grad, linear.weight.grad.T)
    torch.testing.assert_close(dense.b.grad, linear.bias.grad)


def test_dense_init_is_uniform_within_one_over_sqrt_fan_in_and_seeded():
    a = layers.Dense(64, 200, rng=_gen(3))
    b = layers.Dense(64, 200, rng=_gen(3))
    bound = 1 / math.sqrt(64)
    assert a.W.shape == (64, 200) and a.b.shape == (200,)
    assert a.W.abs().max() <= bound and a.b.abs().max() <= bound
    # a uniform on ±bound fills the range: max close to the bound, std ≈ bound/√3
    assert a.W.abs().max() > 0.95 * bound
    assert abs(a.W.std().item() - bound / math.sqrt(3)) < 0.05 * bound
    torch.testing.assert_close(a.W, b.W)
    assert a.W.dtype == torch.get_default_dtype()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda rng: layers.Dense(3, 4, rng=rng), id="Dense"),
        pytest.param(lambda rng: layers.Conv2d(2, 3, 3, rng=rng), id="Conv2d"),
        pytest.param(lambda rng: layers.RNN(3, 2, rng=rng), id="RNN"),
        pytest.param(lambda rng: layers.LSTM(3, 2, rng=rng), id="LSTM"),
    ],
)
def test_init_draws_on_the_generators_device_whatever_the_default_device(make):
    """A CPU generator seeds the weights even under ``torch.set_default_device`` of another
    device (the meta device stands in for cuda here): the draw happened on the default device
    before, so a CPU ``rng`` failed there (cuda) or gave weights without data (meta)."""
    expected = make(_gen(5))
    with torch.device("meta"):
        got = make(_gen(5))
    for (name, a), b in zip(got.named_parameters(), expected.parameters(), strict=True):
        assert a.device.type == "cpu", name
        torch.testing.assert_close(a, b, rtol=0, atol=0)


# ---------------------------------------------------------------- Activation


@pytest.mark.parametrize(
    ("name", "builtin"),
    [
        ("linear", nn.Identity()),
        ("relu", nn.ReLU()),
        ("sigmoid", nn.Sigmoid()),
        ("tanh", nn.Tanh()),
        ("leaky_relu", nn.LeakyReLU(0.01)),
        ("elu", nn.ELU(1.0)),
        ("softmax", nn.Softmax(dim=-1)),
    ],
)
def test_activation_by_name_matches_torch_module(name, builtin):
    x = _randn(4, 7) * 3
    torch.testing.assert_close(layers.Activation(name)(x), builtin(x))


def test_activation_unknown_name_raises_naming_the_choices():
    with pytest.raises(ValueError, match="relu"):
        layers.Activation("swish")


# ---------------------------------------------------------------- Conv2d and pooling


@settings(max_examples=15)
@given(
    n=st.integers(1, 3),
    c=st.integers(1, 3),
    k=st.integers(1, 4),
    f=st.integers(1, 3),
    stride=st.integers(1, 2),
    padding=st.integers(0, 2),
    size=st.integers(5, 9),
    seed=st.integers(0, 99),
)
def test_conv2d_matches_nn_conv2d_with_copied_weights(n, c, k, f, stride, padding, size, seed):
    ours = layers.Conv2d(c, k, f, stride=stride, padding=padding, rng=_gen(seed), dtype=F64)
    theirs = nn.Conv2d(c, k, f, stride=stride, padding=padding, dtype=F64)
    with torch.no_grad():
        theirs.weight.copy_(ours.weight)
        theirs.bias.copy_(ours.bias)
    x = _randn(n, c, size, size, seed=seed + 1)
    torch.testing.assert_close(ours(x), theirs(x))


def test_conv2d_gradients_match_nn_conv2d_and_reach_every_parameter():
    ours = layers.Conv2d(2, 3, 3, padding=1, rng=_gen(1), dtype=F64)
    theirs = nn.Conv2d(2, 3, 3, padding=1, dtype=F64)
    with torch.no_grad():
        theirs.weight.copy_(ours.weight)
        theirs.bias.copy_(ours.bias)
    x = _randn(2, 2, 6, 6)
    _assert_grads_flow(ours, ours(x))
    _assert_grads_flow(theirs, theirs(x))
    torch.testing.assert_close(ours.weight.grad, theirs.weight.grad)
    torch.testing.assert_close(ours.bias.grad, theirs.bias.grad)


def test_conv2d_init_bound_is_one_over_sqrt_channels_times_kernel_area():
    conv = layers.Conv2d(3, 50, 3, rng=_gen(0))
    bound = 1 / math.sqrt(3 * 3 * 3)
    assert conv.weight.shape == (50, 3, 3, 3)
    assert conv.weight.abs().max() <= bound
    assert conv.weight.abs().max() > 0.95 * bound


@pytest.mark.parametrize(("size", "stride"), [(2, None), (3, None), (2, 1), (3, 2)])
def test_max_pool_matches_nn_max_pool2d(size, stride):
    x = _randn(2, 3, 8, 8)
    expected = nn.MaxPool2d(size, stride=stride)(x)
    torch.testing.assert_close(layers.MaxPool2d(size, stride)(x), expected)


@pytest.mark.parametrize(("size", "stride"), [(2, None), (3, None), (2, 1), (3, 2)])
def test_avg_pool_matches_nn_avg_pool2d(size, stride):
    x = _randn(2, 3, 8, 8)
    expected = nn.AvgPool2d(size, stride=stride)(x)
    torch.testing.assert_close(layers.AvgPool2d(size, stride)(x), expected)


def test_max_pool_gradient_matches_nn_max_pool2d():
    x1 = _randn(2, 2, 6, 6).requires_grad_()
    x2 = x1.detach().clone().requires_grad_()
    layers.MaxPool2d(2)(x1).pow(2).sum().backward()
    nn.MaxPool2d(2)(x2).pow(2).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad)


def test_flatten_matches_nn_flatten():
    x = _randn(3, 2, 4, 5)
    torch.testing.assert_close(layers.Flatten()(x), nn.Flatten()(x))


def test_small_cnn_from_reference_layers_matches_the_torch_built_in_cnn():
    ours = nn.Sequential(
        layers.Conv2d(1, 4, 3, padding=1, rng=_gen(0), dtype=F64),
        layers.Activation("relu"),
        layers.MaxPool2d(2),
        layers.Flatten(),
        layers.Dense(4 * 4 * 4, 10, rng=_gen(1), dtype=F64),
    )
    theirs = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, dtype=F64),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 10, dtype=F64),
    )
    with torch.no_grad():
        theirs[0].weight.copy_(ours[0].weight)
        theirs[0].bias.copy_(ours[0].bias)
        theirs[4].weight.copy_(ours[4].W.T)
        theirs[4].bias.copy_(ours[4].b)
    x = _randn(3, 1, 8, 8)
    out = ours(x)
    torch.testing.assert_close(out, theirs(x))
    _assert_grads_flow(ours, out)
    _assert_grads_flow(theirs, theirs(x))
    torch.testing.assert_close(ours[0].weight.grad, theirs[0].weight.grad)
    torch.testing.assert_close(ours[4].W.grad, theirs[4].weight.grad.T)


# ---------------------------------------------------------------- Dropout


def test_dropout_is_identity_in_eval_mode():
    drop = layers.Dropout(0.5, seed=0).eval()
    x = _randn(50, 20)
    assert drop(x) is x or torch.equal(drop(x), x)


def test_dropout_in_training_zeroes_about_p_and_rescales_the_rest():
    drop = layers.Dropout(0.3, seed=1).train()
    x = torch.ones(200, 100, dtype=F64)
    y = drop(x)
    zero_frac = (y == 0).double().mean().item()
    assert abs(zero_frac - 0.3) < 0.02
    kept = y[y != 0]
    torch.testing.assert_close(kept, torch.full_like(kept, 1 / 0.7))


def test_dropout_owns_its_seeded_generator():
    x = torch.ones(30, 30)
    a, b = layers.Dropout(0.5, seed=7), layers.Dropout(0.5, seed=7)
    first = a(x)
    torch.testing.assert_close(first, b(x))  # same seed, same mask
    assert not torch.equal(first, a(x))  # the stream advances between calls


def test_dropout_rejects_p_outside_zero_one():
    with pytest.raises(ValueError, match="p"):
        layers.Dropout(1.0)


# ---------------------------------------------------------------- RNN and LSTM


def _copy_lstm(ours: layers.LSTM, theirs: nn.LSTM) -> None:
    with torch.no_grad():
        theirs.weight_ih_l0.copy_(ours.W.T)
        theirs.weight_hh_l0.copy_(ours.U.T)
        theirs.bias_ih_l0.copy_(ours.b)
        theirs.bias_hh_l0.zero_()


@settings(max_examples=12)
@given(
    n=st.integers(1, 4),
    t=st.integers(1, 6),
    d=st.integers(1, 4),
    h=st.integers(1, 5),
    seed=st.integers(0, 99),
    with_state=st.booleans(),
)
def test_lstm_matches_nn_lstm_batch_first(n, t, d, h, seed, with_state):
    ours = layers.LSTM(d, h, rng=_gen(seed), dtype=F64)
    theirs = nn.LSTM(d, h, batch_first=True, dtype=F64)
    _copy_lstm(ours, theirs)
    x = _randn(n, t, d, seed=seed + 1)
    if with_state:
        h0, c0 = _randn(n, h, seed=seed + 2), _randn(n, h, seed=seed + 3)
        hs, (h_t, c_t) = ours(x, (h0, c0))
        ths, (th, tc) = theirs(x, (h0[None], c0[None]))
    else:
        hs, (h_t, c_t) = ours(x)
        ths, (th, tc) = theirs(x)
    torch.testing.assert_close(hs, ths)
    torch.testing.assert_close(h_t, th[0])
    torch.testing.assert_close(c_t, tc[0])


def test_lstm_gradients_match_nn_lstm_and_reach_every_parameter():
    ours = layers.LSTM(3, 4, rng=_gen(2), dtype=F64)
    theirs = nn.LSTM(3, 4, batch_first=True, dtype=F64)
    _copy_lstm(ours, theirs)
    x = _randn(2, 5, 3)
    _assert_grads_flow(ours, ours(x)[0])
    _assert_grads_flow(theirs, theirs(x)[0])
    torch.testing.assert_close(ours.W.grad, theirs.weight_ih_l0.grad.T)
    torch.testing.assert_close(ours.U.grad, theirs.weight_hh_l0.grad.T)
    torch.testing.assert_close(ours.b.grad, theirs.bias_ih_l0.grad)


def test_lstm_init_bound_is_one_over_sqrt_hidden_size():
    lstm = layers.LSTM(5, 16, rng=_gen(0))
    assert lstm.W.shape == (5, 64) and lstm.U.shape == (16, 64) and lstm.b.shape == (64,)
    for p in lstm.parameters():
        assert p.abs().max() <= 1 / math.sqrt(16)


def _copy_rnn(ours: layers.RNN, theirs: nn.RNN) -> None:
    with torch.no_grad():
        theirs.weight_ih_l0.copy_(ours.Wx.T)
        theirs.weight_hh_l0.copy_(ours.Wh.T)
        theirs.bias_ih_l0.copy_(ours.b)
        theirs.bias_hh_l0.zero_()


@settings(max_examples=12)
@given(
    n=st.integers(1, 4),
    t=st.integers(1, 6),
    d=st.integers(1, 4),
    h=st.integers(1, 5),
    seed=st.integers(0, 99),
)
def test_rnn_matches_nn_rnn_tanh_batch_first(n, t, d, h, seed):
    ours = layers.RNN(d, h, rng=_gen(seed), dtype=F64)
    theirs = nn.RNN(d, h, batch_first=True, dtype=F64)  # nonlinearity="tanh"
    _copy_rnn(ours, theirs)
    x = _randn(n, t, d, seed=seed + 1)
    h0 = _randn(n, h, seed=seed + 2)
    hs, h_t = ours(x, h0)
    ths, th = theirs(x, h0[None])
    torch.testing.assert_close(hs, ths)
    torch.testing.assert_close(h_t, th[0])


def test_rnn_gradients_match_nn_rnn_and_reach_every_parameter():
    ours = layers.RNN(3, 4, rng=_gen(5), dtype=F64)
    theirs = nn.RNN(3, 4, batch_first=True, dtype=F64)
    _copy_rnn(ours, theirs)
    x = _randn(2, 5, 3)
    _assert_grads_flow(ours, ours(x)[0])
    _assert_grads_flow(theirs, theirs(x)[0])
    torch.testing.assert_close(ours.Wx.grad, theirs.weight_ih_l0.grad.T)
    torch.testing.assert_close(ours.Wh.grad, theirs.weight_hh_l0.grad.T)


# ---------------------------------------------------------------- dtype and device


def test_layers_keep_float32_end_to_end():
    x = torch.randn(2, 1, 8, 8, generator=_gen(0))
    model = nn.Sequential(
        layers.Conv2d(1, 2, 3, rng=_gen(0)),
        layers.Activation("relu"),
        layers.MaxPool2d(2),
        layers.Flatten(),
        layers.Dense(2 * 3 * 3, 4, rng=_gen(1)),
    )
    assert model(x).dtype == torch.float32


def test_every_layer_runs_on_the_device_and_its_gradients_stay_there(device):
    dev = torch.device(device)
    cnn = nn.Sequential(
        layers.Conv2d(1, 3, 3, padding=1, rng=_gen(0), device=dev),
        layers.Activation("relu"),
        layers.MaxPool2d(2),
        layers.AvgPool2d(2),
        layers.Flatten(),
        layers.Dropout(0.2, seed=0),
        layers.Dense(3 * 2 * 2, 5, rng=_gen(1), device=dev),
        layers.Activation("softmax"),
    )
    out = cnn(torch.randn(4, 1, 8, 8, generator=_gen(2)).to(dev))
    assert out.device.type == dev.type and out.shape == (4, 5)
    _assert_grads_flow(cnn, out)
    lstm = layers.LSTM(2, 3, rng=_gen(3), device=dev)
    rnn = layers.RNN(2, 3, rng=_gen(4), device=dev)
    x = torch.randn(2, 4, 2, generator=_gen(5)).to(dev)
    hs, (h_t, c_t) = lstm(x)
    assert hs.device.type == h_t.device.type == c_t.device.type == dev.type
    _assert_grads_flow(lstm, hs)
    hs, h_t = rnn(x)
    assert hs.device.type == dev.type
    _assert_grads_flow(rnn, hs)
    for module in (cnn, lstm, rnn):
        for p in module.parameters():
            assert p.grad.device.type == dev.type
