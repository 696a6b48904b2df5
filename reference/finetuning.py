"""Fine-tuning without touching the big weights: LoRA, and few-shot prompts (in-context learning).

LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models", arXiv:2106.09685)
freezes a pretrained weight W and learns a low-rank update ΔW = (alpha/r)·A B beside it; only A and
B are trained, r·(D_in + D_out) numbers instead of D_in·D_out. In-context learning adapts no
weights at all: the task is shown to the model as worked examples inside the prompt.

Layouts follow CURRICULUM.md: W is (D_in, D_out) and y = x W (the paper writes h = W₀x + BAx
with W₀ (d, k), torch's transpose).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from reference._validate import expect

__all__ = ["few_shot_prompt", "lora_forward", "lora_num_params"]


def lora_forward(
    x: torch.Tensor, W: torch.Tensor, A: torch.Tensor, B: torch.Tensor, alpha: float
) -> torch.Tensor:
    """A frozen linear map plus its scaled low-rank LoRA update.

    y = x W + (alpha / r) · (x A) B,   r = A.shape[1]

    The update goes through the rank-r bottleneck (x A first, then B), never forming the
    (D_in, D_out) product A B. With B = 0 (LoRA's initialisation) y = x W exactly. Whether W is
    frozen is up to the caller: pass it without ``requires_grad`` and autograd reaches only A and
    B (and x).

    Args:
        x: (..., D_in) inputs, batch-first (typically (N, D_in)).
        W: (D_in, D_out) pretrained weight.
        A: (D_in, r) down-projection, r ≥ 1.
        B: (r, D_out) up-projection.
        alpha: the LoRA scaling constant, > 0 (the update is scaled by alpha / r).

    Returns:
        (..., D_out) tensor in the inputs' dtype and device.
    """
    fn = "lora_forward"
    dims = expect(fn, x=(x, "... I"), W=(W, "I O"), A=(A, "I r"), B=(B, "r O"))
    for name, t in (("W", W), ("A", A), ("B", B)):
        if t.dtype != x.dtype:
            raise ValueError(f"{fn}: {name} has dtype {t.dtype} but x has dtype {x.dtype}")
    r = dims["r"]
    if r < 1:
        raise ValueError(f"{fn}: A has shape {tuple(A.shape)}, expected (I, r) with rank r >= 1")
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not alpha > 0:
        raise ValueError(f"{fn}: alpha must be a number > 0, got {alpha!r}")
    scale = alpha / r  # Hu et al. §4.1: ΔW x is scaled by α/r
    base = x @ W  # (..., I) @ (I, O) -> (..., O)
    update = (x @ A) @ B  # (..., I) @ (I, r) -> (..., r); @ (r, O) -> (..., O)
    return base + scale * update


def lora_num_params(d_in: int, d_out: int, r: int) -> int:
    """Trainable parameters LoRA adds to one (d_in, d_out) weight: r·(d_in + d_out).

    A has d_in·r entries and B has r·d_out; the frozen W (d_in·d_out) is not counted.
    Every size must be an int ≥ 1 (r may exceed min(d_in, d_out), it just saves nothing).
    """
    fn = "lora_num_params"
    for name, v in (("d_in", d_in), ("d_out", d_out), ("r", r)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"{fn}: {name} must be an int, got {type(v).__name__}")
        if v < 1:
            raise ValueError(f"{fn}: {name} must be >= 1, got {v!r}")
    return r * (d_in + d_out)  # A: d_in·r, B: r·d_out


def few_shot_prompt(examples: Sequence[tuple[str, str]], query: str) -> str:
    """A few-shot prompt: the worked examples, then the query with its output left blank.

    Exact format: one block per example, ``"Input: <input>\\nOutput: <output>"`` (a pair given
    twice makes two blocks), then the query block ``"Input: <query>\\nOutput:"`` (nothing after
    the colon, no trailing newline); blocks are separated by one blank line (``"\\n\\n"``). With
    no examples it is the query block alone (a zero-shot prompt). For two examples::

        Input: 2 + 2
        Output: 4

        Input: 3 + 5
        Output: 8

        Input: 7 + 1
        Output:

    Args:
        examples: (input, output) pairs of strings, in the order they should appear.
        query: the new input.

    Returns:
        The prompt string.
    """
    fn = "few_shot_prompt"
    if not isinstance(query, str):
        raise TypeError(f"{fn}: query must be a str, got {type(query).__name__}")
    if isinstance(examples, str) or not isinstance(examples, Sequence):
        raise TypeError(f"{fn}: examples must be a list of (input, output) pairs")
    blocks = []
    for i, example in enumerate(examples):
        if isinstance(example, str) or not isinstance(example, Sequence) or len(example) != 2:
            raise ValueError(
                f"{fn}: examples[{i}] must be an (input, output) pair, got {example!r}"
            )
        inp, out = example
        if not isinstance(inp, str) or not isinstance(out, str):
            raise TypeError(f"{fn}: examples[{i}] must hold two str, got {example!r}")
        blocks.append(f"Input: {inp}\nOutput: {out}")
    blocks.append(f"Input: {query}\nOutput:")
    return "\n\n".join(blocks)
