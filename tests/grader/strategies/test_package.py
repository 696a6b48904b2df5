"""grader/strategies/__init__.py: one module per topic in course order, every name re-exported,"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil

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
