"""Winnowed fingerprints of a source file, and how much two of them share: copydetect's.

copydetect (Bowyer's implementation of MOSS's winnowing, Schleimer et al. 2003) tokenizes the
code with Pygments, replaces every variable name by ``V``, function name by ``F``, string by
``S`` and drops comments and whitespace, hashes every k-gram of what is left and keeps the
minimum hash of each window. Renaming variables, rewording comments or reordering functions
changes none of the k-grams, so none of that hides a copy.

Boilerplate: every k-gram of the released stub is removed from the fingerprints, so the
signatures and docstrings every learner starts from never count as shared.

For files A and B, ``similarity(A, B)`` = (tokens of A covered by fingerprints also in B) /
(tokens of A covered by any fingerprint), and the other way round for B.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass

import numpy as np
from copydetect import CodeFingerprint, compare_files
from copydetect.utils import highlight_overlap

from grader.outputs.escape import visible

#: the shortest match that counts, in characters of filtered code. copydetect's default (25) is
#: a line and a half of filtered NumPy (``V=V.V(V,V=V.V)`` is one line): two independent answers
#: share such idioms right after the stub's signature, which the boilerplate cannot remove (the
#: k-grams straddle stub and answer). 40 halves that noise and still finds a copy.
NOISE = 40
#: the longest match that is always found (= NOISE: window 1, every k-gram is kept)
GUARANTEE = 40


@dataclass
class Overlap:
    """What two files share: each side's similarity, shared tokens, the shared slices."""

    similarity: tuple[float, float]
    tokens: int
    slices: tuple[np.ndarray, np.ndarray]


def fingerprint(code: str, boilerplate: np.ndarray | None = None) -> CodeFingerprint:
    """The fingerprint of Python ``code``, with the ``boilerplate`` hashes removed."""
    return CodeFingerprint(
        "submission.py",
        NOISE,
        GUARANTEE - NOISE + 1,
        boilerplate=[] if boilerplate is None else boilerplate,
        fp=io.StringIO(code),
    )


def boilerplate_hashes(*sources: str) -> np.ndarray:
    """Every k-gram hash of the given sources (the released stubs): code nobody wrote."""
    hashes: list[int] = []
    for code in sources:
        full = CodeFingerprint("stub.py", NOISE, 1, fp=io.StringIO(code))
        hashes.extend(full.hashes)
    return np.unique(np.array(hashes, dtype=np.int64))


def overlap(a: CodeFingerprint, b: CodeFingerprint) -> Overlap:
    """How much of ``a`` is in ``b`` and of ``b`` in ``a``."""
    tokens, (sim_a, sim_b), slices = compare_files(a, b)
    return Overlap((float(sim_a), float(sim_b)), int(tokens), (slices[0], slices[1]))


#: the layout characters a code listing keeps as they are
CODE_LAYOUT = "\n\t"


def highlighted(code: str, slices: np.ndarray, css_class: str) -> str:
    """``code`` as escaped HTML with the shared ``slices`` wrapped in ``<mark class=...>``; its
    invisible characters (bidi overrides such as U+202E, zero-width characters, controls) shown
    as escapes (:func:`grader.outputs.escape.visible`), line breaks and tabs kept: a learner's
    code cannot reorder what the instructor reads."""
    if slices.size == 0:
        return visible(html.escape(code), keep=CODE_LAYOUT)
    text, _ = highlight_overlap(
        code, slices, f'<mark class="{css_class}">', "</mark>", escape_html=True
    )
    return visible(text, keep=CODE_LAYOUT)  # the marks are ASCII: escaping leaves them alone
