"""reference.finetuning against an nn.Linear-based LoRA module, autograd and worked examples."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from grader.strategies import batch_dims, extreme_arrays, float_arrays, seeds, tensors
from reference import finetuning as ft


class LoRALinear(nn.Module):
    """LoRA as the peft library builds it: a frozen bias-free nn.Linear plus lora_B(lora_A(x)).

    nn.Linear stores weight (out, in) and computes x @ weight.T, so the curriculum's W, A, B are
    the transposes of base.weight, lora_A.weight, lora_B.weight.
    """

    def __init__(self, W: torch.Tensor, A: torch.Tensor, B: torch.Tensor, alpha: float) -> None:
        super().__init__()
        d_in, d_out = W.shape
        r = A.shape[1]
        kw = {"bias": False, "dtype": W.dtype, "device": W.device}
        self.base = nn.Linear(d_in, d_out, **kw)
        self.lora_A = nn.Linear(d_in, r, **kw)
        self.lora_B = nn.Linear(r, d_out, **kw)
        with torch.no_grad():
            self.base.weight.copy_(W.T)
            self.lora_A.weight.copy_(A.T)
            self.lora_B.weight.copy_(B.T)
        self.base.weight.requires_grad_(False)  # frozen pretrained weight
        self.scaling = alpha / r

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.scaling * self.lora_B(self.lora_A(x))


@st.composite
def lora_cases(draw: st.DrawFn, bound: float = 3.0):
    d = draw(batch_dims("N", "I", "O", "r", low=1, high=6))
    x = draw(float_arrays((d["N"], d["I"]), bound=bound))
    W = draw(float_arrays((d["I"], d["O"]), bound=bound))
    A = draw(float_arrays((d["I"], d["r"]), bound=bound))
    B = draw(float_arrays((d["r"], d["O"]), bound=bound))
    alpha = draw(st.sampled_from([1.0, 2.0, 8.0, 16.0, 0.5]))
    return x, W, A, B, alpha


@given(case=lora_cases(), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_lora_forward_matches_an_nn_linear_lora_module(case, dtype):
    x, W, A, B, alpha = (*(tensors(v, dtype) for v in case[:4]), case[4])
    module = LoRALinear(W, A, B, alpha)
    got = ft.lora_forward(x, W, A, B, alpha)
    assert got.dtype == dtype and got.shape == (x.shape[0], W.shape[1])
    tol = 1e-4 if dtype == torch.float32 else 1e-10
    torch.testing.assert_close(got, module(x).detach(), atol=tol, rtol=tol)


@given(case=lora_cases())
def test_lora_forward_gradients_reach_only_A_and_B_and_match_the_module(case):
    x, W, A, B, alpha = (*(tensors(v) for v in case[:4]), case[4])
    A.requires_grad_(True)
    B.requires_grad_(True)
    ft.lora_forward(x, W, A, B, alpha).square().sum().backward()
    assert W.grad is None and x.grad is None  # frozen weight, plain data
    module = LoRALinear(W, A.detach(), B.detach(), alpha)
    module(x).square().sum().backward()
    assert module.base.weight.grad is None
    torch.testing.assert_close(A.grad, module.lora_A.weight.grad.T, atol=1e-9, rtol=1e-9)
    torch.testing.assert_close(B.grad, module.lora_B.weight.grad.T, atol=1e-9, rtol=1e-9)


def test_lora_forward_passes_gradcheck_in_float64():
    g = torch.Generator().manual_seed(0)
    x, W, A, B = (
        torch.randn(*s, generator=g, dtype=torch.float64) for s in [(3, 5), (5, 4), (5, 2), (2, 4)]
    )
    for t in (x, W, A, B):
        t.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda *a: ft.lora_forward(*a, alpha=4.0), (x, W, A, B))


@given(case=lora_cases())
def test_lora_forward_with_B_zero_is_exactly_the_base_layer(case):
    x, W, A, B, alpha = (*(tensors(v) for v in case[:4]), case[4])
    got = ft.lora_forward(x, W, A, torch.zeros_like(B), alpha)
    assert torch.equal(got, torch.matmul(x, W))


def test_lora_forward_worked_example():
    # x = [1, 2], W = I, A = [[1], [1]] (r = 1), B = [[1, -1]], alpha = 2:
    # x W = [1, 2]; x A = [3]; (x A) B = [3, -3]; scaled by 2/1 -> [6, -6]; y = [7, -4]
    x = torch.tensor([[1.0, 2.0]])
    y = ft.lora_forward(x, torch.eye(2), torch.ones(2, 1), torch.tensor([[1.0, -1.0]]), 2.0)
    torch.testing.assert_close(y, torch.tensor([[7.0, -4.0]]))
    # rank 2 halves the scale: alpha / r = 2 / 2
    y2 = ft.lora_forward(x, torch.eye(2), torch.ones(2, 2), torch.tensor([[1.0, 0], [0, 1]]), 2.0)
    torch.testing.assert_close(y2, torch.tensor([[4.0, 5.0]]))


@given(
    arrays=st.tuples(
        extreme_arrays((2, 3)),
        extreme_arrays((3, 2)),
        extreme_arrays((3, 1)),
        extreme_arrays((1, 2)),
    )
)
def test_lora_forward_is_finite_for_inputs_up_to_1000(arrays):
    out = ft.lora_forward(*(tensors(a) for a in arrays), alpha=16.0)
    assert torch.isfinite(out).all()


def test_lora_forward_accepts_leading_batch_dims_and_stays_on_device(device):
    x = torch.randn(2, 3, 4, device=device)
    W, A, B = (
        torch.randn(4, 5, device=device),
        torch.randn(4, 2, device=device),
        torch.randn(2, 5, device=device),
    )
    y = ft.lora_forward(x, W, A, B, 8.0)
    assert y.shape == (2, 3, 5) and y.device == x.device
    torch.testing.assert_close(y[1], ft.lora_forward(x[1], W, A, B, 8.0))


def test_lora_forward_in_bfloat16_is_close_to_float64():
    g = torch.Generator().manual_seed(1)
    x, W, A, B = (
        torch.randn(*s, generator=g, dtype=torch.float64) for s in [(3, 8), (8, 4), (8, 2), (2, 4)]
    )
    got = ft.lora_forward(*(t.bfloat16() for t in (x, W, A, B)), alpha=2.0)
    assert got.dtype == torch.bfloat16
    torch.testing.assert_close(got.double(), ft.lora_forward(x, W, A, B, 2.0), atol=0.15, rtol=0.05)


@pytest.mark.parametrize(
    ("shapes", "alpha", "match"),
    [
        ([(3, 5), (4, 4), (5, 2), (2, 4)], 1.0, r"lora_forward: W has shape \(4, 4\).*I=5"),
        ([(3, 5), (5, 4), (4, 2), (2, 4)], 1.0, r"lora_forward: A has shape \(4, 2\).*I=5"),
        ([(3, 5), (5, 4), (5, 2), (3, 4)], 1.0, r"lora_forward: B has shape \(3, 4\).*r=2"),
        ([(3, 5), (5, 4), (5, 2), (2, 3)], 1.0, r"lora_forward: B has shape \(2, 3\).*O=4"),
        ([(3, 5), (5, 4), (5, 0), (0, 4)], 1.0, r"lora_forward: A has shape \(5, 0\).*r >= 1"),
        ([(3, 5), (5, 4), (5, 2), (2, 4)], 0.0, r"lora_forward: alpha must be a number > 0"),
        ([(3, 5), (5, 4), (5, 2), (2, 4)], -2.0, r"lora_forward: alpha must be a number > 0"),
    ],
)
def test_lora_forward_rejects_bad_shapes_and_alpha(shapes, alpha, match):
    x, W, A, B = (torch.ones(s) for s in shapes)
    with pytest.raises(ValueError, match=match):
        ft.lora_forward(x, W, A, B, alpha)


def test_lora_forward_rejects_integer_and_mixed_dtypes():
    with pytest.raises(ValueError, match=r"lora_forward: x must have a floating dtype"):
        ft.lora_forward(
            torch.ones(1, 2, dtype=torch.int64),
            torch.ones(2, 2),
            torch.ones(2, 1),
            torch.ones(1, 2),
            1.0,
        )
    with pytest.raises(ValueError, match=r"lora_forward: B has dtype torch.float64"):
        ft.lora_forward(
            torch.ones(1, 2),
            torch.ones(2, 2),
            torch.ones(2, 1),
            torch.ones(1, 2, dtype=torch.float64),
            1.0,
        )


@given(d_in=st.integers(1, 40), d_out=st.integers(1, 40), r=st.integers(1, 8), seed=seeds())
def test_lora_num_params_counts_the_modules_trainable_parameters(d_in, d_out, r, seed):
    g = torch.Generator().manual_seed(seed)
    W, A, B = (
        torch.randn(d_in, d_out, generator=g),
        torch.randn(d_in, r, generator=g),
        torch.randn(r, d_out, generator=g),
    )
    module = LoRALinear(W, A, B, alpha=1.0)
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in module.parameters() if not p.requires_grad)
    assert ft.lora_num_params(d_in, d_out, r) == trainable
    assert frozen == d_in * d_out


def test_lora_num_params_worked_example_saves_over_full_fine_tuning():
    # a 4096 x 4096 attention projection with r = 8: 65,536 trainable vs 16,777,216 (0.39 %)
    assert ft.lora_num_params(4096, 4096, 8) == 65_536
    assert ft.lora_num_params(4096, 4096, 8) / (4096 * 4096) == pytest.approx(1 / 256)
    assert ft.lora_num_params(3, 5, 2) == 16


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0, 4, 2), r"d_in must be >= 1"),
        ((4, 4, 0), r"r must be >= 1"),
        ((4, 4.0, 2), r"d_out must be an int"),
        ((4, -1, 2), r"d_out must be >= 1"),
    ],
)
def test_lora_num_params_rejects_bad_sizes(args, match):
    with pytest.raises(ValueError, match=f"lora_num_params: {match}"):
        ft.lora_num_params(*args)


def test_few_shot_prompt_writes_the_documented_format():
    prompt = ft.few_shot_prompt([("2 + 2", "4"), ("3 + 5", "8")], "7 + 1")
    assert prompt == "Input: 2 + 2\nOutput: 4\n\nInput: 3 + 5\nOutput: 8\n\nInput: 7 + 1\nOutput:"
    assert ft.few_shot_prompt([], "hello") == "Input: hello\nOutput:"
    assert ft.few_shot_prompt((["cat", "chat"],), "dog") == (
        "Input: cat\nOutput: chat\n\nInput: dog\nOutput:"
    )


_line = st.text(alphabet="abcdefghij +-=?!0123456789", min_size=1, max_size=12)


@given(examples=st.lists(st.tuples(_line, _line), max_size=5), query=_line)
def test_few_shot_prompt_lists_each_example_in_order_then_the_open_query(examples, query):
    prompt = ft.few_shot_prompt(examples, query)
    blocks = prompt.split("\n\n")
    assert len(blocks) == len(examples) + 1
    for block, (inp, out) in zip(blocks, examples, strict=False):
        assert block.splitlines() == [f"Input: {inp}", f"Output: {out}"]
    assert blocks[-1] == f"Input: {query}\nOutput:"
    assert prompt.endswith("Output:")


def test_few_shot_prompt_rejects_malformed_examples():
    with pytest.raises(ValueError, match=r"few_shot_prompt: examples\[1\] must be an \(input"):
        ft.few_shot_prompt([("a", "b"), ("c",)], "q")
    with pytest.raises(TypeError, match=r"few_shot_prompt: examples\[0\] must hold two str"):
        ft.few_shot_prompt([("a", 1)], "q")
    with pytest.raises(TypeError, match=r"few_shot_prompt: query must be a str"):
        ft.few_shot_prompt([], None)
