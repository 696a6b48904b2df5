"""solutions.finetuning (NumPy) agrees with reference.finetuning (torch), inputs left alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.strategies import batch_dims, extreme_arrays, float_arrays
from reference import finetuning as ref
from solutions import finetuning as sol


@st.composite
def lora_arrays(draw: st.DrawFn, extreme: bool = False):
    """x, W, A, B of matching random sizes; entries within ±5, or reaching ±1000 if extreme."""
    d = draw(batch_dims("N", "I", "O", "r", low=1, high=6))
    shapes = [(d["N"], d["I"]), (d["I"], d["O"]), (d["I"], d["r"]), (d["r"], d["O"])]
    if extreme:
        return [draw(extreme_arrays(s)) for s in shapes]
    return [draw(float_arrays(s, bound=5.0)) for s in shapes]


@given(arrays=lora_arrays(), alpha=st.sampled_from([0.5, 1.0, 4.0, 16.0, 32.0]))
def test_lora_forward_agrees_with_reference_and_leaves_inputs_alone(arrays, alpha):
    copies = [a.copy() for a in arrays]
    got = sol.lora_forward(*arrays, alpha)
    for a, c in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(a, c)
    want = ref.lora_forward(*(torch.from_numpy(a) for a in arrays), alpha)
    assert isinstance(got, np.ndarray) and got.shape == tuple(want.shape)
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-10, atol=1e-10)


@given(arrays=lora_arrays(extreme=True))
def test_lora_forward_agrees_with_reference_at_magnitude_1000(arrays):
    got = sol.lora_forward(*arrays, 8.0)
    want = ref.lora_forward(*(torch.from_numpy(a) for a in arrays), 8.0).numpy()
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-6)


@given(d_in=st.integers(1, 5000), d_out=st.integers(1, 5000), r=st.integers(1, 64))
def test_lora_num_params_agrees_with_reference(d_in, d_out, r):
    got = sol.lora_num_params(d_in, d_out, r)
    assert int(got) == got == ref.lora_num_params(d_in, d_out, r)


_line = st.text(alphabet="abcdefgh 0123456789+-=?", min_size=1, max_size=12)


@given(examples=st.lists(st.tuples(_line, _line), max_size=5), query=_line)
def test_few_shot_prompt_agrees_with_reference(examples, query):
    before = list(examples)
    assert sol.few_shot_prompt(examples, query) == ref.few_shot_prompt(examples, query)
    assert examples == before


def test_few_shot_prompt_without_examples_is_the_open_query():
    assert sol.few_shot_prompt([], "x") == ref.few_shot_prompt([], "x") == "Input: x\nOutput:"


@pytest.mark.parametrize("r", [1, 2, 4])
def test_lora_forward_with_zero_B_is_the_base_layer(r):
    rng = np.random.default_rng(r)
    x, W, A = rng.normal(size=(3, 6)), rng.normal(size=(6, 5)), rng.normal(size=(6, r))
    np.testing.assert_array_equal(sol.lora_forward(x, W, A, np.zeros((r, 5)), 16.0), x @ W)
