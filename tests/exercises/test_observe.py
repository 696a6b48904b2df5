"""``exercises/tests/_observe.py``: what one call did besides returning — the arguments it
changed (nested ones included), the arguments its result shares memory with, and the warnings
and floating-point errors it raised, those its own code silenced included."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

from exercises.tests import _observe
from exercises.tests._observe import MAX_KEPT, Arguments, recording

# -- floating-point errors and warnings ----------------------------------------------------------


def _naive_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _errstate_ignore(x):
    with np.errstate(all="ignore"):
        return 1 / (1 + np.exp(-x))


def _warnings_ignored(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return 1 / (1 + np.exp(-x))


def _seterr_ignore(x):
    old = np.seterr(all="ignore")
    try:
        return 1 / (1 + np.exp(-x))
    finally:
        np.seterr(**old)


@np.errstate(over="ignore", invalid="ignore")
def _decorated(x):
    return 1 / (1 + np.exp(-x))


def _errcall_swallowed(x):
    with np.errstate(all="call", call=lambda *a: None):
        return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize(
    "fn",
    [
        _naive_sigmoid,
        _errstate_ignore,
        _warnings_ignored,
        _seterr_ignore,
        _decorated,
        _errcall_swallowed,
    ],
    ids=["naive", "errstate-ignore", "warnings-ignored", "seterr", "decorator", "own-errcall"],
)
def test_an_overflow_counts_however_the_code_silences_it(fn):
    """The curriculum's "must not overflow": silencing NumPy does not make ``np.exp(1000)`` stop
    overflowing (an audit's sigmoid under ``np.errstate(all="ignore")`` kept full marks)."""
    with recording() as warned:
        out = fn(np.array([-1000.0, 0.0, 1000.0]))
    assert out[1] == 0.5
    assert warned == ["RuntimeWarning: overflow encountered in exp"]


def test_a_stable_formula_records_nothing():
    with recording() as warned:
        np.exp(-np.logaddexp(0.0, -np.array([-1000.0, 0.0, 1000.0])))
    assert warned == []


def test_code_that_asks_to_raise_still_raises_and_may_catch_it():
    """A request to raise is kept: code that catches FloatingPointError behaves as written."""
    with recording() as warned, pytest.raises(FloatingPointError), np.errstate(over="raise"):
        np.exp(np.array([1000.0]))
    assert warned == []


def test_an_overflow_is_recorded_even_where_the_caller_ignores_or_raises_numpy_errors():
    for outer in ("ignore", "raise"):
        with np.errstate(all=outer), warnings.catch_warnings():
            warnings.simplefilter("error")  # a test run's filterwarnings = error::RuntimeWarning
            with recording() as warned:
                out = np.exp(np.array([1000.0]))
            assert out[0] == np.inf
            assert warned == ["RuntimeWarning: overflow encountered in exp"]


def test_numpy_and_the_callers_state_are_back_after_the_block():
    with np.errstate(all="ignore"):
        with recording():
            np.seterr(all="warn")  # the code's own change ends with the block too
        assert np.geterr()["over"] == "ignore"
    assert _observe._ufunc_config._make_extobj is _observe._MAKE_EXTOBJ
    with np.errstate(all="ignore"):  # outside a recording, silencing works as NumPy says
        assert np.geterr()["over"] == "ignore"


def test_another_thread_silencing_numpy_meanwhile_is_left_alone():
    seen = {}

    def other() -> None:
        with np.errstate(all="ignore"):
            seen["over"] = np.geterr()["over"]

    with recording():
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert seen["over"] == "ignore"


def test_at_most_max_kept_warnings_are_kept_each_cut_short():
    with recording() as warned:
        for i in range(MAX_KEPT + 3):
            warnings.warn(f"warning {i} " + "x" * 1000, RuntimeWarning, stacklevel=1)
    assert len(warned) == MAX_KEPT
    assert all(len(w) <= 300 for w in warned)
    assert warned[0].startswith("RuntimeWarning: warning 0 ")


# -- arguments changed in place ------------------------------------------------------------------


def test_an_untouched_argument_is_unchanged():
    x = np.arange(6.0).reshape(2, 3)
    assert Arguments.take([x], {}).mutated() == []


def test_nans_in_the_same_places_are_unchanged_whatever_their_bits():
    """NaN equals NaN (``array_equal(equal_nan=True)``), even when the bits differ."""
    x = np.array([1.0, np.nan])
    given = Arguments.take([x], {})
    x.view(np.uint64)[1] ^= 1  # another NaN payload: different bytes, still NaN
    assert np.isnan(x[1])
    assert given.mutated() == []


def test_a_zero_written_over_a_negative_zero_is_unchanged():
    """Values are compared, as before the byte fast path: -0.0 == 0.0."""
    x = np.array([-0.0, 1.0])
    given = Arguments.take([x], {})
    x[0] = 0.0
    assert given.mutated() == []


@pytest.mark.parametrize(
    "change",
    [
        lambda x: x.__setitem__(0, 5.0),  # a value
        lambda x: x.resize(2, refcheck=False),  # the shape
        lambda x: setattr(x, "shape", (2, 2)),  # the shape, the same values
        lambda x: setattr(x, "dtype", np.int64),  # the same bytes read as another type
    ],
    ids=["value", "resize", "reshaped-in-place", "dtype"],
)
def test_a_modified_argument_is_caught(change):
    x = np.array([1.0, 2.0, 4.0, 8.0])
    given = Arguments.take([np.zeros(1)], {"x": x})
    change(x)
    assert given.mutated() == ["x"]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda layers: layers.pop(0), ["#2"]),
        (lambda layers: layers.reverse(), ["#2"]),
        (lambda layers: layers.__setitem__(0, (np.zeros(2), np.zeros(2))), ["#2"]),
        (lambda layers: layers[0][1].__iadd__(1.0), ["#2[0][1]"]),
        (lambda layers: setattr(layers[1][0], "shape", (1, 2)), ["#2[1][0]"]),
        (lambda layers: layers[1][1].update(lr=1.0), ["#2[1][1]"]),
        (lambda layers: layers[1][1]["w"].fill(7.0), ["#2[1][1]['w']"]),
        (lambda layers: None, []),
    ],
    ids=["pop", "reverse", "item-replaced", "nested-array", "reshaped", "dict", "in-dict", "none"],
)
def test_a_change_inside_a_nested_argument_is_caught_and_named(change, named):
    """An MLP's ``layers`` (a list of tuples of arrays): an audit's ``mlp_forward`` that popped
    them, or reshaped a bias in place, kept full marks when only top-level arrays were held."""
    layers = [(np.ones(2), np.zeros(2)), (np.ones(2), {"w": np.ones(3), "lr": 0.1})]
    given = Arguments.take([np.ones(1), layers], {})
    change(layers)
    assert given.mutated() == named


# -- results sharing an argument's memory --------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "named"),
    [
        (lambda x, w: x, ["#1"]),  # the argument itself
        (lambda x, w: x.reshape(-1), ["#1"]),  # a view
        (lambda x, w: (x.copy(), w[1:]), ["#2"]),  # inside a tuple, a slice of the second
        (lambda x, w: {"out": [x.T]}, ["#1"]),  # nested in a dict and a list
        (lambda x, w: x.copy(), []),  # a new array
        (lambda x, w: np.concatenate([x.ravel(), w]), []),  # new, from both
        (lambda x, w: 3.0, []),
    ],
    ids=["itself", "reshape", "tuple-slice", "nested-transpose", "copy", "new", "number"],
)
def test_a_result_sharing_an_arguments_memory_is_aliased(result, named):
    x, w = np.arange(6.0).reshape(2, 3), np.ones(4)
    assert Arguments.take([x, w], {}).aliased(result(x, w)) == named


def test_a_nested_argument_returned_as_is_is_aliased():
    layers = [(np.ones((2, 2)), np.zeros(2))]
    assert Arguments.take([layers], {}).aliased(layers[0][1]) == ["#1[0][1]"]


def test_a_torch_tensor_viewing_an_argument_is_aliased():
    torch = pytest.importorskip("torch")
    x = np.arange(4.0)
    assert Arguments.take([], {"x": x}).aliased(torch.from_numpy(x)) == ["x"]
    assert Arguments.take([], {"x": x}).aliased(torch.from_numpy(x.copy())) == []


def test_a_result_that_lies_about_sharing_memory_is_judged_by_its_real_buffer():
    """An ndarray subclass whose ``__array_function__`` answers True to everything made
    ``np.may_share_memory`` call a fresh array a view of the argument."""

    class Liar(np.ndarray):
        def __array_function__(self, func, types, args, kwargs):
            return True

    x = np.ones(3)
    given = Arguments.take([x], {})
    assert given.aliased(np.zeros(3).view(Liar)) == []
    assert given.aliased(x.view(Liar)) == ["#1"]
