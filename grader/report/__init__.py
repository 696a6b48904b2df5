"""The class report: item analysis, common mistakes, and the page that shows them.

Everything is read from the gradebook (:mod:`grader.report.load`); nothing is graded again.
``write_class_report(out)`` writes ``out/class/{index.html,items.csv,mistakes.csv}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.outputs import atomic_write
from grader.report import figures, page, tables
from grader.report.items import Item, analyse_items
from grader.report.load import read_class
from grader.report.mistakes import Mistake, find_mistakes, most_common


@dataclass
class ClassReport:
    folder: Path  # out/class
    learners: int
    items: list[Item]
    named: list[Mistake]
    unnamed: list[Mistake]
    warning: str | None = None  # the learners' grades do not compare (report.load.mixed_grading)

    @property
    def flagged(self) -> list[Item]:
        return [it for it in self.items if it.flags]

    def top_mistakes(self, n: int = 5) -> list[Mistake]:
        return most_common(self.named, self.unnamed, n)


def write_class_report(out: Path) -> ClassReport:
    """Read ``out/gradebook.sqlite`` and write the report under ``out/class/``: every learner
    graded into ``out``, each at their current grade (as ``grades.csv`` and the LMS exports,
    :func:`grader.report.load.read_class`), however few the last run graded."""
    graded = read_class(out)
    results = graded.results
    items = analyse_items(results)
    named, unnamed = find_mistakes(results)
    folder = out / "class"  # one of escape.KIT_FOLDERS: no learner's folder
    drawn = (
        {"distribution": figures.score_distribution(results), "heatmap": figures.heat_map(results)}
        if results
        else {}
    )
    atomic_write(folder / "items.csv", tables.items_csv(items))
    atomic_write(folder / "mistakes.csv", tables.mistakes_csv(named, unnamed))
    atomic_write(folder / "index.html", page.render(results, items, named, unnamed, drawn))
    return ClassReport(folder, len(results), items, named, unnamed, graded.warning)
