"""The pytest plugin behind ``gradelab check``: each step of the check sent on as an event.

The events (cases collected, a case starting, its outcome with message and printed output) are
plain dicts (see :class:`exercises.tests._results.Tally`): :func:`exercises.tests._runner.run_check`
tallies them in its own process, a supervised check's child sends them to its parent
(:mod:`exercises.tests._progress`). A failure is explained with what the learner's code says
(:mod:`exercises.tests._hints`): a written function calling a stub, a forgotten ``return``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from . import _loading
from ._hints import calls_a_stub, returned_none
from ._limits import CallTimeout

_PRINTED = re.compile(r"printed (\d+) line")
Sink = Callable[[dict[str, Any]], None]


def _case(item: pytest.Item) -> Any:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("case") if callspec else None


def _function(topic: str, function: str) -> Any:
    """The learner's function, when its topic already loaded (None otherwise)."""
    try:
        return getattr(_loading.load_topic(topic), function, None)
    except Exception:
        return None


class Collector:
    """A pytest plugin sending each step of the check to ``sink`` as an event (see
    :class:`exercises.tests._results.Tally`): the cases collected, the case that starts, and its
    outcome with its message and what it printed.

    A BaseException the learner's code raises (``exit()``, ``sys.exit``, a class of its own;
    ``KeyboardInterrupt`` too when ``learner_interrupts``: in a supervised child no Ctrl-C
    reaches the check) fails its case with its type and line, instead of ending the session.
    ``skip``: node ids not to run (cases a supervisor already has a verdict for)."""

    def __init__(
        self, sink: Sink, skip: frozenset[str] = frozenset(), learner_interrupts: bool = False
    ) -> None:
        self.sink = sink
        self.skip = skip
        self.learner_interrupts = learner_interrupts

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        if self.skip:
            items[:] = [item for item in items if item.nodeid not in self.skip]

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        cases = []
        for item in session.items:
            case = _case(item)
            if case is not None:
                cases.append((case.topic, case.function, item.nodeid))
        self.sink({"e": "collected", "cases": cases})

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        case = _case(item)
        if case is not None:
            self.sink(
                {
                    "e": "start",
                    "topic": case.topic,
                    "function": case.function,
                    "note": case.note or case.id,
                    "nodeid": item.nodeid,
                }
            )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        try:
            return (yield)
        except (pytest.fail.Exception, pytest.skip.Exception, pytest.exit.Exception, CallTimeout):
            raise
        except KeyboardInterrupt as exc:
            if not self.learner_interrupts:
                raise
            self._learner_raised(item, exc)
        except Exception:
            raise
        except BaseException as exc:  # SystemExit, GeneratorExit, a learner's own class
            self._learner_raised(item, exc)

    @staticmethod
    def _learner_raised(item: pytest.Item, exc: BaseException) -> None:
        case = _case(item)
        label = f"{case.topic}.{case.function} ({case.note or case.id})" if case else item.name
        problem = f"{label}: {_loading.describe_exception(exc, 'the call')}"
        failure = pytest.fail.Exception(problem, pytrace=False)
        printed = getattr(exc, "printed", "")  # what the call printed first (_harness)
        printed = printed if isinstance(printed, str) else ""
        failure.kind, failure.problem, failure.printed = "failed", problem, printed  # type: ignore[attr-defined]
        raise failure from None

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
        outcome = yield
        report = outcome.get_result()
        case = _case(item)
        if case is None or report.when != "call":
            return
        self.sink({**self._outcome(case, report, call), "nodeid": item.nodeid})

    @staticmethod
    def _outcome(case: Any, report: pytest.TestReport, call: pytest.CallInfo[Any]) -> dict:
        exc = call.excinfo.value if call.excinfo else None
        kind = getattr(exc, "kind", None)
        event: dict[str, Any] = {"e": "result", "topic": case.topic, "function": case.function}
        if report.passed:
            found = _PRINTED.search(report.capstdout or "")
            return {
                **event,
                "outcome": "passed",
                "printed_lines": int(found.group(1)) if found else 0,
            }
        if report.skipped:
            if kind != "not_implemented":
                return {**event, "outcome": "skipped"}
            qual = f"{case.topic}.{case.function}"
            note = calls_a_stub(qual, _function(case.topic, case.function))
            return {**event, "outcome": "not_implemented", "message": note}
        if kind == "load":
            return {**event, "outcome": "load", "message": getattr(exc, "problem", str(exc))}
        message = getattr(exc, "problem", None) or getattr(exc, "msg", None) or repr(exc)
        if kind == "failed" and returned_none(_function(case.topic, case.function), message):
            message = (
                f"{case.topic}.{case.function} ({case.note or case.id}) returned None — a "
                "missing `return`? (the function ends without returning its result)"
            )
        return {
            **event,
            "outcome": "failed",
            "message": message,
            "printed": getattr(exc, "printed", ""),
        }
