"""The pytest plugin that turns hidden-test outcomes into points and feedback.

Hidden tests declare what they check and its worth next to the test::

    @graded("sigmoid", "matches the reference", points=2)
    @given(x=...)
    def test_sigmoid_matches_reference(learner, x): ...

The topic is the test module's name (``test_<topic>.py``); the Gradescope test name is
``<topic>.<function>: <check>``. The plugin provides the ``learner`` fixture (a
:class:`~grader.engine.proxy.LearnerProxy` over the submission's sandboxed worker), runs
hypothesis derandomized without a database, and records a :class:`TestOutcome` per test.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis.errors import FlakyFailure, InvalidArgument

from grader.engine import memo, replay
from grader.engine.cases import case_labels
from grader.engine.expect import Mismatch, describe_call
from grader.engine.process import CallFault, LearnerError, WorkerProcess
from grader.engine.proxy import LearnerFailure, LearnerProxy, NotImplementedByLearner
from grader.engine.recordings import RecordingStore
from grader.results import Kind, Status, TestOutcome
from grader.settings import GradeSettings

#: added to the explanation of a failure that the same call did not repeat
UNRELIABLE = (
    "The same call gave another answer when repeated: does the function keep state between "
    "calls, or draw random numbers other than from the rng it is given?"
)
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{4,}\b")


def _is_fault(exc: BaseException) -> bool:
    """The learner's worker timed out, crashed or broke a limit: the test is over (the proxy
    fails every later call of the test without reaching the learner)."""
    return isinstance(exc, LearnerFailure) and exc.fault


#: the most characters of one outcome's message (a learner's text inside it is capped before)
MESSAGE_CHARS = 4000


def _bounded(message: str) -> str:
    """``message`` cut to :data:`MESSAGE_CHARS`, saying how much was left out: a learner's
    output can never make one check's feedback (and the class report repeating it) large."""
    if len(message) <= MESSAGE_CHARS:
        return message
    return f"{message[:MESSAGE_CHARS]}… ({len(message) - MESSAGE_CHARS} more characters)"


def _import_failed(exc: Exception) -> dict[str, Any]:
    """A topic status for an import that faulted or failed in the worker itself."""
    return {
        "missing": False,
        "error": {"type": "fault", "message": str(exc), "where": ""},
        "stubs": [],
    }


class TopicUnavailable(Exception):
    """The topic's file is missing or does not import: every test of the topic fails with this."""


def _topic_of(item: pytest.Item) -> str:
    return item.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")  # type: ignore[attr-defined]


#: the comparison with the reference: a test whose code reaches it is an agreement test
AGREEMENT_CALL = "expect_close"


def _names(code: types.CodeType) -> set[str]:
    """Global and attribute names ``code`` uses, nested code (comprehensions, lambdas) included."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


@cache
def _compares(module: types.ModuleType, name: str) -> bool:
    """Does the test ``module.name`` compare with the reference, itself or through module-level
    helpers it calls? Found from the code, so no test has to declare its kind."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        fn = getattr(module, todo.pop(), None)
        fn = getattr(getattr(fn, "hypothesis", None), "inner_test", fn)  # under @given
        code = getattr(fn, "__code__", None)
        if code is None:
            continue
        names = _names(code)
        if AGREEMENT_CALL in names:
            return True
        for other in names - seen:
            seen.add(other)
            if isinstance(getattr(module, other, None), types.FunctionType):
                todo.append(other)
    return False


def check_kind(item: pytest.Item) -> Kind:
    """``core`` when the test compares the learner's results with the reference's (or is declared
    ``core``), ``property`` when it checks something any well-shaped answer may satisfy (sums to
    1, does not modify its input, raises on bad input, a worked example checked by hand)."""
    marker = item.get_closest_marker("graded")
    if marker is not None and marker.kwargs.get("core"):
        return Kind.CORE
    name = getattr(item, "originalname", None) or item.name
    return Kind.CORE if _compares(item.module, name) else Kind.PROPERTY  # type: ignore[attr-defined]


def gate_points(outcomes: list[TestOutcome]) -> None:
    """Points only for functions that are right: a function's property checks count once every
    one of its core checks in the run passed.

    A uniform "softmax" sums to 1, a ``g − mean(g)`` "softmax_backward" sums to 0, and any
    function leaves its input alone: such checks tell a right function from a slightly wrong one,
    never a wrong function from a right one. Core checks are those that compare with the
    reference, and for a function without one, those declared ``graded(..., core=True)``.
    """
    agreed: dict[tuple[str, str], bool] = {}
    for o in outcomes:
        if o.kind == Kind.CORE:
            key = (o.topic, o.function)
            agreed[key] = agreed.get(key, True) and o.status == Status.PASSED
    for o in outcomes:
        if o.kind == Kind.PROPERTY and o.points > 0 and not agreed.get((o.topic, o.function), True):
            o.points, o.status = 0.0, Status.FAILED
            o.message = (
                f"this property holds, but it counts only once {o.topic}.{o.function} passes "
                "its main checks (see them)"
            )


def register_profile(max_examples: int, shrink: bool = True) -> str:
    """The grading hypothesis profile: same submission, same examples, same grade.

    ``shrink=False`` reports the first failing input as found, not reduced to a minimal one: the
    same points, bigger counterexamples in the feedback, and failing tests cost far less.
    """
    name = f"gradelab-grading-{max_examples}{'' if shrink else '-noshrink'}"
    try:  # registered once a process: a name is one profile (hypothesis deprecates registering
        settings.get_profile(name)  # again under a test's own @settings, as a test grading does)
        return name
    except InvalidArgument:
        pass
    settings.register_profile(
        name,
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=max_examples,
        report_multiple_bugs=False,
        print_blob=False,
        verbosity=Verbosity.quiet,
        phases=(Phase.explicit, Phase.generate, *((Phase.shrink,) if shrink else ())),
        suppress_health_check=list(HealthCheck),
    )
    return name


@dataclass
class GradingPlugin:
    """Registered with ``pytest.main(plugins=[...])`` for one submission."""

    worker: WorkerProcess
    grading: GradeSettings = field(default_factory=GradeSettings)  # max_examples, shrink, ...
    outcomes: list[TestOutcome] = field(default_factory=list)
    proxy: LearnerProxy | None = None
    only_functions: frozenset[str] | None = None  # "<topic>.<function>" to keep; None = all
    share: tuple[int, int] | None = None  # (k, n): every n-th graded test from the k-th only
    replay: bool = True  # replay recorded passing inputs (grader.engine.replay); same grades
    recordings: RecordingStore | None = None  # recordings kept for other processes of the kit
    suite_digests: dict[Path, str] = field(default_factory=dict)  # suite file → its sha256
    memoise: bool = True  # known conversations answered from their trees (engine/memo.py)
    #: the test the protocol checked already (:meth:`_answered_from_memo`), and what the check
    #: raised: its setup says that, and neither starts the clock nor checks the budget again
    _checked: tuple[str, Exception | None] | None = None
    _inspected: dict[str, dict[str, Any]] = field(default_factory=dict)
    _cases: dict[str, str] = field(default_factory=dict)  # nodeid -> case label

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        """Keep graded tests only (and with ``only_functions``, only those functions' tests;
        with ``share`` (k, n), only the graded tests at positions k, k + n, k + 2n, ... of the
        collection order: n shares that partition the suite, :mod:`grader.warmup`)."""
        names = {
            i.nodeid: f"{_topic_of(i)}.{m.kwargs['function']}: {m.kwargs['check']}"
            for i in items
            if (m := i.get_closest_marker("graded")) is not None
        }
        self._cases = case_labels(items, names)  # over every graded test: stable under selection
        keep, drop = [], []
        position = 0  # among the graded tests
        for item in items:
            marker = item.get_closest_marker("graded")
            name = f"{_topic_of(item)}.{marker.kwargs['function']}" if marker else None
            wanted = marker is not None and (
                self.only_functions is None or name in self.only_functions
            )
            if marker is not None and self.share is not None:
                wanted = wanted and position % self.share[1] == self.share[0]
                position += 1
            (keep if wanted else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line(
            "markers", "graded(function, check, points, visibility): a graded hidden test"
        )
        settings.load_profile(register_profile(self.grading.max_examples, self.grading.shrink))
        self.proxy = LearnerProxy(self.worker)

    def topic_status(self, topic: str) -> dict[str, Any]:
        """The worker's inspection of ``topic`` (cached): missing file, import error, stubs.

        Every test of the topic fails when its import does, so a fault (the worker killed or
        timed out while importing) is tried once more in a fresh worker before it stands: one
        kill from outside, or a host short of memory for a moment, must not zero a topic. A
        fault that repeats (a crash or endless loop at import) is reported as it is."""
        if topic not in self._inspected:
            for attempt in (1, 2):
                try:
                    status = self.worker.inspect(topic)
                    if not isinstance(status, dict):  # only a patched worker sends another shape
                        raise CallFault("protocol", "the worker sent a malformed inspection")
                except CallFault as exc:
                    status = _import_failed(exc)
                    if attempt == 1 and exc.reason != "budget":
                        continue  # the worker was closed: the next call starts a fresh one
                except LearnerError as exc:
                    status = _import_failed(exc)
                break
            self._inspected[topic] = status
        return self._inspected[topic]

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Start the test's time budget; fail fast, before hypothesis starts, when the
        submission's budget is spent, the topic cannot run or the function is a stub. A test
        :meth:`pytest_runtest_protocol` checked already (before walking its conversation tree)
        gets that check's result: the same outcome as if nothing had run between."""
        marker = item.get_closest_marker("graded")
        if marker is None:
            return
        checked, self._checked = self._checked, None
        if checked is not None and checked[0] == item.nodeid:
            if checked[1] is not None:
                raise checked[1]
            return
        self.worker.begin_test()
        self._check_runnable(item, marker)

    def _check_runnable(self, item: pytest.Item, marker: pytest.Mark) -> None:
        """Raise what the test's outcome is when it cannot run at all (see
        :meth:`pytest_runtest_setup`)."""
        topic = _topic_of(item)
        left, budget = self.worker.budget_left()
        if left <= 0:  # the submission's budget is spent: the rest fail at once, named
            name = f"{topic}.{marker.kwargs['function']}"
            raise LearnerFailure("budget", f"{name}: budget: {budget} before this test", True)
        status = self.topic_status(topic)
        if status.get("missing"):
            raise TopicUnavailable(f"no {topic}.py in the submission: the {topic} topic scores 0")
        error = status.get("error")
        if error:
            where = f" at {error['where']}" if error.get("where") else ""
            raise TopicUnavailable(
                f"{topic}.py cannot be imported{where}: {error['type']}: {error['message']}"
            )
        if marker.kwargs["function"] in status.get("stubs", []):
            raise NotImplementedByLearner(
                f"not implemented yet: {topic}.{marker.kwargs['function']}"
            )

    @pytest.fixture
    def learner(self) -> LearnerProxy:
        assert self.proxy is not None
        self.proxy.reset()
        return self.proxy

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool | None:
        """Call graded tests through :mod:`grader.engine.replay` (pytest's own call otherwise)."""
        if not self.replay or pyfuncitem.get_closest_marker("graded") is None:
            return None
        replay.call(
            pyfuncitem,
            self.grading.max_examples,
            self._reset_proxy,
            shrink=self.grading.shrink,
            final=_is_fault,
            store=self.recordings,
            suite_digest=self.suite_digests[pyfuncitem.path] if self.recordings else "",
        )
        return True

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        gate_points(self.outcomes)

    def _reset_proxy(self) -> Callable[[], None] | None:
        """A fresh session for hypothesis's pass; returns how to put back the one it replaces."""
        proxy = self.proxy
        if proxy is None:
            return None
        session = proxy.session
        proxy.reset()

        def restore() -> None:
            proxy.session = session

        return restore

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> bool | None:
        """Run a graded test as pytest's ``runtestprotocol`` does (setup, call when the setup
        passed, teardown; each through its hook, so fixtures, hypothesis's and the warnings
        plugin's wrappers all apply), recording its outcome here, without the reports: no
        ``logstart``/``makereport``/``logreport``/``logfinish`` round (each run of them cost
        more than a passing test's own hooks, and nothing here reads a report). The session's
        failure count stays 0: :func:`grader.engine.run.run_hidden_tests` reads the outcomes."""
        marker = item.get_closest_marker("graded")
        if marker is None:
            return None
        key = self._memo_key(item, marker)
        ihook = item.ihook
        reraise = (pytest.exit.Exception, KeyboardInterrupt)
        if key is not None and self._answered_from_memo(key, item, marker):
            # not set up, nothing to tear down; but what the collectors set up for it and
            # nextitem does not need goes now, as after a run (pytest's setup state)
            pytest.CallInfo.from_call(
                lambda: ihook.pytest_runtest_teardown(item=item, nextitem=nextitem),
                when="teardown",
                reraise=reraise,
            )
            return True
        recorded = len(self.outcomes)
        try:
            setup = pytest.CallInfo.from_call(
                lambda: ihook.pytest_runtest_setup(item=item), when="setup", reraise=reraise
            )
            if setup.excinfo is None:
                call = pytest.CallInfo.from_call(
                    lambda: ihook.pytest_runtest_call(item=item), when="call", reraise=reraise
                )
                self._record(item, marker.kwargs, call)
            else:  # a setup that raised (a stub, a missing topic, a spent budget) is the outcome
                self._record(item, marker.kwargs, setup)
            pytest.CallInfo.from_call(
                lambda: ihook.pytest_runtest_teardown(item=item, nextitem=nextitem),
                when="teardown",
                reraise=reraise,
            )
        finally:  # as runtestprotocol: the fixtures' values and the request go with the test
            item._request = False  # type: ignore[attr-defined]
            item.funcargs = None  # type: ignore[attr-defined]
            self._learn(key if len(self.outcomes) == recorded + 1 else None)
        return True

    def _memo_key(self, item: pytest.Item, marker: pytest.Mark) -> tuple[object, ...] | None:
        """What fixes a graded test's conversation besides the learner's replies: its node id,
        its suite file's digest and the settings hypothesis runs it under. None: no memo (replay
        off, as when grades are compared with hypothesis alone, or no digest known)."""
        digest = self.suite_digests.get(item.path)  # type: ignore[attr-defined]
        if not (self.replay and self.memoise and digest):
            return None
        return (item.nodeid, digest, self.grading.max_examples, self.grading.shrink)

    def _answered_from_memo(
        self, key: tuple[object, ...], item: pytest.Item, marker: pytest.Mark
    ) -> bool:
        """Walk the test's conversation tree (:mod:`grader.engine.memo`) once it can run: True
        when it ended in a known outcome (recorded here); otherwise the answers had on the way
        are served to the test's first requests and its conversation is taped, to be learnt."""
        self.worker.begin_test()  # the walk's calls count towards the test's budget
        try:
            self._check_runnable(item, marker)
        except Exception as exc:  # pytest's setup raises it and records it: nothing to learn
            self._checked = (item.nodeid, exc)
            return False
        self._checked = (item.nodeid, None)
        walked = memo.MEMO.walk(key, self.worker.exchange)
        if walked is not None and walked.outcome is not None:
            self.outcomes.append(walked.outcome)
            self._checked = None
            return True
        self.worker.served.extend(walked.answers if walked is not None else [])
        self.worker.tape = []
        return False

    def _learn(self, key: tuple[object, ...] | None) -> None:
        """Add the test's taped conversation to its tree, unless a fault voided it or the test
        left served answers unasked (it is not deterministic: never learnt)."""
        tape, self.worker.tape = self.worker.tape, None
        if self.worker.served:
            self.worker.served.clear()
            self.worker.diverged += 1
            return
        if key is not None and tape is not None:
            memo.MEMO.add(key, tape, self.outcomes[-1])

    def _record(self, item: pytest.Item, kw: dict[str, Any], call: pytest.CallInfo[Any]) -> None:
        result = TestOutcome(
            topic=_topic_of(item),
            function=kw["function"],
            check=kw["check"],
            points=0.0,
            max_points=float(kw["points"]),
            status=Status.PASSED,
            visibility=kw.get("visibility", "after_due_date"),
            case=self._cases.get(item.nodeid, ""),
            kind=check_kind(item),
        )
        if call.excinfo is None:
            result.points = result.max_points
        else:
            self._explain(result, call)
        self.outcomes.append(result)

    def _explain(self, result: TestOutcome, call: pytest.CallInfo[Any]) -> None:
        exc = call.excinfo.value if call.excinfo else None
        if isinstance(exc, FlakyFailure) and exc.exceptions:  # explained by the failure it saw
            self._explain_failure(result, exc.exceptions[0])
            result.message += f"\n{UNRELIABLE}"
        else:
            self._explain_failure(result, exc)
        # no memory addresses (reprs in errors): the same submission gets the same bytes anywhere
        result.message = _bounded(_ADDRESS.sub("0x…", result.message))

    def _explain_failure(self, result: TestOutcome, exc: BaseException | None) -> None:
        if isinstance(exc, TopicUnavailable):
            result.status, result.message = Status.FAILED, str(exc)
            return
        if isinstance(exc, NotImplementedByLearner):
            result.status, result.message = Status.NOT_IMPLEMENTED, str(exc)
            return
        if isinstance(exc, LearnerFailure):
            result.status = Status.FAULT if exc.fault else Status.FAILED
            result.message = str(exc)
        elif isinstance(exc, Mismatch):
            result.status, result.message = Status.FAILED, str(exc)
            if exc.diagnosis is not None:
                result.diagnosis, result.diagnosis_name = exc.diagnosis.key, exc.diagnosis.name
        elif isinstance(exc, AssertionError):
            result.status = Status.FAILED
            result.message = (
                str(exc).split("\nassert ")[0].strip() or "a property of the output does not hold"
            )
        else:
            result.status = Status.ERROR
            result.message = f"the grader could not run this check: {type(exc).__name__}: {exc}"
        if self.proxy is not None and self.proxy.session.calls:
            result.input = describe_call(self.proxy.session.calls[-1])
