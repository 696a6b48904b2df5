"""The result model: what grading one submission produced, and nothing else (no torch, pytest or
hypothesis import: the renderers, the report and the LMS export read results without them).

The engine makes a :class:`SubmissionResult` of :class:`TestOutcome`\\ s; it crosses processes
and is stored as :meth:`SubmissionResult.to_dict` (plain JSON: statuses and kinds as their
strings), and every reader rebuilds it with :meth:`SubmissionResult.from_dict`. Invariant:
``from_dict(to_dict(r)).to_dict() == to_dict(r)``, the dict written to disk never changes shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from reference import TOPICS


class Status(StrEnum):
    """How a graded test ended (equal to its string: ``Status.PASSED == "passed"``)."""

    PASSED = "passed"
    FAILED = "failed"  # a wrong answer, a property that does not hold, a topic that cannot run
    NOT_IMPLEMENTED = "not_implemented"  # the function is still the release's stub
    FAULT = "fault"  # the call timed out, crashed or broke a limit (named in the message)
    ERROR = "error"  # the grader could not run the check (not the learner's fault)


class Kind(StrEnum):
    """What a check is (``grader.engine.plugin.gate_points``)."""

    CORE = "core"  # agrees with the reference, or declared core
    PROPERTY = "property"  # counts only once the function's core checks pass


@dataclass
class TestOutcome:
    """One graded test's result, as every output format needs it."""

    __test__ = False  # not a pytest test class, despite the name

    topic: str
    function: str
    check: str
    points: float
    max_points: float
    status: Status
    message: str = ""
    diagnosis: str | None = None  # key of the matched mistake
    diagnosis_name: str | None = None
    input: str = ""
    visibility: str = "after_due_date"
    case: str = ""  # a parametrized test's case, when its name alone is shared (engine/cases.py)
    kind: Kind = Kind.CORE

    def __post_init__(self) -> None:
        self.status, self.kind = Status(self.status), Kind(self.kind)

    @property
    def check_case(self) -> str:
        """What is checked, plus `` (<case>)`` for a case of a shared name."""
        return f"{self.check} ({self.case})" if self.case else self.check

    @property
    def name(self) -> str:
        """``<topic>.<function>: <check>`` (and its case): unique among a suite's tests."""
        return f"{self.topic}.{self.function}: {self.check_case}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"], data["kind"] = self.status.value, self.kind.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestOutcome:
        return cls(**data)


@dataclass
class SubmissionResult:
    """Everything the output writers need about one graded submission."""

    learner: str
    content_hash: str
    outcomes: list[TestOutcome]
    missing_topics: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    sandbox: list[str] = field(default_factory=list)
    seconds: float = 0.0
    worker_starts: int = 0
    versions: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)  # GradeSettings.to_record()

    @property
    def score(self) -> float:
        return sum(o.points for o in self.outcomes)

    @property
    def max_score(self) -> float:
        return sum(o.max_points for o in self.outcomes)

    def topic_scores(self) -> dict[str, tuple[float, float]]:
        """topic → (points, max points), topics in the order their tests ran."""
        out: dict[str, tuple[float, float]] = {}
        for o in self.outcomes:
            got, top = out.get(o.topic, (0.0, 0.0))
            out[o.topic] = (got + o.points, top + o.max_points)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able: the fields in order, outcomes as dicts, then score and max_score."""
        data = asdict(self)
        data["outcomes"] = [o.to_dict() for o in self.outcomes]
        data["score"], data["max_score"] = self.score, self.max_score
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        fields = {k: v for k, v in data.items() if k not in ("score", "max_score", "outcomes")}
        return cls(outcomes=[TestOutcome.from_dict(o) for o in data["outcomes"]], **fields)


def topics_of(results: Iterable[SubmissionResult]) -> list[str]:
    """The topics graded for anyone, in course order (unknown ones last, sorted)."""
    seen = {t for r in results for t in r.topic_scores()}
    return [t for t in TOPICS if t in seen] + sorted(seen - set(TOPICS))
