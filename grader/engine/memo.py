"""Memoised conversations: a learner who answers a test as an earlier learner did gets that
learner's outcome, without the test running again.

A graded test is a deterministic function of what the learner answers. Given the kit, the
grading settings and the replies to its requests so far, the test's next request to the worker
(or, when it makes no more, its outcome) is fixed: hypothesis is derandomized and its inputs
depend on the kit alone (:mod:`grader.engine.replay`), the reference is pure, the plugin's
explanation of a failure reads nothing but the exception. So each grading process keeps, per
test, a tree of the conversations it has had with learners::

    node  = the request the test makes after the replies on the path to it
          | the outcome the test ends in (it made no further request)
    edge  = sha256 of one reply's payload (the reply's exact bytes)

Grading a test with a tree (:meth:`Memo.walk`): send the root's request, follow the edge of the
reply's digest, send that child's request, ... until an outcome (every reply was byte for byte
an earlier learner's: the outcome is that learner's, and neither pytest's call phase nor the
test body runs) or a reply the tree has not seen. Then the test runs as usual, and the answers
already had are served to its first requests (:attr:`WorkerProcess.served`), which by the same
determinism are the very requests the walk made, in order; the tree learns the new path
(:meth:`Memo.add`) from the test's :attr:`WorkerProcess.tape`.

Invariant: with or without the trees, the learner's worker receives the same requests in the
same order, once each, and every outcome is the same. The worker is never shown what another
learner answered (nothing but requests reaches it: no expected reply, so no oracle to search a
classmate's or the model answers' results with), and a conversation that ended in a fault
(timeout, crash, memory, budget: they depend on time and on the machine) is never stored.
``tests/grader/engine/test_memo.py`` proves it: a learner that logs every request it receives is
graded with and without trees, as are mistakes of every topic, a stateful learner and faults.

What it tells a learner: how soon the next test's first request comes after a test's last
reply, which is sooner when the conversation was known (no test body ran). So learner code can
time whether an earlier learner graded by this process (or, shared, another of its pool)
answered this test byte for byte as it did: a timing channel of the kind
``grader/engine/sandbox.py`` lists as open ("what no layer closes"), needing the sender to spend
its own points on the message, carrying only what one learner chooses to tell another. About
the model answers it says less than the learner already sees: a failing example is followed by
hypothesis's shrinking requests at once. Graders who want none of it set ``GRADELAB_MEMO=off``
(:func:`enabled`): the same grades, without the speed-up.

What it costs and saves: the round trips stay (each is a learner's call, which must run); the
grading process's own work per test (fixtures, hypothesis, the reference's answers, comparing,
explaining) is skipped for a known conversation. Trees live in the process and are bounded by
:data:`MAX_BYTES`, beyond which they stop growing. The processes of a local pool, and the Dask workers
of one machine, share what their trees learn where the run keeps recordings
(:mod:`grader.engine.memo_share`: :meth:`Memo.add` collects it in :attr:`Memo.learnt`, the
others :meth:`Memo.learn` it).
"""

from __future__ import annotations

import copy
import hashlib
import os
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from grader.engine.process import CallFault
from grader.results import TestOutcome

#: the environment variable that switches memoisation, and its values (the first the default)
ENV = "GRADELAB_MEMO"
VALUES = ("on", "off")
#: the most bytes (request frames, outcome messages, per-node overhead) one process's trees hold
MAX_BYTES = 128 * 1024 * 1024
_NODE_BYTES = 200  # a node's own overhead, roughly: a dict entry, a digest, the object


def enabled() -> bool:
    """Whether grading answers known conversations from their trees (``$GRADELAB_MEMO``)."""
    value = os.environ.get(ENV, VALUES[0])
    if value not in VALUES:  # gradelab grade refuses it first (settings.check_environment)
        raise ValueError(f"{ENV} must be {' or '.join(VALUES)}, got {value!r}")
    return value == "on"


def digest(payload: bytes) -> bytes:
    """The edge a reply takes: the sha256 of its payload."""
    return hashlib.sha256(payload).digest()


@dataclass
class Node:
    """A point of a test's conversation: the next request, or the outcome it ended in."""

    request: bytes | None = None  # the next request's frame (None: the test ended here)
    outcome: TestOutcome | None = None  # the test's outcome, before points were gated
    children: dict[bytes, Node] = field(default_factory=dict)  # reply digest → next point


#: a conversation as the tree keeps it: each request frame and the digest of its reply
Steps = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class Learnt:
    """One conversation a tree learnt: the test's key, its steps, the outcome it ended in."""

    key: Hashable
    steps: Steps
    outcome: TestOutcome


#: what was asked and answered on a walk: (request frame, reply payload or the fault it ended in)
Answers = list[tuple[bytes, "bytes | CallFault"]]


@dataclass
class Walked:
    """Where a walk ended: a known outcome (a copy), or the answers had before it left the tree."""

    outcome: TestOutcome | None
    answers: Answers


@dataclass
class Memo:
    """One process's conversation trees, by test key (node id, suite digest, settings)."""

    max_bytes: int = MAX_BYTES
    trees: dict[Hashable, Node] = field(default_factory=dict)
    size: int = 0  # bytes held (see MAX_BYTES)
    hits: int = 0  # tests answered from a tree
    misses: int = 0  # tests that had a tree and left it (they ran)
    conflicts: int = 0  # conversations that contradicted a tree (a test that is not deterministic)
    #: what :meth:`add` kept since it was last emptied, when collected for other processes
    #: (:mod:`grader.engine.memo_share`); None: not collected
    learnt: list[Learnt] | None = None

    def walk(self, key: Hashable, exchange: Callable[[bytes], bytes]) -> Walked | None:
        """Follow ``key``'s tree, asking ``exchange`` (the worker) each request on the path the
        replies take; None when there is no tree for ``key``."""
        node = self.trees.get(key)
        if node is None:
            return None
        answers: Answers = []
        while node.outcome is None:
            request = node.request
            assert request is not None  # a node holds a request or an outcome
            try:
                payload = exchange(request)
            except CallFault as fault:
                answers.append((request, fault))
                break
            answers.append((request, payload))
            child = node.children.get(digest(payload))
            if child is None:
                break
            node = child
        else:
            self.hits += 1
            return Walked(copy.deepcopy(node.outcome), answers)
        self.misses += 1
        return Walked(None, answers)

    def add(self, key: Hashable, tape: list[tuple[bytes, bytes]], outcome: TestOutcome) -> bool:
        """Learn the conversation ``tape`` (each request frame and its reply's payload, in order)
        that ended in ``outcome``; False when it was not kept (over the byte budget, or it
        contradicts the tree: then the tree is dropped, as the test is not deterministic).
        Kept, it also goes to :attr:`learnt` when that collects (:mod:`memo_share`)."""
        steps = [(request, digest(payload)) for request, payload in tape]
        kept = self.learn(key, steps, outcome)
        if kept and self.learnt is not None:
            self.learnt.append(Learnt(key, steps, outcome))
        return kept

    def learn(self, key: Hashable, steps: Steps, outcome: TestOutcome) -> bool:
        """:meth:`add` of a conversation given as its steps (request frame, reply digest)."""
        if self.size >= self.max_bytes:
            return False
        root = self.trees.get(key)
        if root is None:
            root = self.trees[key] = self._node(steps[0][0] if steps else None, outcome)
        node = root
        for i, (request, edge) in enumerate(steps):
            if node.request != request:
                return self._conflict(key)
            child = node.children.get(edge)
            if child is None:
                following = steps[i + 1][0] if i + 1 < len(steps) else None
                child = node.children[edge] = self._node(following, outcome)
            node = child
        if node.request is not None or node.outcome != outcome:
            return self._conflict(key)
        return True

    def _node(self, request: bytes | None, outcome: TestOutcome) -> Node:
        if request is not None:
            self.size += len(request) + _NODE_BYTES
            return Node(request=request)
        self.size += len(outcome.message) + len(outcome.input) + _NODE_BYTES
        return Node(outcome=copy.deepcopy(outcome))

    def _conflict(self, key: Hashable) -> bool:
        self.conflicts += 1
        self.trees.pop(key, None)  # its bytes stay counted: the budget is a bound, not a tally
        return False

    def clear(self) -> None:
        """Forget every tree (tests use it to grade as a fresh process would)."""
        self.trees.clear()
        self.learnt = None
        self.size = self.hits = self.misses = self.conflicts = 0


#: this process's trees
MEMO = Memo()
