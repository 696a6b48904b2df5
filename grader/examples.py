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
from pathlib import Path

from grader.impostors import impostor_source
from grader.misconceptions import catalogue
from grader.release.build import ROOT
from reference import TOPICS

#: the file marking a folder as an example class this command wrote (so it may replace it)
MARK = ".gradelab-example-class"
#: learner id → catalogued mistake key (``<topic>.<function>/<variant>``)
PLANTED: dict[str, str] = {
    "planted-adam-no-bias-correction": "optimizers.adam_step/adam_no_bias_correction",
    "planted-sigmoid-grad-as-sigmoid": "activations.sigmoid_grad/sigmoid_grad_as_sigmoid",
    "planted-mse-sum-for-mean": "losses.mse/mse_sum_for_mean",
    "planted-conv-flipped-kernel": "conv.conv2d/conv2d_flipped_kernel",
}


def mistake_source(key: str) -> tuple[str, str, str]:
    """(topic, function, self-contained source that rebinds the function to the mistake).

    The source holds the catalogue module's third-party imports, the module-level constants and
    helper functions the mistake uses, and the mistake itself, without decorators or annotations
    (so it can be appended to any learner file): no gradelab import, as a learner's file would be.
    """
    target, _, impl = key.partition("/")
    topic, function = target.split(".")
    entries = catalogue(topic).get(target, [])
    found = next((m for m in entries if m.impl.__name__ == impl), None)
    if found is None:
        known = ", ".join(m.key for m in entries) or "none"
        raise KeyError(f"no catalogued mistake {key}; {target} has: {known}")
    module = inspect.getmodule(found.impl)
    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    functions, constants = _dependencies(found.impl.__name__, tree)
    parts = [_imports(tree), *functions, *constants]  # constants may name functions; not vice versa
    code = "\n\n".join(p for p in parts if p)
    return topic, function, f"{code}\n\n{function} = {impl}  # the planted mistake\n"


def _imports(tree: ast.Module) -> str:
    """The module's third-party imports (NumPy and friends), never gradelab's own."""
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


def _strip(node: ast.FunctionDef) -> ast.FunctionDef:
    """The function without decorators and annotations."""
    node.decorator_list = []
    node.returns = None
    every = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    every += [a for a in (node.args.vararg, node.args.kwarg) if a is not None]
    for arg in every:
        arg.annotation = None
    return node


def _dependencies(name: str, tree: ast.Module) -> tuple[list[str], list[str]]:
    """Sources of ``name`` and of every module-level function and constant it needs."""
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    consts: dict[str, ast.stmt] = {}
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        for t in targets:
            if isinstance(t, ast.Name):
                consts[t.id] = node
    functions: list[str] = []
    constants: list[str] = []
    seen: set[str] = set()

    def needs(node: ast.AST) -> None:
        for dep in sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - seen):
            seen.add(dep)
            if dep in defs:
                needs(defs[dep])
                functions.append(ast.unparse(_strip(defs[dep])))
            elif dep in consts:
                stmt = consts[dep]
                needs(stmt)
                if isinstance(stmt, ast.AnnAssign):
                    stmt = ast.Assign(targets=[stmt.target], value=stmt.value, lineno=0)
                constants.append(ast.unparse(stmt))

    seen.add(name)
    needs(defs[name])
    functions.append(ast.unparse(_strip(defs[name])))
    return functions, constants


def write_answers(folder: Path, source: str = "solutions") -> Path:
    """A submission folder holding every topic file of ``source`` (``solutions``/``exercises``)."""
    folder.mkdir(parents=True)
    for topic in TOPICS:
        shutil.copyfile(ROOT / source / f"{topic}.py", folder / f"{topic}.py")
    return folder


def plant_mistake(folder: Path, key: str) -> None:
    """Make the submission in ``folder`` hand in the catalogued mistake ``key`` instead."""
    topic, _, code = mistake_source(key)
    with (folder / f"{topic}.py").open("a", encoding="utf-8") as fh:
        fh.write("\n\n" + code)


def plant_source(folder: Path, topic: str, source: str) -> None:
    """Append ``source`` (dedented) to the submission's ``topic`` file: it rebinds the functions
    it defines, as a learner's own version of them would."""
    with (folder / f"{topic}.py").open("a", encoding="utf-8") as fh:
        fh.write("\n\n" + textwrap.dedent(source))


def grade_variant(
    folder: Path, topic: str, function: str, source: str
) -> tuple[float, float, list]:
    """(points, most points, outcomes) of ``topic.function`` in a copy of the model answers (in
    ``folder``) whose ``topic`` file ends with ``source``: how a learner's own version fares."""
    from grader.engine.run import run_hidden_tests  # the engine (torch) only when grading
    from grader.settings import GradeSettings

    plant_source(write_answers(folder), topic, source)
    result = run_hidden_tests(
        folder,
        GradeSettings(topics=(topic,)),
        learner="variant",
        content_hash="-",
        only_functions={f"{topic}.{function}"},
    )
    outcomes = [o for o in result.outcomes if o.function == function]
    if not outcomes:
        raise ValueError(f"no hidden test grades {topic}.{function}")
    return sum(o.points for o in outcomes), sum(o.max_points for o in outcomes), outcomes


def plant_impostors(folder: Path, topic: str, functions: list[str], kind: str) -> None:
    """Make the submission in ``folder`` hand in the impostor ``kind`` (:mod:`grader.impostors`)
    of each of ``topic``'s ``functions`` instead of the function itself."""
    with (folder / f"{topic}.py").open("a", encoding="utf-8") as fh:
        fh.write("\n\n" + impostor_source(functions, kind))


class ExampleClassError(Exception):
    """The folder cannot take the example class without losing what it holds."""


def learner_ids() -> list[str]:
    """The example class's learners, in the order they are written."""
    return ["model-answers", "untouched-stubs", *PLANTED, *HANDED_IN_WRONG]


def _ours(out: Path) -> bool:
    """True when ``out`` holds an example class (this command's mark, or only its learners'
    folders, as one written before the mark existed) or nothing at all."""
    names = {p.name for p in out.iterdir()}
    return MARK in names or names <= set(learner_ids())


def build_example_class(out: Path, force: bool = False) -> list[str]:
    """Write the example class under ``out``; return the learner ids.

    An example class already there is replaced. Any other folder that is not empty is refused
    (:class:`ExampleClassError`): a mistyped ``gradelab example-class submissions`` once deleted
    the real class. ``force`` deletes it first.
    """
    if out.exists() and not out.is_dir():
        raise ExampleClassError(f"{out} is a file: give a folder for the example class")
    if out.is_dir():
        if not (force or _ours(out)):
            raise ExampleClassError(
                f"{out} is not empty and holds no example class: give a new or empty folder, "
                "or --force to delete it and everything in it first"
            )
        shutil.rmtree(out)
    learners = {"model-answers": "solutions", "untouched-stubs": "exercises"}
    for learner, source in learners.items():
        write_answers(out / learner, source)
    for learner, key in PLANTED.items():
        plant_mistake(write_answers(out / learner), key)
    for learner, write in HANDED_IN_WRONG.items():
        write(out / learner)
    (out / MARK).write_text("written by `gradelab example-class`: replaced when run again\n")
    return learner_ids()


def _misplaced(folder: Path) -> None:
    """The model answer to one topic in a subfolder, where grading does not look."""
    topic = "activations"
    (folder / "homework").mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / f"{topic}.py", folder / "homework" / f"{topic}.py")


#: learners whose hand-in is wrong in form, which ``grade`` names before grading
HANDED_IN_WRONG = {
    "empty-folder": lambda folder: folder.mkdir(parents=True),
    "misplaced-files": _misplaced,
}
