"""Regrades an instructor can trust: who is graded again and why, and what changed.

A submission is graded when the gradebook holds no result for it under the run's fingerprint
(:mod:`grader.fingerprint`). Why, from the learner's latest entry (:func:`reason`):

- ``new``: the learner has no entry;
- ``changed submission``: the latest entry is of other files;
- ``changed kit``: the same files were graded under another fingerprint (other hidden tests,
  strategies, harness, reference, settings or library versions) — a *regrade*.

A regrade's result is compared with the entry it replaces (:func:`compare`): the score, and each
test that flipped pass → fail or fail → pass. Learners whose outcomes changed are printed and
written to ``OUT/regrade.csv``; nothing is overwritten silently: the gradebook keeps every
earlier row, and the learner's earlier files move to ``<folder>/previous/<old fingerprint>/``.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.outputs.escape import csv_cell
from grader.outputs.gradebook import Entry

NEW, CHANGED_SUBMISSION, CHANGED_KIT = "new", "changed submission", "changed kit"
KEPT_FILES = ("results.json", "feedback.md", "feedback.html")


@dataclass(frozen=True)
class Planned:
    """A submission this run grades, and why (:data:`NEW`, :data:`CHANGED_SUBMISSION`,
    :data:`CHANGED_KIT`); ``previous`` is the entry it follows, if any."""

    learner: str
    why: str
    previous: Entry | None = None


def reason(content_hash: str, previous: Entry | None) -> str:
    """Why a submission not graded under this run's fingerprint is graded."""
    if previous is None:
        return NEW
    return CHANGED_KIT if previous.content_hash == content_hash else CHANGED_SUBMISSION


@dataclass(frozen=True)
class Regrade:
    """One learner's regrade under a changed kit whose outcomes changed."""

    learner: str
    old_score: float
    new_score: float
    pass_to_fail: tuple[str, ...]  # test names (``<topic>.<function>: <check>``)
    fail_to_pass: tuple[str, ...]
    old_fingerprint: str
    new_fingerprint: str

    def describe(self) -> str:
        """One console line: ``ann: 5 → 4 (pass → fail: t1; fail → pass: t2)``."""
        flips = [
            f"{label}: {'; '.join(names)}"
            for label, names in (
                ("pass → fail", self.pass_to_fail),
                ("fail → pass", self.fail_to_pass),
            )
            if names
        ]
        detail = f" ({', '.join(flips)})" if flips else ""
        return f"{self.learner}: {self.old_score:g} → {self.new_score:g}{detail}"


def _passed(result: dict[str, Any]) -> dict[str, bool]:
    """Test name → passed, for each test of a result (names as the gradebook writes them)."""
    return {
        f"{o['topic']}.{o['function']}: {o['check']}"
        + (f" ({o['case']})" if o.get("case") else ""): o["status"] == "passed"
        for o in result["outcomes"]
    }


def compare(previous: Entry, result: dict[str, Any], fingerprint: str) -> Regrade | None:
    """What a regrade changed: None when the score and every test's pass/fail are as before."""
    old, new = _passed(previous.result), _passed(result)
    common = sorted(set(old) & set(new))
    pass_to_fail = tuple(n for n in common if old[n] and not new[n])
    fail_to_pass = tuple(n for n in common if new[n] and not old[n])
    same = old.keys() == new.keys() and not pass_to_fail and not fail_to_pass
    if same and previous.result["score"] == result["score"]:
        return None
    return Regrade(
        result["learner"],
        previous.result["score"],
        result["score"],
        pass_to_fail,
        fail_to_pass,
        previous.fingerprint,
        fingerprint,
    )


def regrade_csv(regrades: Iterable[Regrade]) -> str:
    """``regrade.csv``: one row per learner whose regrade changed something; cells through
    :func:`csv_cell`, test names joined with `` | ``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        [
            "learner",
            "old_score",
            "new_score",
            "pass_to_fail",
            "fail_to_pass",
            "old_fingerprint",
            "new_fingerprint",
        ]
    )
    for r in sorted(regrades, key=lambda r: r.learner):
        row = [
            r.learner,
            f"{r.old_score:g}",
            f"{r.new_score:g}",
            " | ".join(r.pass_to_fail),
            " | ".join(r.fail_to_pass),
            r.old_fingerprint,
            r.new_fingerprint,
        ]
        writer.writerow([csv_cell(cell) for cell in row])
    return buf.getvalue()


def keep_previous(folder: Path, fingerprint: str) -> None:
    """Move the learner's files written under ``fingerprint`` to ``previous/<fingerprint>/``
    before new ones are written (a file already kept there stays as it is)."""
    kept = folder / "previous" / fingerprint
    for name in KEPT_FILES:
        if (folder / name).is_file() and not (kept / name).exists():
            kept.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / name, kept / name)
