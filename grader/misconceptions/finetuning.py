"""Known-wrong variants of the ``finetuning`` topic (LoRA forward pass and size, few-shot prompts).

Each function has the exact signature of the learner function it imitates and makes one mistake
learners really make: the wrong LoRA scale, a forgotten base path, the frozen weight counted as
trainable, a prompt whose query has no open output slot.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from grader.misconceptions import mistake

# --- lora_forward --------------------------------------------------------------------------------


@mistake(
    "finetuning.lora_forward",
    "scaled by alpha instead of alpha / r",
    hint="LoRA scales the low-rank update by alpha divided by the rank r (the number of columns "
    "of A), so that changing r does not change the update's size.",
)
def lora_forward_scales_by_alpha(
    x: np.ndarray, W: np.ndarray, A: np.ndarray, B: np.ndarray, alpha: float
) -> np.ndarray:
    return x @ W + alpha * ((x @ A) @ B)


@mistake(
    "finetuning.lora_forward",
    "scaled by r / alpha",
    hint="The scale is alpha over r, not r over alpha.",
)
def lora_forward_scales_by_r_over_alpha(
    x: np.ndarray, W: np.ndarray, A: np.ndarray, B: np.ndarray, alpha: float
) -> np.ndarray:
    return x @ W + (A.shape[1] / alpha) * ((x @ A) @ B)


@mistake(
    "finetuning.lora_forward",
    "update not scaled",
    hint="The low-rank path x A B is multiplied by alpha / r before it is added.",
)
def lora_forward_unscaled(
    x: np.ndarray, W: np.ndarray, A: np.ndarray, B: np.ndarray, alpha: float
) -> np.ndarray:
    return x @ W + (x @ A) @ B


@mistake(
    "finetuning.lora_forward",
    "base path forgotten",
    hint="LoRA adds its update to the frozen layer: the output is x W plus the scaled low-rank "
    "term, not the low-rank term alone (with B = 0 the layer must still give x W).",
)
def lora_forward_without_base(
    x: np.ndarray, W: np.ndarray, A: np.ndarray, B: np.ndarray, alpha: float
) -> np.ndarray:
    return (alpha / A.shape[1]) * ((x @ A) @ B)


# --- lora_num_params -----------------------------------------------------------------------------


@mistake(
    "finetuning.lora_num_params",
    "counted the full d_in·d_out matrix",
    hint="LoRA never trains a d_in × d_out matrix: it trains A (d_in × r) and B (r × d_out).",
)
def lora_num_params_full_matrix(d_in: int, d_out: int, r: int) -> int:
    return d_in * d_out


@mistake(
    "finetuning.lora_num_params",
    "frozen weight counted as trainable",
    hint="The pretrained weight W is frozen; count only the entries of A and B.",
)
def lora_num_params_counts_frozen(d_in: int, d_out: int, r: int) -> int:
    return d_in * d_out + r * (d_in + d_out)


# --- few_shot_prompt -----------------------------------------------------------------------------


@mistake(
    "finetuning.few_shot_prompt",
    "no open output slot after the query",
    hint="End the prompt with an 'Output:' line left empty after the query, so the model "
    "continues exactly where the answer belongs.",
)
def few_shot_prompt_without_open_slot(examples: Sequence[tuple[str, str]], query: str) -> str:
    blocks = [f"Input: {i}\nOutput: {o}" for i, o in examples]
    return "\n\n".join([*blocks, f"Input: {query}"])


@mistake(
    "finetuning.few_shot_prompt",
    "blocks not separated by a blank line",
    hint="Separate consecutive input/output blocks with one empty line ('\\n\\n').",
)
def few_shot_prompt_single_newline(examples: Sequence[tuple[str, str]], query: str) -> str:
    blocks = [f"Input: {i}\nOutput: {o}" for i, o in examples]
    return "\n".join([*blocks, f"Input: {query}\nOutput:"])
