"""reference/losses.py against torch.nn.functional's losses, F.one_hot and autograd."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.strategies import (
    binary_pairs,
    extreme_arrays,
    float_dtypes,
    one_hot_rows,
    regression_pairs,
    shapes,
    simplex_rows,
    tensors,
)
from reference import losses as L  # noqa: N812

F64 = torch.float64
REDUCTIONS = ["mean", "sum", "none"]


def _tol(dtype: torch.dtype) -> dict[str, float]:
    return {"rtol": 1e-12, "atol": 1e-14} if dtype == F64 else {"rtol": 1e-5, "atol": 1e-5}


def _autograd_mean_grad(loss_fn, y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    """∂(loss_fn(y_true, y_pred))/∂y_pred by autograd."""
    p = y_pred.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(loss_fn(y_true, p), p)
    return g


# ---------------------------------------------------------------- regression losses

#: name -> (reference loss, reference grad, torch loss taking (input, target, reduction))
REGRESSION = {
    "mse": (L.mse, L.mse_grad, lambda p, y, r: F.mse_loss(p, y, reduction=r)),
    "mae": (L.mae, L.mae_grad, lambda p, y, r: F.l1_loss(p, y, reduction=r)),
    "huber": (L.huber, L.huber_grad, lambda p, y, r: F.huber_loss(p, y, reduction=r, delta=1.0)),
}


@pytest.mark.parametrize("name", list(REGRESSION))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@settings(max_examples=20)
@given(pair=regression_pairs(), dtype=float_dtypes())
def test_regression_loss_matches_torch_functional(name, reduction, pair, dtype):
    ref, _, builtin = REGRESSION[name]
    y, p = (tensors(a, dtype) for a in pair)
    out = ref(y, p, reduction=reduction)
    assert out.shape == (p.shape if reduction == "none" else ())
    torch.testing.assert_close(out, builtin(p, y, reduction), **_tol(dtype))


@pytest.mark.parametrize("name", list(REGRESSION))
@given(pair=regression_pairs(), dtype=float_dtypes())
def test_regression_grad_matches_autograd_of_torch_mean_loss(name, pair, dtype):
    _, grad, builtin = REGRESSION[name]
    y, p = (tensors(a, dtype) for a in pair)
    expected = _autograd_mean_grad(lambda t, q: builtin(q, t, "mean"), y, p)
    torch.testing.assert_close(grad(y, p), expected, **_tol(dtype))


@pytest.mark.parametrize("delta", [0.1, 0.5, 2.0, 7.5])
@given(pair=regression_pairs())
def test_huber_with_any_delta_matches_torch_huber_loss_and_its_autograd(delta, pair):
    y, p = (tensors(a, F64) for a in pair)
    torch.testing.assert_close(
        L.huber(y, p, delta=delta), F.huber_loss(p, y, delta=delta), **_tol(F64)
    )
    expected = _autograd_mean_grad(lambda t, q: F.huber_loss(q, t, delta=delta), y, p)
    torch.testing.assert_close(L.huber_grad(y, p, delta=delta), expected, **_tol(F64))


@given(pair=regression_pairs())
def test_huber_is_half_mse_inside_delta_and_linear_outside(pair):
    y, p = (tensors(a, F64) for a in pair)
    r = (p - y).abs()
    per = L.huber(y, p, delta=1.0, reduction="none")
    inside = r <= 1.0
    torch.testing.assert_close(per[inside], 0.5 * L.mse(y, p, reduction="none")[inside])
    torch.testing.assert_close(per[~inside], r[~inside] - 0.5)


def test_mean_is_over_all_elements_for_two_dimensional_input():
    # (N, D) = (2, 3): the mean divides by N·D = 6, like torch, and the gradient carries 1/6.
    y = torch.zeros(2, 3, dtype=F64)
    p = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]], dtype=F64)
    assert L.mse(y, p).item() == pytest.approx(16.0 / 6)
    assert L.mse(y, p, reduction="sum").item() == 16.0
    assert L.mae(y, p).item() == pytest.approx(8.0 / 6)
    torch.testing.assert_close(L.mse_grad(y, p), 2 * p / 6)
    torch.testing.assert_close(L.mae_grad(y, p), torch.sign(p) / 6)


def test_mae_grad_is_zero_where_prediction_equals_target():
    y = torch.tensor([1.0, 2.0, 3.0], dtype=F64)
    p = torch.tensor([1.0, 5.0, -3.0], dtype=F64)
    assert L.mae_grad(y, p).tolist() == [0.0, 1 / 3, -1 / 3]


@pytest.mark.parametrize("name", list(REGRESSION))
@given(y=extreme_arrays(shapes(min_dims=1, max_dims=2)), dtype=float_dtypes())
def test_regression_losses_finite_for_inputs_up_to_1000(name, y, dtype):
    ref, grad, builtin = REGRESSION[name]
    t = tensors(y, dtype)
    p = torch.flip(t, dims=[0])  # residuals up to 2000
    out = ref(t, p)
    assert torch.isfinite(out) and torch.isfinite(grad(t, p)).all()
    torch.testing.assert_close(out, builtin(p, t, "mean"), **_tol(dtype))


# ---------------------------------------------------------------- binary cross-entropy


@pytest.mark.parametrize("reduction", REDUCTIONS)
@settings(max_examples=20)
@given(pair=binary_pairs(soft=True), dtype=float_dtypes())
def test_binary_cross_entropy_matches_torch_away_from_clipping(reduction, pair, dtype):
    y, p = (tensors(a, dtype) for a in pair)
    torch.testing.assert_close(
        L.binary_cross_entropy(y, p, reduction=reduction),
        F.binary_cross_entropy(p, y, reduction=reduction),
        **_tol(dtype),
    )


@given(pair=binary_pairs(soft=True), dtype=float_dtypes())
def test_binary_cross_entropy_grad_matches_autograd_of_torch_mean_loss(pair, dtype):
    y, p = (tensors(a, dtype) for a in pair)
    expected = _autograd_mean_grad(lambda t, q: F.binary_cross_entropy(q, t), y, p)
    tol = _tol(dtype) if dtype == F64 else {"rtol": 1e-4, "atol": 1e-4}  # 1/p up to 1e6
    torch.testing.assert_close(L.binary_cross_entropy_grad(y, p), expected, **tol)


@given(pair=binary_pairs(include_edges=True), dtype=float_dtypes())
def test_binary_cross_entropy_finite_at_probabilities_0_and_1(pair, dtype):
    y, p = (tensors(a, dtype) for a in pair)
    for reduction in REDUCTIONS:
        assert torch.isfinite(L.binary_cross_entropy(y, p, reduction=reduction)).all()
    assert torch.isfinite(L.binary_cross_entropy_grad(y, p)).all()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_binary_cross_entropy_clips_predictions_to_eps(dtype):
    y = torch.tensor([1.0, 0.0, 1.0, 0.0], dtype=dtype)
    p = torch.tensor([0.0, 1.0, 1.0, 0.0], dtype=dtype)
    per = L.binary_cross_entropy(y, p, reduction="none")
    # p = 0 is clipped to eps; p = 1 to 1 − eps, whose complement is 1 − (1 − eps) as computed in
    # float64 (what NumPy's clip-then-log gives), or eps in float32 where 1 − eps rounds to 1.
    complement = 1.0 - (1.0 - 1e-12) if dtype == torch.float64 else 1e-12
    expected = torch.tensor([-math.log(1e-12), -math.log(complement)], dtype=dtype)
    torch.testing.assert_close(per[:2], expected, rtol=1e-12, atol=0.0)
    assert per[2:].abs().max() < 1e-6  # confident and right: (almost) no loss
    big = L.binary_cross_entropy(y, p, eps=1e-3, reduction="none")
    torch.testing.assert_close(big[:2], torch.full((2,), -math.log(1e-3), dtype=dtype))


def test_binary_cross_entropy_grad_at_clipped_predictions_is_the_formula_at_eps():
    # The documented convention: the analytic derivative evaluated at the clipped probability.
    y = torch.tensor([1.0, 0.0], dtype=F64)
    p = torch.tensor([0.0, 1.0], dtype=F64)
    g = L.binary_cross_entropy_grad(y, p, eps=1e-3)
    torch.testing.assert_close(g, torch.tensor([-1 / 1e-3, 1 / 1e-3], dtype=F64) / 2)


# ---------------------------------------------------------------- categorical cross-entropy


@st.composite
def categorical_cases(draw, dtypes=None):
    p = draw(simplex_rows())
    n, c = p.shape
    y = draw(one_hot_rows(n, c))
    return y, p, draw(float_dtypes() if dtypes is None else dtypes)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@settings(max_examples=20)
@given(case=categorical_cases())
def test_categorical_cross_entropy_matches_nll_loss_on_log_probabilities(reduction, case):
    y, p, dtype = case
    yt, pt = tensors(y, dtype), tensors(p, dtype)
    labels = yt.argmax(dim=1)
    expected = F.nll_loss(torch.log(pt), labels, reduction=reduction)
    out = L.categorical_cross_entropy(yt, pt, reduction=reduction)
    assert out.shape == ((p.shape[0],) if reduction == "none" else ())
    torch.testing.assert_close(out, expected, **_tol(dtype))


@given(case=categorical_cases(), data=st.data())
def test_categorical_cross_entropy_of_softmax_equals_cross_entropy_of_logits(case, data):
    y, _, dtype = case
    logits = tensors(data.draw(extreme_arrays(y.shape)) / 100.0, dtype)  # |z| ≤ 10
    yt = tensors(y, dtype)
    p = torch.softmax(logits, dim=1)
    expected = F.cross_entropy(logits, yt.argmax(dim=1))
    torch.testing.assert_close(L.categorical_cross_entropy(yt, p), expected, **_tol(dtype))


@given(case=categorical_cases())
def test_categorical_cross_entropy_with_soft_targets_matches_the_direct_formula(case):
    _, p, _ = case
    y = np.flip(p, axis=1).copy()  # another distribution as a soft target
    yt, pt = tensors(y, F64), tensors(p, F64)
    expected = -(yt * torch.log(pt)).sum(dim=1).mean()
    torch.testing.assert_close(L.categorical_cross_entropy(yt, pt), expected, **_tol(F64))


@given(case=categorical_cases())
def test_categorical_cross_entropy_grad_matches_autograd_of_mean_nll_loss(case):
    y, p, dtype = case
    yt, pt = tensors(y, dtype), tensors(p, dtype)
    labels = yt.argmax(dim=1)
    expected = _autograd_mean_grad(lambda t, q: F.nll_loss(torch.log(q), labels), yt, pt)
    tol = _tol(dtype) if dtype == F64 else {"rtol": 1e-4, "atol": 1e-4}
    torch.testing.assert_close(L.categorical_cross_entropy_grad(yt, pt), expected, **tol)


def test_categorical_cross_entropy_averages_over_samples_not_entries():
    y = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype=F64)
    p = torch.tensor([[0.5, 0.25, 0.25], [0.2, 0.3, 0.5]], dtype=F64)
    expected = -(math.log(0.5) + math.log(0.5)) / 2  # N = 2, not N·C = 6
    assert L.categorical_cross_entropy(y, p).item() == pytest.approx(expected)
    assert L.categorical_cross_entropy(y, p, reduction="sum").item() == pytest.approx(2 * expected)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_categorical_cross_entropy_finite_when_the_true_class_has_probability_0(dtype):
    y = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)
    p = torch.tensor([[0.0, 1.0], [0.0, 1.0]], dtype=dtype)
    per = L.categorical_cross_entropy(y, p, reduction="none")
    torch.testing.assert_close(per[0], torch.tensor(-math.log(1e-12), dtype=dtype))
    assert per[1].abs() < 1e-6
    g = L.categorical_cross_entropy_grad(y, p)
    assert torch.isfinite(g).all()
    torch.testing.assert_close(g[0, 0], torch.tensor(-1 / 1e-12 / 2, dtype=dtype))


def test_cross_entropies_in_float16_clip_at_its_smallest_normal_and_stay_finite():
    """float16 cannot hold eps = 1e-12 (it rounds to 0, and log 0 = −∞): the clip uses float16's
    smallest normal number instead, so p = 0 and p = 1 still give large but finite losses and
    gradients, equal to the float64 formulas evaluated with that eps."""
    tiny = torch.finfo(torch.float16).tiny  # 2^-14 ≈ 6.1e-5
    y = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=F64)
    p = torch.tensor([[0.0, 1.0], [0.25, 0.75]], dtype=F64)
    y16, p16 = y.half(), p.half()
    bce = L.binary_cross_entropy(y16, p16, reduction="none")
    bce_grad = L.binary_cross_entropy_grad(y16, p16)
    cce = L.categorical_cross_entropy(y16, p16, reduction="none")
    cce_grad = L.categorical_cross_entropy_grad(y16, p16)
    leaf = p16.clone().requires_grad_(True)
    L.categorical_cross_entropy(y16, leaf).backward()
    for out in (bce, bce_grad, cce, cce_grad, leaf.grad):
        assert out.dtype == torch.float16 and torch.isfinite(out).all()
    # independent float64 truth: clip to [tiny, 1 − tiny], 1 − p replaced by tiny where it is 0
    # in float16 (1 − 2^-14 rounds to 1 there)
    pc = p.clamp(tiny, 1 - tiny)
    q = torch.where(p16.double().clamp(tiny, 1) >= 1, torch.full_like(p, tiny), 1 - pc)
    want_bce = -(y * pc.log() + (1 - y) * q.log())
    want_bce_grad = (-y / pc + (1 - y) / q) / 4
    torch.testing.assert_close(bce.double(), want_bce, rtol=2e-3, atol=2e-3)
    torch.testing.assert_close(bce_grad.double(), want_bce_grad, rtol=2e-3, atol=2e-3)
    torch.testing.assert_close(cce.double(), -(y * pc.log()).sum(1), rtol=2e-3, atol=2e-3)
    torch.testing.assert_close(cce_grad.double(), -y / pc / 2, rtol=2e-3, atol=2e-3)


# ---------------------------------------------------------------- one_hot


@given(
    labels=st.lists(st.integers(0, 6), min_size=0, max_size=12),
    extra=st.integers(0, 3),
)
def test_one_hot_matches_torch_one_hot(labels, extra):
    t = torch.tensor(labels, dtype=torch.int64)
    c = (max(labels) + 1 if labels else 1) + extra
    out = L.one_hot(t, c)
    assert out.dtype == F64
    torch.testing.assert_close(out, F.one_hot(t, c).to(F64))


def test_one_hot_of_the_notes_good_bad_neutral_table():
    # The notes encode Good, Bad, Neutral as [1 0 0], [0 1 0], [0 0 1].
    labels = torch.tensor([0, 1, 2])  # Good, Bad, Neutral
    assert L.one_hot(labels, 3).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]


def test_one_hot_of_a_matrix_of_labels_adds_a_last_axis():
    t = torch.tensor([[0, 2], [1, 1]], dtype=torch.int32)
    out = L.one_hot(t, 3, dtype=torch.float32)
    assert out.shape == (2, 2, 3) and out.dtype == torch.float32
    torch.testing.assert_close(out, F.one_hot(t.long(), 3).float())


def test_one_hot_feeds_categorical_cross_entropy():
    labels = torch.tensor([2, 0])
    p = torch.tensor([[0.1, 0.1, 0.8], [0.6, 0.3, 0.1]], dtype=F64)
    loss = L.categorical_cross_entropy(L.one_hot(labels, 3), p)
    assert loss.item() == pytest.approx(-(math.log(0.8) + math.log(0.6)) / 2)


# ---------------------------------------------------------------- bad input

PAIR_FUNCTIONS = [
    L.mse,
    L.mse_grad,
    L.mae,
    L.mae_grad,
    L.huber,
    L.huber_grad,
    L.binary_cross_entropy,
    L.binary_cross_entropy_grad,
    L.categorical_cross_entropy,
    L.categorical_cross_entropy_grad,
]
LOSSES = [L.mse, L.mae, L.huber, L.binary_cross_entropy, L.categorical_cross_entropy]


@pytest.mark.parametrize("fn", PAIR_FUNCTIONS, ids=lambda f: f.__name__)
def test_mismatched_shapes_are_rejected_naming_y_true(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: y_true has shape \(2, 4\)"):
        fn(torch.ones(2, 4, dtype=F64), torch.full((2, 3), 0.5, dtype=F64))


@pytest.mark.parametrize("fn", PAIR_FUNCTIONS, ids=lambda f: f.__name__)
def test_non_float_or_mixed_dtypes_are_rejected(fn):
    p = torch.full((2, 3), 0.5, dtype=F64)
    with pytest.raises(ValueError, match="y_true must have a floating dtype"):
        fn(torch.ones(2, 3, dtype=torch.int64), p)
    with pytest.raises(ValueError, match=r"y_true has dtype torch\.float32"):
        fn(torch.ones(2, 3, dtype=torch.float32), p)


@pytest.mark.parametrize("fn", LOSSES, ids=lambda f: f.__name__)
def test_unknown_reduction_is_rejected(fn):
    p = torch.full((2, 3), 0.5, dtype=F64)
    with pytest.raises(ValueError, match="reduction must be one of"):
        fn(p, p, reduction="average")


@pytest.mark.parametrize("fn", [L.huber, L.huber_grad], ids=lambda f: f.__name__)
@pytest.mark.parametrize("delta", [0.0, -1.0, float("nan")])
def test_huber_rejects_non_positive_delta(fn, delta):
    p = torch.ones(3, dtype=F64)
    with pytest.raises(ValueError, match="delta must be > 0"):
        fn(p, p, delta=delta)


@pytest.mark.parametrize(
    "fn",
    [
        L.binary_cross_entropy,
        L.binary_cross_entropy_grad,
        L.categorical_cross_entropy,
        L.categorical_cross_entropy_grad,
    ],
    ids=lambda f: f.__name__,
)
@pytest.mark.parametrize("eps", [0.0, -1e-12, 0.5, 2.0])
def test_cross_entropy_rejects_eps_outside_zero_to_half(fn, eps):
    p = torch.full((2, 2), 0.5, dtype=F64)
    with pytest.raises(ValueError, match="eps must be a real number in"):
        fn(p, p, eps=eps)


@pytest.mark.parametrize(
    "fn", [L.categorical_cross_entropy, L.categorical_cross_entropy_grad], ids=lambda f: f.__name__
)
def test_categorical_cross_entropy_requires_n_by_c_inputs(fn):
    p = torch.full((3,), 1 / 3, dtype=F64)
    with pytest.raises(ValueError, match=r"y_pred has shape \(3,\), expected \(N, C\)"):
        fn(p, p)


def test_empty_input_is_rejected():
    with pytest.raises(ValueError, match="at least 1 element"):
        L.mse(torch.ones(0, dtype=F64), torch.ones(0, dtype=F64))


def test_one_hot_rejects_bad_labels_and_num_classes():
    with pytest.raises(ValueError, match="labels must have an integer dtype"):
        L.one_hot(torch.tensor([0.0, 1.0]), 2)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        L.one_hot(torch.tensor([0, 3]), 3)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        L.one_hot(torch.tensor([-1, 0]), 3)
    with pytest.raises(ValueError, match="num_classes must be > 0"):
        L.one_hot(torch.tensor([0]), 0)
    with pytest.raises(ValueError, match="num_classes must be an integer"):
        L.one_hot(torch.tensor([0]), 2.0)


# ---------------------------------------------------------------- dtype and device


def _all_calls(y: torch.Tensor, p: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every loss (each reduction) and gradient on (N, C) one-hot y and probabilities p."""
    out = {}
    for fn in LOSSES:
        for r in REDUCTIONS:
            out[f"{fn.__name__}/{r}"] = fn(y, p, reduction=r)
    for fn in PAIR_FUNCTIONS:
        if fn not in LOSSES:
            out[fn.__name__] = fn(y, p)
    return out


def _inputs(dtype: torch.dtype, device: str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    y = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype=dtype, device=device)
    p = torch.tensor([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]], dtype=dtype, device=device)
    return y, p


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_every_function_returns_the_input_dtype(dtype):
    for name, out in _all_calls(*_inputs(dtype)).items():
        assert out.dtype == dtype, name


def test_every_function_returns_on_the_input_device(device):
    cpu = _all_calls(*_inputs(torch.float32))
    for name, out in _all_calls(*_inputs(torch.float32, device)).items():
        assert out.device.type == torch.device(device).type, name
        torch.testing.assert_close(out.cpu(), cpu[name])
    labels = torch.tensor([0, 2], device=device)
    assert L.one_hot(labels, 3).device == labels.device


@settings(max_examples=10)
@given(pair=binary_pairs(include_edges=True))
def test_functions_do_not_modify_their_inputs(pair):
    y, p = (tensors(a, F64) for a in pair)
    y0, p0 = y.clone(), p.clone()
    for fn in PAIR_FUNCTIONS[:8]:  # the elementwise ones accept any shape
        fn(y, p)
    assert torch.equal(y, y0) and torch.equal(p, p0)


# --- categorical_cross_entropy's hand-written backward ----------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_categorical_cross_entropy_passes_gradcheck_in_both_arguments_in_float64(reduction):
    g = torch.Generator().manual_seed(11)
    y_true = torch.softmax(torch.randn(4, 5, generator=g, dtype=torch.float64), dim=1)
    y_pred = torch.softmax(torch.randn(4, 5, generator=g, dtype=torch.float64), dim=1)
    assert torch.autograd.gradcheck(
        lambda t, p: L.categorical_cross_entropy(t, p, reduction=reduction),
        (y_true.requires_grad_(True), y_pred.requires_grad_(True)),
    )


def test_categorical_cross_entropy_gradient_is_zero_where_the_clip_is_active_as_torch_clamp():
    eps = 1e-3
    y_true = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]], dtype=torch.float64)
    # below eps, exactly at eps, exactly at 1 − eps, above 1 − eps, NaN, inside
    y_pred = torch.tensor([[1e-5, eps, 1 - eps], [1.0, float("nan"), 0.3]], dtype=torch.float64)
    a, e = y_pred.clone().requires_grad_(True), y_pred.clone().requires_grad_(True)
    L.categorical_cross_entropy(y_true, a, eps=eps).backward()
    direct = -(y_true * torch.log(torch.clamp(e, eps, 1 - eps))).sum(dim=1).mean()
    direct.backward()
    torch.testing.assert_close(a.grad, e.grad, rtol=1e-12, atol=0)
    assert a.grad[0, 0] == 0 and a.grad[1, 1] == 0


def test_categorical_cross_entropy_gradient_of_the_targets_is_minus_log_p_over_n():
    y_true = torch.tensor([[0.2, 0.8], [1.0, 0.0]], dtype=torch.float64, requires_grad=True)
    y_pred = torch.tensor([[0.5, 0.5], [0.9, 0.1]], dtype=torch.float64)
    L.categorical_cross_entropy(y_true, y_pred).backward()
    torch.testing.assert_close(y_true.grad, -torch.log(y_pred) / 2, rtol=1e-12, atol=0)
