# Generated from solutions/finetuning.py by `gradelab release`.
# Learners: replace each `raise NotImplementedError(...)` with your code.
# Instructors: edit solutions/finetuning.py instead, then run `gradelab release`.
"""Fine-tuning on a budget: LoRA and in-context learning (topic ``finetuning``).

Full fine-tuning updates every weight of a pretrained model. LoRA keeps the pretrained weight W
frozen and trains only a small low-rank correction next to it; in-context learning changes no
weights at all and teaches the task through examples written into the prompt.

Lesson: lessons/finetuning.md
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def lora_forward(
    x: np.ndarray, W: np.ndarray, A: np.ndarray, B: np.ndarray, alpha: float
) -> np.ndarray:
    """A linear layer with a LoRA adapter: y = x W + (alpha / r) · (x A) B, with r = A.shape[1].

    W is the frozen pretrained weight; A and B are the small trainable matrices whose product
    A B is a rank-r update of W. With B = 0 the layer is exactly x W.

    Args:
        x: inputs, shape (N, D_in).
        W: frozen weight, shape (D_in, D_out).
        A: down-projection, shape (D_in, r).
        B: up-projection, shape (r, D_out).
        alpha: scaling constant; the update is multiplied by alpha / r.

    Returns:
        y, shape (N, D_out).
    """
    raise NotImplementedError(
        "finetuning.lora_forward: the base output x W plus the low-rank path (x A) B scaled by alpha over the rank r"
    )


def lora_num_params(d_in: int, d_out: int, r: int) -> int:
    """How many parameters LoRA trains for one (d_in, d_out) weight: r · (d_in + d_out).

    A is (d_in, r) and B is (r, d_out); the frozen W (d_in · d_out entries) is not trained and
    not counted.

    Args:
        d_in: input size of the layer.
        d_out: output size of the layer.
        r: LoRA rank.

    Returns:
        The number of trainable parameters, an int.
    """
    raise NotImplementedError(
        "finetuning.lora_num_params: count the entries of A and of B only; the frozen weight does not train"
    )


def few_shot_prompt(examples: Sequence[tuple[str, str]], query: str) -> str:
    """A few-shot prompt: every example as an input/output pair, then the query left open.

    Each example (inp, out) becomes the block ``"Input: <inp>\\nOutput: <out>"`` (a pair given
    twice becomes two blocks); the query becomes ``"Input: <query>\\nOutput:"`` (nothing after the
    colon). Blocks are joined by a blank line (``"\\n\\n"``), examples first in their given order,
    the query last; no trailing newline. Without examples the prompt is the query block alone.
    For example::

        Input: cat
        Output: chat

        Input: dog
        Output:

    Args:
        examples: list of (input, output) string pairs.
        query: the input the model should complete.

    Returns:
        The prompt string.
    """
    raise NotImplementedError(
        'finetuning.few_shot_prompt: build one "Input: …\\nOutput: …" block per example, add the query block with an empty output, join with a blank line'
    )
