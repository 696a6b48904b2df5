"""A tiny synthetic class for the report's tests: results built from a points matrix."""

from __future__ import annotations

from grader.results import SubmissionResult, TestOutcome


def outcome(
    check: str,
    points: float,
    top: float = 1.0,
    *,
    topic: str = "losses",
    function: str = "mse",
    status: str | None = None,
    message: str = "",
    diagnosis: str | None = None,
    name: str | None = None,
    call: str = "",
) -> TestOutcome:
    """One outcome; the status defaults to passed at full points, failed otherwise."""
    return TestOutcome(
        topic=topic,
        function=function,
        check=check,
        points=points,
        max_points=top,
        status=status or ("passed" if points == top else "failed"),
        message=message,
        diagnosis=diagnosis,
        diagnosis_name=name,
        input=call,
    )


def klass(
    points: dict[str, list[float]], tops: list[float] | None = None
) -> list[SubmissionResult]:
    """Learner → points per item (items c0, c1, …, of maximum ``tops``, default 1 each)."""
    out = []
    for learner, row in points.items():
        maxima = tops or [1.0] * len(row)
        outs = [outcome(f"c{i}", p, maxima[i]) for i, p in enumerate(row)]
        out.append(SubmissionResult(learner=learner, content_hash=f"h-{learner}", outcomes=outs))
    return out
