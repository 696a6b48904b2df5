"""Grading one submission on one core, and what the sandbox adds to it.

Each figure runs in a fresh process pinned to one core: the first submission pays for imports,
collecting the hidden suite and recording the inputs hypothesis draws; the second is what the
same answers cost later in a class, every test answered from the conversation trees the first
grew (:mod:`grader.engine.memo`); then the same with ``GRADELAB_MEMO=off``, the inputs
replayed (:mod:`grader.engine.replay`) and every test run: what a later learner pays for a test
it answers unlike anyone before it. Each with the grading process's own CPU in it (pytest, the
test bodies, framing each call) rather than the sandboxed worker's. A second fresh process then
grades the first submission again with the recordings the first process stored
(:mod:`grader.engine.recordings`): what a pool process, a later run or a Dask worker pays.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.report import ROOT, Row, one_core, spread, with_store
from grader.examples import write_answers
from reference import TOPICS

SECTION = "grading one submission"

GRADE_SNIPPET = """
import os, resource, sys, time
from pathlib import Path
from grader.engine.run import run_hidden_tests
from grader.settings import GradeSettings
settings = GradeSettings(tuple(sys.argv[2].split(",")))
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
times, own = [], []
for memo in ("on", "on", "off", "on", "off"):  # a later grade of each after a warm one
    os.environ["GRADELAB_MEMO"] = memo
    start, before = time.perf_counter(), cpu()
    r = run_hidden_tests(Path(sys.argv[1]), settings, learner="bench", content_hash="-")
    times.append(time.perf_counter() - start)
    own.append(cpu() - before)
print(f"{times[0]:.4f} {times[3]:.4f} {own[3]:.4f} {times[4]:.4f} {own[4]:.4f} {r.score} {r.max_score}")
"""


def grade_seconds(folder: Path, topics: list[str], store: Path) -> tuple[float, ...]:
    """(first, a later grade, the grading process's own CPU in it, a later grade with
    ``GRADELAB_MEMO=off``, its own CPU) for grading ``folder`` five times in one process on one
    core (on, on, off, on, off: the two later grades reported each come after a warm one of
    its kind, so neither gains from the process's warming up), with the replay recordings of
    ``store``; and the points, as text."""
    cmd = [sys.executable, "-c", GRADE_SNIPPET, str(folder), ",".join(topics)]
    proc = subprocess.run(
        one_core(cmd), cwd=ROOT, env=with_store(store), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"grading {folder} failed:\n{proc.stderr[-3000:]}")
    *seconds, score, top = proc.stdout.split()
    return (*map(float, seconds), f"{float(score):g}/{float(top):g}")


def rows(args: argparse.Namespace) -> list[Row]:
    hidden = [t for t in TOPICS if (ROOT / "grader" / "hidden" / f"test_{t}.py").exists()]
    topics = hidden[:1] if args.quick else hidden
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, source, target in (
            ("the model answers", "solutions", 5.0),
            ("the untouched stubs", "exercises", 2.0),
        ):
            folder = write_answers(Path(tmp) / source, source)
            runs, stored = [], []
            for i in range(args.repeat):
                store = Path(tmp) / f"store-{source}-{i}"  # empty: this process draws
                runs.append(grade_seconds(folder, topics, store))
                stored.append(grade_seconds(folder, topics, store)[0])
            first, later, own, run, run_own = ([r[i] for r in runs] for i in range(5))
            label = f"{name} ({runs[0][5]} points, {len(topics)} topics), one core"
            ok = statistics.median(later) <= target
            known = f"{label}, a later submission answering as it did (engine/memo.py)"
            out.append(Row(SECTION, known, spread(later), f"≤ {target:g} s", ok))
            unknown = f"{label}, a later submission with `GRADELAB_MEMO=off` (every test run)"
            out.append(Row(SECTION, unknown, spread(run)))
            for what, figures in ((known, own), (unknown, run_own)):
                out.append(
                    Row(
                        SECTION,
                        f"{what}: the grading process's own CPU in it (the rest is the sandboxed "
                        "worker's, and switching to it)",
                        spread(figures),
                    )
                )
            out.append(Row(SECTION, f"{label}, the first of a process", spread(first)))
            out.append(
                Row(
                    SECTION,
                    f"{label}, the first of a process, the inputs stored by an earlier one",
                    spread(stored),
                )
            )
    return out
