"""Hints read from a function's bytecode: a written function calling stubs names them (not
itself a stub), and a function none of whose returns gives a value is told apart."""

from __future__ import annotations

from exercises.tests._hints import calls_a_stub, is_stub, returned_none, returns_nothing


def stub(x):
    raise NotImplementedError("write me")


def other_stub(x):
    raise NotImplementedError


def helper(x):
    return stub(x)


def written(x):
    return helper(x) + other_stub(x)


def no_return(x):
    x + 1


def some_return(x):
    if x:
        return 1
    return None


def test_a_written_function_names_the_stubs_it_reaches_and_a_stub_names_none():
    assert is_stub(stub) and not is_stub(written)
    said = calls_a_stub("t.written", written)
    assert said.startswith("t.written calls ") and "other_stub" in said
    assert calls_a_stub("t.helper", helper).endswith("stub, which is not implemented yet")
    assert calls_a_stub("t.stub", stub) == ""


def test_only_a_function_that_never_returns_a_value_is_said_to_have_returned_none():
    assert returns_nothing(no_return) and not returns_nothing(some_return)
    assert returned_none(no_return, "output should be a numeric array, got dtype object")
    assert not returned_none(some_return, "output should be a numeric array, got dtype object")
    assert not returned_none(no_return, "output[0] = 1.0, expected 2.0")
