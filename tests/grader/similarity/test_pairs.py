"""grader/similarity/pairs.py: a disguised copy is flagged; two independent correct answers
are not; the untouched stub matches nobody; a tiny shared snippet flags no one."""

from __future__ import annotations

import pytest

from grader.similarity.pairs import MIN_SHARED_TOKENS, THRESHOLD, compare_topic
from tests.grader.similarity.independent import ROOT, disguised_copy, independent_activations

STUB = (ROOT / "exercises" / "activations.py").read_text()
MODEL = (ROOT / "solutions" / "activations.py").read_text()
INDEPENDENT = independent_activations()


@pytest.fixture(scope="module")
def pairs():
    codes = {
        "model": MODEL,
        "independent": INDEPENDENT,
        "copies-model": disguised_copy(MODEL),
        "copies-independent": disguised_copy(INDEPENDENT),
        "stub-1": STUB,
        "stub-2": STUB,
    }
    return {(p.learner_a, p.learner_b): p for p in compare_topic("activations", codes)}


def test_a_copy_with_renamed_variables_reordered_functions_and_new_comments_is_flagged(pairs):
    for a, b in [("copies-model", "model"), ("copies-independent", "independent")]:
        pair = pairs[tuple(sorted((a, b)))]
        assert pair.flagged, pair.describe()
        assert min(pair.similarity_a, pair.similarity_b) > 0.9
        assert pair.code[0] and pair.slices[0].size  # kept for the side-by-side page


def test_the_model_answers_and_an_independent_correct_answer_are_not_flagged(pairs):
    for a, b in [("independent", "model"), ("copies-independent", "model")]:
        pair = pairs[tuple(sorted((a, b)))]
        assert not pair.flagged, pair.describe()
        assert pair.score < THRESHOLD


def test_the_untouched_stub_matches_nobody(pairs):
    with_stub = [p for key, p in pairs.items() if "stub-1" in key or "stub-2" in key]
    assert len(with_stub) == 9  # 2 x 4 others + the two stubs together
    for pair in with_stub:
        assert (pair.similarity_a, pair.similarity_b, pair.shared_tokens) == (0, 0, 0)
        assert not pair.flagged


def test_the_independent_answer_is_correct():
    """The fixture is a real correct answer (else 'not flagged' would prove little)."""
    import numpy as np

    from solutions import activations as model

    ns: dict = {}
    exec(compile(INDEPENDENT, "independent.py", "exec"), ns)
    x = np.linspace(-5, 5, 12).reshape(4, 3)
    for name in ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "softmax"):
        np.testing.assert_allclose(ns[name](x), getattr(model, name)(x), atol=1e-12)
    for name in ("leaky_relu", "leaky_relu_grad", "elu", "elu_grad"):
        np.testing.assert_allclose(ns[name](x, 0.3), getattr(model, name)(x, 0.3), atol=1e-12)
    alpha = np.array([0.1, 0.2, 0.3])
    np.testing.assert_allclose(ns["prelu"](x, alpha), model.prelu(x, alpha))
    for got, want in zip(ns["prelu_grad"](x, alpha), model.prelu_grad(x, alpha), strict=True):
        np.testing.assert_allclose(got, want)
    s, g = model.softmax(x), np.cos(x)
    np.testing.assert_allclose(ns["softmax_backward"](s, g), model.softmax_backward(s, g))


def test_a_short_shared_snippet_flags_no_one_a_long_one_does():
    def code(terms: int) -> str:
        return "def f(x):\n    return " + " + ".join(f"x * {i}" for i in range(terms)) + "\n"

    short = compare_topic("t", {"a": code(12), "b": code(12)}, stub="")[0]
    long = compare_topic("t", {"a": code(40), "b": code(40)}, stub="")[0]
    assert short.score == 1.0 and short.shared_tokens < MIN_SHARED_TOKENS and not short.flagged
    assert long.score == 1.0 and long.shared_tokens >= MIN_SHARED_TOKENS and long.flagged


def test_the_threshold_decides(pairs):
    codes = {"model": MODEL, "independent": INDEPENDENT}
    score = pairs[("independent", "model")].score
    assert compare_topic("activations", codes, threshold=score - 0.01)[0].flagged
    assert not compare_topic("activations", codes, threshold=score + 0.01)[0].flagged
