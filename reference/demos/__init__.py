"""The reference demos: real small models trained with the reference implementation.

Each demo is one module exposing ``TITLE: str`` and ``run(ctx: DemoContext) -> DemoResult``.
``run_all`` runs the selected demos in order, prints their figures in rich tables and writes
``results.json`` plus any figures (PNG) under ``ctx.out``.
"""

from __future__ import annotations

import importlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from rich.console import Console
from rich.table import Table

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


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA when available; ``cuda`` without a GPU is a clear error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("--device cuda asked for, but torch sees no CUDA device")
    if name != "cpu" and not name.startswith("cuda"):
        raise ValueError(f"--device must be auto, cpu or cuda, got {name!r}")
    return torch.device(name)


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
        console.print(f"[red]unknown demo(s): {', '.join(unknown)}; choose from {', '.join(DEMOS)}")
        return 2
    try:
        dev = resolve_device(device)
    except ValueError as exc:
        console.print(f"[red]{exc}")
        return 2
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    console.rule(f"gradelab reference demos on {dev}")
    summary = Table(title="Demo summary")
    for col in ("demo", "status", "seconds", "headline figures"):
        summary.add_column(col)
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
            console.print(table)
        if result.message:
            console.print(result.message)
        failures += not result.ok
        status = "[green]ok" if result.ok else "[red]below target"
        headline = ", ".join(f"{k}={_short(v)}" for k, v in result.figures.items())
        summary.add_row(name, status, f"{seconds:.1f}", headline)
        record[name] = {
            "ok": result.ok,
            "seconds": round(seconds, 2),
            "figures": result.figures,
            "files": [str(p) for p in result.files],
        }
    console.print(summary)
    (out_dir / "results.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
    console.print(f"figures and results.json written to {out_dir}/")
    return 1 if failures else 0


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
