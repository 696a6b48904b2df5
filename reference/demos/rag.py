"""Retrieval-augmented generation over the course's own lessons.

Indexing: every ``lessons/<topic>.md`` is cut into overlapping word windows
(``reference.rag.chunk_text``), embedded with the packaged all-MiniLM-L6-v2 model
(``load_model`` + ``embed``) and stored in a faiss inner-product index (``build_index``).
Retrieval and augmentation: a question is embedded, its nearest chunks are retrieved (``search``)
and written into a prompt (``augment``), all through ``reference.rag.answer``.

Generation: there is no language model offline, so the demo's ``generate`` is *extractive*: it
reads the contexts back out of the prompt and returns the one sentence among them that is most
similar (cosine of embeddings) to the question. It writes nothing new.

Evaluation: ``lessons/questions.json`` lists questions with the topic whose lesson answers them
and an evidence phrase; a chunk is relevant to a question when it comes from that topic's lesson
and contains the phrase (case-insensitive). The demo reports recall@k (k = 1, 3, 5) and the mean
reciprocal rank over the top ``mrr_depth`` chunks (``recall_at_k``, ``mean_reciprocal_rank``),
and draws recall@k for every k up to that depth (``rag.png``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

import lessons
from reference import rag
from reference.demos import DemoContext, DemoResult, quiet_third_party
from reference.demos.optimizers import new_figure, save_figure

TITLE = "RAG over the course's lessons: MiniLM + faiss, extractive generation"

# A sentence ends at . ! ? before whitespace; a Markdown heading (#) or list item (- ) also
# starts a new piece (chunk_text has folded the lesson's line breaks into spaces).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s+(?=#{1,6}\s)|\s+(?=-\s)")
_MARKUP = re.compile(r"\*\*|__|`|^#{1,6}\s+|^-\s+")

#: The evaluation set: a list of {"question", "topic", "evidence"}.
LESSONS_QUESTIONS = lessons.LESSONS_DIR / "questions.json"


@dataclass
class RAGConfig:
    chunk_size: int = 60
    overlap: int = 15
    ks: tuple[int, ...] = (1, 3, 5)
    mrr_depth: int = 10
    answer_k: int = 3  # chunks in the prompt
    samples: int = 3  # sample questions shown with their retrieved chunks
    target_recall_at_5: float = 0.7
    questions_path: Path | None = None  # default lessons/questions.json


@dataclass(frozen=True)
class Chunk:
    topic: str
    text: str


def load_questions(path: Path | None = None) -> list[dict[str, str]]:
    """``lessons/questions.json`` (or ``path``): a list of {"question", "topic", "evidence"}."""
    path = path or LESSONS_QUESTIONS
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    for i, item in enumerate(items):
        missing = {"question", "topic", "evidence"} - set(item)
        if missing:
            raise ValueError(f"{path}: entry {i} lacks {', '.join(sorted(missing))}")
    return items


def chunk_lessons(chunk_size: int, overlap: int) -> list[Chunk]:
    """Every lesson cut into word windows, in topic order, each tagged with its topic."""
    return [
        Chunk(topic, text)
        for topic, lesson in lessons.all_lessons().items()
        for text in rag.chunk_text(lesson, chunk_size, overlap)
    ]


def relevant_ids(chunks: list[Chunk], topic: str, evidence: str) -> set[int]:
    """Ids of the chunks of ``topic``'s lesson that contain ``evidence`` (case-insensitive,
    whitespace runs compared as single spaces, as ``chunk_text`` joins words)."""
    phrase = " ".join(evidence.split()).lower()
    return {i for i, c in enumerate(chunks) if c.topic == topic and phrase in c.text.lower()}


def split_sentences(text: str) -> list[str]:
    """Sentences of a chunk: pieces ending in . ! or ? followed by whitespace, also cut before
    a Markdown heading or list item, with the Markdown markers (**, `, #, leading -) removed."""
    pieces = (_MARKUP.sub("", p.strip()).strip() for p in _SENTENCE_END.split(text))
    return [p for p in pieces if p]


def parse_prompt(prompt: str) -> tuple[str, list[str]]:
    """(question, contexts) back out of a prompt written by ``reference.rag.augment``."""
    question, contexts = "", []
    for line in prompt.splitlines():
        numbered = re.match(r"\[(\d+)\] (.*)", line)
        if numbered:
            contexts.append(numbered.group(2))
        elif line.startswith("Question: "):
            question = line[len("Question: ") :]
    return question, contexts


def extractive_generator(model: Any, min_words: int = 4) -> Callable[[str], str]:
    """A stand-in for a language model: ``generate(prompt)`` returns the sentence of the
    prompt's contexts whose embedding is most cosine-similar to the prompt's question.

    Sentences shorter than ``min_words`` words are skipped when longer ones exist.
    """

    def generate(prompt: str) -> str:
        question, contexts = parse_prompt(prompt)
        sentences = [s for c in contexts for s in split_sentences(c)]
        long = [s for s in sentences if len(s.split()) >= min_words]
        sentences = long or sentences
        if not sentences:
            return ""
        q = rag.embed([question], model)  # (1, D)
        s = rag.embed(sentences, model)  # (S, D)
        best, _ = rag.top_k(q[0], s, 1)  # the most similar sentence
        return sentences[int(best[0])]

    return generate


def _first_words(text: str, n: int = 14) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def plot_recall(curve: dict[int, float], marked: tuple[int, ...], title: str, path: Path) -> Path:
    """recall@k against k (k = 1 … depth), the reported ks marked and labelled."""
    fig, ax = new_figure(width=5.5, height=3.6)
    ks = sorted(curve)
    ax.plot(ks, [curve[k] for k in ks], "o-", markersize=3)
    for k in marked:
        if k in curve:
            ax.annotate(f"{curve[k]:.2f}", (k, curve[k]), textcoords="offset points", xytext=(0, 6))
    ax.set(xlabel="k (chunks retrieved)", ylabel="recall@k", ylim=(0, 1.05), xticks=ks)
    ax.set_title(title, fontsize=9)
    return save_figure(fig, path)


def run(
    ctx: DemoContext, config: RAGConfig | None = None, embedder: Any | None = None
) -> DemoResult:
    """``embedder``: any model with sentence-transformers' ``encode`` (default: the packaged
    MiniLM on ``ctx.device``; tests pass ``reference.rag.HashingEmbedder``)."""
    cfg = config or RAGConfig()
    quiet_third_party()  # no "Loading weights" bar from transformers under our status line
    with ctx.console.status("loading the embedding model"):
        model = embedder if embedder is not None else rag.load_model(str(ctx.device))
    model_name = type(model).__name__
    if model_name == "SentenceTransformer":
        model_name = "all-MiniLM-L6-v2 (packaged)"

    chunks = chunk_lessons(cfg.chunk_size, cfg.overlap)
    texts = [c.text for c in chunks]
    with ctx.console.status(f"embedding {len(chunks)} chunks with {model_name}"):
        index = rag.build_index(rag.embed(texts, model))
    questions = load_questions(cfg.questions_path)

    # ---- retrieval quality on every question
    depth = min(len(chunks), max(cfg.mrr_depth, *cfg.ks))
    q_vectors = rag.embed([q["question"] for q in questions], model)  # (Q, D)
    ids, scores = rag.search(index, q_vectors, depth)  # (Q, depth) each
    ranked = [row.tolist() for row in ids.cpu()]
    relevant = [relevant_ids(chunks, q["topic"], q["evidence"]) for q in questions]
    answerable = [i for i, r in enumerate(relevant) if r]
    unanswerable = len(questions) - len(answerable)
    curve = {
        k: (
            sum(rag.recall_at_k(ranked[i], relevant[i], k) for i in answerable) / len(answerable)
            if answerable
            else 0.0
        )
        for k in sorted({*range(1, depth + 1), *cfg.ks})
    }
    recall = {k: curve[k] for k in cfg.ks}
    figure = plot_recall(
        curve,
        cfg.ks,
        f"Retrieval over the lessons: {len(answerable)} questions, {model_name}",
        ctx.out / "rag.png",
    )
    mrr = (
        rag.mean_reciprocal_rank([ranked[i] for i in answerable], [relevant[i] for i in answerable])
        if answerable
        else 0.0
    )

    # ---- three sample questions: retrieved chunks and the extractive answer
    generate = extractive_generator(model)
    step = max(1, len(answerable) // max(1, cfg.samples))
    sample_ids = answerable[::step][: cfg.samples]
    tables: list[Table] = []
    first_prompt = ""
    for qi in sample_ids:
        q = questions[qi]
        table = Table(title=f"Q: {q['question']}  (answer in: {q['topic']})", title_justify="left")
        for col in ("rank", "score", "topic", "chunk (first words)", "relevant"):
            table.add_column(col, justify="right" if col in ("rank", "score") else "left")
        for rank in range(cfg.answer_k):
            cid = ranked[qi][rank]
            table.add_row(
                str(rank + 1),
                f"{float(scores[qi, rank]):.3f}",
                chunks[cid].topic,
                Text(_first_words(chunks[cid].text)),
                "✓" if cid in relevant[qi] else "",
            )
        reply = rag.answer(q["question"], texts, index, model, generate, k=cfg.answer_k)
        table.add_section()
        table.add_row("", "", "answer", Text(f"(extractive) {reply}"), "")
        tables.append(table)
        if not first_prompt:
            contexts = [texts[c] for c in ranked[qi][: cfg.answer_k]]
            first_prompt = rag.augment(q["question"], contexts)
    if first_prompt:
        prompt_table = Table(title="The augmented prompt of the first sample question")
        prompt_table.add_column("prompt handed to generate()")
        prompt_table.add_row(Text(first_prompt))
        tables.append(prompt_table)

    metrics = Table(title=f"Retrieval quality on {len(answerable)} questions ({model_name})")
    for col in (*(f"recall@{k}" for k in cfg.ks), f"MRR@{depth}"):
        metrics.add_column(col, justify="right")
    metrics.add_row(*(f"{recall[k]:.3f}" for k in cfg.ks), f"{mrr:.3f}")
    tables.append(metrics)

    r5 = recall.get(5, recall[max(cfg.ks)])
    ok = bool(answerable) and r5 >= cfg.target_recall_at_5
    note = (
        "Generation: no language model is available offline, so `generate` is extractive: it "
        "returns the sentence of the retrieved chunks most similar to the question (it writes "
        "nothing new)."
    )
    if unanswerable:
        note += (
            f" WARNING: {unanswerable} question(s) have no chunk holding their evidence phrase; "
            "they are left out of recall and MRR."
        )
    return DemoResult(
        figures={
            "embedder": model_name,
            "chunks": len(chunks),
            "questions": len(answerable),
            "unanswerable": unanswerable,
            **{f"recall@{k}": round(v, 4) for k, v in recall.items()},
            "mrr": round(mrr, 4),
        },
        tables=tables,
        files=[figure],
        ok=ok,
        message=f"{note}\nTarget: recall@5 ≥ {cfg.target_recall_at_5} (got {r5:.3f}). "
        f"Figure: {figure}",
    )
