"""Hidden tests: finetuning. LoRA's forward pass against the reference for several ranks and
scales, LoRA's defining identities (B = 0 is the frozen layer, the adapter merges into one weight),
the trainable-parameter count (linear in r, the 768 × 768 example), and the few-shot prompt's
exact format and structure (every example a block, identical examples repeated and empty texts
included)."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from grader.engine.expect import expect_close, reference
from grader.strategies import float_arrays, words
from grader.suites import PURE, assert_pure, graded

TOPIC = "finetuning"

alphas = st.sampled_from([0.5, 1.0, 2.0, 8.0, 16.0, 32.0])
sizes = st.integers(1, 5000)
phrases = st.lists(words, min_size=1, max_size=4).map(" ".join)
example_lists = st.lists(st.tuples(phrases, phrases), max_size=4)


@st.composite
def lora_problems(draw: st.DrawFn, zero_b: bool = False) -> dict[str, object]:
    """x (N, D_in), W (D_in, D_out), A (D_in, r), B (r, D_out) and alpha; r from 1 to 4."""
    n, d_in, d_out, r = (draw(st.integers(1, hi)) for hi in (4, 6, 5, 4))
    return {
        "x": draw(float_arrays((n, d_in), bound=3.0)),
        "W": draw(float_arrays((d_in, d_out), bound=2.0)),
        "A": draw(float_arrays((d_in, r), bound=2.0)),
        "B": np.zeros((r, d_out)) if zero_b else draw(float_arrays((r, d_out), bound=2.0)),
        "alpha": draw(alphas),
    }


def _args(p: dict[str, object]) -> tuple[object, ...]:
    return p["x"], p["W"], p["A"], p["B"], p["alpha"]


# --- lora_forward ----------------------------------------------------------------------------------


@graded("lora_forward", "matches the reference for several ranks and alphas", points=2)
@given(p=lora_problems())
def test_lora_forward_matches_reference(learner, p):
    expect_close(
        learner.finetuning.lora_forward(*_args(p)),
        reference(TOPIC, "lora_forward", *_args(p)),
        learner,
    )


@graded("lora_forward", "with B = 0 gives the frozen layer x W", points=1)
@given(p=lora_problems(zero_b=True))
def test_lora_forward_with_zero_b_is_the_frozen_layer(learner, p):
    y = np.asarray(learner.finetuning.lora_forward(*_args(p)), dtype=np.float64)
    base = p["x"] @ p["W"]
    assert y.shape == base.shape, f"the output has shape {y.shape}, expected {base.shape}"
    assert np.allclose(y, base, rtol=1e-9, atol=1e-12), (
        "with B = 0 (LoRA's initialisation) the layer must give exactly x W"
    )


@graded("lora_forward", "equals x times the merged weight W + (alpha / r) A B", points=1)
@given(p=lora_problems())
def test_lora_forward_equals_the_merged_weight(learner, p):
    y = np.asarray(learner.finetuning.lora_forward(*_args(p)), dtype=np.float64)
    r = p["A"].shape[1]
    merged = p["W"] + (p["alpha"] / r) * (p["A"] @ p["B"])  # the weight LoRA merges at the end
    assert y.shape == (p["x"] @ merged).shape, "the output should have shape (N, D_out)"
    assert np.allclose(y, p["x"] @ merged, rtol=1e-7, atol=1e-9), (
        "the output is not x (W + (alpha / r) A B): check the scale alpha / r and the base path"
    )


@graded("lora_forward", PURE, points=0.5)
def test_lora_forward_does_not_modify_its_inputs(learner):
    x, W = np.array([[1.0, -2.0]]), np.array([[1.0, 0.0], [0.5, 1.0]])
    A, B = np.array([[1.0], [2.0]]), np.array([[0.5, -1.0]])
    learner.finetuning.lora_forward(x, W, A, B, 2.0)
    assert_pure(learner)


# --- lora_num_params -------------------------------------------------------------------------------


@graded("lora_num_params", "matches the reference for many layer sizes and ranks", points=1)
@given(d_in=sizes, d_out=sizes, r=st.integers(1, 64))
def test_lora_num_params_matches_reference(learner, d_in, d_out, r):
    expect_close(
        learner.finetuning.lora_num_params(d_in, d_out, r),
        reference(TOPIC, "lora_num_params", d_in, d_out, r),
        learner,
    )


@graded("lora_num_params", "doubles with the rank; 768 × 768 at r = 8 trains 12,288", points=1)
@given(d_in=sizes, d_out=sizes, r=st.integers(1, 32))
def test_lora_num_params_is_linear_in_the_rank(learner, d_in, d_out, r):
    assert learner.finetuning.lora_num_params(768, 768, 8) == 12_288, (
        "a 768 × 768 weight with rank 8 has A (768 × 8) and B (8 × 768): 12,288 trainable numbers"
    )
    once = learner.finetuning.lora_num_params(d_in, d_out, r)
    twice = learner.finetuning.lora_num_params(d_in, d_out, 2 * r)
    assert twice == 2 * once, (
        "doubling the rank must double the count: only A and B train, both have r columns/rows"
    )


# --- few_shot_prompt -------------------------------------------------------------------------------


@graded("few_shot_prompt", "builds exactly the reference prompt", points=1)
@given(examples=example_lists, query=phrases)
@example(examples=[("cat", "chat"), ("cat", "chien"), ("dog", "chat")], query="cat")  # repeats
@example(examples=[("cat", "chat"), ("dog", "chien"), ("cat", "chat")], query="cat")  # one twice
@example(examples=[(" cat ", "chat  "), ("two  dogs", "\tchiens")], query=" bird\t")  # verbatim
@example(examples=[("cat", ""), ("", "chien")], query="dog")  # empty texts: "Output: " still
def test_few_shot_prompt_matches_reference(learner, examples, query):
    expect_close(
        learner.finetuning.few_shot_prompt(examples, query),
        reference(TOPIC, "few_shot_prompt", examples, query),
        learner,
    )


@graded("few_shot_prompt", "one block per example, in order, then the open query", points=1)
@given(examples=example_lists, query=phrases)
@example(examples=[("a b", "c"), ("a b", "c"), ("a b", "c")], query="a b")  # one example, thrice
def test_few_shot_prompt_structure(learner, examples, query):
    prompt = learner.finetuning.few_shot_prompt(examples, query)
    assert isinstance(prompt, str), f"expected a str, got {type(prompt).__name__}"
    blocks = prompt.split("\n\n")
    assert len(blocks) == len(examples) + 1, (
        f"expected {len(examples) + 1} blocks separated by blank lines, found {len(blocks)}"
    )
    for block, (inp, out) in zip(blocks, examples, strict=False):
        assert block == f"Input: {inp}\nOutput: {out}", (
            f"the block for the example ({inp!r}, {out!r}) should be 'Input: …\\nOutput: …'"
        )
    assert blocks[-1] == f"Input: {query}\nOutput:", (
        "the prompt must end with the query block 'Input: <query>\\nOutput:' (output left open)"
    )


@graded("few_shot_prompt", "ends with an open 'Output:' slot, with or without examples", points=0.5)
def test_few_shot_prompt_ends_with_an_open_slot(learner):
    for n in (0, 3):
        examples = [(f"in {i}", f"out {i}") for i in range(n)]
        prompt = learner.finetuning.few_shot_prompt(examples, "query")
        assert isinstance(prompt, str) and prompt.endswith("Input: query\nOutput:"), (
            f"with {n} examples the prompt must end with 'Input: <query>\\nOutput:' and "
            "nothing after the colon"
        )
