"""Single-point mutations of a function's source: each one change a learner could make.

Every operator finds its sites in the function's AST and makes one mutant per site (and per
replacement): arithmetic operators swapped (``+``/``-``, ``*``/``/``, ``//``/``/``), operands of
``-``, ``/`` and ``@`` swapped, a unary minus dropped, comparisons loosened or tightened
(``<``/``<=``), numeric constants moved (``c → c + 1``, ``c → 0``), flags flipped, NumPy
reductions and element-wise functions exchanged (``mean``/``sum``, ``max``/``min``, ``exp``/
``expm1``, ...), axes changed (``axis=k`` to every other of -2..1, or dropped), ``keepdims``
dropped, ``.T`` dropped, ``np.where``'s branches or ``dot``/``outer`` arguments swapped, a
slice's step dropped. A mutant is named by the line it changes, before and after
(:attr:`Mutant.key`), which stays the same when the file around it moves.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass

SWAP_BINARY: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
}
SWAP_COMPARE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
}
SWAP_NUMPY = {
    "mean": "sum",
    "sum": "mean",
    "max": "min",
    "min": "max",
    "argmax": "argmin",
    "argmin": "argmax",
    "maximum": "minimum",
    "minimum": "maximum",
    "sqrt": "abs",
    "log": "log1p",
    "exp": "expm1",
    "tanh": "sin",
}
AXES = (-2, -1, 0, 1)


@dataclass(frozen=True)
class Mutant:
    """One mutant of ``topic.function``: its whole source, and the line it changes."""

    topic: str
    function: str
    operator: str
    before: str  # the changed line, stripped, as ast.unparse writes it
    after: str
    source: str

    @property
    def key(self) -> str:
        return f"{self.topic}.{self.function}: {self.before} → {self.after}"


#: a change to a node of a copy of the function: (the function copy, the node) → made one
Edit = Callable[[ast.AST, ast.AST], bool]


def _axis(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _axis(node.operand)
        return None if inner is None else -inner
    return None


def _literal(value: int) -> ast.expr:
    return ast.Constant(value) if value >= 0 else ast.UnaryOp(ast.USub(), ast.Constant(-value))


def _replace(root: ast.AST, target: ast.AST, new: ast.AST | None) -> bool:
    """Put ``new`` where ``target`` is under ``root`` (None: remove it from its list)."""
    for parent in ast.walk(root):
        for name, value in ast.iter_fields(parent):
            if value is target and new is not None:
                setattr(parent, name, new)
                return True
            if isinstance(value, list) and any(item is target for item in value):
                index = next(i for i, item in enumerate(value) if item is target)
                if new is None:
                    del value[index]
                else:
                    value[index] = new
                return True
    return False


def _set(name: str, value: Callable[[ast.AST], object]) -> Edit:
    """An edit setting ``node.<name>`` to ``value(node)``."""

    def edit(root: ast.AST, node: ast.AST) -> bool:
        setattr(node, name, value(node))
        return True

    return edit


def _swap_operands(root: ast.AST, node: ast.AST) -> bool:
    node.left, node.right = node.right, node.left  # type: ignore[attr-defined]
    return True


def _unwrap(field: str) -> Edit:
    """An edit putting ``node.<field>`` in the node's place (``-x`` → ``x``, ``a.T`` → ``a``)."""
    return lambda root, node: _replace(root, node, getattr(node, field))


def _drop(root: ast.AST, node: ast.AST) -> bool:
    return _replace(root, node, None)


def _swap_where(root: ast.AST, node: ast.AST) -> bool:
    args = node.args  # type: ignore[attr-defined]
    args[1], args[2] = args[2], args[1]
    return True


def _reverse_args(root: ast.AST, node: ast.AST) -> bool:
    node.args.reverse()  # type: ignore[attr-defined]
    return True


def _edits(node: ast.AST) -> Iterator[tuple[str, Edit]]:
    """The mutations that apply at ``node``: (operator, edit of a copy of it)."""
    if isinstance(node, ast.BinOp):
        swapped = SWAP_BINARY.get(type(node.op))
        if swapped is not None:
            yield "operator", _set("op", lambda n, s=swapped: s())
        if isinstance(node.op, ast.Sub | ast.Div | ast.MatMult):
            yield "operands", _swap_operands
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "sign", _unwrap("operand")
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        swapped_cmp = SWAP_COMPARE.get(type(node.ops[0]))
        if swapped_cmp is not None:
            yield "comparison", _set("ops", lambda n, s=swapped_cmp: [s()])
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        yield "constant", _set("value", lambda n: n.value + 1)
        if node.value != 0:
            yield "constant", _set("value", lambda n: type(n.value)(0))
    if isinstance(node, ast.Constant) and type(node.value) is bool:
        yield "flag", _set("value", lambda n: not n.value)
    if (
        isinstance(node, ast.Attribute)
        and node.attr in SWAP_NUMPY
        and isinstance(node.value, ast.Name)
        and node.value.id in ("np", "numpy")
    ):
        yield "numpy", _set("attr", lambda n: SWAP_NUMPY[n.attr])
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield "transpose", _unwrap("value")
    if isinstance(node, ast.keyword) and node.arg in ("axis", "keepdims"):
        yield "keyword", _drop
    if isinstance(node, ast.keyword) and node.arg == "axis" and _axis(node.value) is not None:
        for axis in AXES:
            if axis != _axis(node.value):
                yield "axis", _set("value", lambda n, a=axis: _literal(a))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "where" and len(node.args) == 3:
            yield "branches", _swap_where
        if node.func.attr in ("dot", "outer", "matmul") and len(node.args) == 2:
            yield "arguments", _reverse_args
    if isinstance(node, ast.Slice) and node.step is not None:
        yield "step", _set("step", lambda n: None)


def _changed_line(before: str, after: str) -> tuple[str, str]:
    old, new = before.splitlines(), after.splitlines()
    for a, b in zip(old, new, strict=False):
        if a != b:
            return a.strip(), b.strip()
    return (old[-1].strip() if old else ""), (new[-1].strip() if new else "")


def mutants(topic: str, function: ast.FunctionDef) -> list[Mutant]:
    """Every single-point mutant of ``function`` (docstrings left alone), each distinct."""
    original = ast.unparse(function)
    docstring = function.body[0] if ast.get_docstring(function) is not None else None
    skip = {id(n) for n in ast.walk(docstring)} if docstring is not None else set()
    found: dict[str, Mutant] = {}
    for index, node in enumerate(ast.walk(function)):
        if id(node) in skip:
            continue
        for operator, edit in _edits(node):
            mutated = copy.deepcopy(function)
            target = list(ast.walk(mutated))[index]
            if not edit(mutated, target):
                continue
            source = ast.unparse(ast.fix_missing_locations(mutated))
            if source == original or source in found:
                continue
            before, after = _changed_line(original, source)
            found[source] = Mutant(topic, function.name, operator, before, after, source)
    return list(found.values())
