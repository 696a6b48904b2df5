"""Class throughput: grading on a 2-worker Dask LocalCluster against ``gradelab grade --jobs 2``.

The same class is graded, into a fresh output folder each time (nothing reused), by a local pool
of two processes and by a ``distributed.LocalCluster`` of two worker processes with one thread
each, on this machine. Runs alternate, ``--repeat`` times each:

- ``--jobs 2``: ``grade()`` starts a spawn process pool, whose processes import the kit and grade;
- the cluster with fresh workers (restarted before every run but the first; not timed): they, too,
  import the kit inside the timed run, so the ratio of the two is the cost of going through Dask
  (connecting, checking the workers, scheduling, shipping submissions and results);
- once, the cluster with warm workers, as a long-running cluster on course servers would be.

Rows: submissions per minute for each, the throughput ratio cluster / ``--jobs 2`` (pairs of
runs taken side by side), whether both gave the same scores, and the cluster's start-up (not part
of any throughput). ``--quick`` (the smoke test): 4 submissions, the ``activations`` topic, one
run of each. ``python -m bench.cluster`` prints the rows alone.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster

from bench.classes import build_class
from bench.report import Row, ratio_spread, spread
from grader.class_folder import discover
from grader.grading import GradeOptions, grade
from grader.settings import GradeSettings
from reference import TOPICS

SECTION = "class throughput"
WORKERS = 2
QUICK_SIZE = 4
FULL_SIZE = 40


def grade_once(
    klass: Path, out: Path, topics: tuple[str, ...], cluster: str | None = None
) -> tuple[float, dict[str, float]]:
    """Grade ``klass`` into an emptied ``out``: (seconds, learner → score)."""
    shutil.rmtree(out, ignore_errors=True)
    options = GradeOptions(GradeSettings(topics=topics), out=out, jobs=WORKERS, cluster=cluster)
    start = time.perf_counter()
    report = grade([klass], options)
    seconds = time.perf_counter() - start
    if report.failed or report.reused:
        raise RuntimeError(f"bench run not clean: failed {report.failed}, {report.reused} reused")
    return seconds, {r["learner"]: r["score"] for r in report.results}


def rows(args: Any) -> list[Row]:
    quick = bool(getattr(args, "quick", False))
    repeat = 1 if quick else max(1, int(getattr(args, "repeat", 3)))
    topics = ("activations",) if quick else TOPICS
    with tempfile.TemporaryDirectory(prefix="gradelab-bench-cluster-") as tmp:
        klass = getattr(args, "class_dir", None)
        if quick or klass is None:
            klass = Path(tmp) / "class"
            build_class(klass, n=QUICK_SIZE if quick else FULL_SIZE)
        n = len(discover([klass]))
        out = Path(tmp) / "out"
        local, fresh, restarts = [], [], []
        same = True
        start = time.perf_counter()
        with (
            LocalCluster(
                n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            Client(cluster.scheduler_address, set_as_default=False) as client,
        ):
            startup = time.perf_counter() - start
            address = cluster.scheduler_address
            for i in range(repeat):
                seconds, scores = grade_once(klass, out, topics)
                local.append(seconds)
                if i:  # fresh worker processes, as the pool's (the first run has them already)
                    began = time.perf_counter()
                    client.restart()
                    restarts.append(time.perf_counter() - began)
                seconds, on_cluster = grade_once(klass, out, topics, address)
                fresh.append(seconds)
                same = same and on_cluster == scores
            warm, on_cluster = grade_once(klass, out, topics, address)
            same = same and on_cluster == scores
    rate = [60 * n / s for s in local]
    rate_fresh = [60 * n / s for s in fresh]
    _, ratio = ratio_spread(rate_fresh, rate)
    size = f"{n} submissions, {len(topics)} topic{'s' if len(topics) > 1 else ''}"
    unit, digits = "submissions/min", 1
    return [
        Row(
            SECTION,
            f"`gradelab grade --jobs {WORKERS}` ({size}; pool start-up included)",
            spread(rate, unit, digits),
        ),
        Row(
            SECTION,
            f"`--cluster`: LocalCluster, {WORKERS} workers × 1 thread, fresh workers in each run "
            f"({size}; they import the kit in the run, as the pool does)",
            spread(rate_fresh, unit, digits),
        ),
        Row(
            SECTION,
            f"throughput ratio, cluster / `--jobs {WORKERS}` (the overhead of going through Dask; "
            "< 1× is slower)",
            ratio,
        ),
        Row(
            SECTION,
            f"`--cluster` with warm workers (a long-running cluster; {size}; one run)",
            f"{60 * n / warm:.1f} submissions/min",
        ),
        Row(
            SECTION,
            f"same scores on the cluster as with `--jobs {WORKERS}`",
            "yes" if same else "NO",
            "identical",
            same,
        ),
        Row(
            SECTION,
            f"LocalCluster start-up, {WORKERS} worker processes (not in any throughput)"
            + ("; a restart of the workers" if restarts else ""),
            f"{startup:.2f} s" + (f"; restart {spread(restarts)}" if restarts else ""),
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    for row in rows(argparse.Namespace(repeat=args.repeat, quick=args.quick, class_dir=None)):
        print(f"| {row.what} | {row.value} | {row.target} | {row.mark} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
