"""One walk over nested containers, shared by the proxy and the expectations.

Values crossing the trusted side (test inputs, reference outputs, recorded calls) are leaves held
in lists, tuples and dicts, nested to any depth. :func:`map_leaves` rebuilds that nesting with
every leaf replaced by ``leaf(value)``:

    map_leaves(v, f) = [map_leaves(x, f) for x in v]              v a list
                       tuple(map_leaves(x, f) for x in v)          v a tuple
                       {k: map_leaves(x, f) for k, x in v.items()} v a dict
                       f(v)                                        otherwise

Invariants: keys and order are kept; dicts come back as plain ``dict``. Lists and tuples come
back as plain ``list``/``tuple``, or, with ``same_type=True``, as ``type(v)(...)`` so a subclass
that takes an iterable (``torch.return_types`` results) keeps its type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def map_leaves(value: Any, leaf: Callable[[Any], Any], *, same_type: bool = False) -> Any:
    """``value`` with its list/tuple/dict nesting rebuilt and each leaf replaced by ``leaf(x)``."""
    if isinstance(value, list | tuple):
        items = (map_leaves(v, leaf, same_type=same_type) for v in value)
        if same_type:
            return type(value)(items)
        return list(items) if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {k: map_leaves(v, leaf, same_type=same_type) for k, v in value.items()}
    return leaf(value)
