"""reference.optimizers against torch.optim, step by step.

Each optimizer runs 25 steps, both on a random convex quadratic (the gradient depends on where
the optimizer went) and on an arbitrary gradient sequence drawn by hypothesis (zeros, sign flips,
large values). The parameters and the optimizer's state must match torch's after every step, our
step k taken from the state torch reached after step k − 1 (:func:`ours_trajectory`): each
step is held to torch's from the same parameters, state and gradient, so the bias corrections
and every other use of the step count are checked at all 25 steps, and a float64 rounding
difference (summation order, another CPU's vector code) stays one rounding, instead of being
carried and grown through the rest of a trajectory that can be sensitive to it (Adam with
β₁ = 0 and a small β₂ divides by a √v̂ near 0: one run on an AMD EPYC grew a 1e-16 difference to
2e-7 relative by step 22, failing a whole-trajectory check).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.strategies import extreme_arrays, float_arrays, quadratic_problems
from reference import optimizers as opt

STEPS = 25
# float64, one step from the same state: a few roundings; a real formula error is orders of
# magnitude larger.
F64 = {"rtol": 1e-8, "atol": 1e-10}

GradFn = Callable[[torch.Tensor, int], torch.Tensor]

# ---------------------------------------------------------------- helpers


def quadratic_grad(A: np.ndarray, c: np.ndarray) -> GradFn:
    """∇L(w) = A (w − c) for L = ½ (w − c)ᵀ A (w − c)."""
    At, ct = torch.from_numpy(A), torch.from_numpy(c)
    return lambda w, k: At @ (w - ct)


def sequence_grad(grads: np.ndarray) -> GradFn:
    """The k-th gradient of a fixed sequence, whatever w is."""
    gt = torch.from_numpy(grads)
    return lambda w, k: gt[k].clone()


def torch_trajectory(
    make: Callable[[list[torch.nn.Parameter]], torch.optim.Optimizer],
    w0: np.ndarray,
    grad_fn: GradFn,
    state_keys: tuple[str, ...],
) -> list[tuple[torch.Tensor, ...]]:
    """Run a torch optimizer for STEPS steps: after each, (w, *state[key] for key)."""
    p = torch.nn.Parameter(torch.from_numpy(w0.copy()))
    optimizer = make([p])
    out = []
    for k in range(STEPS):
        p.grad = grad_fn(p.detach().clone(), k)
        optimizer.step()
        state = optimizer.state[p]
        out.append((p.detach().clone(), *(state[key].clone() for key in state_keys)))
    return out


def ours_trajectory(
    step: Callable[..., tuple[torch.Tensor, ...]],
    w0: np.ndarray,
    grad_fn: GradFn,
    state0: list[torch.Tensor],
    theirs: list[tuple[torch.Tensor, ...]],
) -> list[tuple[torch.Tensor, ...]]:
    """Our STEPS steps, after each (w, *state): step k (``step(k, w, g, *state)``, k from 0)
    from the parameters and state torch reached after step k − 1 (``theirs``; step 0 from
    ``w0`` and ``state0``), with the gradient at those parameters, as torch's step k had."""
    w, state = torch.from_numpy(w0.copy()), [s.clone() for s in state0]
    out = []
    for k in range(STEPS):
        w_next, *state_next = step(k, w, grad_fn(w.clone(), k), *state)
        out.append((w_next, *state_next))
        w, state = theirs[k][0].clone(), [s.clone() for s in theirs[k][1:]]
    return out


def _zeros(w0: np.ndarray, n: int) -> list[torch.Tensor]:
    """``n`` zero states shaped like the parameters."""
    return [torch.zeros(w0.shape, dtype=torch.float64) for _ in range(n)]


def assert_trajectories_close(ours: list, theirs: list) -> None:
    assert len(ours) == len(theirs) == STEPS
    for k, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        for name, x, y in zip(("w", "state0", "state1"), a, b, strict=False):
            torch.testing.assert_close(
                x, y, **F64, msg=lambda m, k=k, n=name: f"step {k}, {n}: {m}"
            )


def problems() -> st.SearchStrategy[tuple[np.ndarray, GradFn]]:
    """Either a random quadratic or an arbitrary gradient sequence, with a start point."""
    quad = quadratic_problems().map(lambda p: (p[0], quadratic_grad(p[1], p[2])))
    seq = st.integers(1, 5).flatmap(
        lambda d: st.tuples(
            float_arrays((d,), bound=5.0),
            float_arrays((STEPS, d), bound=10.0).map(sequence_grad),
        )
    )
    return st.one_of(quad, seq)


lrs = st.floats(1e-3, 0.5)
decays = st.floats(0.0, 0.999)

# ---------------------------------------------------------------- against torch.optim


@given(problem=problems(), lr=lrs)
def test_gd_step_matches_torch_sgd_over_25_steps(problem, lr):
    w0, grad_fn = problem
    theirs = torch_trajectory(lambda ps: torch.optim.SGD(ps, lr=lr), w0, grad_fn, ())
    ours = ours_trajectory(lambda k, w, g: (opt.gd_step(w, g, lr),), w0, grad_fn, [], theirs)
    assert_trajectories_close(ours, theirs)


@given(problem=problems(), lr=lrs, beta=st.floats(1e-3, 0.999))  # momentum=0 keeps no buffer
def test_momentum_step_matches_torch_sgd_dampened_momentum_from_a_matching_start(problem, lr, beta):
    """torch.optim.SGD(momentum=β, dampening=β) runs buf_k = β·buf_{k−1} + (1 − β)·g_k for
    k ≥ 2, which is our recursion, but starts with buf_1 = g_1 (the raw gradient) where ours,
    from velocity 0, gives v_1 = (1 − β)·g_1. Starting our velocity at v_0 = g_1 instead makes
    v_1 = β·g_1 + (1 − β)·g_1 = g_1 = buf_1, so both optimizers take the same first step and
    from then on apply the same recursion: the whole 25-step trajectories (parameters and
    buffer) must agree. The zero-start first step is pinned by the next test."""
    w0, grad_fn = problem
    theirs = torch_trajectory(
        lambda ps: torch.optim.SGD(ps, lr=lr, momentum=beta, dampening=beta),
        w0,
        grad_fn,
        ("momentum_buffer",),
    )
    v0 = grad_fn(torch.from_numpy(w0.copy()), 0)  # v_0 = g_1, so that v_1 = g_1 like torch's
    ours = ours_trajectory(
        lambda k, w, g, v: opt.momentum_step(w, g, v, lr, beta), w0, grad_fn, [v0], theirs
    )
    assert_trajectories_close(ours, theirs)


@given(
    w=float_arrays((4,), bound=5.0),
    g=float_arrays((4,), bound=5.0),
    lr=lrs,
    beta=decays,
)
def test_momentum_step_first_step_from_zero_velocity_is_one_minus_beta_times_grad(w, g, lr, beta):
    wt, gt = torch.from_numpy(w), torch.from_numpy(g)
    w1, v1 = opt.momentum_step(wt, gt, torch.zeros(4, dtype=torch.float64), lr, beta)
    torch.testing.assert_close(v1, (1 - beta) * gt, **F64)
    torch.testing.assert_close(w1, wt - lr * (1 - beta) * gt, **F64)


def test_momentum_step_default_beta_is_0_9():
    w, g = torch.zeros(2, dtype=torch.float64), torch.tensor([1.0, -2.0], dtype=torch.float64)
    _, v = opt.momentum_step(w, g, torch.zeros_like(w), lr=1.0)
    torch.testing.assert_close(v, 0.1 * g)


@given(problem=problems(), lr=lrs, eps=st.sampled_from([1e-10, 1e-3]))
def test_adagrad_step_matches_torch_adagrad_over_25_steps(problem, lr, eps):
    w0, grad_fn = problem
    theirs = torch_trajectory(
        lambda ps: torch.optim.Adagrad(ps, lr=lr, lr_decay=0, initial_accumulator_value=0, eps=eps),
        w0,
        grad_fn,
        ("sum",),
    )
    ours = ours_trajectory(
        lambda k, w, g, acc: opt.adagrad_step(w, g, acc, lr=lr, eps=eps),
        w0,
        grad_fn,
        _zeros(w0, 1),
        theirs,
    )
    assert_trajectories_close(ours, theirs)


@given(problem=problems(), lr=lrs, beta=decays, eps=st.sampled_from([1e-8, 1e-3]))
def test_rmsprop_step_matches_torch_rmsprop_over_25_steps(problem, lr, beta, eps):
    w0, grad_fn = problem
    theirs = torch_trajectory(
        lambda ps: torch.optim.RMSprop(ps, lr=lr, alpha=beta, eps=eps, centered=False, momentum=0),
        w0,
        grad_fn,
        ("square_avg",),
    )
    ours = ours_trajectory(
        lambda k, w, g, sq: opt.rmsprop_step(w, g, sq, lr=lr, beta=beta, eps=eps),
        w0,
        grad_fn,
        _zeros(w0, 1),
        theirs,
    )
    assert_trajectories_close(ours, theirs)


@given(
    problem=problems(),
    lr=st.floats(0.1, 2.0),
    rho=decays,
    eps=st.sampled_from([1e-6, 1e-3]),
)
def test_adadelta_step_matches_torch_adadelta_over_25_steps(problem, lr, rho, eps):
    w0, grad_fn = problem
    theirs = torch_trajectory(
        lambda ps: torch.optim.Adadelta(ps, lr=lr, rho=rho, eps=eps),
        w0,
        grad_fn,
        ("square_avg", "acc_delta"),
    )
    ours = ours_trajectory(
        lambda k, w, g, sq, acc: opt.adadelta_step(w, g, sq, acc, lr=lr, rho=rho, eps=eps),
        w0,
        grad_fn,
        _zeros(w0, 2),
        theirs,
    )
    assert_trajectories_close(ours, theirs)


@given(
    problem=problems(),
    lr=lrs,
    beta1=decays,
    beta2=st.floats(0.5, 0.9999),
    eps=st.sampled_from([1e-8, 1e-3]),
)
def test_adam_step_matches_torch_adam_over_25_steps(problem, lr, beta1, beta2, eps):
    w0, grad_fn = problem
    theirs = torch_trajectory(
        lambda ps: torch.optim.Adam(ps, lr=lr, betas=(beta1, beta2), eps=eps),
        w0,
        grad_fn,
        ("exp_avg", "exp_avg_sq"),
    )
    ours = ours_trajectory(  # Adam counts steps from 1
        lambda k, w, g, m, v: opt.adam_step(w, g, m, v, k + 1, lr, beta1, beta2, eps),
        w0,
        grad_fn,
        _zeros(w0, 2),
        theirs,
    )
    assert_trajectories_close(ours, theirs)


def test_adam_step_defaults_match_torch_adam_defaults():
    g = torch.tensor([0.3, -1.0, 2.0], dtype=torch.float64)
    p = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    p.grad = g.clone()
    torch.optim.Adam([p]).step()
    z = torch.zeros(3, dtype=torch.float64)
    w, _, _ = opt.adam_step(z, g, z, z, 1)  # lr=1e-3, betas (0.9, 0.999), eps=1e-8
    torch.testing.assert_close(w, p.detach(), **F64)


def test_adam_first_step_moves_each_weight_by_about_lr_against_the_gradient_sign():
    """Bias correction makes m̂_1 = g and v̂_1 = g², so step 1 is −lr·g/(|g| + eps)."""
    g = torch.tensor([1e-3, -5.0, 40.0], dtype=torch.float64)
    w, m, v = opt.adam_step(
        torch.zeros(3, dtype=torch.float64),
        g,
        torch.zeros(3, dtype=torch.float64),
        torch.zeros(3, dtype=torch.float64),
        t=1,
        lr=0.1,
        eps=0.0,
    )
    torch.testing.assert_close(w, -0.1 * torch.sign(g), **F64)
    torch.testing.assert_close(m, 0.1 * g, **F64)
    torch.testing.assert_close(v, 0.001 * g * g, **F64)


# ---------------------------------------------------------------- ewa


def test_ewa_worked_example_beta_0_95():
    """The notes: β = 0.95, V_1 = a_1, V_2 = 0.95·V_1 + 0.05·a_2, V_3 = 0.95·V_2 + 0.05·a_3."""
    a = torch.tensor([10.0, 20.0, 0.0], dtype=torch.float64)
    v = opt.ewa(a, 0.95)
    torch.testing.assert_close(v, torch.tensor([10.0, 10.5, 9.975], dtype=torch.float64))


@given(
    series=float_arrays(st.tuples(st.integers(1, 12), st.integers(1, 3)), bound=100.0),
    beta=st.floats(0.0, 1.0),
)
def test_ewa_matches_torch_swa_utils_ema_averaging(series, beta):
    """torch.optim.swa_utils.AveragedModel with get_ema_multi_avg_fn copies the first value and
    then averages W_t = decay·W_{t−1} + (1 − decay)·a_t: exactly V with V_1 = a_1."""
    module = torch.nn.Linear(1, series.shape[1], bias=False).double()
    averaged = torch.optim.swa_utils.AveragedModel(
        module, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(beta)
    )
    expected = []
    for row in series:
        with torch.no_grad():
            module.weight.copy_(torch.from_numpy(row).reshape(-1, 1))
        averaged.update_parameters(module)
        expected.append(averaged.module.weight.detach().reshape(-1).clone())
    got = opt.ewa(torch.from_numpy(series), beta)
    torch.testing.assert_close(got, torch.stack(expected), **F64)


@given(series=float_arrays(st.integers(1, 15).map(lambda t: (t,)), bound=100.0), beta=decays)
def test_ewa_matches_closed_form_weighted_sum(series, beta):
    """V_t = β^(t−1)·a_1 + (1 − β)·Σ_{k=2..t} β^(t−k)·a_k."""
    a = torch.from_numpy(series)
    expected = []
    for t in range(1, len(series) + 1):
        total = beta ** (t - 1) * a[0]
        for k in range(2, t + 1):
            total = total + (1 - beta) * beta ** (t - k) * a[k - 1]
        expected.append(total)
    torch.testing.assert_close(opt.ewa(a, beta), torch.stack(expected), rtol=1e-9, atol=1e-9)


def test_ewa_of_empty_series_is_empty_and_beta_edges():
    assert opt.ewa(torch.zeros(0), 0.5).shape == (0,)
    a = torch.tensor([1.0, 2.0, 3.0])
    torch.testing.assert_close(opt.ewa(a, 0.0), a)  # no memory: V = a
    torch.testing.assert_close(opt.ewa(a, 1.0), torch.ones(3))  # all memory: V = a_1


# ---------------------------------------------------------------- purity, dtype, device


def _all_calls(w: torch.Tensor, g: torch.Tensor, s1: torch.Tensor, s2: torch.Tensor):
    """Every optimizer called once on (w, g) with non-negative state s1, s2."""
    return {
        "gd_step": lambda: (opt.gd_step(w, g, 0.1),),
        "momentum_step": lambda: opt.momentum_step(w, g, s1, 0.1),
        "adagrad_step": lambda: opt.adagrad_step(w, g, s1, 0.1),
        "rmsprop_step": lambda: opt.rmsprop_step(w, g, s1, 0.1),
        "adadelta_step": lambda: opt.adadelta_step(w, g, s1, s2),
        "adam_step": lambda: opt.adam_step(w, g, s1, s2, 3),
        "ewa": lambda: (opt.ewa(w, 0.9),),
    }


@given(
    arrays=st.integers(1, 4).flatmap(
        lambda n: st.tuples(*[float_arrays((2, n), bound=10.0) for _ in range(4)])
    )
)
def test_optimizers_never_modify_their_inputs(arrays):
    w, g, s1, s2 = (torch.from_numpy(a) for a in arrays)
    s1, s2 = s1.abs(), s2.abs()
    before = [t.clone() for t in (w, g, s1, s2)]
    for name, call in _all_calls(w, g, s1, s2).items():
        outs = call()
        for orig, now in zip(before, (w, g, s1, s2), strict=True):
            assert torch.equal(orig, now), f"{name} modified an input"
        for out in outs:
            assert all(out.data_ptr() != t.data_ptr() for t in (w, g, s1, s2)), name


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_optimizers_return_the_input_dtype(dtype):
    gen = torch.Generator().manual_seed(0)
    w, g, s1, s2 = (torch.randn(3, 2, generator=gen).to(dtype) for _ in range(4))
    for name, call in _all_calls(w, g, s1.abs(), s2.abs()).items():
        for out in call():
            assert out.dtype == dtype, name
            assert out.shape == (3, 2), name


def test_optimizers_return_tensors_on_the_input_device(device):
    gen = torch.Generator().manual_seed(1)
    w, g, s1, s2 = (torch.randn(5, generator=gen).to(device) for _ in range(4))
    for name, call in _all_calls(w, g, s1.abs(), s2.abs()).items():
        for out in call():
            assert out.device == w.device, name


@given(
    arrays=st.tuples(*[extreme_arrays((6,)) for _ in range(4)]),
)
def test_optimizers_stay_finite_for_inputs_in_plus_minus_1000(arrays):
    w, g, s1, s2 = (torch.from_numpy(a) for a in arrays)
    for name, call in _all_calls(w, g, s1.abs(), s2.abs()).items():
        for out in call():
            assert torch.isfinite(out).all(), name


# ---------------------------------------------------------------- bad input


def _vec(n: int = 3, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.zeros(n, dtype=dtype)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: opt.gd_step(_vec(3), _vec(4), 0.1), ["gd_step", "grad", "(4,)"]),
        (lambda: opt.momentum_step(_vec(3), _vec(3), _vec(2), 0.1), ["velocity", "(2,)"]),
        (lambda: opt.adagrad_step(_vec(3), _vec(3), torch.zeros(3, 1), 0.1), ["sum_sq"]),
        (lambda: opt.rmsprop_step(_vec(3), _vec(3), _vec(4), 0.1), ["sq_avg"]),
        (lambda: opt.adadelta_step(_vec(3), _vec(3), _vec(3), _vec(1)), ["delta_avg"]),
        (lambda: opt.adam_step(_vec(3), _vec(3), _vec(3), _vec(5), 1), ["adam_step", "v"]),
        (lambda: opt.gd_step(torch.zeros(3, dtype=torch.int64), _vec(3), 0.1), ["w", "int64"]),
        (lambda: opt.adam_step(_vec(3), _vec(3, torch.float32), _vec(3), _vec(3), 1), ["grad"]),
        (lambda: opt.ewa(torch.tensor(1.0), 0.5), ["ewa", "series"]),
        (lambda: opt.ewa(torch.arange(3), 0.5), ["series"]),
    ],
)
def test_bad_shapes_and_dtypes_raise_value_error_naming_the_argument(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: opt.gd_step(_vec(), _vec(), -0.1), "lr"),
        (lambda: opt.momentum_step(_vec(), _vec(), _vec(), 0.1, beta=1.5), "beta"),
        (lambda: opt.adagrad_step(_vec(), _vec(), _vec(), 0.1, eps=-1.0), "eps"),
        (lambda: opt.rmsprop_step(_vec(), _vec(), _vec(), 0.1, beta=-0.1), "beta"),
        (lambda: opt.adadelta_step(_vec(), _vec(), _vec(), _vec(), rho=2.0), "rho"),
        (lambda: opt.adam_step(_vec(), _vec(), _vec(), _vec(), 0), "t"),
        (lambda: opt.adam_step(_vec(), _vec(), _vec(), _vec(), 1.0), "t"),
        (lambda: opt.adam_step(_vec(), _vec(), _vec(), _vec(), 1, beta1=1.0), "beta1"),
        (lambda: opt.adam_step(_vec(), _vec(), _vec(), _vec(), 1, beta2=1.0), "beta2"),
        (lambda: opt.ewa(_vec(), 1.01), "beta"),
    ],
)
def test_bad_hyper_parameters_raise_value_error_naming_them(call, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()
