"""The one check of a list of topic names against the curriculum (``reference.TOPICS``)."""

from __future__ import annotations

from collections.abc import Iterable

from reference import TOPICS


def unknown_topics_message(unknown: Iterable[str]) -> str:
    """``unknown topic(s): a, b; known: <every topic>``: the one wording of the error."""
    return f"unknown topic(s): {', '.join(unknown)}; known: {', '.join(TOPICS)}"


def check_topics(topics: Iterable[str] | None, error: type[Exception] = ValueError) -> list[str]:
    """``topics`` in the order given (every topic when None or empty), or ``error`` naming the
    unknown ones (sorted) and the known ones."""
    chosen = list(topics) if topics else list(TOPICS)
    unknown = sorted(set(chosen) - set(TOPICS))
    if unknown:
        raise error(unknown_topics_message(unknown))
    return chosen
