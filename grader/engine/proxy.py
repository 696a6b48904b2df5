"""``learner.<topic>.<function>(*args)``: the hidden tests' only way to reach learner code.

Arguments cross the channel as data (torch tensors are turned into NumPy first); objects cross as
named handles (:func:`handle`) or as references to objects kept in the worker (``.keep``). Every
call is recorded so feedback can show the last (after shrinking: the minimal) failing input.

A fault (timeout, crash, memory, output flood) or "not implemented" trips a breaker for the rest
of that test, so hypothesis does not spend a timeout on every shrinking step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from exercises.tests._observe import purity_problem
from grader.engine.containers import map_leaves
from grader.engine.process import CallFault, LearnerError, WorkerProcess
from grader.sandbox.channel import HandleRef, RemoteRef


def handle(name: str) -> HandleRef:
    """A named object built in the worker (``minilm``, ``tiny_embedder``, ``square_sum``, ...)."""
    return HandleRef(name)


class NotImplementedByLearner(Exception):
    """The learner's function still raises ``NotImplementedError``."""


class ImpureCall(AssertionError):
    """The call changed an argument in place, or returned one (or a view of one, or memory it
    returned before): the curriculum's purity rule, held on every call a graded test makes (a
    ``clip_grad_norm`` returning its input when no clipping was needed, a ``train_linear_regression``
    shuffling the caller's data only in its sgd branch kept full marks while only each suite's
    one purity call was looked at). Shrunk like any failure: the feedback shows a minimal call."""


class LearnerFailure(Exception):
    """The learner's call raised or faulted; ``kind`` is the exception type or fault reason."""

    def __init__(self, kind: str, message: str, fault: bool) -> None:
        super().__init__(message)
        self.kind = kind
        self.fault = fault


def to_wire(value: Any) -> Any:
    """Trusted-side values → channel data (tensors to NumPy, containers recursively)."""
    return map_leaves(value, _leaf_to_wire)


def _leaf_to_wire(value: Any) -> Any:
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        return value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True)
    return value  # handles, remote references, None, scalars, strings


@dataclass
class CallRecord:
    topic: str
    function: str
    args: list[Any]
    kwargs: dict[str, Any]
    mutated: list[str] = field(default_factory=list)  # arguments the call modified in place
    aliased: list[str] = field(default_factory=list)  # arguments the result shares memory with
    reused: bool = False  # the result shares memory with the function's previous result
    warnings: list[str] = field(default_factory=list)  # warnings the call raised (in the worker)
    keep: bool = False  # the result was left in the worker (``.keep``)


@dataclass
class Session:
    """Per-test state: the calls made and the breaker."""

    calls: list[CallRecord] = field(default_factory=list)
    tripped: LearnerFailure | NotImplementedByLearner | None = None


class LearnerProxy:
    """The ``learner`` fixture: attribute access picks a topic, then a function."""

    def __init__(self, worker: WorkerProcess) -> None:
        self._worker = worker
        self.session = Session()

    def reset(self) -> None:
        self.session = Session()

    def __getattr__(self, topic: str) -> _TopicProxy:
        if topic.startswith("_"):
            raise AttributeError(topic)
        return _TopicProxy(self, topic)

    def _call(
        self, topic: str, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], keep: bool
    ) -> Any:
        session = self.session
        if session.tripped is not None:
            raise session.tripped
        wire_args, wire_kwargs = to_wire(list(args)), to_wire(kwargs)
        record = CallRecord(topic, function, wire_args, wire_kwargs, keep=keep)
        session.calls.append(record)
        try:
            result = self._worker.call(topic, function, wire_args, wire_kwargs, keep=keep)
            record.mutated = list(self._worker.last_mutated)
            record.aliased = list(getattr(self._worker, "last_aliased", []))
            record.warnings = list(getattr(self._worker, "last_warnings", []))
            record.reused = bool(getattr(self._worker, "last_reused", False))
        except LearnerError as exc:
            if exc.type == "NotImplementedError":
                session.tripped = NotImplementedByLearner(
                    f"not implemented yet: {topic}.{function}"
                )
                raise session.tripped from None
            where = f" (at {exc.where})" if exc.where else ""
            raise LearnerFailure(
                exc.type, f"{topic}.{function} raised {exc.type}: {exc.message}{where}", False
            ) from None
        except CallFault as exc:
            session.tripped = LearnerFailure(
                exc.reason, f"{topic}.{function}: {exc.reason}: {exc.detail}", True
            )
            raise session.tripped from None
        impure = purity_problem(record.mutated, record.aliased, record.reused)
        if impure is not None:
            raise ImpureCall(f"{topic}.{function} {impure}")
        return result

    def repeat(self, record: CallRecord) -> Any:
        """Make the recorded call once more (recorded, held to every rule, as the first was)."""
        args, kwargs = tuple(record.args), record.kwargs
        return self._call(record.topic, record.function, args, kwargs, record.keep)

    def try_call(
        self, topic: str, function: str, args: list[Any], kwargs: dict[str, Any]
    ) -> tuple[bool, Any]:
        """An extra call for the diagnosis, neither recorded nor tripping the breaker:
        ``(True, result)``, or ``(False, None)`` when it raised or faulted."""
        try:
            return True, self._worker.call(topic, function, to_wire(list(args)), to_wire(kwargs))
        except (LearnerError, CallFault):
            return False, None

    def mutated_inputs(self) -> list[str]:
        """Arguments that any call of the current test modified in place."""
        return sorted({m for call in self.session.calls for m in call.mutated})

    def aliased_inputs(self) -> list[str]:
        """Arguments that a result of the current test's calls is (a view of), not a new array."""
        return sorted({a for call in self.session.calls for a in call.aliased})

    def probe(self, name: str, *args: Any) -> Any:
        """A worker-side probe of a kept object (see ``grader/sandbox/probes.py``)."""
        try:
            return self._worker.probe(name, *to_wire(list(args)))
        except LearnerError as exc:
            raise LearnerFailure(
                exc.type, f"probing your object failed: {exc.type}: {exc.message}", False
            ) from None
        except CallFault as exc:
            raise LearnerFailure(
                exc.reason, f"probing your object: {exc.reason}: {exc.detail}", True
            ) from None


class _TopicProxy:
    def __init__(self, proxy: LearnerProxy, topic: str) -> None:
        self._proxy, self._topic = proxy, topic

    def __getattr__(self, function: str) -> _FunctionProxy:
        if function.startswith("__"):
            raise AttributeError(function)
        return _FunctionProxy(self._proxy, self._topic, function)


class _FunctionProxy:
    def __init__(self, proxy: LearnerProxy, topic: str, function: str) -> None:
        self._proxy, self._topic, self._function = proxy, topic, function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._proxy._call(self._topic, self._function, args, kwargs, keep=False)

    def keep(self, *args: Any, **kwargs: Any) -> RemoteRef:
        """Call, but leave the result in the worker and return a reference to it."""
        return self._proxy._call(self._topic, self._function, args, kwargs, keep=True)

    def value(self) -> Any:
        """A module-level value (e.g. ``HORIZONTAL_EDGE``)."""
        return self._proxy._call(self._topic, self._function, (), {}, keep=False)
