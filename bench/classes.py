"""A generated class for the throughput benchmarks: ``n`` varied, deterministic submissions.

A real class is mostly nearly-right work: the mix below is one model answer in eight, one
untouched release in twenty, and otherwise the model answers with one to three catalogued
mistakes planted (:func:`grader.examples.mistake_source`), some topics left as stubs, a topic
missing or a file that does not import. The same ``n`` and ``seed`` always give the same class.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from grader.examples import plant_mistake, write_answers
from grader.misconceptions import catalogue
from grader.release.build import ROOT
from reference import TOPICS


def _mistakes() -> list[str]:
    return sorted(m.key for t in TOPICS for entries in catalogue(t).values() for m in entries)


def build_class(out: Path, n: int = 40, seed: int = 0) -> list[str]:
    """Write ``n`` submissions under ``out`` (replacing it); return the learner ids."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if out.exists():
        shutil.rmtree(out)
    rng = random.Random(seed)
    mistakes = _mistakes()
    learners = []
    for i in range(n):
        learner = f"learner-{i:03d}"
        folder = out / learner
        kind = i % 20
        if kind == 0:
            write_answers(folder)
        elif kind == 10:
            write_answers(folder, "exercises")
        else:
            write_answers(folder)
            for key in rng.sample(mistakes, rng.choice([1, 1, 2, 3])):
                plant_mistake(folder, key)
            if kind % 5 == 3:  # some topics not started yet
                for topic in rng.sample(TOPICS, 2):
                    shutil.copyfile(ROOT / "exercises" / f"{topic}.py", folder / f"{topic}.py")
            if kind == 7:
                (folder / f"{rng.choice(TOPICS)}.py").unlink()
            if kind == 17:
                with (folder / f"{rng.choice(TOPICS)}.py").open("a", encoding="utf-8") as fh:
                    fh.write("\ndef broken(:\n")
        learners.append(learner)
    return learners
