"""Small ``nn.Module`` layers whose forward passes are the reference functions.

The demos build real models from these: each layer owns its parameters as ``nn.Parameter`` (so
``torch.optim`` or the reference optimizer steps can update them, and autograd differentiates
through the reference code) and calls the topic's reference function in ``forward``. Layouts
follow CURRICULUM.md, not torch: ``Dense.W`` is ``(D_in, D_out)`` (Keras; ``nn.Linear.weight`` is
the transpose), and the recurrent layers keep one bias ``b`` where torch keeps ``b_ih + b_hh``.

Initialisation copies torch's defaults: every parameter uniform in ``±1/sqrt(fan_in)``
(``fan_in`` = ``D_in`` for Dense, ``C·f·f`` for Conv2d, ``H`` for RNN and LSTM, as in
``nn.Linear.reset_parameters``, ``nn.Conv2d.reset_parameters`` and ``nn.LSTM.reset_parameters``).
Pass ``rng`` (a CPU ``torch.Generator``) for reproducible weights; nothing reads global state.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from reference import activations, conv, forward, rnn, training
from reference._validate import require_positive

__all__ = [
    "ACTIVATIONS",
    "LSTM",
    "RNN",
    "Activation",
    "AvgPool2d",
    "Conv2d",
    "Dense",
    "Dropout",
    "Flatten",
    "MaxPool2d",
]


def _uniform(
    shape: tuple[int, ...],
    bound: float,
    rng: torch.Generator | None,
    device: torch.device | str | None,
    dtype: torch.dtype | None,
) -> nn.Parameter:
    """A parameter drawn from U(−bound, bound), drawn on ``rng``'s own device (so a CPU
    generator works whatever the target device, and whatever ``torch.set_default_device``
    says) and then moved; without ``rng``, torch's default generator on the default device."""
    dtype = dtype or torch.get_default_dtype()
    on = None if rng is None else rng.device  # None: the default device (as nn.Linear)
    u = torch.rand(shape, generator=rng, dtype=torch.float64, device=on)  # U(0, 1)
    return nn.Parameter(((2 * u - 1) * bound).to(device=device, dtype=dtype))


#: Activation names (those of ``forward.mlp_forward``) and the reference function for each.
ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "linear": lambda x: x,
    "relu": lambda x: activations.relu(x),
    "sigmoid": lambda x: activations.sigmoid(x),
    "tanh": lambda x: activations.tanh(x),
    "leaky_relu": lambda x: activations.leaky_relu(x),
    "elu": lambda x: activations.elu(x),
    "softmax": lambda x: activations.softmax(x, axis=-1),
}


class Activation(nn.Module):
    """An activation chosen by name: linear, relu, sigmoid, tanh, leaky_relu, elu, softmax."""

    def __init__(self, name: str) -> None:
        super().__init__()
        if name not in ACTIVATIONS:
            raise ValueError(
                f"Activation: name must be one of {', '.join(ACTIVATIONS)}, got {name!r}"
            )
        self.name = name

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return ACTIVATIONS[self.name](x)

    def extra_repr(self) -> str:
        return self.name


class Dense(nn.Module):
    """Fully connected layer y = x W + b with W (D_in, D_out), b (D_out,) (Keras layout).

    ``forward`` is ``reference.forward.dense_forward``; x (N, D_in) → (N, D_out).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        rng: torch.Generator | None = None,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        require_positive("Dense", "in_features", in_features)
        require_positive("Dense", "out_features", out_features)
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / math.sqrt(in_features)  # nn.Linear.reset_parameters
        self.W = _uniform((in_features, out_features), bound, rng, device, dtype)
        self.b = _uniform((out_features,), bound, rng, device, dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return forward.dense_forward(x, self.W, self.b)  # (N, D_out)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"


class Conv2d(nn.Module):
    """2-D convolution (cross-correlation) with weight (K, C, f, f) and bias (K,).

    ``forward`` is ``reference.conv.conv2d_multi``; x (N, C, H, W) → (N, K, H', W') with
    H' = ⌊(H + 2p − f)/s⌋ + 1.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        *,
        rng: torch.Generator | None = None,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        for name, value in (
            ("in_channels", in_channels),
            ("out_channels", out_channels),
            ("kernel_size", kernel_size),
            ("stride", stride),
        ):
            require_positive("Conv2d", name, value)
        require_positive("Conv2d", "padding", padding, allow_zero=True)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        bound = 1.0 / math.sqrt(in_channels * kernel_size * kernel_size)  # nn.Conv2d default
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = _uniform(shape, bound, rng, device, dtype)
        self.bias = _uniform((out_channels,), bound, rng, device, dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return conv.conv2d_multi(
            x, self.weight, self.bias, stride=self.stride, padding=self.padding
        )

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}"
        )


class MaxPool2d(nn.Module):
    """Max pooling over size×size windows (stride defaults to size): ``conv.max_pool2d``."""

    def __init__(self, size: int = 2, stride: int | None = None) -> None:
        super().__init__()
        require_positive("MaxPool2d", "size", size)
        if stride is not None:
            require_positive("MaxPool2d", "stride", stride)
        self.size, self.stride = size, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return conv.max_pool2d(x, size=self.size, stride=self.stride)

    def extra_repr(self) -> str:
        return f"size={self.size}, stride={self.stride}"


class AvgPool2d(MaxPool2d):
    """Average pooling over size×size windows (stride defaults to size): ``conv.avg_pool2d``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return conv.avg_pool2d(x, size=self.size, stride=self.stride)


class Flatten(nn.Module):
    """(N, ...) → (N, −1): ``conv.flatten``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return conv.flatten(x)


class Dropout(nn.Module):
    """Inverted dropout with drop probability p: ``training.dropout``; the identity in eval mode.

    The module owns its random stream, a CPU ``torch.Generator`` seeded with ``seed`` (the
    reference draws the mask on the generator's device and moves it to the input's), so two
    modules with the same seed drop the same units, on any device.
    """

    def __init__(self, p: float = 0.5, seed: int = 0) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1), got {p!r}")
        self.p, self.seed = p, seed
        self.generator = torch.Generator().manual_seed(seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        return training.dropout(x, self.p, self.generator, training=True)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class RNN(nn.Module):
    """Elman RNN h_t = tanh(x_t Wx + h_{t−1} Wh + b), batch first: ``rnn.rnn_forward``.

    Parameters Wx (D, H), Wh (H, H), b (H,) (torch's ``b_ih + b_hh``). ``forward(x, h0=None)``
    takes x (N, T, D) and returns (hs (N, T, H), h_T (N, H)); h0 defaults to zeros.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        rng: torch.Generator | None = None,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        require_positive("RNN", "input_size", input_size)
        require_positive("RNN", "hidden_size", hidden_size)
        self.input_size, self.hidden_size = input_size, hidden_size
        bound = 1.0 / math.sqrt(hidden_size)  # nn.RNN.reset_parameters
        self.Wx = _uniform((input_size, hidden_size), bound, rng, device, dtype)
        self.Wh = _uniform((hidden_size, hidden_size), bound, rng, device, dtype)
        self.b = _uniform((hidden_size,), bound, rng, device, dtype)

    def forward(
        self, x: torch.Tensor, h0: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if h0 is None:
            h0 = x.new_zeros((x.shape[0], self.hidden_size))  # (N, H)
        return rnn.rnn_forward(x, h0, self.Wx, self.Wh, self.b)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, batch_first=True"


class LSTM(nn.Module):
    """LSTM, batch first, gate blocks in torch's order i, f, g, o: ``rnn.lstm_forward``.

    Parameters W (D, 4H), U (H, 4H), b (4H,) (torch's ``b_ih + b_hh``).
    ``forward(x, state=None)`` takes x (N, T, D) and optional (h0, c0), each (N, H), default
    zeros, and returns (hs (N, T, H), (h_T, c_T)).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        rng: torch.Generator | None = None,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        require_positive("LSTM", "input_size", input_size)
        require_positive("LSTM", "hidden_size", hidden_size)
        self.input_size, self.hidden_size = input_size, hidden_size
        h4 = 4 * hidden_size
        bound = 1.0 / math.sqrt(hidden_size)  # nn.LSTM.reset_parameters
        self.W = _uniform((input_size, h4), bound, rng, device, dtype)
        self.U = _uniform((hidden_size, h4), bound, rng, device, dtype)
        self.b = _uniform((h4,), bound, rng, device, dtype)

    def forward(
        self,
        x: torch.Tensor,
        state: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        if state is None:
            zeros = x.new_zeros((x.shape[0], self.hidden_size))  # (N, H)
            state = (zeros, zeros)
        h0, c0 = state
        return rnn.lstm_forward(x, h0, c0, self.W, self.U, self.b)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, batch_first=True"
