"""Test fixtures for similarity: an independent correct ``activations`` and a disguised copy.

``independent_activations()`` is the released stub filled in by someone who never saw the
model answers: same signatures and docstrings (the boilerplate), bodies in another style
(boolean masks and in-place assignment instead of ``np.where``, ``np.clip``, ``np.heaviside``,
tanh through the sigmoid, ``np.array(x, dtype=float)`` instead of ``np.asarray``).

``disguised_copy(source)`` is what a learner who copied does to hide it: rename the variables,
reorder the functions, rewrite the comments (and, re-tokenizing, respace every line).
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

BODIES = {
    "sigmoid": """\
    arr = np.array(x, dtype=float)
    out = np.empty_like(arr)
    pos = arr >= 0
    out[pos] = 1.0 / (np.exp(-arr[pos]) + 1.0)
    ex = np.exp(arr[~pos])
    out[~pos] = ex / (ex + 1.0)
    return out
""",
    "sigmoid_grad": """\
    value = sigmoid(x)
    return value - value**2
""",
    "tanh": """\
    return 2.0 * sigmoid(2.0 * np.array(x, dtype=float)) - 1.0
""",
    "tanh_grad": """\
    return 1.0 - np.square(tanh(x))
""",
    "relu": """\
    arr = np.array(x, dtype=float)
    return arr * (arr > 0)
""",
    "relu_grad": """\
    return np.heaviside(np.array(x, dtype=float), 0.0)
""",
    "leaky_relu": """\
    arr = np.array(x, dtype=float)
    slope = np.full_like(arr, alpha)
    slope[arr > 0] = 1.0
    return slope * arr
""",
    "leaky_relu_grad": """\
    arr = np.array(x, dtype=float)
    out = np.full_like(arr, alpha)
    out[arr > 0] = 1.0
    return out
""",
    "elu": """\
    arr = np.array(x, dtype=float)
    neg = alpha * (np.exp(np.clip(arr, None, 0.0)) - 1.0)
    return np.maximum(arr, 0.0) + (arr <= 0) * neg
""",
    "elu_grad": """\
    arr = np.array(x, dtype=float)
    out = alpha * np.exp(np.clip(arr, None, 0.0))
    out[arr > 0] = 1.0
    return out
""",
    "prelu": """\
    arr = np.array(x, dtype=float)
    slopes = np.broadcast_to(np.array(alpha, dtype=float), arr.shape)
    return np.maximum(arr, 0.0) + slopes * np.minimum(arr, 0.0)
""",
    "prelu_grad": """\
    arr = np.array(x, dtype=float)
    slopes = np.array(alpha, dtype=float)
    mask = arr > 0
    dx = mask + (~mask) * np.broadcast_to(slopes, arr.shape)
    contrib = np.minimum(arr, 0.0).reshape(-1, arr.shape[-1])
    dslope = contrib.sum(axis=0) if slopes.size > 1 else contrib.sum()
    return dx.astype(float), np.reshape(dslope, slopes.shape)
""",
    "softmax": """\
    arr = np.array(x, dtype=float)
    shifted = arr - arr.max(axis=axis, keepdims=True)
    weights = np.exp(shifted)
    total = weights.sum(axis=axis, keepdims=True)
    return weights / total
""",
    "softmax_backward": """\
    probs = np.array(s, dtype=float)
    upstream = np.array(grad_out, dtype=float)
    inner = (probs * upstream).sum(axis=axis, keepdims=True)
    return probs * upstream - probs * inner
""",
}


def _function_spans(source: str) -> dict[str, tuple[int, int]]:
    """Top-level function name → (first line, last line), 1-based, decorators included."""
    spans = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            spans[node.name] = (first, node.end_lineno or node.lineno)
    return spans


def independent_activations() -> str:
    """exercises/activations.py with every ``raise NotImplementedError`` replaced by a body."""
    lines = (ROOT / "exercises" / "activations.py").read_text().splitlines(keepends=True)
    tree = ast.parse("".join(lines))
    for node in reversed(tree.body):
        if isinstance(node, ast.FunctionDef):
            last = node.body[-1]
            assert isinstance(last, ast.Raise), node.name
            lines[last.lineno - 1 : last.end_lineno] = [BODIES[node.name]]
    return "".join(lines)


RENAMES = {"x": "inp", "s": "sig", "t": "th", "z": "ez", "e": "expo", "g": "up", "alpha": "a"}


def disguised_copy(source: str) -> str:
    """``source`` with variables renamed, comments rewritten and the functions in reverse order."""
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NAME and tok.string in RENAMES:
            tok = tok._replace(string=RENAMES[tok.string])
        elif tok.type == tokenize.COMMENT and not tok.string.startswith("###"):
            tok = tok._replace(string="# my own note: " + tok.string[::-1].lstrip("# "))
        out.append((tok.type, tok.string))
    renamed = tokenize.untokenize(out)  # (type, string) pairs: the spacing changes too
    lines = renamed.splitlines(keepends=True)
    spans = _function_spans(renamed)
    head = lines[: min(a for a, _ in spans.values()) - 1]
    blocks = ["".join(lines[a - 1 : b]) + "\n\n" for a, b in spans.values()]
    return "".join(head) + "".join(reversed(blocks))
