"""grader/sandbox/channel.py: data round-trips exactly; anything but data is refused."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.sandbox.channel import (
    MAX_FRAME_BYTES,
    ChannelError,
    HandleRef,
    RemoteRef,
    decode,
    encode,
    read_frame,
)

dtypes = st.sampled_from(
    [np.float64, np.float32, np.float16, np.int64, np.int32, np.uint8, np.bool_]
)
arrays = dtypes.flatmap(
    lambda d: hnp.arrays(d, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0))
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63) + 1, 2**63 - 1),
    st.floats(),
    st.text(max_size=20),
)
values = st.recursive(
    st.one_of(scalars, arrays),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
    ),
    max_leaves=12,
)


def same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return (
            type(b) is np.ndarray
            and a.dtype == b.dtype
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        )
    if isinstance(a, float) and np.isnan(a):
        return isinstance(b, float) and np.isnan(b)
    if isinstance(a, list | tuple):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@given(values)
def test_data_round_trips_exactly_with_types_dtypes_and_shapes(value):
    assert same(value, decode(encode(value)[8:]))


def test_str_keyed_dicts_cross_as_plain_json_objects_and_others_tagged():
    """Every request and reply is a dict of str keys: sent as a JSON object it costs half the
    decoding steps of the tagged pair list; a key starting with ``$`` (which would read as a
    tag) or a key of another type still crosses tagged, and every dict arrives as it was."""
    plain = {"op": "call", "args": [1.5], "kwargs": {}, "keep": False}
    frame = encode(plain)
    header = json.loads(frame[12 : 12 + struct.unpack(">I", frame[8:12])[0]])
    assert header["body"] == {"op": "call", "args": [1.5], "kwargs": {}, "keep": False}
    assert decode(frame[8:]) == plain
    for tagged in ({"$a": 1}, {"$d": 2, "x": 3}, {1: "one"}, {(1, 2): "pair"}, {"$": None}):
        frame = encode(tagged)
        header = json.loads(frame[12 : 12 + struct.unpack(">I", frame[8:12])[0]])
        assert set(header["body"]) == {"$d"}
        assert decode(frame[8:]) == tagged


def test_plain_object_keys_with_lone_surrogates_arrive_replaced():
    got = decode(_frame({"v": 1, "body": {"bad \ud800": 1}, "arrays": []}))
    (key,) = got
    assert key.startswith("bad \ufffd") and "\ud800" not in key
    key.encode("utf-8")  # writable anywhere


def test_handles_and_remote_refs_round_trip():
    assert decode(encode([HandleRef("minilm"), RemoteRef(3)])[8:]) == [
        HandleRef("minilm"),
        RemoteRef(3),
    ]


class Liar:
    def __eq__(self, other):  # pragma: no cover - must never be called
        raise AssertionError("__eq__ called")

    def __array__(self, *a, **k):  # pragma: no cover - must never be called
        raise AssertionError("__array__ called")


class Sub(np.ndarray):
    pass


@pytest.mark.parametrize(
    "value",
    [
        np.array([object()]),
        np.arange(3).view(Sub),
        np.ma.masked_array([1.0]),
        Liar(),
        lambda: 1,
        {1, 2},
        2**70,
        np.array(["a"]),
        np.array([1 + 2j]),
    ],
    ids=[
        "object-array",
        "ndarray-subclass",
        "masked",
        "liar",
        "function",
        "set",
        "huge-int",
        "str-array",
        "complex",
    ],
)
def test_encoding_refuses_anything_but_plain_data(value):
    with pytest.raises(ChannelError):
        encode(value)


def _frame(header: dict, data: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack(">I", len(raw)) + raw + data


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "truncated"),
        (_frame({"v": 2, "body": 1, "arrays": []}), "version"),
        (
            _frame(
                {"v": 1, "body": {"$a": 0}, "arrays": [{"dtype": "|O", "shape": [1]}]}, b"\0" * 8
            ),
            "dtype",
        ),
        (
            _frame(
                {"v": 1, "body": {"$a": 0}, "arrays": [{"dtype": "<f8", "shape": [1000]}]},
                b"\0" * 8,
            ),
            "truncated",
        ),
        (_frame({"v": 1, "body": {"$a": 5}, "arrays": []}), "array reference"),
        (_frame({"v": 1, "body": {"$pickle": "gASV"}, "arrays": []}), "unknown tag"),
        (_frame({"v": 1, "body": 1, "arrays": []}, b"junk"), "trailing"),
        (_frame({"v": 1, "body": {"$a": 0}, "arrays": [{"dtype": "<f8", "shape": [-1]}]}), "shape"),
        (struct.pack(">I", 5) + b"\xff\xfe{}}", "malformed header"),
        # an object is a tag (one key, starting with $) or a dict (no key starting with $)
        (_frame({"v": 1, "body": {"$a": 0, "x": 1}, "arrays": []}), "malformed value"),
        (_frame({"v": 1, "body": {"x": {"y": 1, "$h": "minilm"}}, "arrays": []}), "malformed"),
    ],
)
def test_decoding_is_strict(payload: bytes, message: str):
    with pytest.raises(ChannelError, match=message):
        decode(payload)


def test_deep_nesting_is_refused_both_ways():
    deep: list = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(ChannelError, match="deeply"):
        encode(deep)
    body: object = 1
    for _ in range(100):
        body = [body]
    with pytest.raises(ChannelError, match="deeply"):
        decode(_frame({"v": 1, "body": body, "arrays": []}))


def test_read_frame_refuses_a_length_over_the_limit_before_reading_it():
    import io

    stream = io.BytesIO(struct.pack(">Q", MAX_FRAME_BYTES + 1) + b"x")
    with pytest.raises(ChannelError, match="exceeds"):
        read_frame(stream)
    assert read_frame(io.BytesIO(b"")) is None


@given(arrays, st.sampled_from(["transposed", "strided", "big-endian"]))
def test_views_and_other_byte_orders_cross_as_fresh_native_c_arrays(a, how):
    """What the fast path does not copy as is (a view, a big-endian array, 0-d included) is
    converted: same values, same shape, native byte order, C order."""
    if how == "transposed":
        value = a.T
    elif how == "strided":
        value = a[::2] if a.ndim else a
    else:
        value = a.astype(a.dtype.newbyteorder(">"))
    got = decode(encode(value)[8:])
    assert got.shape == value.shape and got.flags.c_contiguous
    assert got.dtype == value.dtype.newbyteorder("=")
    assert np.array_equal(got, value, equal_nan=a.dtype.kind == "f")


def test_subclasses_of_builtin_types_and_numpy_scalars_cross_as_plain_values():
    import enum

    class Label(str):
        pass

    class Colour(enum.IntEnum):
        RED = 1

    sent = [Label("x"), Colour.RED, np.float64(1.5), np.int32(3), np.bool_(True), 2.5, None]
    got = decode(encode(sent)[8:])
    assert got == ["x", 1, 1.5, 3, True, 2.5, None]
    assert [type(v) for v in got] == [str, int, float, int, bool, float, type(None)]


def test_lone_surrogates_arrive_as_replacement_characters():
    """JSON's \\ud800 escape makes a lone surrogate, which no UTF-8 output can write (a learner's
    exception message holding one stopped a class run at its gradebook write)."""
    got = decode(encode({"message": "bad \ud800 end", "ok": "plain"})[8:])
    assert got["ok"] == "plain"
    assert "\ud800" not in got["message"] and "\ufffd" in got["message"]
    got["message"].encode("utf-8")  # writable anywhere


def _raw_frame(header: bytes) -> bytes:
    return struct.pack(">I", len(header)) + header


@pytest.mark.parametrize(
    "header",
    [
        b'{"v": 1, "body": {"$a": 0}, "arrays": [{"dtype": ["x"], "shape": [1]}]}',
        b'{"v": 1, "body": {"$a": 0}, "arrays": [{"dtype": "<f8", "shape": [18446744073709551616, 0]}]}',
        b'{"v": 1, "body": ' + b"9" * 5000 + b', "arrays": []}',
    ],
    ids=["unhashable-dtype", "huge-empty-shape", "5000-digit-int"],
)
def test_any_malformed_frame_is_a_channel_error(header):
    """Never a TypeError or ValueError the grader would take for its own bug ("the grader could
    not run this check")."""
    with pytest.raises(ChannelError):
        decode(_raw_frame(header))
