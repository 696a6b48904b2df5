"""solutions.forward (NumPy) agrees with reference.forward (torch) and never modifies its inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.strategies import (
    MLP_ACTIVATIONS,
    extreme_arrays,
    float_arrays,
    mlp_cases,
    perceptron_cases,
    separable_data,
    shapes,
    tensors,
    with_kinks,
)
from reference import forward as ref
from solutions import forward as sol

TOL = {"rtol": 1e-10, "atol": 1e-12}


def _same(got: object, expected: torch.Tensor, **tol: float) -> None:
    """``got`` is a float64 array of ``expected``'s shape (or a number for a 0-d one) and agrees."""
    if expected.ndim == 0:
        assert np.ndim(got) == 0, type(got)
    else:
        assert isinstance(got, np.ndarray), type(got)
        assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), expected.numpy(), **(tol or TOL))


def _frozen(*arrays: np.ndarray) -> list[np.ndarray]:
    return [a.copy() for a in arrays]


def _unchanged(arrays: tuple[np.ndarray, ...], copies: list[np.ndarray]) -> None:
    for a, c in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(a, c)


@st.composite
def neuron_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, float]:
    n, d = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    return draw(float_arrays((n, d))), draw(float_arrays((d,))), draw(st.floats(-10, 10))


@given(case=neuron_cases())
def test_weighted_sum_matches_reference(case):
    x, w, b = case
    copies = _frozen(x, w)
    _same(sol.weighted_sum(x, w, b), ref.weighted_sum(tensors(x), tensors(w), b))
    _unchanged((x, w), copies)


@given(z=float_arrays(shapes(0, 3), elements=with_kinks(kinks=(0.0, -0.0, 5e-324))))
def test_step_matches_reference_exactly_including_zero(z):
    copy = z.copy()
    _same(sol.step(z), ref.step(tensors(z)), rtol=0, atol=0)
    np.testing.assert_array_equal(z, copy)


def test_step_of_zero_is_zero():
    assert sol.step(np.array([0.0, -0.0, 1e-12])).tolist() == [0.0, 0.0, 1.0]


@given(case=neuron_cases())
def test_perceptron_predict_matches_reference(case):
    x, w, b = case
    # labels can legitimately differ where x·w + b rounds to either side of 0; skip those rows
    z = ref.weighted_sum(tensors(x), tensors(w), b).numpy()
    keep = np.abs(z) > 1e-9
    got = sol.perceptron_predict(x, w, b)
    expected = ref.perceptron_predict(tensors(x), tensors(w), b).numpy()
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got[keep], expected[keep])


@given(case=perceptron_cases())
def test_perceptron_train_matches_reference_exactly_on_dyadic_data(case):
    x, y = case["x"], case["y"]
    copies = _frozen(x, y)
    w, b = sol.perceptron_train(x, y, lr=case["lr"], epochs=case["epochs"])
    w_ref, b_ref = ref.perceptron_train(
        tensors(x), tensors(y), lr=case["lr"], epochs=case["epochs"]
    )
    _same(w, w_ref, rtol=0, atol=0)
    _same(b, b_ref, rtol=0, atol=0)
    _unchanged((x, y), copies)


@settings(max_examples=15)
@given(case=separable_data())
def test_perceptron_train_separates_a_separable_set_with_the_default_lr(case):
    x, y, epochs = case
    w, b = sol.perceptron_train(x, y, epochs=epochs)
    np.testing.assert_array_equal(sol.perceptron_predict(x, w, b), y)


def test_perceptron_train_defaults_learn_the_and_gate():
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 0.0, 0.0, 1.0])
    w, b = sol.perceptron_train(x, y)
    w_ref, b_ref = ref.perceptron_train(tensors(x), tensors(y))
    _same(w, w_ref)
    _same(b, b_ref)
    np.testing.assert_array_equal(sol.perceptron_predict(x, w, b), y)


@st.composite
def dense_cases(draw: st.DrawFn):
    n, d_in, d_out = (draw(st.integers(1, 6)) for _ in range(3))
    return (
        draw(float_arrays((n, d_in))),
        draw(float_arrays((d_in, d_out))),
        draw(float_arrays((d_out,))),
    )


@given(case=dense_cases())
def test_dense_forward_matches_reference(case):
    copies = _frozen(*case)
    _same(sol.dense_forward(*case), ref.dense_forward(*(tensors(a) for a in case)))
    _unchanged(case, copies)


def _torch_layers(layers):
    return [(tensors(W), tensors(b), name) for W, b, name in layers]


@given(case=mlp_cases())
def test_mlp_forward_matches_reference(case):
    x, layers = case
    copies = _frozen(x, *(a for W, b, _ in layers for a in (W, b)))
    _same(sol.mlp_forward(x, layers), ref.mlp_forward(tensors(x), _torch_layers(layers)))
    _unchanged((x, *(a for W, b, _ in layers for a in (W, b))), copies)


@pytest.mark.parametrize("name", MLP_ACTIVATIONS)
@settings(max_examples=10)
@given(data=st.data())
def test_mlp_forward_matches_reference_for_each_activation(name, data):
    x, layers = data.draw(mlp_cases(hidden=name, output=name, min_layers=2))
    _same(sol.mlp_forward(x, layers), ref.mlp_forward(tensors(x), _torch_layers(layers)))


@given(x=extreme_arrays((3, 4)))
def test_mlp_forward_stays_finite_without_warnings_for_inputs_in_plus_minus_1000(x):
    eye, zero = np.eye(4), np.zeros(4)
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        for name in MLP_ACTIVATIONS:
            out = sol.mlp_forward(x, [(eye, zero, name), (eye, zero, "softmax")])
            assert np.isfinite(out).all(), name


def test_mlp_forward_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError) as info:
        sol.mlp_forward(np.ones((2, 3)), [(np.ones((3, 4)), np.ones(4), "swish")])
    for name in ("swish", *MLP_ACTIVATIONS):
        assert name in str(info.value)


def test_mlp_forward_with_no_layers_returns_a_copy_of_the_input():
    x = np.arange(6.0).reshape(2, 3)
    out = sol.mlp_forward(x, [])
    np.testing.assert_array_equal(out, x)
    assert out is not x
