"""An example class to grade: the model answers, the untouched stubs, and learners who each make
one catalogued mistake, written out as real source files (``make demo`` grades it).

A planted learner is a copy of the solutions whose topic file ends with the mistake's source code
and rebinds the function to it: exactly what a learner who made that mistake would hand in. The
grader must give full marks, zero, and a named diagnosis respectively.
"""

from __future__ import annotations

import ast
import inspect
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.misconceptions import catalogue
from grader.release.build import ROOT
from reference import TOPICS

#: learner id → catalogued mistake key (``<topic>.<function>/<variant>``)
PLANTED: dict[str, str] = {
    "planted-adam-no-bias-correction": "optimizers.adam_step/adam_no_bias_correction",
    "planted-sigmoid-grad-as-sigmoid": "activations.sigmoid_grad/sigmoid_grad_as_sigmoid",
    "planted-mse-sum-for-mean": "losses.mse/mse_sum_for_mean",
    "planted-conv-flipped-kernel": "conv.conv2d/conv2d_flipped_kernel",
}


def mistake_source(key: str) -> tuple[str, str, str]:
    """(topic, function, self-contained source that rebinds the function to the mistake)."""
    target, _, impl = key.partition("/")
    topic, function = target.split(".")
    entries = catalogue(topic).get(target, [])
    found = next((m for m in entries if m.impl.__name__ == impl), None)
    if found is None:
        known = ", ".join(m.key for m in entries) or "none"
        raise KeyError(f"no catalogued mistake {key}; {target} has: {known}")
    parts = (
        [_imports(found.impl)]
        + [_source(fn) for fn in _helpers(found.impl)]
        + [_source(found.impl)]
    )
    code = "\n\n".join(parts)
    return topic, function, f"{code}\n\n{function} = {impl}  # the planted mistake\n"


def _imports(fn: Callable[..., Any]) -> str:
    """The catalogue module's third-party imports (NumPy and friends), never gradelab's own."""
    tree = ast.parse(inspect.getsource(inspect.getmodule(fn)))  # type: ignore[arg-type]
    keep = [
        ast.unparse(node)
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        and not (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").split(".")[0] in ("grader", "__future__")
        )
    ]
    return "\n".join(keep)


def _source(fn: Callable[..., Any]) -> str:
    source = textwrap.dedent(inspect.getsource(fn))
    return source[source.index("def ") :]  # drop the @mistake(...) decorator


def _helpers(fn: Callable[..., Any], seen: set[str] | None = None) -> list[Callable[..., Any]]:
    """Module-level functions of the catalogue module that ``fn`` calls, dependencies first."""
    seen = set() if seen is None else seen
    module = inspect.getmodule(fn)
    names: set[str] = set()
    stack = [fn.__code__]
    while stack:
        code = stack.pop()
        names.update(code.co_names)
        stack.extend(c for c in code.co_consts if inspect.iscode(c))
    found = []
    for name in sorted(names - seen):
        obj = getattr(module, name, None)
        if inspect.isfunction(obj) and obj.__module__ == fn.__module__ and obj is not fn:
            seen.add(name)
            found += [*_helpers(obj, seen), obj]
    return found


def build_example_class(out: Path) -> list[str]:
    """Write the example class under ``out`` (replacing it); return the learner ids."""
    if out.exists():
        shutil.rmtree(out)
    learners = {"model-answers": "solutions", "untouched-stubs": "exercises"}
    for learner, source in learners.items():
        folder = out / learner
        folder.mkdir(parents=True)
        for topic in TOPICS:
            shutil.copyfile(ROOT / source / f"{topic}.py", folder / f"{topic}.py")
    for learner, key in PLANTED.items():
        topic, _, code = mistake_source(key)
        folder = out / learner
        shutil.copytree(out / "model-answers", folder)
        with (folder / f"{topic}.py").open("a", encoding="utf-8") as fh:
            fh.write("\n\n" + code)
    return [*learners, *PLANTED]
