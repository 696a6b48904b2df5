"""grader/engine/containers.py: one walk over nested lists, tuples and dicts."""

from __future__ import annotations

from collections import namedtuple

from grader.engine.containers import map_leaves


def test_every_leaf_is_mapped_at_any_depth_keeping_keys_and_order() -> None:
    """Leaves inside lists, tuples and dicts, nested, are each replaced; the nesting is kept."""
    value = [1, (2, {"a": 3, "b": [4]}), {"c": (5,)}]
    assert map_leaves(value, lambda x: x * 10) == [10, (20, {"a": 30, "b": [40]}), {"c": (50,)}]


def test_strings_and_none_are_leaves_not_containers() -> None:
    """A string is handed to ``leaf`` whole, not walked character by character."""
    assert map_leaves(["ab", None], repr) == ["'ab'", "None"]


def test_subclasses_become_plain_unless_same_type() -> None:
    """By default a tuple subclass comes back a plain tuple; ``same_type`` keeps its type when it
    takes an iterable (``type(v)(items)``)."""

    class Pair(tuple):
        pass

    plain = map_leaves(Pair((1, 2)), lambda x: x + 1)
    kept = map_leaves(Pair((1, 2)), lambda x: x + 1, same_type=True)
    assert type(plain) is tuple and plain == (2, 3)
    assert type(kept) is Pair and kept == (2, 3)
    point = namedtuple("point", "x y")
    assert map_leaves(point(1, 2), str) == ("1", "2")  # a namedtuple is walked as a tuple
