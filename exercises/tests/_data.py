"""The public tests' frozen data: how cases and expected outputs are stored, and the objects
(handles) some functions need.

A topic's data lives in ``exercises/tests/data/<topic>.npz``: numbered arrays ``a0, a1, ...`` plus a
``manifest`` entry holding JSON. Values nest as JSON with tagged objects, so nothing is pickled:

==================  ===========================================
``{"$array": k}``   the ndarray stored under key ``k``
``{"$tuple": [..]}`` a tuple (JSON lists stay lists)
``{"$float": "nan"}`` a non-finite float (nan, inf, -inf)
``{"$rng": seed}``  ``np.random.default_rng(seed)``
``{"$handle": n}``  an object from :data:`HANDLES` (embedder, callables)
``{"$index": v}``   a faiss inner-product index over the vectors ``v``
==================  ===========================================
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._handles import FACTORIES as HANDLES

DATA_DIR = Path(__file__).resolve().parent / "data"
FORMAT_VERSION = 1
MAX_ARRAY_BYTES = 64 * 1024 * 1024  # a sanity cap on any one stored array


@dataclass(frozen=True)
class Rng:
    """A seeded random generator argument (``np.random.default_rng(seed)`` for learners)."""

    seed: int


@dataclass(frozen=True)
class Handle:
    """A named object argument from :data:`HANDLES`."""

    name: str


@dataclass(frozen=True)
class Index:
    """A faiss ``IndexFlatIP`` built over ``vectors`` (float32, rows L2-normalised)."""

    vectors: np.ndarray


def make_index(vectors: np.ndarray) -> Any:
    import faiss  # only the RAG topic needs it

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index


# -- encoding ---------------------------------------------------------------------------------


class Encoder:
    """Turns nested values into JSON-able data plus a dict of arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def __call__(self, value: Any) -> Any:
        if isinstance(value, np.ndarray):
            if value.dtype == object:
                raise TypeError("object arrays cannot be stored")
            key = f"a{len(self.arrays)}"
            self.arrays[key] = value
            return {"$array": key}
        if isinstance(value, np.generic):
            return self(value.item())
        if isinstance(value, bool | int | str) or value is None:
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"$float": repr(value)}
        if isinstance(value, tuple):
            return {"$tuple": [self(v) for v in value]}
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, dict):
            return {"$dict": {str(k): self(v) for k, v in value.items()}}
        if isinstance(value, Rng):
            return {"$rng": value.seed}
        if isinstance(value, Handle):
            if value.name not in HANDLES:
                raise KeyError(f"unknown handle {value.name!r}")
            return {"$handle": value.name}
        if isinstance(value, Index):
            return {"$index": self(np.asarray(value.vectors, dtype=np.float32))}
        raise TypeError(f"cannot store a {type(value).__name__} in public test data")


def decode(value: Any, arrays: Any, *, materialise: bool = True) -> Any:
    """Inverse of :class:`Encoder`; with ``materialise`` handles become live objects."""
    if isinstance(value, list):
        return [decode(v, arrays, materialise=materialise) for v in value]
    if not isinstance(value, dict):
        return value
    if "$array" in value:
        return np.array(arrays[value["$array"]], copy=True)
    if "$float" in value:
        return float(value["$float"])
    if "$tuple" in value:
        return tuple(decode(v, arrays, materialise=materialise) for v in value["$tuple"])
    if "$dict" in value:
        return {k: decode(v, arrays, materialise=materialise) for k, v in value["$dict"].items()}
    if "$rng" in value:
        return np.random.default_rng(value["$rng"]) if materialise else Rng(value["$rng"])
    if "$handle" in value:
        return HANDLES[value["$handle"]]() if materialise else Handle(value["$handle"])
    if "$index" in value:
        vectors = decode(value["$index"], arrays)
        return make_index(vectors) if materialise else Index(vectors)
    raise ValueError(f"unknown tagged value {sorted(value)}")


def write_npz(path: Path, manifest: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Write ``manifest`` + ``arrays`` as an ``.npz`` whose bytes depend on the content alone."""
    entries = dict(arrays)
    entries["manifest"] = np.array(json.dumps(manifest, indent=1, sort_keys=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(entries):
            buf = io.BytesIO()
            np.save(buf, entries[key], allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())


def read_npz(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read a data file written by :func:`write_npz` (no pickle, size-checked)."""
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.file_size > MAX_ARRAY_BYTES:
                raise ValueError(f"{path}: entry {info.filename} is too large ({info.file_size} B)")
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files if k != "manifest"}
        manifest = json.loads(str(data["manifest"]))
    if manifest.get("version") != FORMAT_VERSION:
        raise ValueError(
            f"{path}: data format {manifest.get('version')}, expected {FORMAT_VERSION}"
        )
    return manifest, arrays
