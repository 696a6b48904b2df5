"""The kit's own commands: ``demo`` (the reference trains real models), ``check`` (the learner's
public tests, the very command of the student release) and ``release`` (exercises/ regenerated)."""

from __future__ import annotations

from pathlib import Path

import typer

from exercises.tests._cli import check as learner_check
from grader.cli.app import app, console, say, stated


@app.command()
def demo(
    device: str = typer.Option("auto", help="auto (CUDA when available), cpu or cuda"),
    only: list[str] = typer.Option(None, "--only", help="run only these demos (repeatable)"),
    seed: int = typer.Option(0, help="seed for every random choice"),
    out: str = typer.Option("out/demo", help="folder for figures (PNG) and results (JSON)"),
) -> None:
    """Run the reference demos: real small models trained on CPU or CUDA."""
    from reference.demos import run_all

    raise typer.Exit(run_all(device=device, only=only or None, seed=seed, out=out, console=console))


# the learner's `gradelab check`, the same definition: same options, same code, same output
app.command()(learner_check)


@app.command()
def release(
    topics: list[str] = typer.Argument(None, help="topics to release (default: all)"),
    topic: list[str] = typer.Option(
        None, "--topic", "-t", help="a topic to release (repeatable, as for grade)"
    ),
    check_only: bool = typer.Option(
        False, "--check", help="write nothing; fail when exercises/ is out of date"
    ),
    bundle: Path = typer.Option(
        None, help="also build the student release in this folder (+ .zip)"
    ),
) -> None:
    """Regenerate exercises/ (stubs and public-test data) from solutions/ and the reference."""
    from grader.release.build import build_exercises
    from grader.release.strip import ReleaseError

    chosen = [*(topics or []), *(topic or [])] or None
    with stated(ReleaseError, ValueError, prefix="release failed: "):
        report = build_exercises(topics=chosen, check=check_only)
    if check_only:
        if report.stale:
            say("out of date (run `gradelab release`): " + ", ".join(report.stale), "red")
            raise typer.Exit(1)
        say("exercises/ is in sync with solutions/ and the reference", "green")
    else:
        say(
            f"wrote {len(report.written)} changed files under exercises/"
            + ("" if report.written else " (everything was up to date)")
        )
    if bundle is not None:
        from grader.release.bundle import build_bundle

        zip_path = build_bundle(bundle)
        say(f"student release: {bundle}/ and {zip_path}")
