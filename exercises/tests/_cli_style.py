"""Help text in the Python ecosystem's conventions: click's value names, not Python types.

Typer 0.29 writes an option's value as a Python type (``--jobs <int>``, ``--topic
<list[str]>``, ``--check <bool>`` for a flag). :func:`value_name` turns that label into
click's names (``INTEGER``, ``FLOAT``, ``TEXT``, ``PATH``; a list by its item; choices stay
``a|b``) and drops it for a flag; :func:`install` puts it in place once, before help is drawn.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from typer import core

NAMES = {"int": "INTEGER", "float": "FLOAT", "str": "TEXT", "bool": "", "path": "PATH"}


def value_name(label: str) -> str:
    """``<int>`` → ``INTEGER``, ``<list[str]>`` → ``TEXT``, ``<bool>`` → ``""``, ``<a|b>`` → ``a|b``."""
    bare = label.strip("<>")
    item = re.fullmatch(r"list\[(.*)\]", bare)
    bare = item.group(1) if item else bare
    key = bare.lower()
    if key in NAMES:
        return NAMES[key]
    return "PATH" if "path" in key or key in ("file", "directory") else bare


def _conventional(original: Callable[..., Any]) -> Callable[..., Any]:
    def display_type(self: Any, ctx: Any) -> str:
        return value_name(original(self, ctx))

    display_type.__gradelab__ = True  # type: ignore[attr-defined]
    return display_type


def install() -> None:
    """Make every typer parameter's help show :func:`value_name` (once; idempotent)."""
    for cls in (core.TyperOption, core.TyperArgument):
        if not getattr(cls.display_type, "__gradelab__", False):
            cls.display_type = _conventional(cls.display_type)  # type: ignore[method-assign]
