"""Regrades an instructor can trust: who is graded again and why, and what changed.

A submission is graded when the gradebook holds no result for it under the run's key (the kit's
fingerprint, :mod:`grader.fingerprint`, with the sandbox layers and Python of
:mod:`grader.grade_key`). Why, from the learner's latest entry (:func:`reason`):

- ``new``: the learner has no entry;
- ``changed submission``: the latest entry is of other files;
- the same files graded differently — a *regrade* (:data:`REGRADES`), told apart by comparing
  the :class:`Conditions` the entry was graded under with this run's:
  ``changed settings`` (topics, examples, shrinking, limits: ``--topic losses`` after a whole
  run), ``changed sandbox`` (other layers: bubblewrap back after a run without it), else
  ``changed kit`` (hidden tests, strategies, harness, reference, library versions). Each comes
  with a one-line detail (``topics: all 10 → losses``, ``numpy 2.4.6 → 2.5.0``).

A regrade's result is compared with the entry it replaces (:func:`compare`): the score, each
test that flipped pass → fail or fail → pass, and the tests only one of them has (renamed,
removed or added by the kit, or outside a ``--topic`` run). Learners whose outcomes changed are
printed and written to ``OUT/regrade.csv`` with the reason; nothing is overwritten silently: the
gradebook keeps every earlier row, and the learner's earlier files move to
``<folder>/previous/<old fingerprint>/``.
"""

from __future__ import annotations

import csv
import io
import platform
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from grader.grade_key import expected_layers
from grader.outputs.escape import csv_cell
from grader.outputs.gradebook import Entry
from grader.settings import GradeSettings

NEW, CHANGED_SUBMISSION = "new", "changed submission"
CHANGED_KIT, CHANGED_SETTINGS, CHANGED_SANDBOX = (
    "changed kit",
    "changed settings",
    "changed sandbox",
)
#: the reasons that grade the same files again: the earlier result is kept and compared
REGRADES = frozenset({CHANGED_KIT, CHANGED_SETTINGS, CHANGED_SANDBOX})
KEPT_FILES = ("results.json", "feedback.md", "feedback.html")
#: what a kit change is when neither the settings, the sandbox nor a version moved
KIT_FILES = "the kit's files (hidden tests, strategies, harness, reference or grader)"


@dataclass(frozen=True)
class Conditions:
    """What besides the submission decided a grade: the settings
    (:meth:`~grader.settings.GradeSettings.to_record`; None for an entry stored before results
    kept them), the sandbox layers and the library versions."""

    settings: Mapping[str, Any] | None
    layers: tuple[str, ...] = ()
    versions: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, result: Mapping[str, Any]) -> Conditions:
        """The conditions a stored result was graded under."""
        settings = result.get("settings")
        versions = result.get("versions")
        return cls(
            settings if isinstance(settings, Mapping) and settings else None,
            tuple(sorted(str(x) for x in result.get("sandbox") or [])),
            {str(k): str(v) for k, v in versions.items()} if isinstance(versions, Mapping) else {},
        )

    @classmethod
    def expected(cls, settings: GradeSettings) -> Conditions:
        """The conditions this process would grade under (the versions of its packages)."""
        names = ("gradelab", "python", "numpy", "torch", "hypothesis")
        return cls(
            settings.to_record(),
            tuple(sorted(expected_layers(settings))),
            installed_versions(names),
        )

    def differences(self, old: Conditions) -> tuple[str, str]:
        """``(why, detail)``: the reason a grade made under ``old`` is not this one's, and what
        moved, in one line (the first kind that moved names the reason)."""
        if old.settings is not None and self.settings is not None:
            moved = _setting_changes(old.settings, self.settings)
            if moved:
                return CHANGED_SETTINGS, "; ".join(moved)
        if old.layers and self.layers and old.layers != self.layers:
            shown = (", ".join(layers) or "none" for layers in (old.layers, self.layers))
            return CHANGED_SANDBOX, "sandbox: {} → {}".format(*shown)
        moved = [
            f"{name} {old.versions[name]} → {self.versions[name]}"
            for name in sorted(old.versions.keys() & self.versions.keys())
            if old.versions[name] != self.versions[name]
        ]
        return CHANGED_KIT, "; ".join(moved) if moved else KIT_FILES


def _topics(topics: Any) -> str:
    listed = [str(t) for t in topics] if isinstance(topics, list | tuple) else [str(topics)]
    return ", ".join(listed) if len(listed) <= 3 else f"{len(listed)} topics"


def _setting_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """``name: old → new`` for each setting that differs (limits one by one)."""
    moved = []
    for name in sorted(old.keys() | new.keys()):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if name == "topics":
            moved.append(f"topics: {_topics(before)} → {_topics(after)}")
        elif name == "limits" and isinstance(before, Mapping) and isinstance(after, Mapping):
            moved += [
                f"limits.{k}: {before.get(k)} → {after.get(k)}"
                for k in sorted(before.keys() | after.keys())
                if before.get(k) != after.get(k)
            ]
        else:
            moved.append(f"{name}: {before} → {after}")
    return moved


def installed_versions(names: Iterable[str]) -> dict[str, str]:
    """The versions this machine would grade with, for the names a stored result lists: read
    from the packages' metadata, without importing them (a pool's parent never imports torch)."""
    found = {}
    for name in names:
        if name == "python":
            found[name] = platform.python_version()
            continue
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


@dataclass(frozen=True)
class Planned:
    """A submission this run grades, and why (:data:`NEW`, :data:`CHANGED_SUBMISSION`, or one of
    :data:`REGRADES` with its ``detail``); ``previous`` is the entry it follows, if any."""

    learner: str
    why: str
    previous: Entry | None = None
    detail: str = ""

    @property
    def regrade(self) -> bool:
        """The same files graded again (the earlier result is kept and compared)."""
        return self.why in REGRADES


def reason(content_hash: str, previous: Entry | None) -> str:
    """Why a submission not graded under this run's key is graded (a regrade is ``changed kit``
    here; :func:`planned` tells the kinds of regrade apart)."""
    if previous is None:
        return NEW
    return CHANGED_KIT if previous.content_hash == content_hash else CHANGED_SUBMISSION


def planned(learner: str, content_hash: str, previous: Entry | None, now: Conditions) -> Planned:
    """The plan for one submission: why it is graded, and for a regrade what moved between the
    conditions ``previous`` was graded under and this run's (``now``)."""
    why = reason(content_hash, previous)
    if why != CHANGED_KIT or previous is None:
        return Planned(learner, why, previous)
    old = Conditions.of(previous.result)
    versions = {k: v for k, v in now.versions.items() if k in old.versions}
    why, detail = Conditions(now.settings, now.layers, versions).differences(old)
    return Planned(learner, why, previous, detail)


@dataclass(frozen=True)
class Regrade:
    """One learner's regrade (same files, graded differently) whose outcomes changed."""

    learner: str
    old_score: float
    new_score: float
    pass_to_fail: tuple[str, ...]  # test names (``<topic>.<function>: <check>``)
    fail_to_pass: tuple[str, ...]
    old_fingerprint: str
    new_fingerprint: str
    why: str = CHANGED_KIT
    detail: str = ""
    gone: tuple[str, ...] = ()  # tests only the earlier result has (summarised per topic)
    added: tuple[str, ...] = ()  # tests only the new result has

    def describe(self) -> str:
        """One console line: ``ann: 5 → 4 (pass → fail: t1; fail → pass: t2)``."""
        flips = [
            f"{label}: {'; '.join(names)}"
            for label, names in (
                ("pass → fail", self.pass_to_fail),
                ("fail → pass", self.fail_to_pass),
                ("no longer graded", self.gone),
                ("newly graded", self.added),
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


def _summarised(names: set[str], everything: Iterable[str]) -> tuple[str, ...]:
    """``names``, sorted, with a topic whose every test is among them as one entry
    (``losses: all 34 tests``): a ``--topic`` run must not list hundreds of names."""
    per_topic: dict[str, list[str]] = {}
    for name in everything:
        per_topic.setdefault(name.split(".", 1)[0], []).append(name)
    shown: list[str] = []
    for topic, tests in sorted(per_topic.items()):
        mine = sorted(n for n in tests if n in names)
        if len(mine) == len(tests) > 1:
            shown.append(f"{topic}: all {len(tests)} tests")
        else:
            shown += mine
    return tuple(shown)


def compare(
    previous: Entry,
    result: dict[str, Any],
    fingerprint: str,
    *,
    why: str = CHANGED_KIT,
    detail: str = "",
) -> Regrade | None:
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
        why,
        detail,
        _summarised(old.keys() - new.keys(), old),
        _summarised(new.keys() - old.keys(), new),
    )


#: ``regrade.csv``'s columns
COLUMNS = (
    "learner",
    "why",
    "detail",
    "old_score",
    "new_score",
    "pass_to_fail",
    "fail_to_pass",
    "no_longer_graded",
    "newly_graded",
    "old_fingerprint",
    "new_fingerprint",
)


def regrade_csv(regrades: Iterable[Regrade]) -> str:
    """``regrade.csv``: one row per learner whose regrade changed something, with the reason
    (:data:`REGRADES`) and what moved; cells through :func:`csv_cell`, test names joined with
    `` | ``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in sorted(regrades, key=lambda r: r.learner):
        row = [
            r.learner,
            r.why,
            r.detail,
            f"{r.old_score:g}",
            f"{r.new_score:g}",
            " | ".join(r.pass_to_fail),
            " | ".join(r.fail_to_pass),
            " | ".join(r.gone),
            " | ".join(r.added),
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
