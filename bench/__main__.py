"""``python -m bench`` (``make bench``): every speed figure and target, measured, never asserted.

Sections (``--only`` picks some): the learner loop, grading one submission, grading against
nbgrader, class throughput (one and two cores), the Dask cluster against ``--jobs 2``, the
reference against torch built-ins, and RAG retrieval. Each figure is the median of ``--repeat``
runs with its spread (min–max); ratios are taken per repeat from runs made side by side. The
results go to ``bench/RESULTS.md`` (or ``--out``) with the machine, the versions and the date;
``--quick`` runs tiny sizes to check the benchmarks themselves still work (not for the record).
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench.report import ROOT, Row

#: name → module with ``rows(args) -> list[Row]``, in the order they run
SECTIONS = {
    "learner": "bench.learner",
    "grading": "bench.grading",
    "nbgrader": "bench.nbgrader_compare",
    "throughput": "bench.throughput",
    "cluster": "bench.cluster",
    "reference": "bench.reference_speed",
    "rag": "bench.rag",
}


def machine() -> list[str]:
    import faiss
    import hypothesis
    import numpy
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return [
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {cpu}, {os.cpu_count()} cores, GPU: {gpu}, {platform.platform()}",
        f"- versions: Python {platform.python_version()}, NumPy {numpy.__version__}, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"faiss {faiss.__version__}, hypothesis {hypothesis.__version__}",
    ]


def render(rows: list[Row], header: list[str], args: argparse.Namespace, seconds: float) -> str:
    lines = ["# gradelab benchmarks", "", *header]
    lines.append(
        f"- each figure: median of {args.repeat} runs (min–max); device {args.device}; "
        f"the whole run took {seconds / 60:.1f} min"
    )
    missed = [r for r in rows if r.met is False]
    lines.append(
        f"- targets: {sum(r.met is True for r in rows)} met, {len(missed)} not met"
        + (" (" + "; ".join(f"{r.section}: {r.what}" for r in missed) + ")" if missed else "")
    )
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            lines += [
                "",
                f"## {section}",
                "",
                "| what | figure | target | met |",
                "|---|---|---|---|",
            ]
        lines.append(f"| {row.what} | {row.value} | {row.target} | {row.mark} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the benchmarks")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS), help="these sections only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if args.device == "cuda":
        import torch

        if not torch.cuda.is_available():
            parser.error("--device cuda: torch sees no CUDA device on this machine")
    args.class_dir = None  # the cluster section builds its own class
    # no replay recordings from this machine's earlier grading: a figure that wants some says so
    os.environ["GRADELAB_REPLAY_CACHE"] = "off"
    header = machine()
    print("\n".join(header), flush=True)
    rows: list[Row] = []
    failed: list[str] = []
    start = time.perf_counter()
    for name in args.only or list(SECTIONS):
        if args.device == "cuda" and name not in ("reference", "rag"):
            continue  # only the reference and RAG run on a GPU
        print(f"\n## {name}", flush=True)
        try:
            for row in importlib.import_module(SECTIONS[name]).rows(args):
                rows.append(row)
                print(f"| {row.what} | {row.value} | {row.target} | {row.mark} |", flush=True)
        except Exception:  # one broken section must not lose the others' figures
            failed.append(name)
            traceback.print_exc()
            rows.append(Row(name, "this section failed (see the console)", "—", "", False))
    text = render(rows, header, args, time.perf_counter() - start)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"\nwrote {args.out}" + (f"; failed sections: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
