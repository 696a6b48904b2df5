"""Grade every mutant of the model answers and report the ones that keep full marks.

:func:`sweep` grades mutants one by one as a learner's submission is graded (the model answers
with one function replaced, :func:`grader.examples.grade_variant`), with short time limits (a
mutant may loop); :func:`report` is the Markdown the command writes.
"""

from __future__ import annotations

import ast
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.engine.process import Limits
from grader.mutants.equivalent import EQUIVALENT
from grader.mutants.operators import Mutant, mutants
from grader.release.build import ROOT

#: a mutant that loops costs 2 s a call, 8 s a test, not the defaults' 10 and 60
LIMITS = Limits(call_timeout=2.0, test_budget=8.0, submission_budget=60.0)


@dataclass(frozen=True)
class Graded:
    """A mutant and the points its function's tests gave it (None: the grader failed on it)."""

    mutant: Mutant
    points: float | None
    max_points: float

    @property
    def survived(self) -> bool:
        return self.points is not None and self.points >= self.max_points > 0


def all_mutants(topics: Iterable[str], functions: set[str] | None = None) -> list[Mutant]:
    """The mutants of every public function of ``solutions/<topic>.py`` (or of ``functions``,
    ``"<topic>.<function>"``)."""
    found = []
    for topic in topics:
        tree = ast.parse((ROOT / "solutions" / f"{topic}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            if functions is None or f"{topic}.{node.name}" in functions:
                found += mutants(topic, node)
    return found


def grade_mutant(mutant: Mutant) -> Graded:
    """``mutant`` graded as a learner's version of its function is."""
    from grader.engine.run import run_hidden_tests  # the engine (torch) only when grading
    from grader.examples import plant_source, write_answers
    from grader.settings import GradeSettings

    with tempfile.TemporaryDirectory(prefix="gradelab-mutant-") as tmp:
        folder = write_answers(Path(tmp) / "submission")
        plant_source(folder, mutant.topic, mutant.source)
        try:
            result = run_hidden_tests(
                folder,
                GradeSettings(topics=(mutant.topic,), limits=LIMITS),
                learner="mutant",
                content_hash="-",
                only_functions={f"{mutant.topic}.{mutant.function}"},
            )
        except Exception:  # the grader's own failure on it: reported, never a survivor
            return Graded(mutant, None, 0.0)
    mine = [o for o in result.outcomes if o.function == mutant.function]
    return Graded(mutant, sum(o.points for o in mine), sum(o.max_points for o in mine))


def sweep(
    found: list[Mutant], progress: Callable[[int, int, Graded], None] | None = None
) -> list[Graded]:
    """Grade each of ``found``, in order; ``progress(done, total, graded)`` after each."""
    graded = []
    for done, mutant in enumerate(found, 1):
        graded.append(grade_mutant(mutant))
        if progress is not None:
            progress(done, len(found), graded[-1])
    return graded


def report(graded: list[Graded], seconds: float) -> str:
    """Markdown: per function, mutants caught; then every survivor, equivalent or not."""
    per: dict[str, list[Graded]] = {}
    for g in graded:
        per.setdefault(f"{g.mutant.topic}.{g.mutant.function}", []).append(g)
    holes = [g for g in graded if g.survived and g.mutant.key not in EQUIVALENT]
    equivalent = [g for g in graded if g.survived and g.mutant.key in EQUIVALENT]
    failed = [g for g in graded if g.points is None]
    lines = [
        "# Mutants of the model answers",
        "",
        f"{len(graded)} mutants graded in {seconds / 60:.1f} min: "
        f"{len(graded) - len(holes) - len(equivalent) - len(failed)} lost points, "
        f"{len(equivalent)} kept full marks and are equivalent (grader/mutants/equivalent.py), "
        f"**{len(holes)} kept full marks unexplained**"
        + (f", {len(failed)} the grader failed on" if failed else "")
        + ".",
        "",
        "| function | mutants | caught | equivalent | unexplained |",
        "|---|---|---|---|---|",
    ]
    for name, rows in sorted(per.items()):
        eq = sum(g.survived and g.mutant.key in EQUIVALENT for g in rows)
        bad = sum(g.survived and g.mutant.key not in EQUIVALENT for g in rows)
        lines.append(f"| `{name}` | {len(rows)} | {len(rows) - eq - bad} | {eq} | {bad} |")
    for title, rows in (("Unexplained survivors", holes), ("Equivalent survivors", equivalent)):
        if not rows:
            continue
        lines += ["", f"## {title}", ""]
        for g in rows:
            why = EQUIVALENT.get(g.mutant.key)
            lines.append(
                f"- `{g.mutant.topic}.{g.mutant.function}` ({g.mutant.operator}): "
                f"`{g.mutant.before}` → `{g.mutant.after}`" + (f" — {why}" if why else "")
            )
    if failed:
        lines += ["", "## The grader failed on", ""]
        lines += [f"- `{g.mutant.key}`" for g in failed]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    import argparse

    from reference import TOPICS

    parser = argparse.ArgumentParser(prog="python -m grader.mutants", description=__doc__)
    parser.add_argument("--topic", "-t", action="append", choices=TOPICS, help="repeatable")
    parser.add_argument("--function", "-f", action="append", help="<topic>.<function>")
    parser.add_argument("--out", type=Path, default=Path("mutants.md"))
    args = parser.parse_args(argv)
    found = all_mutants(args.topic or TOPICS, set(args.function) if args.function else None)
    start = time.perf_counter()

    def say(done: int, total: int, g: Graded) -> None:
        mark = "SURVIVED" if g.survived else ("failed  " if g.points is None else "caught  ")
        print(f"[{done}/{total}] {mark} {g.mutant.key}", flush=True)

    graded = sweep(found, say)
    text = report(graded, time.perf_counter() - start)
    args.out.write_text(text, encoding="utf-8")
    holes = sum(g.survived and g.mutant.key not in EQUIVALENT for g in graded)
    print(f"wrote {args.out}: {holes} unexplained survivor(s)")
    return 1 if holes else 0
