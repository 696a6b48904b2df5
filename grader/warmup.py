"""Draw the hidden tests' inputs once for a whole pool, before it grades a class.

Replay (:mod:`grader.engine.replay`) gives every learner the inputs of a passing run, and the
:class:`~grader.engine.recordings.RecordingStore` keeps them for every process of the kit. Yet on
a kit's first run on a machine each process of a pool drew them for its own first learner, all
processes at once and all the same inputs: ~3 s of the 5.7 s a first grade takes, paid in
parallel by every process, so more processes did not shorten it (bench/RESULTS.md, class
throughput). Here, before any learner, the n processes of the pool grade the model answers
(``solutions/``) on one share each of the graded tests (:func:`warm_share`: the tests at
positions k, k + n, k + 2n, ... so every share holds a slice of every topic), and store what they
draw; the first learner of every process then replays all of it (and walks the conversation
trees every share grew, which the pool's processes share: :mod:`grader.engine.memo_share`).

Why it cannot change a grade: what a passing run draws depends on the kit alone (replay's
invariant: the seed comes from the test, generation does not depend on what ran before), and
the model answers pass. A test they fail is not recorded and is drawn by the first learner who
passes it, as before. ``tests/grader/test_determinism.py`` grades a class through a pool with a
store, so with this warm-up, and compares every learner's files with grading each alone.

When (:func:`shares_for`): a local pool of n ≥ 2 processes for ≥ 2 learners, with a recording
store (which grading uses only under bubblewrap: :func:`grader.engine.recordings.for_settings`).
A share done for a kit leaves a marker in its store and is not done again by later runs, and
once every share of a split is done the kit is marked warm for any number of processes (a kit
changed is another store). On a Dask cluster (:func:`cluster_shares`) the workers of one
machine share its store, so each machine with ≥ 2 worker processes is split among them; a
machine with one worker has nothing to share and draws as before.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import fingerprint
from grader.engine.errors import GradingError
from grader.results import Status
from grader.settings import GradeSettings

#: the model answers the warm-up grades
MODEL_ANSWERS = fingerprint.ROOT / "solutions"


@dataclass(frozen=True)
class Warmed:
    """What one share of the warm-up did: ``skipped`` says why it drew nothing, ``error`` why
    it stopped (the grader failed: the first line of its ``GradingError``); else both None."""

    share: int
    skipped: str | None = None
    error: str | None = None
    tests: int = 0  # graded tests of the share
    passed: int = 0  # of which the model answers passed (their inputs are now stored)
    seconds: float = 0.0


def shares_for(jobs: int, learners: int) -> int:
    """How many shares a pool of ``jobs`` processes grading ``learners`` splits the warm-up
    into: one per process that will grade someone, and none (0) without two of them or without
    a store (``GRADELAB_REPLAY_CACHE=off``). Reads the environment only (a pool's parent never
    imports the engine); whether bubblewrap runs is checked by each share."""
    from grader.engine import recordings  # NumPy and the channel codec, not the engine

    n = min(jobs, learners)
    return n if n >= 2 and recordings.default_root() is not None else 0


def cluster_shares(hosts: Mapping[str, str], learners: int) -> list[tuple[str, int, int]]:
    """The warm-up of a Dask cluster whose workers (address → host) grade ``learners``:
    (worker address, k, n) for share k of the n its host is split into, one per worker of a
    host with two or more (at most one per learner); addresses in sorted order."""
    by_host: dict[str, list[str]] = {}
    for address, host in sorted(hosts.items()):
        by_host.setdefault(host, []).append(address)
    plan = []
    for addresses in by_host.values():
        n = min(len(addresses), learners)
        if n >= 2:
            plan.extend((address, k, n) for k, address in enumerate(addresses[:n]))
    return plan


#: the marker left once every share of one split is done: the kit is warm for any split
WHOLE = "warm"


def _marker(share: int, shares: int) -> str:
    return f"warm-{share}-of-{shares}"


def warm_share(share: int, shares: int, settings: GradeSettings) -> Warmed:
    """Grade the model answers on share ``share`` of ``shares`` of the graded tests, so that
    what a passing run draws for them is in the run's recording store; then mark the share done
    there. A share already marked, or a run without a store or model answers, is skipped."""
    from grader.engine import recordings

    start = time.perf_counter()
    store = recordings.for_settings(settings)
    if store is None:
        return Warmed(share, "no recording store (GRADELAB_REPLAY_CACHE=off, or no bubblewrap)")
    if store.marked(WHOLE) or store.marked(_marker(share, shares)):
        return Warmed(share, "done by an earlier run of this kit")
    missing = [t for t in settings.topics if not (MODEL_ANSWERS / f"{t}.py").is_file()]
    if missing:
        return Warmed(share, f"no model answers for {', '.join(missing)} in {MODEL_ANSWERS}")
    from grader.engine.run import run_hidden_tests  # the engine, in the pool process only

    with tempfile.TemporaryDirectory(prefix="gradelab-warm-") as tmp:
        folder = Path(tmp) / "submission"
        folder.mkdir()
        for topic in settings.topics:
            shutil.copyfile(MODEL_ANSWERS / f"{topic}.py", folder / f"{topic}.py")
        try:
            result = run_hidden_tests(
                folder,
                settings,
                learner="model answers (warm-up)",
                content_hash="-",
                share=(share, shares),
            )
        except GradingError as exc:
            first = (str(exc).splitlines() or [""])[0]
            return Warmed(
                share, error=f"GradingError: {first}", seconds=time.perf_counter() - start
            )
    # done even where the model answers failed a test (a later run would fail it the same
    # way), not where a call faulted or the grader erred (a timeout on a busy machine)
    if not any(o.status in (Status.FAULT, Status.ERROR) for o in result.outcomes):
        store.mark(_marker(share, shares))
        # each share marks itself, then looks at the others: the last one done sees them all
        if all(store.marked(_marker(k, shares)) for k in range(shares)):
            store.mark(WHOLE)
    return Warmed(
        share,
        tests=len(result.outcomes),
        passed=sum(o.status == Status.PASSED for o in result.outcomes),
        seconds=time.perf_counter() - start,
    )


def outcomes_of(
    futures: Iterable[Any], fatal: tuple[type[BaseException], ...] = ()
) -> list[Warmed | Exception]:
    """Wait for every share (a pool's or a Dask cluster's futures, in order): its
    :class:`Warmed`, or the exception it raised, which costs only its speed-up; an exception of
    ``fatal`` (and an interrupt) stops the run instead."""
    outcomes: list[Warmed | Exception] = []
    for future in futures:
        try:
            outcomes.append(future.result())
        except fatal:
            raise
        except Exception as exc:  # the grading goes on without it
            outcomes.append(exc)
    return outcomes


def report(outcomes: list[Warmed | Exception], shares: int, notify: Callable[[str], None]) -> None:
    """Tell the console what the warm-up's ``shares`` did (each a :class:`Warmed`, or the
    exception its process or worker raised): every share that failed, then :func:`summary`."""
    warmed = [w for w in outcomes if isinstance(w, Warmed)]
    for k, outcome in enumerate(outcomes):
        if isinstance(outcome, Exception):
            why = f"{type(outcome).__name__}: {outcome}"
        elif outcome.error is not None:
            why = outcome.error
        else:
            continue
        notify(f"warm-up share {k + 1} of {shares} failed: {why}")
    line = summary(warmed, shares)
    if line:
        notify(line)


def summary(warmed: list[Warmed], shares: int) -> str | None:
    """One line for the console when a share of ``shares`` drew something (None when every
    share that came back was skipped)."""
    drawn = [w for w in warmed if w.skipped is None and w.error is None]
    if not drawn:
        return None
    tests, passed = sum(w.tests for w in drawn), sum(w.passed for w in drawn)
    slowest = max(w.seconds for w in drawn)
    line = (
        f"first run of this kit here: the hidden tests' inputs drawn once, split over "
        f"{shares} processes ({tests} tests, {slowest:.1f} s)"
    )
    if passed < tests:
        line += f"; the model answers failed {tests - passed}, drawn by the learners instead"
    return line
