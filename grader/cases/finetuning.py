"""Public cases for finetuning: the LoRA forward pass (scale alpha / r with r ≠ 1 and alpha ≠ r,
B = 0 at initialisation, rank 1), LoRA's trainable-parameter count for realistic layer sizes, and
the exact few-shot prompt format (several, one and no examples)."""

from __future__ import annotations

import numpy as np

from grader.cases import case

_rng = np.random.default_rng(7)

X = np.array([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.5]])  # (N=2, D_in=3)
W = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]])  # (D_in=3, D_out=2)
A = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]])  # (D_in=3, r=2)
B = np.array([[0.5, 1.0], [-1.0, 0.25]])  # (r=2, D_out=2)

CASES = [
    # lora_forward
    case("lora_forward", X, W, A, B, 4.0, note="r = 2, alpha = 4: the update is scaled by 2"),
    case(
        "lora_forward",
        X,
        W,
        A,
        np.zeros((2, 2)),
        4.0,
        note="B = 0 (LoRA's initialisation): the layer is exactly x W",
    ),
    case(
        "lora_forward",
        X,
        W,
        A[:, :1],
        B[:1],
        8.0,
        note="rank r = 1, alpha = 8",
    ),
    case(
        "lora_forward",
        _rng.normal(size=(4, 5)),
        _rng.normal(size=(5, 3)),
        _rng.normal(size=(5, 2)),
        _rng.normal(size=(2, 3)),
        16.0,
        note="random (4, 5) inputs, D_out = 3, r = 2, alpha = 16",
    ),
    # lora_num_params
    case("lora_num_params", 10, 4, 2, note="a 10 × 4 layer with rank 2"),
    case("lora_num_params", 768, 768, 8, note="a 768 × 768 attention projection with rank 8"),
    case("lora_num_params", 4096, 11008, 16, note="a 4096 × 11008 MLP layer with rank 16"),
    # few_shot_prompt
    case(
        "few_shot_prompt",
        [("cat", "chat"), ("dog", "chien")],
        "bird",
        note="two English → French examples",
    ),
    case("few_shot_prompt", [("2 + 2", "4")], "3 + 5", note="one example"),
    case("few_shot_prompt", [], "hello", note="no examples: the query block alone"),
]
