"""Class throughput: a generated class (:mod:`bench.classes`) graded with ``--jobs 1`` on one
core and with ``--jobs 2``, as ``gradelab grade`` does it (a fresh process, imports included).

Figures: submissions per minute; the marginal cost of one more submission on one core (the time
between the first and the last result over n − 1, i.e. without imports and the first
submission's recording; target ≤ 1 s), with and without shrinking counterexamples; the scaling
from one to two cores (target ≥ 1.8×); and the worker start-up with and without bubblewrap, whose
difference is the sandbox's start-up overhead per submission.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.classes import build_class
from bench.grading_profile import profile_rows
from bench.report import ROOT, Row, one_core, ratio_spread, spread
from reference import TOPICS

SECTION = "class throughput"

SNIPPET = """
import json, sys, time
start = time.perf_counter()
from pathlib import Path
from grader.grading import GradeOptions, grade
from grader.settings import GradeSettings
klass, out, jobs, shrink, topics = sys.argv[1:6]
done = []
settings = GradeSettings(shrink=shrink == "1")
if topics:
    settings = GradeSettings(tuple(topics.split(",")), shrink=shrink == "1")
options = GradeOptions(settings, out=Path(out), jobs=int(jobs))
report = grade([Path(klass)], options, lambda *a: done.append(time.perf_counter() - start))
print(json.dumps({"total": time.perf_counter() - start, "done": done, "graded": report.graded}))
"""


def run_class(klass: Path, out: Path, jobs: int, shrink: bool, topics: str) -> dict:
    cmd = [sys.executable, "-c", SNIPPET, str(klass), str(out), str(jobs), "1" if shrink else "0"]
    cmd.append(topics)
    proc = subprocess.run(
        one_core(cmd) if jobs == 1 else cmd, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"grading the class failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["graded"] != len(result["done"]) or not result["done"]:
        raise RuntimeError(f"not every submission was graded: {result}")
    return result


STARTUP_SNIPPET = """
import sys, time
from pathlib import Path
from grader.engine.process import WorkerProcess
from grader.engine.sandbox import Sandbox, detect
sandbox = Sandbox() if sys.argv[2] == "none" else detect("bwrap")
times = []
for _ in range(int(sys.argv[3])):
    w = WorkerProcess(Path(sys.argv[1]), sandbox=sandbox)
    start = time.perf_counter()
    w.start()  # spawn + interpreter + NumPy import + first reply
    times.append(time.perf_counter() - start)
    w.close()
print(" ".join(f"{t:.4f}" for t in times))
"""


def worker_startup(folder: Path, mode: str, repeat: int) -> list[float]:
    """Seconds from spawning a worker to its first reply ([] when the mode cannot run here)."""
    cmd = [sys.executable, "-c", STARTUP_SNIPPET, str(folder), mode, str(repeat)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    return [float(x) for x in proc.stdout.split()] if proc.returncode == 0 else []


def per_minute(runs: list[dict]) -> str:
    rates = [60 * len(r["done"]) / r["total"] for r in runs]
    return spread(rates, "/min", digits=1)


def marginal(runs: list[dict]) -> list[float]:
    return [(max(r["done"]) - min(r["done"])) / (len(r["done"]) - 1) for r in runs]


def rows(args: argparse.Namespace) -> list[Row]:
    n = 4 if args.quick else 40
    topics = "activations" if args.quick else ""
    out: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        klass = Path(tmp) / "class"
        build_class(klass, n)
        runs: dict[tuple[int, bool], list[dict]] = {}
        for i in range(args.repeat):  # interleaved, so noise hits every configuration alike
            for jobs, shrink in ((1, True), (2, True), (1, False)):
                dest = Path(tmp) / f"out-{jobs}-{shrink}-{i}"  # fresh: nothing is reused
                runs.setdefault((jobs, shrink), []).append(
                    run_class(klass, dest, jobs, shrink, topics)
                )
        what = f"{n} varied submissions" + (f", topics {topics}" if topics else ", all topics")
        one, two, fast = runs[(1, True)], runs[(2, True)], runs[(1, False)]
        out.append(Row(SECTION, f"`--jobs 1`, one core ({what})", per_minute(one)))
        out.append(Row(SECTION, "`--jobs 2`, two cores", per_minute(two)))
        out.append(Row(SECTION, "`--jobs 1 --no-shrink`, one core", per_minute(fast)))
        for label, group in (("", one), (" with `--no-shrink`", fast)):
            values = marginal(group)
            ok = statistics.median(values) <= 1.0
            out.append(
                Row(
                    SECTION,
                    f"marginal cost per submission, one core{label}",
                    spread(values),
                    "≤ 1 s",
                    ok,
                )
            )
        median, text = ratio_spread([r["total"] for r in one], [r["total"] for r in two])
        out.append(
            Row(
                SECTION,
                "scaling from 1 to 2 cores (`--jobs 2` vs `--jobs 1`)",
                text,
                "≥ 1.8×",
                median >= 1.8,
            )
        )
        out.extend(profile_rows(SECTION, klass, topics.split(",") if topics else list(TOPICS)))
        student = klass / sorted(p.name for p in klass.iterdir())[0]
        repeat = max(5, args.repeat)
        plain, boxed = (
            worker_startup(student, "none", repeat),
            worker_startup(student, "bwrap", repeat),
        )
    out.append(Row(SECTION, "worker start-up, rlimits only", spread(plain) if plain else "failed"))
    if plain and boxed:
        out.append(Row(SECTION, "worker start-up, bubblewrap (+ uid drop as root)", spread(boxed)))
        overhead = statistics.median(boxed) - statistics.median(plain)
        out.append(Row(SECTION, "sandbox start-up overhead per submission", f"{overhead:.3f} s"))
    else:
        out.append(Row(SECTION, "worker start-up, bubblewrap", "bubblewrap cannot run here"))
    return out
