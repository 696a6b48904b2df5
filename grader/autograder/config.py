"""The autograder's settings, written into the zip as ``gradelab-autograder.json``.

``visibility`` maps a topic to its tests' Gradescope visibility, ``"*"`` to every other topic's:
``visible`` (shown at once), ``after_due_date``, ``after_published`` or ``hidden``.

``sandbox`` says how learner code must be isolated, or nothing is graded (Gradescope then shows
an autograder error, and ``setup.sh`` fails the build, saying why):

- ``uid`` (the default): bubblewrap where it works; else, where Gradescope's container forbids
  its namespaces, the worker's unprivileged uid (the grader runs as root there) with the kit's
  folder closed to other users before any learner code runs: the learner's code cannot read
  the hidden tests or the reference, write ``results.json`` or signal the grader, but it can
  open network connections and read what any user may read on the image. Refused where
  neither works (a Python the unprivileged uid cannot read).
- ``bwrap``: bubblewrap only (no network, nothing of the host but the Python installation).
- ``auto``: whatever layers the container allows; without both, the learner's code runs as
  root: it can read the hidden tests and the reference (and print them into its feedback),
  write ``results.json`` itself and kill the grader. For formative use only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.suites import VISIBILITIES
from grader.topics import check_topics
from reference import TOPICS

CONFIG_NAME = "gradelab-autograder.json"
DEFAULT_VISIBILITY = "after_due_date"
SANDBOX_MODES = ("uid", "bwrap", "auto")


class ConfigError(ValueError):
    """Autograder settings that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class AutograderConfig:
    topics: tuple[str, ...] = TOPICS
    visibility: dict[str, str] = field(default_factory=lambda: {"*": DEFAULT_VISIBILITY})
    max_examples: int = 12
    shrink: bool = True
    sandbox: str = "uid"  # see the module's docstring

    def __post_init__(self) -> None:
        """A zip whose every submission would fail to grade is refused where it is built."""
        if self.max_examples < 1:
            raise ConfigError(f"--max-examples must be a whole number ≥ 1, got {self.max_examples}")
        if self.sandbox not in SANDBOX_MODES:
            raise ConfigError(f"sandbox {self.sandbox!r}: one of {', '.join(SANDBOX_MODES)}")

    def to_json(self) -> str:
        data = {
            "topics": list(self.topics),
            "visibility": self.visibility,
            "max_examples": self.max_examples,
            "shrink": self.shrink,
            "sandbox": self.sandbox,
        }
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> AutograderConfig:
        data: dict[str, Any] = json.loads(text)
        topics = tuple(data["topics"])
        visibility = dict(data["visibility"])
        check(topics, visibility)
        sandbox = str(data.get("sandbox", "bwrap"))  # a zip built before the setting: required
        return cls(topics, visibility, int(data["max_examples"]), bool(data["shrink"]), sandbox)

    @classmethod
    def load(cls, path: Path) -> AutograderConfig:
        return cls.from_json(path.read_text(encoding="utf-8"))


def check(topics: tuple[str, ...], visibility: dict[str, str]) -> None:
    """Raise :class:`ConfigError` for an unknown topic or visibility."""
    if not topics:
        raise ConfigError("unknown topic(s): none given")
    check_topics(topics, ConfigError)
    for topic, value in visibility.items():
        if value not in VISIBILITIES:
            raise ConfigError(f"visibility {value!r} for {topic}: one of {', '.join(VISIBILITIES)}")
        if topic != "*" and topic not in topics:
            raise ConfigError(f"visibility for {topic!r}, which is not a graded topic")


def parse_visibility(
    values: list[str], topics: tuple[str, ...], option: str = "--visibility"
) -> dict[str, str]:
    """``VISIBILITY`` (every topic) and ``TOPIC=VISIBILITY`` values, in order, as a visibility
    map (``"*"``: every topic not named; later values win). Shared by ``grade`` and
    ``gradescope``."""
    visibility = {"*": DEFAULT_VISIBILITY}
    for item in values:
        topic, sep, value = item.rpartition("=")
        if sep and (not topic.strip() or not value.strip()):
            raise ConfigError(f"{option} {item!r}: write VISIBILITY or TOPIC=VISIBILITY")
        visibility[topic.strip() if sep else "*"] = value.strip()
    check(topics, visibility)
    return visibility


def visibility_map(default: str, per_topic: list[str], topics: tuple[str, ...]) -> dict[str, str]:
    """``--visibility`` and ``--topic-visibility TOPIC=VALUE`` options as a visibility map."""
    for item in per_topic:
        if "=" not in item:
            raise ConfigError(
                f"--topic-visibility {item!r}: write TOPIC=VALUE, e.g. losses=visible"
            )
    return parse_visibility([default, *per_topic], topics, "--topic-visibility")
