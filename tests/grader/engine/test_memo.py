"""grader/engine/memo.py: a known conversation is answered from its tree, and the learner's worker
receives the very requests, in the very order, it receives without trees; every outcome is the
same.

The grading tests grade in this process, so each starts without trees or recordings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.engine import memo, replay
from grader.engine.limits import Limits
from grader.engine.memo import Memo, Node, digest
from grader.engine.process import CallFault, LearnerError, WorkerProcess
from grader.engine.run import run_hidden_tests
from grader.engine.sandbox import Sandbox
from grader.examples import plant_mistake, write_answers
from grader.results import Status, TestOutcome
from grader.sandbox.channel import encode


@pytest.fixture(autouse=True)
def fresh_process_state() -> Iterator[None]:
    replay.clear()
    memo.MEMO.clear()
    yield
    replay.clear()
    memo.MEMO.clear()


def _outcome(status: Status = Status.PASSED, message: str = "") -> TestOutcome:
    return TestOutcome("t", "f", "c", 1.0, 1.0, status, message=message)


def _script(replies: dict[bytes, bytes]):
    """An ``exchange`` that answers each request by the table, logging what it was asked."""
    asked: list[bytes] = []

    def exchange(request: bytes) -> bytes:
        asked.append(request)
        answer = replies[request]
        if isinstance(answer, CallFault):
            raise answer
        return answer

    return exchange, asked


# -- the tree ----------------------------------------------------------------------------------


def test_a_walk_without_a_tree_asks_nothing():
    exchange, asked = _script({})
    assert Memo().walk("k", exchange) is None
    assert asked == []


def test_a_learnt_conversation_is_answered_by_its_outcome_after_asking_each_request_once():
    tree = Memo()
    assert tree.add("k", [(b"q1", b"a1"), (b"q2", b"a2")], _outcome(message="ok"))
    exchange, asked = _script({b"q1": b"a1", b"q2": b"a2"})
    walked = tree.walk("k", exchange)
    assert walked is not None and walked.outcome == _outcome(message="ok")
    assert asked == [b"q1", b"q2"]
    assert (tree.hits, tree.misses) == (1, 0)


def test_a_reply_the_tree_has_not_seen_stops_the_walk_with_the_answers_had():
    """The walk never asks past a reply it does not know: the test asks the next request."""
    tree = Memo()
    tree.add("k", [(b"q1", b"a1"), (b"q2", b"a2"), (b"q3", b"a3")], _outcome())
    exchange, asked = _script({b"q1": b"a1", b"q2": b"OTHER"})
    walked = tree.walk("k", exchange)
    assert walked is not None and walked.outcome is None
    assert walked.answers == [(b"q1", b"a1"), (b"q2", b"OTHER")]
    assert asked == [b"q1", b"q2"]
    assert (tree.hits, tree.misses) == (0, 1)


def test_two_learners_answering_differently_make_two_branches_each_with_its_outcome():
    tree = Memo()
    right, wrong = _outcome(), _outcome(Status.FAILED, "differs")
    tree.add("k", [(b"q1", b"a1"), (b"q2", b"a2")], right)
    tree.add("k", [(b"q1", b"a1"), (b"q2", b"bad")], wrong)
    for reply, expected in ((b"a2", right), (b"bad", wrong)):
        exchange, _ = _script({b"q1": b"a1", b"q2": reply})
        walked = tree.walk("k", exchange)
        assert walked is not None and walked.outcome == expected
    assert set(tree.trees["k"].children[digest(b"a1")].children) == {
        digest(b"a2"),
        digest(b"bad"),
    }


def test_a_fault_on_the_walk_ends_it_and_is_handed_on_for_the_test_to_meet():
    tree = Memo()
    tree.add("k", [(b"q1", b"a1"), (b"q2", b"a2")], _outcome())
    fault = CallFault("timeout", "no answer within 10 s")
    exchange, _ = _script({b"q1": b"a1", b"q2": fault})
    walked = tree.walk("k", exchange)
    assert walked is not None and walked.outcome is None
    assert walked.answers == [(b"q1", b"a1"), (b"q2", fault)]


def test_a_test_that_asks_something_else_after_the_same_replies_drops_its_tree():
    """Such a test is not a function of the replies: none of its conversations is trusted."""
    tree = Memo()
    tree.add("k", [(b"q1", b"a1"), (b"q2", b"a2")], _outcome())
    assert not tree.add("k", [(b"q1", b"a1"), (b"OTHER", b"a2")], _outcome())
    assert "k" not in tree.trees and tree.conflicts == 1
    tree.add("j", [(b"q1", b"a1")], _outcome())
    assert not tree.add("j", [(b"q1", b"a1")], _outcome(Status.FAILED, "another outcome"))
    assert "j" not in tree.trees and tree.conflicts == 2


def test_a_test_without_requests_is_a_leaf_at_the_root():
    tree = Memo()
    assert tree.add("k", [], _outcome(message="no call"))
    exchange, asked = _script({})
    walked = tree.walk("k", exchange)
    assert walked is not None and walked.outcome == _outcome(message="no call")
    assert asked == []


def test_the_outcome_handed_out_is_a_copy():
    """Points are gated on the outcomes after the run: that must not reach the tree."""
    tree = Memo()
    tree.add("k", [(b"q", b"a")], _outcome())
    exchange, _ = _script({b"q": b"a"})
    first = tree.walk("k", exchange)
    assert first is not None and first.outcome is not None
    first.outcome.points, first.outcome.status = 0.0, Status.FAILED
    again = tree.walk("k", exchange)
    assert again is not None and again.outcome == _outcome()


def test_the_trees_stop_growing_at_their_byte_budget():
    tree = Memo(max_bytes=1000)
    assert tree.add("a", [(b"x" * 900, b"a")], _outcome())
    assert tree.size >= 1000
    assert not tree.add("b", [(b"q", b"a")], _outcome())
    assert "b" not in tree.trees


def _leaves(node: Node) -> Iterator[TestOutcome]:
    if node.outcome is not None:
        yield node.outcome
    for child in node.children.values():
        yield from _leaves(child)


# -- the worker's served answers ---------------------------------------------------------------


def _reply(value: object) -> bytes:
    return encode({"ok": True, "value": value, "mutated": [], "warnings": []})[8:]


def _request(function: str, x: float) -> dict:
    return {
        "op": "call",
        "topic": "t",
        "function": function,
        "args": [x],
        "kwargs": {},
        "keep": False,
    }


def test_a_served_answer_is_the_calls_answer_without_reaching_a_worker(tmp_path):
    worker = WorkerProcess(tmp_path)
    worker.served.append((encode(_request("f", 1.0)), _reply(2.0)))
    worker.tape = []
    assert worker.call("t", "f", [1.0], {}) == 2.0
    assert worker.starts == 0  # no worker was started
    assert worker.tape == [(encode(_request("f", 1.0)), _reply(2.0))]


def test_a_served_error_and_a_served_fault_are_raised_as_the_worker_would_raise_them(tmp_path):
    worker = WorkerProcess(tmp_path)
    error = encode({"ok": False, "error": {"type": "ValueError", "message": "m", "where": ""}})
    fault = CallFault("timeout", "no answer within 10 s")
    worker.served.extend(
        [(encode(_request("f", 1.0)), error[8:]), (encode(_request("f", 2.0)), fault)]
    )
    worker.tape = []
    with pytest.raises(LearnerError, match="ValueError: m"):
        worker.call("t", "f", [1.0], {})
    assert worker.tape is not None and len(worker.tape) == 1  # an error is an answer: taped
    with pytest.raises(CallFault, match="timeout"):
        worker.call("t", "f", [2.0], {})
    assert worker.tape is None  # a fault: this conversation is never learnt
    assert worker.starts == 0


def test_a_request_other_than_the_served_one_voids_them_and_goes_to_the_worker(tmp_path):
    (tmp_path / "t.py").write_text("def f(x):\n    return 3 * x\n")
    with WorkerProcess(tmp_path, Limits(), Sandbox(None, None)) as worker:
        worker.served.append((encode(_request("f", 1.0)), _reply(2.0)))
        assert worker.call("t", "f", [5.0], {}) == 15.0
        assert not worker.served and worker.diverged == 1


# -- grading with trees ------------------------------------------------------------------------

#: wraps every function of a topic so that each call the learner receives is logged (name and a
#: digest of the arguments), to compare what the worker was asked with and without trees
LOGGED = """

import functools as _functools, hashlib as _hashlib, inspect as _inspect

_LOG = {log!r}
_CALLS = [0]


def _logged(fn):
    @_functools.wraps(fn)
    def wrapper(*args, **kwargs):
        _CALLS[0] += fn.__name__ == "relu"
        text = repr((args, sorted(kwargs.items()))).encode()
        with open(_LOG, "a") as fh:
            fh.write(f"{{fn.__name__}} {{_hashlib.sha256(text).hexdigest()[:16]}}\\n")
        result = fn(*args, **kwargs)
        if {stateful} and _CALLS[0] > 3 and fn.__name__ == "relu":  # wrong after a while
            result = result + 1.0
        return result
    return wrapper


for _name, _fn in list(globals().items()):
    if _inspect.isfunction(_fn) and not _name.startswith("_") and _fn.__module__ == __name__:
        globals()[_name] = _logged(_fn)
"""

SETTINGS = dict(topics=("activations",), max_examples=6, sandbox=Sandbox(None, None))


def _logged_learner(tmp_path: Path, name: str, *, stateful: bool, mistake: str | None = None):
    folder = write_answers(tmp_path / name)
    if mistake is not None:
        plant_mistake(folder, mistake)
    log = tmp_path / f"{name}.log"
    with (folder / "activations.py").open("a", encoding="utf-8") as fh:
        fh.write(LOGGED.format(log=str(log), stateful=stateful))
    return folder, log


def _grade(folder: Path, **settings: object) -> list[TestOutcome]:
    from grader.settings import GradeSettings

    result = run_hidden_tests(
        folder, GradeSettings(**{**SETTINGS, **settings}), learner="l", content_hash="-"
    )
    return result.outcomes


def test_a_learner_gets_the_same_requests_and_outcomes_with_trees_as_without(tmp_path, monkeypatch):
    """A learner whose relu changes its answers after 3 calls leaves the trees an earlier learner
    grew part-way through a test: the answers already had are served to the test, which then
    goes on with the worker. The worker's log of what it was asked, in order, and the outcomes,
    are those of a grade without trees."""
    model, _ = _logged_learner(tmp_path, "model", stateful=False)
    without_trees, log_without = _logged_learner(tmp_path, "a", stateful=True)
    with_trees, log_with = _logged_learner(tmp_path, "b", stateful=True)

    alone = _grade(without_trees)
    memo.MEMO.clear()
    replay.clear()
    _grade(model)  # grows the trees
    assert memo.MEMO.trees
    left: list[int] = []  # how many answers each walk that left its tree had had
    walk = memo.Memo.walk

    def walk_and_count(self, key, exchange):
        walked = walk(self, key, exchange)
        if walked is not None and walked.outcome is None:
            left.append(len(walked.answers))
        return walked

    monkeypatch.setattr(memo.Memo, "walk", walk_and_count)
    after = _grade(with_trees)

    assert [vars(o) for o in after] == [vars(o) for o in alone]
    assert any(o.status == Status.FAILED for o in after)  # the state shows
    assert memo.MEMO.hits > 0  # tests answered from the trees
    assert any(n > 1 for n in left)  # and a test served answers, then went on with the worker
    assert log_with.read_text() == log_without.read_text()
    assert memo.MEMO.conflicts == 0


def test_a_second_learner_answering_as_the_first_gets_its_outcomes_from_the_trees(tmp_path):
    """Model answers with a catalogued mistake: the first grade grows the trees, the second
    (another folder, the same answers) walks them to the end for every test it can run."""
    first = write_answers(tmp_path / "first")
    second = write_answers(tmp_path / "second")
    for folder in (first, second):
        plant_mistake(folder, "activations.softmax/softmax_over_whole_array")
    before = _grade(first)
    assert any(o.status == Status.FAILED for o in before)
    learnt = len(memo.MEMO.trees)
    assert _grade(second) == before
    assert memo.MEMO.hits == learnt and memo.MEMO.misses == 0


def test_a_conversation_that_ended_in_a_fault_is_never_learnt(tmp_path):
    """A timeout depends on the machine: the same answers may come in time on another run."""
    folder = write_answers(tmp_path / "slow")
    with (folder / "activations.py").open("a", encoding="utf-8") as fh:
        fh.write(
            "\nimport time as _time\n_fast = relu\n\n\ndef relu(x):\n    _time.sleep(1)\n    return _fast(x)\n"
        )
    outcomes = _grade(folder, limits=Limits(call_timeout=0.3))
    assert any(o.function == "relu" and o.status == Status.FAULT for o in outcomes)
    leaves = [leaf for root in memo.MEMO.trees.values() for leaf in _leaves(root)]
    assert leaves and not any(leaf.status == Status.FAULT for leaf in leaves)
    assert not any(leaf.function == "relu" for leaf in leaves)


def test_without_replay_nothing_is_learnt(tmp_path):
    """Grading with hypothesis alone (``replay=False``, what grades are compared with) grows no
    tree."""
    from grader.settings import GradeSettings

    folder = write_answers(tmp_path / "model")
    run_hidden_tests(folder, GradeSettings(**SETTINGS), learner="l", content_hash="-", replay=False)
    assert memo.MEMO.trees == {}


def test_outcomes_from_the_trees_are_gated_again_for_each_learner(tmp_path):
    """A property check's points count once its function's main checks pass: the trees keep
    outcomes as the test gave them, so a learner whose outcomes all came from the trees is
    gated as the first was (softmax over the whole array: its properties hold, its main checks
    fail)."""
    first = write_answers(tmp_path / "first")
    second = write_answers(tmp_path / "second")
    for folder in (first, second):
        plant_mistake(folder, "activations.softmax/softmax_over_whole_array")
    before = _grade(first)
    gated = [o for o in before if o.message.startswith("this property holds")]
    assert gated and all(o.points == 0 for o in gated)
    after = _grade(second)
    assert memo.MEMO.misses == 0
    assert after == before
    leaves = [leaf for root in memo.MEMO.trees.values() for leaf in _leaves(root)]
    assert not any(leaf.message.startswith("this property holds") for leaf in leaves)


def test_gradelab_memo_off_grows_no_tree_and_a_bad_value_is_refused(tmp_path, monkeypatch):
    """``GRADELAB_MEMO=off``: grading as before memoisation (the same grades, no trees); any
    value but on or off is an error that names the variable, not a silent default."""
    folder = write_answers(tmp_path / "model")
    monkeypatch.setenv(memo.ENV, "off")
    _grade(folder)
    assert memo.MEMO.trees == {}
    monkeypatch.setenv(memo.ENV, "maybe")
    with pytest.raises(ValueError, match="GRADELAB_MEMO must be on or off"):
        _grade(folder)
    monkeypatch.setenv(memo.ENV, "on")
    _grade(folder)
    assert memo.MEMO.trees


def test_tests_that_cannot_run_are_said_as_without_trees_and_grow_none(tmp_path, monkeypatch):
    """A stub, or a topic file that does not import, fails its tests at the check before the walk:
    that check's result is the outcome (pytest's setup does not check again), the same as with
    ``GRADELAB_MEMO=off``, and no tree is grown from it."""
    folder = write_answers(tmp_path / "partly")
    source = (folder / "activations.py").read_text(encoding="utf-8")
    stubbed = source.replace(
        "def relu(x", "def relu(x, *_a):\n    raise NotImplementedError\n\n\ndef _old_relu(x", 1
    )
    (folder / "activations.py").write_text(stubbed, encoding="utf-8")
    broken = write_answers(tmp_path / "broken")
    (broken / "activations.py").write_text("def broken(:\n", encoding="utf-8")
    for submission in (folder, broken):
        memo.MEMO.clear()
        replay.clear()
        monkeypatch.setenv(memo.ENV, "off")
        without = _grade(submission)
        monkeypatch.setenv(memo.ENV, "on")
        first, second = _grade(submission), _grade(submission)
        assert first == second == without
    assert not any(o.status == Status.PASSED for o in _grade(broken))
    stubs = [o for o in _grade(folder) if o.function == "relu"]
    assert stubs and all(o.status == Status.NOT_IMPLEMENTED for o in stubs)
    leaves = [leaf for root in memo.MEMO.trees.values() for leaf in _leaves(root)]
    assert not any(leaf.function == "relu" for leaf in leaves)
