"""grader/ has no import cycle: the graph of every import in every module (function-level ones
too), built from the source, is acyclic."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GRADER = ROOT / "grader"


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """module → the grader modules it imports (``from a import b`` → ``a.b`` when a module)."""
    modules = {_name(p): p for p in GRADER.rglob("*.py") if "__pycache__" not in p.parts}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.level else [node.module or ""])
                module = module.strip(".")
                subs = {f"{module}.{alias.name}" for alias in node.names}
                targets |= {s for s in subs if s in modules} or {module}
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first search (each reported once, from where it closed)."""
    found, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                found.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_the_graph_sees_imports_of_every_kind():
    graph = import_graph()
    assert "grader.cluster" in graph["grader.grading"]  # a function-level import
    assert "grader.engine.run" in graph["grader.executors"]  # from grader.engine import run
    assert "grader.sandbox.channel" in graph["grader.engine.process"]


def test_cycles_are_found_when_there_are_some():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]


def test_no_module_of_grader_imports_itself_through_others():
    assert cycles(import_graph()) == []
