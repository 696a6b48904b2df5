"""solutions.conv (NumPy) agrees with reference.conv (torch) and never modifies its inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.strategies import conv_cases, float_arrays, pool_cases, shapes, tensors
from reference import conv as ref
from solutions import conv as sol

TOL = {"rtol": 1e-10, "atol": 1e-10}


def _same(got: object, expected: torch.Tensor, **tol: float) -> None:
    """``got`` is an ndarray of ``expected``'s shape and values (float64)."""
    assert isinstance(got, np.ndarray), type(got)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got, expected.numpy(), **(tol or TOL))


def _frozen(*arrays: np.ndarray) -> list[np.ndarray]:
    return [a.copy() for a in arrays]


def _unchanged(arrays: tuple[np.ndarray, ...], copies: list[np.ndarray]) -> None:
    for a, c in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(a, c)


@given(n=st.integers(1, 12), f=st.integers(1, 7), p=st.integers(0, 3), s=st.integers(1, 4))
def test_conv_output_size_agrees_with_reference_including_the_error(n, f, p, s):
    if f > n + 2 * p:
        with pytest.raises(ValueError):
            ref.conv_output_size(n, f, p, s)
        with pytest.raises(ValueError):
            sol.conv_output_size(n, f, p, s)
        return
    got = sol.conv_output_size(n, f, padding=p, stride=s)
    assert type(got) is int
    assert got == ref.conv_output_size(n, f, padding=p, stride=s)


@given(n=st.integers(1, 12), size=st.integers(1, 5), stride=st.integers(1, 4))
def test_pool_output_size_agrees_with_reference_including_the_error(n, size, stride):
    if size > n:
        with pytest.raises(ValueError):
            sol.pool_output_size(n, size, stride)
        return
    got = sol.pool_output_size(n, size, stride)
    assert type(got) is int
    assert got == ref.pool_output_size(n, size, stride)


@given(
    x=float_arrays(shapes(min_dims=2, max_dims=4, max_side=5)),
    p=st.integers(0, 3),
    mode=st.sampled_from(["zero", "edge"]),
)
def test_pad2d_agrees_with_reference(x, p, mode):
    copies = _frozen(x)
    _same(sol.pad2d(x, p, mode), ref.pad2d(tensors(x), p, mode), rtol=0, atol=0)
    _unchanged((x,), copies)


def test_pad2d_default_mode_is_zero_and_unknown_modes_raise():
    x = np.ones((2, 2))
    assert sol.pad2d(x, 1).sum() == 4.0
    with pytest.raises(ValueError):
        sol.pad2d(x, 1, "reflect")


def test_pad2d_with_p_0_returns_a_new_array():
    x = np.ones((2, 3))
    out = sol.pad2d(x, 0)
    assert not np.shares_memory(out, x)


@given(case=conv_cases(max_batch=1, max_channels=1, max_filters=1, max_side=9))
def test_conv2d_agrees_with_reference(case):
    x, k = case["x"][0, 0], case["weight"][0, 0]
    copies = _frozen(x, k)
    s, p = case["stride"], case["padding"]
    got = sol.conv2d(x, k, stride=s, padding=p)
    _same(got, ref.conv2d(tensors(x), tensors(k), stride=s, padding=p), atol=1e-9)
    _unchanged((x, k), copies)


@given(case=conv_cases())
def test_conv2d_multi_agrees_with_reference(case):
    x, w, b = case["x"], case["weight"], case["bias"]
    copies = _frozen(x, w, b)
    s, p = case["stride"], case["padding"]
    got = sol.conv2d_multi(x, w, b, stride=s, padding=p)
    expected = ref.conv2d_multi(tensors(x), tensors(w), tensors(b), stride=s, padding=p)
    _same(got, expected, rtol=1e-10, atol=1e-9)
    _unchanged((x, w, b), copies)


def test_conv2d_multi_default_stride_1_padding_0():
    g = np.random.default_rng(0)
    x, w, b = g.normal(size=(2, 3, 6, 5)), g.normal(size=(4, 3, 3, 2)), g.normal(size=4)
    _same(sol.conv2d_multi(x, w, b), ref.conv2d_multi(tensors(x), tensors(w), tensors(b)))


@given(case=pool_cases(), ties=st.booleans())
def test_max_pool2d_agrees_with_reference(case, ties):
    x = np.round(case["x"]) if ties else case["x"]
    copies = _frozen(x)
    got = sol.max_pool2d(x, case["size"], case["stride"])
    _same(got, ref.max_pool2d(tensors(x), case["size"], case["stride"]), rtol=0, atol=0)
    _unchanged((x,), copies)


@given(case=pool_cases())
def test_avg_pool2d_agrees_with_reference(case):
    x = case["x"]
    copies = _frozen(x)
    got = sol.avg_pool2d(x, case["size"], case["stride"])
    _same(got, ref.avg_pool2d(tensors(x), case["size"], case["stride"]))
    _unchanged((x,), copies)


def test_pooling_defaults_are_size_2_and_stride_equal_to_size():
    x = np.arange(2 * 3 * 6 * 7, dtype=float).reshape(2, 3, 6, 7)
    _same(sol.max_pool2d(x), ref.max_pool2d(tensors(x)))
    _same(sol.avg_pool2d(x), ref.avg_pool2d(tensors(x)))
    assert sol.max_pool2d(x, 3).shape == (2, 3, 2, 2)


@given(x=float_arrays(shapes(min_dims=1, max_dims=5, max_side=4)))
def test_flatten_agrees_with_reference_and_returns_a_copy(x):
    copies = _frozen(x)
    got = sol.flatten(x)
    _same(got, ref.flatten(tensors(x)), rtol=0, atol=0)
    assert not np.shares_memory(got, x)
    _unchanged((x,), copies)


def test_edge_filters_equal_the_reference_filters_as_float_arrays():
    for name in ("HORIZONTAL_EDGE", "VERTICAL_EDGE"):
        value = getattr(sol, name)
        assert isinstance(value, np.ndarray) and value.dtype.kind == "f", name
        _same(value, getattr(ref, name), rtol=0, atol=0)


def test_worked_examples_edge_filters_and_max_pool():
    img = np.zeros((6, 6))
    img[3:] = 1.0
    assert sol.conv2d(img, sol.HORIZONTAL_EDGE).tolist() == [[0] * 4, [-4] * 4, [-4] * 4, [0] * 4]
    assert sol.conv2d(img.T, sol.VERTICAL_EDGE).tolist() == [[0, -4, -4, 0]] * 4
    fmap = np.array([[1, 3, 2, 0], [5, 7, 9, 4], [6, 2, 1, 1], [3, 5, 0, 8]], dtype=float)
    assert sol.max_pool2d(fmap[None, None])[0, 0].tolist() == [[7, 9], [6, 8]]
    assert sol.avg_pool2d(fmap[None, None])[0, 0].tolist() == [[4, 3.75], [4, 2.5]]
    assert sol.conv_output_size(6, 3) == 4 and sol.conv_output_size(6, 3, padding=1) == 6


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_functions_keep_float32_and_float64(dtype):
    g = np.random.default_rng(1)
    x = g.normal(size=(1, 2, 5, 5)).astype(dtype)
    w = g.normal(size=(2, 2, 3, 3)).astype(dtype)
    b = g.normal(size=2).astype(dtype)
    for out in (
        sol.conv2d_multi(x, w, b, padding=1),
        sol.conv2d(x[0, 0], w[0, 0]),
        sol.pad2d(x, 1, "edge"),
        sol.max_pool2d(x),
        sol.avg_pool2d(x),
        sol.flatten(x),
    ):
        assert out.dtype == dtype
