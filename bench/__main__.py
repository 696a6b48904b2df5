"""``python -m bench``: the speed targets, measured (never asserted in unit tests).

Figures: the learner loop (``gradelab check <topic>`` as a learner runs it, per topic; target
≤ 1 s) and grading one submission on one core (the model answers: target ≤ 5 s; the untouched
stubs: target ≤ 2 s). Each is the median of ``--repeat`` runs with its spread (min–max).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from reference import TOPICS

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def one_core(cmd: list[str]) -> list[str]:
    return ["taskset", "-c", "0", *cmd] if shutil.which("taskset") else cmd


GRADE_SNIPPET = """
import sys, time
from pathlib import Path
from grader.engine.run import run_hidden_tests
topics = sys.argv[2].split(",")
times = []
for _ in range(2):  # the first submission a grading process sees pays for imports and collection
    start = time.perf_counter()
    r = run_hidden_tests(Path(sys.argv[1]), topics, learner="bench", content_hash="-")
    times.append(time.perf_counter() - start)
print(f"{times[0]:.4f} {times[1]:.4f} {r.score} {r.max_score}")
"""


def grade_seconds(folder: Path, topics: list[str]) -> tuple[float, float, str]:
    """Grading time of a first and a second submission in one process (worker start included),
    pinned to one core: (cold, warm, points)."""
    out = subprocess.run(
        one_core([sys.executable, "-c", GRADE_SNIPPET, str(folder), ",".join(topics)]),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), float(out[1]), f"{float(out[2]):g}/{float(out[3]):g}"


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
    """Seconds from spawning a worker to its first reply, under one sandbox mode."""
    out = subprocess.run(
        [sys.executable, "-c", STARTUP_SNIPPET, str(folder), mode, str(repeat)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return [float(x) for x in out.stdout.split()] if out.returncode == 0 else []


def stats(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, str, str]] = []
    env = {**os.environ, "GRADELAB_TARGET": "exercises"}
    for topic in TOPICS:
        cmd = [sys.executable, "-m", "exercises.tests._runner", "check", topic]
        values = [timed(cmd, env) for _ in range(args.repeat)]
        ok = "✓" if statistics.median(values) <= 1.0 else "✗"
        rows.append((f"learner loop: `gradelab check {topic}`", stats(values), "≤ 1 s", ok))
        print(rows[-1], flush=True)
    hidden = [t for t in TOPICS if (ROOT / "grader" / "hidden" / f"test_{t}.py").exists()]
    with tempfile.TemporaryDirectory() as tmp:
        for name, source, target in (
            ("model answers", "solutions", 5.0),
            ("untouched stubs", "exercises", 2.0),
        ):
            folder = Path(tmp) / source
            folder.mkdir()
            for topic in TOPICS:
                shutil.copyfile(ROOT / source / f"{topic}.py", folder / f"{topic}.py")
            runs = [grade_seconds(folder, hidden) for _ in range(args.repeat)]
            cold, warm = [c for c, _, _ in runs], [w for _, w, _ in runs]
            ok = "✓" if statistics.median(warm) <= target else "✗"
            label = f"grade the {name} ({runs[0][2]} points, {len(hidden)} topics), one core"
            rows.append((f"{label}, per submission", stats(warm), f"≤ {target:g} s", ok))
            rows.append(
                (
                    f"{label}, first submission of a process (imports, collection)",
                    stats(cold),
                    "",
                    "",
                )
            )
            print(*rows[-2:], sep="\n", flush=True)
        plain = worker_startup(folder, "none", max(5, args.repeat))
        boxed = worker_startup(folder, "bwrap", max(5, args.repeat))
        rows.append(("worker start-up, rlimits-only", stats(plain) if plain else "failed", "", ""))
        if boxed and plain:
            overhead = statistics.median(boxed) - statistics.median(plain)
            rows.append(("worker start-up, bubblewrap (+ uid drop as root)", stats(boxed), "", ""))
            rows.append(
                (
                    "sandbox start-up overhead per submission (median difference)",
                    f"{overhead:.3f} s",
                    "",
                    "",
                )
            )
        else:
            rows.append(("worker start-up, bubblewrap", "bubblewrap unavailable here", "", ""))
        for row in rows[-3:]:
            print(row, flush=True)
    import numpy
    import torch

    lines = [
        "# gradelab benchmarks",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        f"- versions: Python {platform.python_version()}, NumPy {numpy.__version__}, torch {torch.__version__}",
        f"- each figure: median of {args.repeat} runs (min–max)",
        "",
        "| what | time | target | met |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
        "",
    ]
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
