"""The lessons: one per topic, the required sections, every exercise named with its curriculum
signature, labelled RAG questions whose evidence really is in the lesson, and no sentence taken
from the course notes.

The function names and signatures below are copied from ``CURRICULUM.md`` (the learner API); a
lesson that drops a function or misquotes its signature fails here. Where ``reference/<topic>.py``
exists, the signatures the lesson quotes are also checked against the reference's (by parsing it,
without importing torch).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import lessons
from reference import TOPICS

REPO = Path(__file__).resolve().parents[2]
NOTES = REPO.parent / "shared" / "notes" / "deep-learning-notes.txt"

SECTIONS = (
    "## Key ideas",
    "## Formulas",
    "## Worked example",
    "## Common mistakes",
    "## Your exercises",
)

# Every learner-facing name of each topic, from CURRICULUM.md.
FUNCTIONS: dict[str, tuple[str, ...]] = {
    "forward": (
        "weighted_sum",
        "step",
        "perceptron_predict",
        "perceptron_train",
        "dense_forward",
        "mlp_forward",
    ),
    "activations": (
        "sigmoid",
        "sigmoid_grad",
        "tanh",
        "tanh_grad",
        "relu",
        "relu_grad",
        "leaky_relu",
        "leaky_relu_grad",
        "elu",
        "elu_grad",
        "prelu",
        "prelu_grad",
        "softmax",
        "softmax_backward",
    ),
    "losses": (
        "mse",
        "mse_grad",
        "mae",
        "mae_grad",
        "huber",
        "huber_grad",
        "binary_cross_entropy",
        "binary_cross_entropy_grad",
        "categorical_cross_entropy",
        "categorical_cross_entropy_grad",
        "one_hot",
    ),
    "backprop": (
        "dense_backward",
        "mlp_backward",
        "chain_forward",
        "chain_backward",
        "numerical_gradient",
    ),
    "optimizers": (
        "gd_step",
        "momentum_step",
        "adagrad_step",
        "rmsprop_step",
        "adadelta_step",
        "adam_step",
        "ewa",
    ),
    "training": (
        "num_iterations",
        "minibatch_indices",
        "train_linear_regression",
        "dropout",
        "early_stopping",
    ),
    "conv": (
        "conv_output_size",
        "pool_output_size",
        "pad2d",
        "conv2d",
        "conv2d_multi",
        "HORIZONTAL_EDGE",
        "VERTICAL_EDGE",
        "max_pool2d",
        "avg_pool2d",
        "flatten",
    ),
    "rnn": (
        "rnn_cell",
        "rnn_forward",
        "clip_grad_norm",
        "lstm_gates",
        "lstm_cell",
        "lstm_forward",
    ),
    "rag": (
        "chunk_text",
        "chunk_sentences",
        "embed",
        "build_index",
        "cosine_similarity",
        "top_k",
        "search",
        "augment",
        "answer",
        "recall_at_k",
        "mean_reciprocal_rank",
    ),
    "finetuning": ("lora_forward", "lora_num_params", "few_shot_prompt"),
}

# The signatures CURRICULUM.md spells out in full; each must be quoted verbatim in the lesson's
# exercise list.
SIGNATURES: dict[str, tuple[str, ...]] = {
    "forward": (
        "weighted_sum(x, w, b)",
        "step(z)",
        "perceptron_predict(x, w, b)",
        "perceptron_train(x, y, lr=0.1, epochs=10)",
        "dense_forward(x, W, b)",
        "mlp_forward(x, layers)",
    ),
    "activations": (
        "leaky_relu(x, alpha=0.01)",
        "elu(x, alpha=1.0)",
        "prelu(x, alpha)",
        "prelu_grad(x, alpha)",
        "softmax(x, axis=-1)",
        "softmax_backward(s, grad_out, axis=-1)",
    ),
    "losses": ("one_hot(labels, num_classes)",),
    "backprop": (
        "dense_backward(x, W, grad_out)",
        'mlp_backward(x, layers, y_true, loss="mse")',
        "chain_forward(x, ws, bs)",
        "chain_backward(x, ws, bs, y)",
        "numerical_gradient(f, x, h=1e-5)",
    ),
    "optimizers": (
        "gd_step(w, grad, lr)",
        "momentum_step(w, grad, velocity, lr, beta=0.9)",
        "adagrad_step(w, grad, sum_sq, lr, eps=1e-10)",
        "rmsprop_step(w, grad, sq_avg, lr, beta=0.99, eps=1e-8)",
        "adadelta_step(w, grad, sq_avg, delta_avg, lr=1.0, rho=0.9, eps=1e-6)",
        "adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)",
        "ewa(series, beta)",
    ),
    "training": (
        "num_iterations(n_samples, batch_size, epochs, drop_last=False)",
        "minibatch_indices(n_samples, batch_size, rng)",
        "dropout(x, p, rng, training=True)",
        "early_stopping(val_losses, patience, min_delta=0.0)",
    ),
    "conv": (
        "conv_output_size(n, f, padding=0, stride=1)",
        "pool_output_size(n, size, stride)",
        "conv2d(x, kernel, stride=1, padding=0)",
        "conv2d_multi(x, weight, bias, stride=1, padding=0)",
        "max_pool2d(x, size=2, stride=None)",
        "flatten(x)",
    ),
    "rnn": (
        "rnn_cell(x_t, h_prev, Wx, Wh, b)",
        "rnn_forward(x, h0, Wx, Wh, b)",
        "clip_grad_norm(grads, max_norm)",
        "lstm_gates(x_t, h_prev, W, U, b)",
        "lstm_cell(x_t, h_prev, c_prev, W, U, b)",
        "lstm_forward(x, h0, c0, W, U, b)",
    ),
    "rag": (
        "chunk_text(text, chunk_size, overlap)",
        "chunk_sentences(text, max_words)",
        "embed(texts, model)",
        "build_index(embeddings)",
        "cosine_similarity(a, b)",
        "top_k(query, matrix, k)",
        "search(index, queries, k)",
        "augment(question, contexts)",
        "answer(question, chunks, index, model, generate, k=3)",
        "recall_at_k(retrieved, relevant, k)",
        "mean_reciprocal_rank(retrieved_lists, relevant_sets)",
    ),
    "finetuning": (
        "lora_forward(x, W, A, B, alpha)",
        "lora_num_params(d_in, d_out, r)",
        "few_shot_prompt(examples, query)",
    ),
}

WORDS_MIN, WORDS_MAX = 400, 900  # "about 400–900 words"
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_CALL = re.compile(r"`([A-Za-z_]\w*)\(([^`]*)\)`")


def _text(topic: str) -> str:
    return lessons.lesson_path(topic).read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The body of the ``## ...`` section whose heading starts with ``heading``."""
    match = re.search(rf"^{re.escape(heading)}[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section {heading!r}"
    return match.group(1)


def _word_count(text: str) -> int:
    """Whitespace-separated tokens holding a letter or digit (formula symbols do not count)."""
    return sum(1 for token in text.split() if re.search(r"[A-Za-z0-9]", token))


def _prose(text: str) -> str:
    """``text`` without fenced blocks and inline code: the sentences, not the formulas."""
    text = re.sub(r"^```.*?^```", " ", text, flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", " ", text)


def _ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    """Every run of n consecutive words (letters and apostrophes; case, digits, symbols ignored)."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _questions() -> list[dict[str, str]]:
    return json.loads((lessons.LESSONS_DIR / "questions.json").read_text(encoding="utf-8"))


def test_function_table_covers_every_topic() -> None:
    assert set(FUNCTIONS) == set(TOPICS) == set(SIGNATURES)


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_has_a_lesson(topic: str) -> None:
    assert lessons.lesson_path(topic).is_file()
    assert topic in lessons.all_lessons()


def test_no_lesson_without_a_topic() -> None:
    assert set(lessons.all_lessons()) == set(TOPICS)


@pytest.mark.parametrize("topic", TOPICS)
def test_lesson_has_title_and_required_sections_in_order(topic: str) -> None:
    text = _text(topic)
    assert text.startswith("# "), "a lesson starts with its '# <title>' line"
    assert text.count("\n# ") == 0, "one top-level title only"
    intro = text.split("\n## ", 1)[0].split("\n", 1)[1]
    assert _word_count(intro) >= 30, "a short introduction precedes the first section"
    positions = [text.find("\n" + heading) for heading in SECTIONS]
    assert all(p > 0 for p in positions), dict(zip(SECTIONS, positions, strict=True))
    assert positions == sorted(positions), "sections out of order"


@pytest.mark.parametrize("topic", TOPICS)
def test_lesson_length_is_about_400_to_900_words(topic: str) -> None:
    assert WORDS_MIN <= _word_count(_text(topic)) <= WORDS_MAX


@pytest.mark.parametrize("topic", TOPICS)
def test_formulas_are_in_code_spans_or_blocks(topic: str) -> None:
    body = _section(_text(topic), "## Formulas")
    assert "```" in body or body.count("`") >= 2
    assert "=" in body


@pytest.mark.parametrize("topic", TOPICS)
def test_worked_example_works_with_numbers(topic: str) -> None:
    body = _section(_text(topic), "## Worked example")
    assert len(re.findall(r"\d", body)) >= 10


@pytest.mark.parametrize("topic", TOPICS)
def test_common_mistakes_lists_several(topic: str) -> None:
    body = _section(_text(topic), "## Common mistakes")
    assert len(re.findall(r"^- ", body, re.M)) >= 4


@pytest.mark.parametrize("topic", TOPICS)
def test_exercises_name_every_curriculum_function(topic: str) -> None:
    body = _section(_text(topic), "## Your exercises")
    named = set(re.findall(r"`([A-Za-z_]\w*)[(`]", body))
    missing = [name for name in FUNCTIONS[topic] if name not in named]
    assert not missing, f"{topic}: exercises do not name {missing}"


@pytest.mark.parametrize("topic", TOPICS)
def test_exercises_quote_curriculum_signatures_verbatim(topic: str) -> None:
    body = _section(_text(topic), "## Your exercises")
    missing = [sig for sig in SIGNATURES[topic] if f"`{sig}`" not in body]
    assert not missing, f"{topic}: signatures not quoted as in CURRICULUM.md: {missing}"


@pytest.mark.parametrize("topic", TOPICS)
def test_exercises_name_only_curriculum_functions(topic: str) -> None:
    body = _section(_text(topic), "## Your exercises")
    quoted = {name for name, _ in _CALL.findall(body)}
    # torch names cited for comparison are dotted (`torch.nn.LSTM`) and do not match _CALL
    assert quoted <= set(FUNCTIONS[topic]), quoted - set(FUNCTIONS[topic])


def _params(signature_args: str) -> list[tuple[str, object]]:
    """[(name, default or ...)] of an argument list such as 'x, alpha=0.01'."""
    fn = ast.parse(f"def f({signature_args}): pass").body[0]
    assert isinstance(fn, ast.FunctionDef)
    args = fn.args.args
    defaults: list[object] = [...] * (len(args) - len(fn.args.defaults))
    defaults += [ast.literal_eval(d) for d in fn.args.defaults]
    return [(a.arg, d) for a, d in zip(args, defaults, strict=True)]


def _module_signatures(package: str, topic: str) -> dict[str, list[tuple[str, object]]] | None:
    """{function: [(argument, default or ...)]} of ``<package>/<topic>.py``, read with ast."""
    path = REPO / package / f"{topic}.py"
    if not path.is_file():
        return None
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: dict[str, list[tuple[str, object]]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            args = node.args.args
            defaults: list[object] = [...] * (len(args) - len(node.args.defaults))
            defaults += [ast.literal_eval(d) for d in node.args.defaults]
            out[node.name] = [(a.arg, d) for a, d in zip(args, defaults, strict=True)]
    return out


@pytest.mark.parametrize("package", ["reference", "solutions"])
@pytest.mark.parametrize("topic", TOPICS)
def test_quoted_signatures_agree_with_the_code(package: str, topic: str) -> None:
    """Argument names in order, and every default the lesson states, as in the code."""
    code = _module_signatures(package, topic)
    if code is None:
        pytest.skip(f"{package}/{topic}.py is not written yet")
    body = _section(_text(topic), "## Your exercises")
    problems = []
    for name, args in _CALL.findall(body):
        if name not in code:
            problems.append(f"{name} is not defined in {package}/{topic}.py")
            continue
        quoted, actual = _params(args), code[name]
        if [n for n, _ in quoted] != [n for n, _ in actual]:
            problems.append(f"{name}: lesson says ({args}), {package} has {actual}")
            continue
        for (n, said), (_, real) in zip(quoted, actual, strict=True):
            if said is not ... and said != real:
                problems.append(f"{name}: default of {n} is {real!r} in {package}, not {said!r}")
    assert not problems, problems


def test_questions_json_is_a_list_of_labelled_questions() -> None:
    items = _questions()
    assert isinstance(items, list) and len(items) >= 24
    for item in items:
        assert set(item) == {"question", "topic", "evidence"}, item
        assert all(isinstance(v, str) and v.strip() for v in item.values()), item
        assert item["question"].rstrip().endswith("?"), item
        assert 2 <= len(item["evidence"].split()) <= 6, item
    assert len({item["question"] for item in items}) == len(items), "duplicate questions"


def test_questions_cover_every_topic_two_or_three_times() -> None:
    counts = {topic: 0 for topic in TOPICS}
    for item in _questions():
        assert item["topic"] in counts, item
        counts[item["topic"]] += 1
    assert all(2 <= c <= 3 for c in counts.values()), counts


@pytest.mark.parametrize("item", _questions(), ids=lambda item: item["question"][:40])
def test_evidence_occurs_verbatim_in_its_lesson(item: dict[str, str]) -> None:
    text = _text(item["topic"]).lower()
    evidence = item["evidence"].lower()
    assert evidence in text, "not in the lesson as written (check for a line break inside it)"
    # The RAG demo's chunks are words re-joined by single spaces; the phrase must survive that.
    assert evidence in " ".join(text.split())


@pytest.mark.parametrize("item", _questions(), ids=lambda item: item["question"][:40])
def test_question_does_not_quote_its_evidence(item: dict[str, str]) -> None:
    assert item["evidence"].lower() not in item["question"].lower()


@pytest.mark.skipif(not NOTES.is_file(), reason="course notes not beside the repo")
@pytest.mark.parametrize("topic", TOPICS)
def test_lesson_shares_no_eight_word_run_with_the_notes(topic: str) -> None:
    notes = _ngrams(NOTES.read_text(encoding="utf-8"), 8)
    shared = _ngrams(_prose(_text(topic)), 8) & notes
    assert not shared, sorted(" ".join(gram) for gram in shared)[:5]


@pytest.mark.skipif(not NOTES.is_file(), reason="course notes not beside the repo")
def test_eight_word_check_flags_a_lesson_with_a_sentence_from_the_notes() -> None:
    line = next(
        ln for ln in NOTES.read_text(encoding="utf-8").splitlines() if len(ln.split()) >= 12
    )
    notes = _ngrams(NOTES.read_text(encoding="utf-8"), 8)
    tampered = _text("forward") + "\n" + line + "\n"
    assert _ngrams(_prose(tampered), 8) & notes
