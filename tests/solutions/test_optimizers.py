"""solutions.optimizers (NumPy) agrees with reference.optimizers (torch), one step and 25 steps,
and never modifies its inputs."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.strategies import extreme_arrays, float_arrays, quadratic_problems, shapes
from reference import optimizers as ref
from solutions import optimizers as sol

TOL = {"rtol": 1e-10, "atol": 1e-12}


@st.composite
def step_inputs(draw: st.DrawFn, bound: float = 10.0) -> tuple[np.ndarray, ...]:
    """(w, grad, s1, s2) of one shape; the two state arrays are non-negative like sums of squares."""
    shape = draw(shapes(min_dims=0, max_dims=3, max_side=5))
    w, g, s1, s2 = (draw(float_arrays(shape, bound=bound)) for _ in range(4))
    return w, g, np.abs(s1), np.abs(s2)


decays = st.floats(0.0, 0.999)
lrs = st.floats(1e-4, 1.0)


def _t(*arrays: np.ndarray) -> list[torch.Tensor]:
    return [torch.from_numpy(np.array(a, copy=True)) for a in arrays]


def _same(got: object, expected: torch.Tensor) -> None:
    arr = np.asarray(got)
    assert arr.shape == tuple(expected.shape)
    np.testing.assert_allclose(arr, expected.numpy(), **TOL)


def _same_all(got: tuple, expected: tuple) -> None:
    assert isinstance(got, tuple) and len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        _same(a, b)


def _calls(w, g, s1, s2, *, lr=0.1, beta=0.9, eps=1e-8, t=3):
    """(name, solution call, reference call) for every optimizer on the same inputs."""
    W, G, S1, S2 = _t(w, g, s1, s2)
    return [
        ("gd_step", lambda: (sol.gd_step(w, g, lr),), lambda: (ref.gd_step(W, G, lr),)),
        (
            "momentum_step",
            lambda: sol.momentum_step(w, g, s1, lr, beta),
            lambda: ref.momentum_step(W, G, S1, lr, beta),
        ),
        (
            "adagrad_step",
            lambda: sol.adagrad_step(w, g, s1, lr, eps),
            lambda: ref.adagrad_step(W, G, S1, lr, eps),
        ),
        (
            "rmsprop_step",
            lambda: sol.rmsprop_step(w, g, s1, lr, beta, eps),
            lambda: ref.rmsprop_step(W, G, S1, lr, beta, eps),
        ),
        (
            "adadelta_step",
            lambda: sol.adadelta_step(w, g, s1, s2, lr, beta, eps),
            lambda: ref.adadelta_step(W, G, S1, S2, lr, beta, eps),
        ),
        (
            "adam_step",
            lambda: sol.adam_step(w, g, s1, s2, t, lr, beta, 0.999, eps),
            lambda: ref.adam_step(W, G, S1, S2, t, lr, beta, 0.999, eps),
        ),
    ]


@given(
    inputs=step_inputs(),
    lr=lrs,
    beta=decays,
    eps=st.sampled_from([1e-10, 1e-8, 1e-3]),
    t=st.integers(1, 50),
)
def test_every_optimizer_step_agrees_with_reference(inputs, lr, beta, eps, t):
    for name, ours, theirs in _calls(*inputs, lr=lr, beta=beta, eps=eps, t=t):
        got, expected = ours(), theirs()
        try:
            _same_all(got, expected)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from None


@given(inputs=step_inputs(), lr=lrs)
def test_optimizer_defaults_agree_with_reference(inputs, lr):
    w, g, s1, s2 = inputs
    W, G, S1, S2 = _t(w, g, s1, s2)
    _same_all(sol.momentum_step(w, g, s1, lr), ref.momentum_step(W, G, S1, lr))
    _same_all(sol.adagrad_step(w, g, s1, lr), ref.adagrad_step(W, G, S1, lr))
    _same_all(sol.rmsprop_step(w, g, s1, lr), ref.rmsprop_step(W, G, S1, lr))
    _same_all(sol.adadelta_step(w, g, s1, s2), ref.adadelta_step(W, G, S1, S2))
    _same_all(sol.adam_step(w, g, s1, s2, 1), ref.adam_step(W, G, S1, S2, 1))


@given(problem=quadratic_problems(), lr=st.floats(1e-3, 0.3), beta=decays)
def test_optimizers_follow_the_reference_trajectory_for_25_steps(problem, lr, beta):
    """Run each optimizer from zero state on the same quadratic, feeding its state back."""
    w0, A, c = problem
    n_state = {"gd_step": 0, "momentum_step": 1, "adagrad_step": 1, "rmsprop_step": 1}
    n_state |= {"adadelta_step": 2, "adam_step": 2}
    for name, k in n_state.items():
        w, state = w0.copy(), [np.zeros_like(w0) for _ in range(k)]
        W, STATE = torch.from_numpy(w0.copy()), [torch.zeros(len(w0), dtype=torch.float64)] * k
        At, ct = torch.from_numpy(A), torch.from_numpy(c)
        for t in range(1, 26):
            extra = (t,) if name == "adam_step" else ()
            hyper = {} if name in ("gd_step", "adadelta_step") else {"lr": lr}
            if name == "gd_step":
                w = sol.gd_step(w, A @ (w - c), lr)
                W = ref.gd_step(W, At @ (W - ct), lr)
                continue
            w, *state = getattr(sol, name)(w, A @ (w - c), *state, *extra, **hyper)
            W, *STATE = getattr(ref, name)(W, At @ (W - ct), *STATE, *extra, **hyper)
        np.testing.assert_allclose(w, W.numpy(), rtol=1e-9, atol=1e-10, err_msg=name)
        for s, S in zip(state, STATE, strict=True):
            np.testing.assert_allclose(s, S.numpy(), rtol=1e-9, atol=1e-10, err_msg=name)


@given(
    series=float_arrays(st.tuples(st.integers(1, 20)), bound=100.0)
    | float_arrays(st.tuples(st.integers(1, 8), st.integers(1, 3)), bound=100.0),
    beta=st.floats(0.0, 1.0),
)
def test_ewa_agrees_with_reference(series, beta):
    copy = series.copy()
    got = sol.ewa(series, beta)
    _same(got, ref.ewa(torch.from_numpy(series.copy()), beta))
    np.testing.assert_array_equal(series, copy)


def test_ewa_worked_example_beta_0_95():
    np.testing.assert_allclose(sol.ewa(np.array([10.0, 20.0]), 0.95), [10.0, 10.5])


@given(inputs=step_inputs(), series=float_arrays((6,)))
def test_optimizers_never_modify_their_inputs(inputs, series):
    copies = [a.copy() for a in inputs]
    for _, ours, _ in _calls(*inputs):
        ours()
        for a, c in zip(inputs, copies, strict=True):
            np.testing.assert_array_equal(a, c)
    s_copy = series.copy()
    sol.ewa(series, 0.5)
    np.testing.assert_array_equal(series, s_copy)


@given(inputs=st.tuples(*[extreme_arrays((5,)) for _ in range(4)]))
def test_optimizers_stay_finite_for_inputs_in_plus_minus_1000(inputs):
    w, g, s1, s2 = inputs
    for name, ours, _ in _calls(w, g, np.abs(s1), np.abs(s2)):
        for out in ours():
            assert np.all(np.isfinite(out)), name
