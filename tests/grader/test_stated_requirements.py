"""Every requirement a learner is told is graded: the docstrings' (solutions/ and exercises/)
"must not warn / no overflow" clauses name exactly the functions grading holds to it
(``exercises.tests._warnings.WARNING_FREE``, held by ``gradelab check`` too), and a variant with the right values that breaks one
stated requirement (raises an overflow RuntimeWarning, returns another dtype or float32 for
float64, modifies an input in place, returns None where its docstring says ValueError;
``grader.impostors.VIOLATIONS``) loses points on its function, with a message saying why; so does
a result that is its input or a view of it.
"""

from __future__ import annotations

import ast
import copy
import importlib
import inspect
import re
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from exercises.tests._harness import compare, load_cases
from exercises.tests._runner import run_check
from exercises.tests._warnings import WARNING_FREE
from exercises.tests._widths import STATED_FLOAT32
from grader.engine.run import HIDDEN_DIR, run_hidden_tests
from grader.examples import plant_impostors, write_answers
from grader.release.build import ROOT
from grader.settings import GradeSettings
from reference import TOPICS

GRADED = [t for t in TOPICS if (HIDDEN_DIR / f"test_{t}.py").exists()]
WARN_CLAUSE = re.compile(r"\b(warn|warning|overflow)\b", re.IGNORECASE)
DTYPE_CLAUSE = re.compile(r"\b(float64|float32|int64|integer arrays?|float arrays?|an int)\b", re.I)


def _docstrings(path: Path) -> list[tuple[str | None, str]]:
    """(function name, or None for the module; docstring) of a topic file, read without importing."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[str | None, str]] = [(None, ast.get_docstring(tree) or "")]
    out += [
        (node.name, ast.get_docstring(node) or "")
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    ]
    return out


def _sentences(text: str) -> list[str]:
    return [" ".join(s.split()) for s in re.split(r"(?<=[.;:])\s+", text)]


def _functions(topic: str) -> list[str]:
    module = importlib.import_module(f"solutions.{topic}")
    return [
        n
        for n, f in vars(module).items()
        if inspect.isfunction(f) and f.__module__ == module.__name__ and not n.startswith("_")
    ]


def _named_in(sentence: str, topic: str, function: str | None) -> set[str]:
    """The functions a clause is about: its own function, or those a module clause names
    ("Sigmoid, tanh and softmax must not ...", "Binary and categorical cross-entropy ...")."""
    if function is not None:
        return {function}
    words = sentence.lower().replace("cross-entropy", "cross_entropy")
    named = set()
    for fn in _functions(topic):
        if fn.endswith("_grad"):
            continue
        parts = fn.split("_")
        # "binary ... cross_entropy" names binary_cross_entropy, "sigmoid" names sigmoid
        if all(
            re.search(rf"\b{re.escape(p)}", words) for p in (parts[0], "_".join(parts[1:])) if p
        ):
            named.add(fn)
    return named


@cache
def stated(kind: str) -> dict[str, set[str]]:
    """topic → functions whose docstrings (solutions and exercises alike) state ``kind``."""
    pattern = WARN_CLAUSE if kind == "warns" else DTYPE_CLAUSE
    out: dict[str, set[str]] = {}
    for topic in TOPICS:
        for folder in ("solutions", "exercises"):
            for function, doc in _docstrings(ROOT / folder / f"{topic}.py"):
                text = doc.split("Returns:", 1)[-1] if kind == "wrong_dtype" else doc
                if kind == "wrong_dtype" and function is None:
                    continue  # a module clause ("inputs are float64") is about inputs
                for sentence in _sentences(text):
                    if pattern.search(sentence):
                        out.setdefault(topic, set()).update(_named_in(sentence, topic, function))
    return out


def test_warning_clauses_name_exactly_the_functions_graded_for_warnings():
    said = {f"{t}.{f}" for t, fns in stated("warns").items() for f in fns}
    assert said == set(WARNING_FREE)


def test_the_walk_finds_the_stated_dtypes():
    """The walk itself works: the docstrings' dtype statements are found where we know they are."""
    found = {f"{t}.{f}" for t, fns in stated("wrong_dtype").items() for f in fns}
    assert {
        "losses.one_hot",
        "rag.top_k",
        "rag.search",
        "rag.embed",
        "conv.conv_output_size",
    } <= found


def _array_input(topic: str, function: str) -> bool:
    """Does some public case of the function pass it a float array (so it could modify one)?"""
    for case in load_cases(topic):
        if case.function == function:
            args, kwargs = case.inputs()
            values = [*args, *kwargs.values()]
            flat = [v for x in values for v in (x if isinstance(x, list | tuple) else [x])]
            if any(isinstance(v, np.ndarray) and v.dtype.kind == "f" for v in flat):
                return True
    return False


def _states_an_error(topic: str) -> set[str]:
    """Functions whose docstrings (solutions and exercises alike) say they raise ValueError."""
    return {
        function
        for folder in ("solutions", "exercises")
        for function, doc in _docstrings(ROOT / folder / f"{topic}.py")
        if function is not None and "ValueError" in doc
    }


def test_the_walk_finds_the_stated_errors():
    """The walk itself works: the docstrings' stated errors are found where we know they are."""
    found = {f"{t}.{f}" for t in TOPICS for f in _states_an_error(t)}
    assert {"conv.pad2d", "rag.top_k", "rag.search", "forward.mlp_forward"} <= found


def _float64_output(topic: str, function: str) -> bool:
    """Does some public case of the function expect a float64 array (that it could narrow)?"""
    if f"{topic}.{function}" in STATED_FLOAT32:
        return False
    for case in load_cases(topic):
        if case.function == function and not case.check:
            expected = case.expected
            flat = expected if isinstance(expected, list | tuple) else [expected]
            if any(isinstance(v, np.ndarray) and v.dtype == np.float64 and v.ndim for v in flat):
                return True
    return False


def _planted(topic: str, kind: str) -> list[str]:
    if kind == "mutates_input":  # the curriculum: every function is pure
        return [f for f in _functions(topic) if _array_input(topic, f)]
    if kind == "narrowed":  # the curriculum: outputs are float64 unless a function says otherwise
        return [f for f in _functions(topic) if _float64_output(topic, f)]
    if kind == "swallows_errors":
        return sorted(_states_an_error(topic))
    return sorted(stated(kind).get(topic, set()))


#: what the failing check says, for each broken requirement
SAYS = {
    "warns": "must not overflow or warn",
    "wrong_dtype": ("array", "should be an int"),
    "mutates_input": "in place",
    "narrowed": "should be a float64 array",
    "swallows_errors": "instead of raising ValueError",
}


def _says(kind: str, message: str) -> bool:
    """Does ``message`` name the broken requirement ``kind`` (one of its :data:`SAYS` phrases)?"""
    phrases = SAYS[kind]
    return any(p in message for p in ((phrases,) if isinstance(phrases, str) else phrases))


CASES = [
    pytest.param(topic, kind, id=f"{topic}-{kind}")
    for kind in SAYS
    for topic in GRADED
    if _planted(topic, kind)
]


@pytest.mark.parametrize(("topic", "kind"), CASES)
def test_breaking_a_stated_requirement_loses_points(tmp_path: Path, topic: str, kind: str):
    functions = _planted(topic, kind)
    folder = write_answers(tmp_path / "violation")
    plant_impostors(folder, topic, functions, kind)
    result = run_hidden_tests(
        folder,
        GradeSettings(topics=tuple([topic]), shrink=False),
        learner=kind,
        content_hash="-",
        only_functions=None,
    )
    for fn in functions:
        mine = [o for o in result.outcomes if o.function == fn]
        failed = [o for o in mine if o.status != "passed"]
        assert failed, f"{topic}.{fn}: breaking '{kind}' passes every check"
        assert any(_says(kind, o.message) for o in failed), (
            f"{topic}.{fn}: no check names the broken requirement: {[o.message for o in failed]}"
        )


#: (topic, function, a signature with one default of its own, the call forwarding it, what
#: changed): right values with the stated defaults, the audit's plausible defaults otherwise
WRONG_DEFAULTS = [
    ("losses", "mse", "y_true, y_pred, reduction='sum'", "y_true, y_pred, reduction", "sum"),
    (
        "losses",
        "categorical_cross_entropy",
        "y_true, y_pred, eps=1e-7, reduction='mean'",
        "y_true, y_pred, eps, reduction",
        "keras-eps",
    ),
    ("losses", "huber_grad", "y_true, y_pred, delta=1.35", "y_true, y_pred, delta", "delta"),
    ("backprop", "numerical_gradient", "f, x, h=1e-2", "f, x, h", "h"),
    ("conv", "max_pool2d", "x, size=2, stride=1", "x, size, stride", "stride"),
    (
        "training",
        "early_stopping",
        "v, patience, min_delta=1e-4",
        "v, patience, min_delta",
        "delta",
    ),
    (
        "optimizers",
        "adam_step",
        "w, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7",
        "w, grad, m, v, t, lr, beta1, beta2, eps",
        "eps",
    ),
]


def test_every_function_with_defaults_is_held_to_them():
    """Each curriculum function whose signature states a default has inputs in its suite's
    ``DEFAULT_CALLS`` (the check calls it with and without the stated defaults)."""
    import inspect

    from grader.suites import stated_defaults

    for topic in GRADED:
        module = importlib.import_module(f"exercises.{topic}")
        with_defaults = {
            name
            for name, fn in vars(module).items()
            if inspect.isfunction(fn)
            and fn.__module__ == module.__name__
            and not name.startswith("_")
            and stated_defaults(topic, name)[1]
        }
        suite = importlib.import_module(f"grader.hidden.test_{topic}")
        held = set(getattr(suite, "DEFAULT_CALLS", {}))
        assert with_defaults == held, f"{topic}: not held {with_defaults - held}"


#: (topic, function, source): float64 in and out, float32 digits inside (the audits' variants)
FLOAT32_INSIDE = [
    (
        "forward",
        "weighted_sum",
        "def weighted_sum(x, w, b):\n"
        "    return (x.astype(np.float32) @ w.astype(np.float32) + np.float32(b)).astype(float)\n",
    ),
    (
        "optimizers",
        "adam_step",
        "_adam = adam_step\n\n"
        "def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
        "    f32 = [a.astype(np.float32) for a in (w, grad, m, v)]\n"
        "    return tuple(a.astype(float) for a in _adam(*f32, t, lr, beta1, beta2, eps))\n",
    ),
    (
        "conv",
        "conv2d",
        "_conv2d = conv2d\n\ndef conv2d(x, kernel, stride=1, padding=0):\n"
        "    out = _conv2d(x.astype(np.float32), kernel.astype(np.float32), stride, padding)\n"
        "    return out.astype(float)\n",
    ),
]


@pytest.mark.parametrize(
    ("topic", "function", "source", "says"),
    [
        pytest.param(
            "activations",
            "sigmoid",
            "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n",
            "must not overflow or warn",
            id="textbook-sigmoid-warns",
        ),
        pytest.param(
            "losses",
            "one_hot",
            "def one_hot(labels, num_classes):\n    return np.eye(num_classes, dtype=np.int64)"
            "[np.asarray(labels)]\n",
            "should be a float array",
            id="int64-one-hot",
        ),
        pytest.param(
            "losses",
            "one_hot",
            "def one_hot(labels, num_classes):\n"
            "    return np.eye(num_classes, dtype=np.float32)[np.asarray(labels)]\n",
            "should be a float64 array",
            id="float32-one-hot",
        ),
        *(
            pytest.param(
                topic,
                function,
                f"_stated = {function}\n\ndef {function}({signature}):\n"
                f"    return _stated({forwarded})\n",
                "the defaults its signature states",
                id=f"{function}-default-{changed}",
            )
            for topic, function, signature, forwarded, changed in WRONG_DEFAULTS
        ),
        pytest.param(
            "conv",
            "flatten",
            "def flatten(x):\n    return x.reshape(x.shape[0], -1)\n",
            "a view of it",
            id="flatten-returns-a-view",
        ),
        pytest.param(
            "training",
            "dropout",
            "_dropout = dropout\n\n"
            "def dropout(x, p, rng, training=True):\n"
            "    return _dropout(x, p, rng, training) if training else x\n",
            "a view of it",
            id="dropout-at-inference-returns-its-input",
        ),
        pytest.param(
            "activations",
            "sigmoid",
            "def sigmoid(x):\n    with np.errstate(all='ignore'):\n"
            "        return 1 / (1 + np.exp(-x))\n",
            "must not overflow or warn",
            id="textbook-sigmoid-silenced-by-errstate",
        ),
        pytest.param(
            "activations",
            "softmax",
            "import warnings\n\ndef softmax(x, axis=-1):\n"
            "    with warnings.catch_warnings():\n"
            "        warnings.simplefilter('ignore')\n"
            "        e = np.exp(x)\n"
            "        out = e / e.sum(axis=axis, keepdims=True)\n"
            "    return np.where(np.isnan(out), np.exp(x - x.max(axis=axis, keepdims=True))"
            " / np.exp(x - x.max(axis=axis, keepdims=True)).sum(axis=axis, keepdims=True), out)\n",
            "must not overflow or warn",
            id="unshifted-softmax-patched-up-under-silenced-warnings",
        ),
        pytest.param(
            "forward",
            "mlp_forward",
            "_mlp_forward = mlp_forward\n\ndef mlp_forward(x, layers):\n"
            "    out = _mlp_forward(x, layers)\n    layers.reverse()\n    return out\n",
            "in place",
            id="mlp-forward-reverses-the-callers-layers",
        ),
        pytest.param(
            "forward",
            "mlp_forward",
            "_mlp_forward = mlp_forward\n\ndef mlp_forward(x, layers):\n"
            "    for _, b, _ in layers:\n        b.shape = (1, -1)\n"
            "    return _mlp_forward(x, layers)\n",
            "in place",
            id="mlp-forward-reshapes-a-nested-bias-in-place",
        ),
        pytest.param(
            "losses",
            "mse",
            "_mse = mse\n\ndef mse(y_true, y_pred, reduction='mean'):\n"
            "    if reduction == 'none':\n        y_pred -= y_true\n        y_pred **= 2\n"
            "        return y_pred.copy()\n"
            "    return _mse(y_true, y_pred, reduction)\n",
            "in place",
            id="mse-modifies-y-pred-only-for-reduction-none",
        ),
        pytest.param(
            "rnn",
            "clip_grad_norm",
            "_clip = clip_grad_norm\n\ndef clip_grad_norm(grads, max_norm):\n"
            "    total = np.sqrt(sum(float(np.sum(np.square(g))) for g in grads))\n"
            "    return grads if total <= max_norm else _clip(grads, max_norm)\n",
            "a view of it",
            id="clip-grad-norm-returns-its-input-when-no-clipping-is-needed",
        ),
        pytest.param(
            "training",
            "dropout",
            "_dropout = dropout\n\ndef dropout(x, p, rng, training=True):\n"
            "    return x if p == 0 else _dropout(x, p, rng, training)\n",
            "a view of it",
            id="dropout-returns-its-input-for-p-zero",
        ),
        pytest.param(
            "rag",
            "recall_at_k",
            "_recall = recall_at_k\n\ndef recall_at_k(retrieved, relevant, k):\n"
            "    out = _recall(retrieved, relevant, k)\n    del retrieved[k:]\n    return out\n",
            "in place",
            id="recall-at-k-truncates-the-callers-list",
        ),
        pytest.param(
            "rnn",
            "rnn_forward",
            "_BUF = {}\n\ndef rnn_forward(x, h0, Wx, Wh, b):\n"
            "    N, T, _ = x.shape\n"
            "    hs = _BUF.setdefault((N, T, h0.shape[1]), np.zeros((N, T, h0.shape[1])))\n"
            "    h = h0\n"
            "    for t in range(T):\n"
            "        h = rnn_cell(x[:, t], h, Wx, Wh, b)\n        hs[:, t] = h\n"
            "    return hs, np.array(h, copy=True)\n",
            "same memory as an earlier call",
            id="rnn-forward-fills-one-buffer-it-keeps-between-calls",
        ),
        pytest.param(
            "rag",
            "top_k",
            "_top_k = top_k\n\ndef top_k(query, matrix, k):\n"
            "    ids, best = _top_k(query, matrix, k)\n    return ids.astype(np.int32), best\n",
            "should be an int64 array",
            id="top-k-returns-int32-indices",
        ),
        pytest.param(
            "rag",
            "search",
            "_search = search\n\ndef search(index, queries, k):\n"
            "    ids, scores = _search(index, queries, k)\n"
            "    return ids, scores.astype(np.float64)\n",
            "should be a float32 array",
            id="search-returns-float64-scores",
        ),
        *(
            pytest.param(topic, function, source, "entries differ", id=f"{function}-in-float32")
            for topic, function, source in FLOAT32_INSIDE
        ),
    ],
)
def test_the_lessons_known_violations_lose_points(tmp_path, topic, function, source, says):
    """The lesson's common mistake `1 / (1 + np.exp(-x))` (right values, overflow warnings at
    −1000), also where the code silences NumPy; an int64 or a float32 one_hot (right values,
    wrong dtype); results that are the input or a view of it where the curriculum asks for new
    arrays (flatten as a reshape, dropout returning x at inference or at p = 0, clip_grad_norm
    returning its input when nothing needs clipping) or memory it keeps between calls
    (rnn_forward's one buffer per shape); and arguments changed in place, nested ones (an MLP's
    layers) and only under some arguments (mse's reduction="none", recall_at_k's list) included;
    and float64 answers computed in float32 and cast back (:data:`FLOAT32_INSIDE`), each lose
    points on their function."""
    folder = write_answers(tmp_path / "learner")
    with (folder / f"{topic}.py").open("a", encoding="utf-8") as fh:
        fh.write("\n\n" + source)
    result = run_hidden_tests(
        folder,
        GradeSettings(topics=tuple([topic])),
        learner="x",
        content_hash="-",
        only_functions={f"{topic}.{function}"},
    )
    assert result.score < result.max_score
    assert any(says in o.message for o in result.outcomes if o.status != "passed")


#: held by grading only: the public cases hold no erroneous inputs (a learner reads the errors
#: to raise in the docstring, and grading checks them)
GRADING_ONLY = {"swallows_errors"}


@pytest.mark.parametrize(("topic", "kind"), [c for c in CASES if c.values[1] not in GRADING_ONLY])
def test_gradelab_check_holds_every_stated_requirement_that_grading_holds(tmp_path, topic, kind):
    """The learner's local check fails the same impostors as grading, naming the requirement in
    the same words (it passed an overflowing sigmoid that grading failed: a learner saw "all
    pass" and lost points)."""
    functions = _planted(topic, kind)
    folder = write_answers(tmp_path / "violation")
    plant_impostors(folder, topic, functions, kind)
    rows = {r.function: r for r in run_check([topic], where=str(folder), timeout=0)}
    for fn in functions:
        assert rows[fn].status == "failed", f"{topic}.{fn}: gradelab check passes '{kind}'"
        assert any(_says(kind, m) for m in rows[fn].messages), rows[fn].messages


class _KeepingModule:
    """A module whose functions also answer ``.keep(...)`` (an object kept in the worker)."""

    def __init__(self, module: Any) -> None:
        self.module = module

    def __getattr__(self, name: str) -> Any:
        fn = getattr(self.module, name)
        return type("Kept", (), {"__call__": staticmethod(fn), "keep": staticmethod(fn)})()


def _alternatives(name: str, default: Any, args: tuple[Any, ...]) -> list[Any]:
    """Values a learner might have put in place of a stated default: every other axis literal
    (``axis=1`` for ``axis=-1``: the same axis on 2-D inputs, not on 3-D), a flipped flag, the
    other reductions, a float doubled, halved and zeroed, an int ± 1."""
    if isinstance(default, bool):
        return [not default]
    if isinstance(default, int) and name == "axis":  # literals: 1 is not -1 on a 3-D input
        return [a for a in range(-4, 4) if a != default]
    if isinstance(default, int):
        return [default - 1, default + 1]
    if isinstance(default, float):
        return [v for v in (default * 2, default / 2, 0.0) if v != default]
    if default in ("mean", "sum", "none"):
        return [r for r in ("mean", "sum", "none") if r != default]
    return []


def test_default_calls_tell_every_stated_default_from_its_alternatives():
    """The inputs each suite's ``DEFAULT_CALLS`` gives a function make every stated default
    matter: the model answer called with any other value of one default (another axis, another
    reduction, a changed eps) answers differently. Softmax's defaults were checked on a 2-D
    input, where a learner's ``axis=1`` is ``axis=-1``: such a default passed."""
    from exercises.tests._handles import build
    from grader.sandbox.channel import HandleRef
    from grader.suites import default_calls

    def fresh(args: tuple[Any, ...]) -> list[Any]:  # named handles built, as the worker does
        return [build(a.name) if isinstance(a, HandleRef) else copy.deepcopy(a) for a in args]

    def fresh_kw(kwargs: dict[str, Any]) -> dict[str, Any]:
        return dict(zip(kwargs, fresh(tuple(kwargs.values())), strict=True))

    class Answers:  # the learner proxy a suite builds arguments with, over the model answers
        def __getattr__(self, topic: str) -> Any:
            return _KeepingModule(importlib.import_module(f"solutions.{topic}"))

    unseen = []
    for topic in GRADED:
        suite = importlib.import_module(f"grader.hidden.test_{topic}")
        answers = importlib.import_module(f"solutions.{topic}")
        for function, built in getattr(suite, "DEFAULT_CALLS", {}).items():
            made = built(Answers()) if callable(built) else built
            fn = getattr(answers, function)
            told: dict[tuple[str, Any], bool] = {}  # (default, alternative) → some call tells
            for one in default_calls(topic, function, made):
                given, fixed, defaults = one.given, one.fixed, one.defaults

                def run(changed: dict[str, Any], fn=fn, given=given, fixed=fixed) -> Any:
                    return fn(*fresh(tuple(given)), **changed, **fresh_kw(fixed))

                answer = run(defaults)
                for name, default in defaults.items():
                    for other in _alternatives(name, default, tuple(given)):
                        try:
                            moved = run({**defaults, name: other})
                        except Exception:  # the alternative is refused: no learner keeps it
                            told[name, other] = True
                            continue
                        differs = compare(moved, answer, 0.0, 0.0) is not None
                        told[name, other] = told.get((name, other), False) or differs
            unseen += [f"{topic}.{function}({n}={v!r})" for (n, v), ok in told.items() if not ok]
    assert not unseen, f"these defaults' alternatives answer as the stated one: {unseen}"
