"""The ``gradelab`` command line."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="gradelab",
    help="Exercises, a PyTorch reference and an autograder for an introductory deep-learning course.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def demo(
    device: str = typer.Option("auto", help="auto (CUDA when available), cpu or cuda"),
    only: list[str] = typer.Option(None, "--only", help="run only these demos (repeatable)"),
    seed: int = typer.Option(0, help="seed for every random choice"),
    out: str = typer.Option("out/demo", help="folder for figures (PNG) and results (JSON)"),
) -> None:
    """Run the reference demos: real small models trained on CPU or CUDA."""
    from reference.demos import run_all

    raise typer.Exit(run_all(device=device, only=only or None, seed=seed, out=out))


def main() -> None:
    """Console-script entry point."""
    app()
