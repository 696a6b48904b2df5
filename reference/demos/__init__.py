"""The reference demos: real small models trained with the reference implementation.

Each demo is one module exposing ``TITLE: str`` and ``run(ctx: DemoContext) -> DemoResult``.
``run_all`` runs the selected demos in order, prints their figures in rich tables and writes
``results.json`` plus any figures (PNG) under ``ctx.out``. ``results.json`` is merged: a run of
some demos (``--only``) replaces their entries and keeps the others'. Third-party progress bars
and advisory logs (transformers' "Loading weights", the hub's downloads) are switched off, so
only our own output shows.
"""

from __future__ import annotations

import importlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

#: Demo modules in the order they run (``--only`` takes these names).
DEMOS: tuple[str, ...] = ("perceptron", "optimizers", "cnn", "lstm", "vanishing", "rag")


@dataclass
class DemoContext:
    """What a demo receives: where to run, how to seed, where to write, how to print."""

    device: torch.device
    seed: int
    out: Path
    console: Console

    def generator(self, offset: int = 0) -> torch.Generator:
        """A CPU ``torch.Generator`` seeded from the run's seed (``offset`` separates streams)."""
        return torch.Generator().manual_seed(self.seed + offset)


@dataclass
class DemoResult:
    """A demo's headline figures (shown in the summary) and any tables or files it made."""

    figures: dict[str, Any]
    tables: list[Table] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    ok: bool = True
    message: str = ""


def quiet_third_party() -> None:
    """Switch off third-party progress bars and advisory logs (transformers, the HF hub,
    tokenizers) before and after they are imported: our tables and status lines are the output."""
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ["TRANSFORMERS_VERBOSITY"] = "error"
    os.environ["TRANSFORMERS_NO_ADVISORY_WARNINGS"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
        return
    hf_logging.disable_progress_bar()  # also the hub's (huggingface_hub.utils)
    hf_logging.set_verbosity_error()


def _words(cell: object) -> list[str]:
    text = cell.plain if isinstance(cell, Text) else str(cell)
    return text.split()


def fit(table: Table, width: int, longest_word: int = 24) -> Table:
    """Lay ``table`` out to fit ``width`` columns, wrapping cleanly: light rules instead of boxes
    (less width lost to borders), and no column narrower than its longest word (up to
    ``longest_word``), so the table wraps between words and never cuts one ("hyper-param…") or
    splits an id mid-word. When even that is wider than ``width``, rich's own shrinking is kept
    (words folded, nothing cropped). Returns the same table."""
    table.box = box.SIMPLE_HEAD
    table.show_edge = False
    table.pad_edge = False
    table.collapse_padding = True
    for column in table.columns:
        words = [w for cell in (column.header, *column.cells) for w in _words(cell)]
        column.min_width = min(max((len(w) for w in words), default=1), longest_word)
        column.overflow = "fold"  # only a word longer than the column is ever folded
    gaps = 2 * max(len(table.columns) - 1, 0)
    if sum(c.min_width or 0 for c in table.columns) + gaps > width:
        for column in table.columns:
            column.min_width = None
    return table


def merge_results(path: Path, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` merged into the results already in ``path`` (a demo's entry is replaced, the
    other demos' entries stay); an unreadable file is replaced."""
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    if not isinstance(previous, dict):
        previous = {}
    return {**previous, **record}


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA when available; ``cuda`` without a GPU is a clear error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("--device cuda asked for, but torch sees no CUDA device")
    if name != "cpu" and not name.startswith("cuda"):
        raise ValueError(f"--device must be auto, cpu or cuda, got {name!r}")
    return torch.device(name)


def _error(message: str) -> None:
    """A mistake in what was asked: one red line on stderr, the names as typed (no markup)."""
    Console(stderr=True, soft_wrap=True).print(Text(message, style="red"), highlight=False)


def run_all(
    device: str = "auto",
    only: list[str] | None = None,
    seed: int = 0,
    out: str | Path = "out/demo",
    console: Console | None = None,
) -> int:
    """Run the demos; return a process exit status (0 when every demo met its target)."""
    console = console or Console()
    names = list(only) if only else list(DEMOS)
    unknown = [n for n in names if n not in DEMOS]
    if unknown:
        _error(f"unknown demo(s): {', '.join(unknown)}; choose from {', '.join(DEMOS)}")
        return 2
    try:
        dev = resolve_device(device)
    except ValueError as exc:
        _error(str(exc))
        return 2
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    quiet_third_party()
    console.rule(f"gradelab reference demos on {dev}")
    summary = Table(title="Demo summary")
    for col in ("demo", "status", "seconds"):
        summary.add_column(col, no_wrap=True)
    summary.add_column("headline figures", overflow="fold")
    record: dict[str, Any] = {"device": str(dev), "seed": seed, "torch": torch.__version__}
    failures = 0
    for name in names:
        module = importlib.import_module(f"reference.demos.{name}")
        console.rule(f"[bold]{name}[/]: {module.TITLE}")
        ctx = DemoContext(device=dev, seed=seed, out=out_dir, console=console)
        start = time.perf_counter()
        result: DemoResult = module.run(ctx)
        seconds = time.perf_counter() - start
        for table in result.tables:
            console.print(fit(table, console.width))
        if result.message:
            console.print(result.message)
        failures += not result.ok
        status = "[green]ok" if result.ok else "[red]below target"
        headline = ", ".join(f"{k}={_short(v)}" for k, v in result.figures.items())
        summary.add_row(name, status, f"{seconds:.1f}", headline)
        record[name] = {
            "device": str(dev),
            "seed": seed,
            "ok": result.ok,
            "seconds": round(seconds, 2),
            "figures": result.figures,
            "files": [str(p) for p in result.files],
        }
    console.print(fit(summary, console.width))
    results = out_dir / "results.json"
    merged = merge_results(results, record)
    results.write_text(json.dumps(merged, indent=2, default=str) + "\n")
    console.print(f"figures and results.json written to {out_dir}/")
    return 1 if failures else 0


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
