"""The data-only channel between the trusted grader and the sandboxed worker.

A message is one frame: an 8-byte big-endian length, then a header (UTF-8 JSON) and the raw bytes
of every array, back to back::

    frame   = u64 length | u32 header_length | header JSON | array bytes ...
    header  = {"v": 1, "body": <value>, "arrays": [{"dtype": "<f8", "shape": [2, 3]}, ...]}

Values are JSON with tagged objects: ``{"$a": i}`` the i-th array, ``{"$t": [...]}`` a tuple,
``{"$f": "nan"}`` a non-finite float, ``{"$d": [[k, v], ...]}`` a dict, ``{"$h": name}`` a named
handle, ``{"$r": n}`` a reference to an object that lives in the worker. A dict whose keys are all
``str`` not starting with ``$`` (every request and reply, most results) is a plain JSON object:
an object is a tag when it has one key and that key starts with ``$``, a dict when no key does,
and malformed otherwise.

Decoding is strict: only the dtypes in :data:`ALLOWED_DTYPES`, bounded sizes and nesting, no
pickle, and every array is a fresh C-contiguous base-class ``ndarray`` (never a subclass). Nothing
in this module ever calls a method of a received object.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

VERSION = 1
ALLOWED_DTYPES = frozenset(
    {"|b1", "|i1", "|u1", "<i2", "<i4", "<i8", "<u2", "<u4", "<u8", "<f2", "<f4", "<f8"}
)
MAX_FRAME_BYTES = 256 * 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 32
MAX_STRING = 1_000_000
MAX_ITEMS = 100_000


class ChannelError(ValueError):
    """A message broke the protocol: too large, malformed, or of a forbidden type."""


@dataclass(frozen=True)
class HandleRef:
    """A named object the worker builds on its side (e.g. ``"minilm"``)."""

    name: str


@dataclass(frozen=True)
class RemoteRef:
    """An object that stays in the worker (e.g. a faiss index a learner built), by number."""

    id: int


def _canonical_dtype(dtype: np.dtype) -> str:
    return dtype.newbyteorder("<").str if dtype.byteorder == ">" else dtype.str


def crosses(dtype: np.dtype) -> bool:
    """Whether arrays of ``dtype`` can cross the channel (:data:`ALLOWED_DTYPES`)."""
    return _canonical_dtype(dtype) in ALLOWED_DTYPES


def _int(value: int) -> int:
    if abs(value) >= 2**63:
        raise ChannelError("integer out of 64-bit range")
    return value


def _float(value: float) -> Any:
    """A finite float as JSON writes it; inf, -inf and nan by their repr."""
    return value if math.isfinite(value) else {"$f": repr(value)}


class _Encoder:
    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []

    def encode(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ChannelError("value nested too deeply")
        # exact built-in types first (almost every value); subclasses take the general path
        kind = type(value)
        if kind is np.ndarray:
            return self._array(value)
        if kind is float:
            return _float(value)
        if value is None or kind is str or kind is bool:
            return value
        if kind is int:
            return _int(value)
        if kind is list:
            return [self.encode(v, depth + 1) for v in value]
        if kind is tuple:
            return {"$t": [self.encode(v, depth + 1) for v in value]}
        if kind is dict:
            if all(type(k) is str and k[:1] != "$" for k in value):  # a plain JSON object
                return {k: self.encode(v, depth + 1) for k, v in value.items()}
            return {
                "$d": [
                    [self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()
                ]
            }
        return self._general(value, depth)

    def _array(self, value: np.ndarray) -> dict[str, int]:
        dtype = _canonical_dtype(value.dtype)
        if dtype not in ALLOWED_DTYPES:
            raise ChannelError(f"arrays of dtype {value.dtype} cannot cross the channel")
        if value.dtype.str != dtype or not value.flags.c_contiguous:  # (never drops a 0-d shape)
            value = np.array(value, dtype=np.dtype(dtype), order="C")
        self.arrays.append(value)  # its bytes are copied before :func:`encode` returns
        return {"$a": len(self.arrays) - 1}

    def _general(self, value: Any, depth: int) -> Any:
        """Subclasses of the built-in types, NumPy scalars, handles and references."""
        if isinstance(value, bool | str):
            return value
        if isinstance(value, int):
            return _int(value)
        if isinstance(value, float):
            return _float(value)
        if isinstance(value, np.generic) and type(value).__module__ == "numpy":
            return self.encode(
                np.asarray(value)[()].item() if value.dtype.kind != "V" else None, depth
            )
        if isinstance(value, HandleRef):
            return {"$h": value.name}
        if isinstance(value, RemoteRef):
            return {"$r": value.id}
        raise ChannelError(f"a {type(value).__name__} cannot cross the channel")


#: one JSON encoder for every header (``json.dumps`` with options builds one per call)
_HEADER_JSON = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


def encode(value: Any) -> bytes:
    """One frame (length prefix included) holding ``value``."""
    enc = _Encoder()
    body = enc.encode(value)
    header = _HEADER_JSON.encode(
        {
            "v": VERSION,
            "body": body,
            "arrays": [{"dtype": a.dtype.str, "shape": list(a.shape)} for a in enc.arrays],
        }
    ).encode()
    payload = b"".join([struct.pack(">I", len(header)), header, *(a.tobytes() for a in enc.arrays)])
    if len(payload) > MAX_FRAME_BYTES:
        raise ChannelError(f"message of {len(payload)} bytes exceeds {MAX_FRAME_BYTES}")
    return struct.pack(">Q", len(payload)) + payload


def _text(value: str) -> str:
    """``value`` as text every output can encode: JSON's ``\\ud800`` escapes make lone
    surrogates, which UTF-8 cannot encode (a learner's exception message holding one once
    stopped a class run at its gradebook write); each is replaced by U+FFFD."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


def _decode_value(value: Any, arrays: list[np.ndarray], depth: int) -> Any:
    # ``json.loads`` makes exact built-in types only: checking ``type`` is checking ``isinstance``
    if depth > MAX_DEPTH:
        raise ChannelError("value nested too deeply")
    kind = type(value)
    if kind is float or kind is int or kind is bool or value is None:
        return value
    if kind is str:
        if len(value) > MAX_STRING:
            raise ChannelError("string too long")
        return value if value.isascii() else _text(value)
    if kind is list:
        if len(value) > MAX_ITEMS:
            raise ChannelError("list too long")
        return [_decode_value(v, arrays, depth + 1) for v in value]
    if kind is not dict:
        raise ChannelError("malformed value")
    if len(value) != 1 or next(iter(value))[:1] != "$":
        return _decode_object(value, arrays, depth)
    ((tag, inner),) = value.items()
    if tag == "$a":
        if not isinstance(inner, int) or not 0 <= inner < len(arrays):
            raise ChannelError("bad array reference")
        return arrays[inner]
    if tag == "$f":
        if inner not in ("nan", "inf", "-inf"):
            raise ChannelError("bad float tag")
        return float(inner)
    if tag == "$t":
        if not isinstance(inner, list) or len(inner) > MAX_ITEMS:
            raise ChannelError("bad tuple")
        return tuple(_decode_value(v, arrays, depth + 1) for v in inner)
    if tag == "$d":
        if not isinstance(inner, list) or len(inner) > MAX_ITEMS:
            raise ChannelError("bad dict")
        out = {}
        for pair in inner:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ChannelError("bad dict entry")
            key = _decode_value(pair[0], arrays, depth + 1)
            if not isinstance(key, str | int | float | bool | tuple) and key is not None:
                raise ChannelError("unhashable dict key")
            out[key] = _decode_value(pair[1], arrays, depth + 1)
        return out
    if tag == "$h" and isinstance(inner, str):
        return HandleRef(inner)
    if tag == "$r" and isinstance(inner, int):
        return RemoteRef(inner)
    raise ChannelError(f"unknown tag {tag!r}")


def _decode_object(value: dict[str, Any], arrays: list[np.ndarray], depth: int) -> dict[str, Any]:
    """A JSON object none of whose keys starts with ``$``: a dict of str keys."""
    if len(value) > MAX_ITEMS:
        raise ChannelError("dict too long")
    out = {}
    for key, item in value.items():
        if key[:1] == "$":
            raise ChannelError("malformed value")
        out[_decode_value(key, arrays, depth + 1)] = _decode_value(item, arrays, depth + 1)
    return out


def decode(payload: bytes) -> Any:
    """Strictly decode one frame's payload (without its length prefix): anything malformed, in
    any way, is a :class:`ChannelError` (never another exception the caller would take for its
    own bug)."""
    try:
        return _decode(payload)
    except ChannelError:
        raise
    except (TypeError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
        # an unhashable dtype, a shape NumPy refuses, an integer of 5,000 digits, ...
        raise ChannelError(f"malformed message: {exc.__class__.__name__}") from None


def _decode(payload: bytes) -> Any:
    if len(payload) < 4:
        raise ChannelError("truncated message")
    (header_len,) = struct.unpack(">I", payload[:4])
    if header_len > MAX_HEADER_BYTES or 4 + header_len > len(payload):
        raise ChannelError("bad header length")
    try:
        header = json.loads(payload[4 : 4 + header_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ChannelError(f"malformed header: {exc.__class__.__name__}") from None
    if not isinstance(header, dict) or header.get("v") != VERSION:
        raise ChannelError("unknown protocol version")
    specs = header.get("arrays")
    if not isinstance(specs, list) or len(specs) > MAX_ITEMS:
        raise ChannelError("bad array table")
    arrays: list[np.ndarray] = []
    offset = 4 + header_len
    for spec in specs:
        if not isinstance(spec, dict) or spec.get("dtype") not in ALLOWED_DTYPES:
            raise ChannelError(
                f"forbidden array dtype {spec.get('dtype') if isinstance(spec, dict) else spec!r}"
            )
        shape = spec.get("shape")
        if (
            not isinstance(shape, list)
            or len(shape) > 32
            or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
        ):
            raise ChannelError("bad array shape")
        dtype = np.dtype(spec["dtype"])
        count = math.prod(shape)
        nbytes = count * dtype.itemsize
        if offset + nbytes > len(payload):
            raise ChannelError("array data truncated")
        arrays.append(
            np.frombuffer(payload, dtype=dtype, count=count, offset=offset)
            .reshape(tuple(shape))
            .copy()
        )
        offset += nbytes
    if offset != len(payload):
        raise ChannelError("trailing bytes after the arrays")
    return _decode_value(header.get("body"), arrays, 0)


def read_frame(stream: BinaryIO, limit: int = MAX_FRAME_BYTES) -> bytes | None:
    """Read one frame's payload from ``stream``; None at a clean end of stream."""
    prefix = _read_exact(stream, 8)
    if prefix is None:
        return None
    (length,) = struct.unpack(">Q", prefix)
    if length > limit:
        raise ChannelError(f"message of {length} bytes exceeds the {limit}-byte limit")
    payload = _read_exact(stream, length)
    if payload is None:
        raise ChannelError("stream ended inside a message")
    return payload


def _read_exact(stream: BinaryIO, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            if got == 0:
                return None
            raise ChannelError("stream ended inside a message")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
