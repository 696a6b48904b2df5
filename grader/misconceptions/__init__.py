"""The catalogue of known-wrong variants ("misconceptions") of every curriculum function.

Each topic module (``grader/misconceptions/<topic>.py``) defines NumPy functions with the same
signature as the learner function they imitate, each decorated with :func:`mistake`::

    @mistake("activations.sigmoid_grad", "σ′ written as σ",
             hint="The derivative is σ(x)·(1 − σ(x)); you returned σ(x) itself.")
    def sigmoid_grad_as_sigmoid(x): ...

When a learner's output disagrees with the reference but matches a variant, feedback names the
variant and shows its hint. Every variant is also a test of the grader: the checks must fail it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_REGISTRY: dict[str, list[Mistake]] = {}


@dataclass(frozen=True)
class Mistake:
    """One known-wrong variant of ``target`` (``"<topic>.<function>"``)."""

    target: str
    name: str
    hint: str
    impl: Callable[..., Any]

    @property
    def topic(self) -> str:
        return self.target.split(".", 1)[0]

    @property
    def function(self) -> str:
        return self.target.split(".", 1)[1]

    @property
    def key(self) -> str:
        """A stable identifier: ``<topic>.<function>/<implementation name>``."""
        return f"{self.target}/{self.impl.__name__}"


def mistake(
    target: str, name: str, *, hint: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated NumPy function as a known-wrong variant of ``target``."""
    if target.count(".") != 1:
        raise ValueError(f"target must be '<topic>.<function>', got {target!r}")

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        entries = _REGISTRY.setdefault(target, [])
        if any(m.impl.__name__ == fn.__name__ for m in entries):
            raise ValueError(f"duplicate misconception {fn.__name__} for {target}")
        entries.append(Mistake(target=target, name=name, hint=hint, impl=fn))
        return fn

    return register


def catalogue(topic: str | None = None) -> dict[str, list[Mistake]]:
    """Every registered variant, keyed by target; imports the topic modules on first use."""
    from reference import TOPICS

    for t in TOPICS if topic is None else (topic,):
        try:
            importlib.import_module(f"grader.misconceptions.{t}")
        except ModuleNotFoundError as exc:
            if exc.name != f"grader.misconceptions.{t}":
                raise
    return {
        target: list(entries)
        for target, entries in sorted(_REGISTRY.items())
        if topic is None or target.startswith(f"{topic}.")
    }
