"""reference.conv against torch.nn.functional (conv2d, pad, max_pool2d, avg_pool2d), autograd,
finite differences and the notes' worked examples."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.strategies import conv_cases, float_arrays, pool_cases, shapes, tensors
from reference import conv

F64 = {"rtol": 1e-10, "atol": 1e-9}


def _t(case: dict[str, object], *names: str, grad: bool = False) -> list[torch.Tensor]:
    return [tensors(case[n]).requires_grad_(grad) for n in names]  # type: ignore[arg-type]


# --- sizes -----------------------------------------------------------------------------------


@given(
    n=st.integers(1, 12),
    f=st.integers(1, 7),
    padding=st.integers(0, 3),
    stride=st.integers(1, 4),
)
def test_conv_output_size_equals_the_side_of_torch_conv2d_output(n, f, padding, stride):
    if f > n + 2 * padding:
        with pytest.raises(ValueError, match="f="):
            conv.conv_output_size(n, f, padding, stride)
        return
    got = conv.conv_output_size(n, f, padding=padding, stride=stride)
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, f, f), stride=stride, padding=padding)
    assert type(got) is int
    assert got == out.shape[-1]


@given(n=st.integers(1, 12), size=st.integers(1, 5), stride=st.integers(1, 4))
def test_pool_output_size_equals_the_side_of_torch_max_pool2d_output(n, size, stride):
    if size > n:
        with pytest.raises(ValueError, match="size"):
            conv.pool_output_size(n, size, stride)
        return
    got = conv.pool_output_size(n, size, stride)
    assert type(got) is int
    assert got == F.max_pool2d(torch.zeros(1, 1, n, n), size, stride).shape[-1]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n": 6, "f": 3, "padding": -1}, "padding"),
        ({"n": 6, "f": 3, "stride": 0}, "stride"),
        ({"n": 6.0, "f": 3}, "n"),
        ({"n": 6, "f": 0}, "f"),
        ({"n": 6, "f": True}, "f"),
    ],
)
def test_conv_output_size_rejects_bad_hyper_parameters_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=rf"conv_output_size: {name}"):
        conv.conv_output_size(**kwargs)


def test_conv_output_size_accepts_numpy_integers():
    import numpy as np

    assert conv.conv_output_size(np.int64(6), np.int32(3)) == 4


# --- padding ---------------------------------------------------------------------------------


@given(x=float_arrays(shapes(min_dims=2, max_dims=4, max_side=5)), p=st.integers(0, 3))
def test_pad2d_zero_matches_F_pad_constant(x, p):
    t = tensors(x)
    expected = F.pad(t, (p, p, p, p), mode="constant", value=0.0)
    torch.testing.assert_close(conv.pad2d(t, p), expected, rtol=0, atol=0)
    torch.testing.assert_close(conv.pad2d(t, p, mode="zero"), expected, rtol=0, atol=0)


@given(x=float_arrays(shapes(min_dims=2, max_dims=4, max_side=5)), p=st.integers(0, 3))
def test_pad2d_edge_matches_F_pad_replicate(x, p):
    t = tensors(x)
    # F.pad's replicate mode wants (C, H, W): fold every leading axis into one
    flat = t.reshape(-1, *t.shape[-2:])
    expected = F.pad(flat, (p, p, p, p), mode="replicate")
    expected = expected.reshape(*t.shape[:-2], *expected.shape[-2:])
    torch.testing.assert_close(conv.pad2d(t, p, mode="edge"), expected, rtol=0, atol=0)


def test_pad2d_gradient_sums_the_copies_of_each_border_cell():
    x = torch.arange(6.0, dtype=torch.float64).reshape(2, 3).requires_grad_()
    conv.pad2d(x, 1, mode="edge").sum().backward()
    # corners are copied 4 times, other border cells 2 times (2×3: no interior cell)
    assert x.grad.tolist() == [[4.0, 2.0, 4.0], [4.0, 2.0, 4.0]]
    x.grad = None
    conv.pad2d(x, 2, mode="zero").sum().backward()
    assert x.grad.tolist() == [[1.0] * 3] * 2


def test_pad2d_returns_a_new_tensor():
    x = torch.ones(2, 2, dtype=torch.float64)
    out = conv.pad2d(x, 0)
    out += 1
    assert x.tolist() == [[1.0, 1.0], [1.0, 1.0]]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((torch.zeros(3, 3), 1, "reflect"), "mode"),
        ((torch.zeros(3, 3), -1), "p must be"),
        ((torch.zeros(3), 1), r"x has shape \(3,\)"),
        ((torch.zeros(3, 3, dtype=torch.int64), 1), "x must have a floating dtype"),
        ((torch.zeros(0, 3), 1, "edge"), "non-empty"),
    ],
)
def test_pad2d_rejects_bad_input_naming_the_argument(args, match):
    with pytest.raises(ValueError, match=match):
        conv.pad2d(*args)


# --- convolution -----------------------------------------------------------------------------


@given(case=conv_cases(max_batch=1, max_channels=1, max_filters=1, max_side=9))
def test_conv2d_single_channel_matches_F_conv2d(case):
    x, k = _t(case, "x", "weight")
    s, p = case["stride"], case["padding"]
    got = conv.conv2d(x[0, 0], k[0, 0], stride=s, padding=p)
    expected = F.conv2d(x, k, stride=s, padding=p)[0, 0]
    torch.testing.assert_close(got, expected, **F64)


def test_conv2d_is_cross_correlation_not_flipped_convolution():
    x = torch.zeros(3, 3, dtype=torch.float64)
    x[0, 0] = 1.0  # a single bright pixel in the top-left corner
    k = torch.arange(1.0, 10.0, dtype=torch.float64).reshape(3, 3)
    # the output is Σ x·k without flipping: the pixel meets k[0, 0] = 1, not k[2, 2] = 9
    assert conv.conv2d(x, k).item() == 1.0


@given(case=conv_cases())
def test_conv2d_multi_matches_F_conv2d(case):
    x, w, b = _t(case, "x", "weight", "bias")
    s, p = case["stride"], case["padding"]
    got = conv.conv2d_multi(x, w, b, stride=s, padding=p)
    torch.testing.assert_close(got, F.conv2d(x, w, b, stride=s, padding=p), **F64)


@given(case=conv_cases())
def test_conv2d_multi_with_bias_none_matches_F_conv2d_without_bias(case):
    x, w = _t(case, "x", "weight")
    s, p = case["stride"], case["padding"]
    got = conv.conv2d_multi(x, w, None, stride=s, padding=p)
    torch.testing.assert_close(got, F.conv2d(x, w, None, stride=s, padding=p), **F64)


@given(case=conv_cases())
def test_conv2d_multi_gradients_match_autograd_of_F_conv2d(case):
    x, w, b = _t(case, "x", "weight", "bias", grad=True)
    s, p = case["stride"], case["padding"]
    ours = conv.conv2d_multi(x, w, b, stride=s, padding=p)
    theirs = F.conv2d(x, w, b, stride=s, padding=p)
    g = torch.linspace(-1.0, 1.0, ours.numel(), dtype=ours.dtype).reshape(ours.shape)
    for a, e in zip(
        torch.autograd.grad(ours, (x, w, b), g),
        torch.autograd.grad(theirs, (x, w, b), g),
        strict=True,
    ):
        torch.testing.assert_close(a, e, **F64)


def _fortran(a: object) -> torch.Tensor:
    """A Fortran-ordered array as torch sees it (``torch.from_numpy`` keeps the strides): the
    layout the grader hands over when a learner-facing input is not C-contiguous."""
    return torch.from_numpy(np.asfortranarray(a))  # (sizes-1 axes aside) not C-contiguous


@settings(max_examples=15)
@given(case=conv_cases())
def test_conv2d_multi_and_max_pool2d_on_fortran_ordered_inputs_match_F_values_and_gradients(case):
    """The hand-written backward passes read strides, not only shapes: on non-contiguous x and
    weight (and a non-contiguous upstream gradient) values and gradients still equal torch's."""
    s, p = case["stride"], case["padding"]
    x, w, b = (_fortran(case[n]).requires_grad_(True) for n in ("x", "weight", "bias"))
    xe, we, be = _t(case, "x", "weight", "bias", grad=True)
    ours = conv.conv2d_multi(x, w, b, stride=s, padding=p)
    theirs = F.conv2d(xe, we, be, stride=s, padding=p)
    torch.testing.assert_close(ours, theirs, **F64)
    g = _fortran(torch.linspace(-1.0, 1.0, ours.numel(), dtype=ours.dtype).reshape(ours.shape))
    for a, e in zip(
        torch.autograd.grad(ours, (x, w, b), g),
        torch.autograd.grad(theirs, (xe, we, be), g.contiguous()),
        strict=True,
    ):
        torch.testing.assert_close(a, e, **F64)
    size = min(2, *case["x"].shape[2:])
    pooled = conv.max_pool2d(x, size, 1)
    expected = F.max_pool2d(xe, size, 1)
    torch.testing.assert_close(pooled, expected, **F64)
    gp = _fortran(torch.cos(torch.arange(pooled.numel(), dtype=pooled.dtype)).reshape(pooled.shape))
    (ga,) = torch.autograd.grad(pooled, x, gp)
    (ge,) = torch.autograd.grad(expected, xe, gp.contiguous())
    torch.testing.assert_close(ga, ge, **F64)


@settings(max_examples=6)
@given(
    case=conv_cases(
        max_batch=1, max_channels=2, max_filters=2, max_side=4, max_kernel=3, max_padding=1
    )
)
def test_conv2d_multi_passes_gradcheck_in_float64(case):
    x, w, b = _t(case, "x", "weight", "bias", grad=True)
    s, p = case["stride"], case["padding"]
    assert torch.autograd.gradcheck(
        lambda x, w, b: conv.conv2d_multi(x, w, b, stride=s, padding=p), (x, w, b)
    )


def test_conv2d_multi_is_stable_for_inputs_up_to_1000():
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(2, 3, 6, 6, generator=g, dtype=torch.float64) * 2 - 1) * 1000
    w = (torch.rand(4, 3, 3, 3, generator=g, dtype=torch.float64) * 2 - 1) * 1000
    b = torch.full((4,), 1000.0, dtype=torch.float64)
    got = conv.conv2d_multi(x, w, b, stride=2, padding=1)
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got, F.conv2d(x, w, b, stride=2, padding=1), rtol=1e-12, atol=1e-6)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((torch.zeros(1, 2, 5, 5), torch.zeros(3, 1, 3, 3), torch.zeros(3)), {}, "weight has"),
        ((torch.zeros(2, 5, 5), torch.zeros(3, 2, 3, 3), torch.zeros(3)), {}, "x has shape"),
        ((torch.zeros(1, 2, 5, 5), torch.zeros(3, 2, 3, 3), torch.zeros(2)), {}, "bias has"),
        ((torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 3, 3), torch.zeros(1)), {}, "does not fit"),
        (
            (torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), torch.zeros(1)),
            {"stride": 0},
            "stride",
        ),
        (
            (torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), torch.zeros(1)),
            {"padding": -1},
            "padding",
        ),
        (
            (torch.zeros(1, 1, 5, 5, dtype=torch.int64), torch.zeros(1, 1, 3, 3), torch.zeros(1)),
            {},
            "floating dtype",
        ),
        (
            (torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3, dtype=torch.float64), torch.zeros(1)),
            {},
            "dtype",
        ),
    ],
)
def test_conv2d_multi_rejects_bad_input_naming_the_argument(args, kwargs, match):
    with pytest.raises(ValueError, match=rf"conv2d_multi: .*{match}"):
        conv.conv2d_multi(*args, **kwargs)


@pytest.mark.parametrize(
    ("x", "kernel", "match"),
    [
        (torch.zeros(1, 5, 5), torch.zeros(3, 3), "x has shape"),
        (torch.zeros(5, 5), torch.zeros(1, 3, 3), "kernel has shape"),
        (torch.zeros(2, 5), torch.zeros(3, 3), "does not fit"),
    ],
)
def test_conv2d_rejects_bad_input_naming_the_argument(x, kernel, match):
    with pytest.raises(ValueError, match=rf"conv2d: .*{match}"):
        conv.conv2d(x, kernel)


# --- pooling and flatten ---------------------------------------------------------------------


@given(case=pool_cases())
def test_max_pool2d_matches_F_max_pool2d(case):
    (x,) = _t(case, "x")
    got = conv.max_pool2d(x, case["size"], case["stride"])
    torch.testing.assert_close(got, F.max_pool2d(x, case["size"], case["stride"]), rtol=0, atol=0)


@given(case=pool_cases(ties=True))
def test_max_pool2d_with_tied_maxima_matches_F_max_pool2d_values_and_gradients(case):
    # Tie-breaking: both send a window's gradient to its first maximum in row-major order.
    (x,) = _t(case, "x", grad=True)
    size, stride = case["size"], case["stride"]
    ours, theirs = conv.max_pool2d(x, size, stride), F.max_pool2d(x, size, stride)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)
    g = torch.arange(1.0, ours.numel() + 1, dtype=ours.dtype).reshape(ours.shape)
    (ga,) = torch.autograd.grad(ours, x, g)
    (ge,) = torch.autograd.grad(theirs, x, g)
    torch.testing.assert_close(ga, ge, rtol=0, atol=0)


def test_max_pool2d_default_stride_equals_size():
    x = torch.arange(36.0, dtype=torch.float64).reshape(1, 1, 6, 6)
    assert conv.max_pool2d(x, 3).shape == (1, 1, 2, 2)
    assert conv.max_pool2d(x).shape == (1, 1, 3, 3)
    assert conv.max_pool2d(x, 3, 1).shape == (1, 1, 4, 4)


@given(case=pool_cases())
def test_avg_pool2d_matches_F_avg_pool2d_values_and_gradients(case):
    (x,) = _t(case, "x", grad=True)
    size, stride = case["size"], case["stride"]
    ours, theirs = conv.avg_pool2d(x, size, stride), F.avg_pool2d(x, size, stride)
    torch.testing.assert_close(ours, theirs, **F64)
    g = torch.linspace(-2.0, 2.0, ours.numel(), dtype=ours.dtype).reshape(ours.shape)
    (ga,) = torch.autograd.grad(ours, x, g)
    (ge,) = torch.autograd.grad(theirs, x, g)
    torch.testing.assert_close(ga, ge, **F64)


@pytest.mark.parametrize("pool", [conv.max_pool2d, conv.avg_pool2d])
@pytest.mark.parametrize(
    ("x", "kwargs", "match"),
    [
        (torch.zeros(1, 1, 2, 2), {"size": 3}, "smaller than"),
        (torch.zeros(1, 1, 4, 4), {"size": 0}, "size must be"),
        (torch.zeros(1, 1, 4, 4), {"size": 2, "stride": 0}, "stride must be"),
        (torch.zeros(4, 4), {}, "x has shape"),
        (torch.zeros(1, 1, 4, 4, dtype=torch.int32), {}, "floating dtype"),
    ],
)
def test_pooling_rejects_bad_input_naming_the_argument(pool, x, kwargs, match):
    with pytest.raises(ValueError, match=rf"{pool.__name__}: .*{match}"):
        pool(x, **kwargs)


@given(x=float_arrays(shapes(min_dims=1, max_dims=5, max_side=4)))
def test_flatten_matches_torch_flatten_from_axis_1(x):
    t = tensors(x)
    expected = torch.flatten(t, 1) if t.dim() > 1 else t[:, None]
    torch.testing.assert_close(conv.flatten(t), expected, rtol=0, atol=0)


def test_flatten_orders_channel_then_row_then_column():
    x = torch.arange(2 * 2 * 2 * 3, dtype=torch.float64).reshape(2, 2, 2, 3)
    assert conv.flatten(x)[1].tolist() == list(range(12, 24))


def test_flatten_rejects_a_0d_tensor():
    with pytest.raises(ValueError, match="flatten: x has shape"):
        conv.flatten(torch.tensor(1.0))


# --- the notes' worked examples --------------------------------------------------------------


def _edge_image() -> torch.Tensor:
    """A 6×6 image with one sharp horizontal edge: three dark rows (0) above three bright (1)."""
    img = torch.zeros(6, 6, dtype=torch.float64)
    img[3:] = 1.0
    return img


def test_worked_example_6x6_image_3x3_filter_no_padding_gives_4x4():
    assert conv.conv_output_size(6, 3) == 4  # m − f + 1
    assert conv.conv2d(torch.rand(6, 6), torch.rand(3, 3)).shape == (4, 4)


def test_worked_example_padding_1_keeps_a_6x6_image_6x6():
    assert conv.conv_output_size(6, 3, padding=1) == 6  # m + 2p − f + 1 = 6 + 2 − 3 + 1
    assert conv.conv2d(torch.rand(6, 6), torch.rand(3, 3), padding=1).shape == (6, 6)


def test_edge_filters_are_the_notes_float64_3x3_filters():
    assert conv.HORIZONTAL_EDGE.dtype == torch.float64
    assert conv.VERTICAL_EDGE.dtype == torch.float64
    assert conv.HORIZONTAL_EDGE.tolist() == [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]
    assert conv.VERTICAL_EDGE.tolist() == [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
    assert torch.equal(conv.VERTICAL_EDGE, conv.HORIZONTAL_EDGE.T)


def test_worked_example_horizontal_edge_filter_gives_two_rows_of_minus_4():
    out = conv.conv2d(_edge_image(), conv.HORIZONTAL_EDGE)
    assert out.tolist() == [[0, 0, 0, 0], [-4, -4, -4, -4], [-4, -4, -4, -4], [0, 0, 0, 0]]


def test_worked_example_vertical_edge_filter_gives_two_columns_of_minus_4():
    out = conv.conv2d(_edge_image().T, conv.VERTICAL_EDGE)  # the edge turned upright
    assert out.tolist() == [[0, -4, -4, 0]] * 4


def test_edge_filters_ignore_an_edge_in_the_other_direction():
    assert conv.conv2d(_edge_image().T, conv.HORIZONTAL_EDGE).abs().max() == 0
    assert conv.conv2d(_edge_image(), conv.VERTICAL_EDGE).abs().max() == 0


def test_worked_example_2x2_max_pool_of_4x4_map_gives_block_maxima():
    fmap = torch.tensor(
        [[5, 7, 7, 9], [3, 5, 2, 1], [6, 5, 1, 4], [3, 1, 8, 2]], dtype=torch.float64
    )
    out = conv.max_pool2d(fmap[None, None], 2)[0, 0]
    assert out.tolist() == [[7, 9], [6, 8]]


# --- devices and dtypes ----------------------------------------------------------------------


def test_every_function_keeps_the_input_device(device):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(2, 3, 7, 6, generator=g, dtype=torch.float64).to(device)
    w = torch.randn(4, 3, 3, 2, generator=g, dtype=torch.float64).to(device)
    b = torch.randn(4, generator=g, dtype=torch.float64).to(device)
    outputs = {
        "conv2d_multi": (
            conv.conv2d_multi(x, w, b, stride=2, padding=1),
            F.conv2d(x, w, b, stride=2, padding=1),
        ),
        "conv2d": (conv.conv2d(x[0, 0], w[0, 0]), F.conv2d(x[:1, :1], w[:1, :1])[0, 0]),
        "pad2d": (conv.pad2d(x, 2, "edge"), F.pad(x, (2, 2, 2, 2), mode="replicate")),
        "max_pool2d": (conv.max_pool2d(x, 3, 2), F.max_pool2d(x, 3, 2)),
        "avg_pool2d": (conv.avg_pool2d(x), F.avg_pool2d(x, 2)),
        "flatten": (conv.flatten(x), torch.flatten(x, 1)),
    }
    for name, (got, expected) in outputs.items():
        assert got.device == x.device, name
        torch.testing.assert_close(got, expected, **F64, msg=name)


def test_conv2d_multi_rejects_tensors_on_two_devices(device):
    if device == "cpu":
        pytest.skip("needs a second device")
    x = torch.zeros(1, 1, 4, 4, device=device)
    with pytest.raises(ValueError, match="one device"):
        conv.conv2d_multi(x, torch.zeros(1, 1, 3, 3), torch.zeros(1))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_every_function_returns_the_input_dtype(dtype):
    g = torch.Generator().manual_seed(2)
    x = torch.randn(2, 2, 5, 5, generator=g).to(dtype)
    w = torch.randn(3, 2, 3, 3, generator=g).to(dtype)
    b = torch.randn(3, generator=g).to(dtype)
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == torch.float32 else F64
    got = conv.conv2d_multi(x, w, b, padding=1)
    assert got.dtype == dtype
    torch.testing.assert_close(got, F.conv2d(x, w, b, padding=1), **tol)
    for out in (
        conv.conv2d(x[0, 0], w[0, 0]),
        conv.pad2d(x, 1),
        conv.pad2d(x, 1, "edge"),
        conv.max_pool2d(x),
        conv.avg_pool2d(x),
        conv.flatten(x),
    ):
        assert out.dtype == dtype


def test_pooling_and_padding_work_in_bfloat16():
    x = torch.randn(2, 2, 6, 6, generator=torch.Generator().manual_seed(3)).to(torch.bfloat16)
    assert torch.equal(conv.max_pool2d(x), F.max_pool2d(x, 2))
    assert torch.equal(conv.pad2d(x, 1, "edge"), F.pad(x, (1, 1, 1, 1), mode="replicate"))
    assert conv.avg_pool2d(x).dtype == torch.bfloat16
    w = torch.randn(3, 2, 3, 3, generator=torch.Generator().manual_seed(4)).to(torch.bfloat16)
    got = conv.conv2d_multi(x, w, None)
    assert got.dtype == torch.bfloat16
    expected = F.conv2d(x.float(), w.float())
    torch.testing.assert_close(got.float(), expected, rtol=0.05, atol=0.1)


# --- hand-written backward passes (conv2d_multi, conv2d, max_pool2d) --------------------------


def _unfold_max_pool(x: torch.Tensor, size: int, stride: int) -> torch.Tensor:
    """Max pooling through autograd: unfold every window, take Tensor.max over it."""
    w = x.unfold(2, size, stride).unfold(3, size, stride)
    return w.reshape(*w.shape[:4], size * size).max(dim=-1).values


@pytest.mark.parametrize(
    ("size", "stride", "side"),
    [(2, 2, 6), (2, 2, 5), (3, 2, 7), (3, 1, 5), (2, 3, 8)],
    ids=["tiling", "cropped", "overlapping", "stride-1", "gaps"],
)
def test_max_pool2d_passes_gradcheck_in_float64(size, stride, side):
    # distinct values (a permutation), so no window has a tie that finite differences would split
    x = torch.randperm(2 * 2 * side * side, generator=torch.Generator().manual_seed(side))
    x = (x.reshape(2, 2, side, side) / 10.0).double().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda x: conv.max_pool2d(x, size, stride), (x,))


@pytest.mark.parametrize(("size", "stride"), [(2, 2), (3, 2), (2, 1), (2, 3)])
def test_max_pool2d_gradient_with_ties_and_nan_equals_autograd_through_unfold_and_max(size, stride):
    g = torch.Generator().manual_seed(7)
    x = torch.randint(0, 3, (2, 3, 7, 7), generator=g).double()  # many tied maxima
    x[0, 0, 1, 1] = x[1, 2, 4, 3] = x[1, 2, 4, 4] = float("nan")  # a NaN wins its window
    weights = torch.randn(2, 3, *([(7 - size) // stride + 1] * 2), generator=g).double()
    a, e = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    ours, theirs = conv.max_pool2d(a, size, stride), _unfold_max_pool(e, size, stride)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0, equal_nan=True)
    (ours * weights).nansum().backward()
    (theirs * weights).nansum().backward()
    torch.testing.assert_close(a.grad, e.grad, **F64)


def test_conv2d_single_channel_passes_gradcheck_in_float64():
    g = torch.Generator().manual_seed(8)
    x = torch.randn(5, 6, generator=g, dtype=torch.float64, requires_grad=True)
    k = torch.randn(3, 2, generator=g, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, k: conv.conv2d(x, k, stride=2, padding=1), (x, k))


@pytest.mark.parametrize("needs", ["x", "weight", "bias"])
def test_conv2d_multi_gives_gradients_only_to_inputs_that_require_them(needs):
    g = torch.Generator().manual_seed(9)
    x, w, b = (torch.randn(*s, generator=g).double() for s in [(2, 3, 6, 5), (4, 3, 3, 2), (4,)])
    ours = {"x": x.clone(), "weight": w.clone(), "bias": b.clone()}
    theirs = {"x": x.clone(), "weight": w.clone(), "bias": b.clone()}
    ours[needs].requires_grad_(True)
    theirs[needs].requires_grad_(True)
    conv.conv2d_multi(*ours.values(), stride=2, padding=1).square().sum().backward()
    F.conv2d(*theirs.values(), stride=2, padding=1).square().sum().backward()
    for name in ours:
        if name == needs:
            torch.testing.assert_close(ours[name].grad, theirs[name].grad, **F64)
        else:
            assert ours[name].grad is None


def test_conv2d_multi_adds_a_bias_of_another_dtype_with_type_promotion_as_before():
    x, w = torch.ones(1, 1, 3, 3), torch.ones(2, 1, 2, 2)
    b = torch.tensor([0.5, -1.0], dtype=torch.float64)
    out = conv.conv2d_multi(x, w, b)
    assert out.dtype == torch.float64
    torch.testing.assert_close(out, F.conv2d(x, w).double() + b[None, :, None, None], **F64)
