"""The report's figures, drawn with matplotlib and embedded as ``data:`` URIs (PNG).

Figures are built as :class:`~matplotlib.figure.Figure` objects, not through pyplot: no global
state, no display backend. Learner ids only ever reach a figure as tick labels drawn into pixels,
never as markup (:func:`tick_label`): control characters shown as escapes (``escape.visible``),
and so is a letter the figure's font cannot draw, which would be an empty box (two learners
named in a script the font lacks looked alike) and a missing-glyph warning on the console.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure

from grader.outputs.escape import visible
from grader.results import SubmissionResult

#: beyond this many learners the heat map drops their names (unreadable anyway)
LABELLED_LEARNERS = 60
#: the characters of a learner's label on the heat map
LABEL_CHARS = 24


def tick_label(learner: str) -> str:
    """``learner`` as the heat map labels it: what :func:`visible` shows, with each letter the
    default font has no glyph for written as its ``\\uXXXX`` escape, at most
    :data:`LABEL_CHARS` characters."""
    font = font_manager.get_font(font_manager.findfont(font_manager.FontProperties()))
    shown = visible(learner)
    drawn = "".join(c if c.isspace() or font.get_char_index(ord(c)) else _code(c) for c in shown)
    return drawn[:LABEL_CHARS]


def _code(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def data_uri(fig: Figure) -> str:
    """The figure as a PNG ``data:`` URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def score_distribution(results: list[SubmissionResult]) -> str:
    """Histogram of the learners' totals, as percentages of the maximum."""
    pct = [100 * r.score / r.max_score if r.max_score else 0.0 for r in results]
    fig = Figure(figsize=(6, 3))
    ax = fig.subplots()
    ax.hist(pct, bins=np.linspace(0, 100, 21), color="#3a6ea5", edgecolor="white")
    ax.set_xlabel("total score (% of maximum)")
    ax.set_ylabel("learners")
    ax.set_xlim(0, 100)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return data_uri(fig)


def topic_matrix(results: list[SubmissionResult]) -> tuple[list[str], np.ndarray]:
    """(topics, fraction of each topic's points per learner: shape topics × learners)."""
    topics = list(dict.fromkeys(o.topic for r in results for o in r.outcomes))
    grid = np.full((len(topics), len(results)), np.nan)
    for j, r in enumerate(results):
        for topic, (got, top) in r.topic_scores().items():
            grid[topics.index(topic), j] = got / top if top else np.nan
    return topics, grid


def heat_map(results: list[SubmissionResult]) -> str:
    """Topics × learners, coloured by the fraction of the topic's points."""
    topics, grid = topic_matrix(results)
    width = min(16.0, 3 + 0.25 * len(results))
    fig = Figure(figsize=(width, 1.2 + 0.35 * len(topics)))
    ax = fig.subplots()
    image = ax.imshow(grid, aspect="auto", cmap="RdYlGn", vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks(range(len(topics)), topics)
    if len(results) <= LABELLED_LEARNERS:
        ax.set_xticks(
            range(len(results)),
            [tick_label(r.learner) for r in results],
            rotation=90,
            parse_math=False,
        )
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{len(results)} learners")
    fig.colorbar(image, ax=ax, label="fraction of the topic's points", fraction=0.03)
    return data_uri(fig)
