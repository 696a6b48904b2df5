"""grader/strategies/__init__.py: one module per topic in course order, every name re-exported,
and draws that never change (hidden inputs are drawn derandomized and replayed)."""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
import pkgutil

import numpy as np
from hypothesis import HealthCheck, given, settings

import grader.strategies as strategies
import reference

MODULES = [m.name for m in pkgutil.iter_modules(strategies.__path__)]


def test_every_module_is_common_or_a_course_topic() -> None:
    """Modules are ``common`` plus topics of ``reference.TOPICS`` (none invented, none misspelt)."""
    assert "common" in MODULES
    assert set(MODULES) - {"common"} <= set(reference.TOPICS)


def test_every_public_name_of_every_module_is_re_exported() -> None:
    """``from grader.strategies import X`` works for each public strategy of each module, and
    ``__all__`` lists exactly those names."""
    public: set[str] = set()
    for name in MODULES:
        module = importlib.import_module(f"grader.strategies.{name}")
        own = _defined_names(inspect.getsource(module))
        for n in own:
            assert getattr(strategies, n) is getattr(module, n), n
        public |= own
    assert public == set(strategies.__all__)


def _defined_names(source: str) -> set[str]:
    """Public names a module defines itself (functions and assigned constants)."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return {n for n in names if not n.startswith("_")}


def _digest(strategy: object, n: int = 20) -> str:
    seen: list[bytes] = []

    @settings(
        derandomize=True,
        database=None,
        max_examples=n,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(v=strategy)
    def collect(v: object) -> None:
        seen.append(_bytes(v))

    collect()
    return hashlib.sha256(b"|".join(seen)).hexdigest()[:16]


def _bytes(v: object) -> bytes:
    if isinstance(v, np.ndarray):
        return v.dtype.str.encode() + repr(v.shape).encode() + v.tobytes()
    if isinstance(v, list | tuple):
        return b"[" + b",".join(_bytes(x) for x in v) + b"]"
    if isinstance(v, dict):
        return b"{" + b",".join(k.encode() + b":" + _bytes(x) for k, x in v.items()) + b"}"
    return repr(v).encode()


#: sha256 prefixes of 20 derandomized draws per strategy (default arguments), taken from the
#: single-module strategies.py before the split. A hypothesis upgrade may move them too: that
#: also changes hidden inputs, so re-pin only together with a regrade.
PINNED = {
    "float_arrays": "d9606f42e5ef14ed",
    "extreme_arrays": "fa16012f153efb91",
    "regression_pairs": "87bdcbc3c8386f59",
    "binary_pairs": "8bda445f2d7454c6",
    "categorical_pairs": "271bad69ea9c6021",
    "quadratic_problems": "b64b5b02ce59efb8",
    "regression_data": "d78b34dc06209efe",
    "conv_cases": "4326ec622c578a67",
    "pool_cases": "1072dc827e44378e",
    "rnn_cases": "e91ae0308236522c",
    "gradient_lists": "74a72ffa041e7a0f",
    "messy_texts": "fe51aad709467598",
    "sentence_texts": "3b98613e45316749",
    "exact_direction_arrays": "e41111e9847f77ce",
    "passages": "6e53efd81801dc90",
    "ranked_ids": "2ccc29db72085abc",
    "seeded_layer_cases": "b181e76065f5d79e",
    "seeded_mlp_cases": "ea26124b351d5553",
    "seeded_perceptron_cases": "1b94b85857dba3b9",
    "seeded_chain_cases": "7a6357e154a76702",
    "separable_data": "9abc6a72783eb160",
    "perceptron_cases": "413b07c5e7821e80",
    "mlp_cases": "9291b42e67e0c9a5",
    "chain_cases": "3465932cc5769f2d",
}


def test_draws_are_unchanged() -> None:
    """The same seed draws the same inputs: a change here changes hidden inputs, so grades."""
    got = {name: _digest(getattr(strategies, name)()) for name in PINNED}
    assert got == PINNED
