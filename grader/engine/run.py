"""Grade one submission: start its worker, run the hidden tests, collect outcomes.

:func:`grade_submission` is what every executor runs (a pool process, a Dask worker, the
Gradescope autograder): a :class:`~grader.submissions.Submission` and the
:class:`~grader.settings.GradeSettings` in, the result as a plain dict out.
:func:`run_hidden_tests` grades a folder already on disk with the same settings.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import os
import platform
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import torch

from grader.engine import memo, memo_share, recordings
from grader.engine.errors import GradingError
from grader.engine.isolation import fixed_generation
from grader.engine.plugin import GradingPlugin, register_profile
from grader.engine.process import WorkerProcess
from grader.results import SubmissionResult
from grader.settings import HIDDEN_DIR, GradeSettings
from grader.submissions import Submission

__all__ = ["HIDDEN_DIR", "GradingError", "SubmissionResult", "grade_submission", "run_hidden_tests"]


#: hidden-suite module name → the hypothesis profile it was imported under, and its file's digest
_IMPORTED_UNDER: dict[str, str] = {}
#: submissions this process has started grading (see :func:`_freeze_warm_state`)
_STARTED = 0
_PROCESS_LOCK = threading.Lock()  # guards _STARTED and _SPARSE (a Dask worker's threads)


def _freeze_warm_state() -> None:
    """When a process starts its second submission, move what the first left (torch, hypothesis,
    pytest, the imported suites and recorded inputs: ~240k objects) out of the collector's reach.

    CPython's full collections walk every tracked object; in a grading process one took ~0.19 s
    and came every other submission (~6 % of the grading time). ``gc.freeze`` after one last
    collection leaves them only the objects made since. A process that grades one submission
    (the Gradescope autograder, ``gradelab check``) never pays for the collection.
    """
    global _STARTED
    with _PROCESS_LOCK:
        _STARTED += 1
        if _STARTED != 2:
            return
    gc.collect()
    gc.freeze()


#: the young-generation threshold while a submission is graded (CPython's default: 700)
SPARSE_GEN0 = 20_000
_SPARSE = {"depth": 0, "saved": (700, 10, 10)}


@contextlib.contextmanager
def _sparse_collections() -> Iterator[None]:
    """Collect the young generation every ``SPARSE_GEN0`` allocations, not every 700, while
    grading: a submission allocates millions of short-lived objects (frames of hypothesis,
    pytest, the channel), and the collector's passes over them cost ~3 % of the grade. Cyclic
    garbage still goes, a little later. The thresholds the process had come back when the last
    of its concurrent gradings (a Dask worker's threads) ends."""
    with _PROCESS_LOCK:
        if _SPARSE["depth"] == 0:
            _SPARSE["saved"] = gc.get_threshold()
            young, *older = _SPARSE["saved"]
            gc.set_threshold(max(young, SPARSE_GEN0), *older)
        _SPARSE["depth"] += 1
    try:
        yield
    finally:
        with _PROCESS_LOCK:
            _SPARSE["depth"] -= 1
            if _SPARSE["depth"] == 0:
                gc.set_threshold(*_SPARSE["saved"])


def suite_digests(files: list[str]) -> dict[Path, str]:
    """The sha256 of each hidden-suite file's bytes (``"gone"`` for one that cannot be read),
    read once a run, before pytest imports them: what a cached suite module must match to be
    reused, and part of every recorded test's id (:func:`grader.engine.replay.call`)."""
    digests = {}
    for name in files:
        path = Path(name).resolve()
        try:
            digests[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digests[path] = "gone"
    return digests


def _forget_stale_suites(digests: dict[Path, str], profile: str) -> None:
    """Drop cached hidden-suite modules that this run must not reuse.

    - Other suites' modules with the same file names: pytest's importlib mode reuses a module
      already in ``sys.modules`` under the name it derives from the file's path, so two suites in
      different folders (a custom ``hidden_dir``) can map to one name, and the second would
      silently run the first's tests.
    - Modules imported under another hypothesis profile (or outside grading): a test's own
      ``@settings(...)`` resolves every value it does not set (shrinking, derandomize, database)
      from the profile active when the module was *imported*, so a module kept from a run with
      other settings would grade with those.
    - Modules whose file changed since they were imported (a kit edited under a running process):
      the grade must be the one the fingerprint, which hashes the file, describes.
    """
    stems = {path.stem for path in digests}
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if name.rsplit(".", 1)[-1] not in stems or not origin:
            continue
        digest = digests.get(Path(origin).resolve())
        if digest is None or _IMPORTED_UNDER.get(name) != f"{profile}:{digest}":
            del sys.modules[name]
            _IMPORTED_UNDER.pop(name, None)


def _remember_suites(digests: dict[Path, str], profile: str) -> None:
    """Note under which profile, and from which bytes (read before the run imported them), each
    suite module of this run was imported."""
    stems = {path.stem for path in digests}
    for name, module in list(sys.modules.items()):
        if name.rsplit(".", 1)[-1] not in stems:  # cheap first: resolving every path is not
            continue
        origin = getattr(module, "__file__", None)
        digest = digests.get(Path(origin).resolve()) if origin else None
        if digest is not None:
            _IMPORTED_UNDER[name] = f"{profile}:{digest}"


def _rootdir(hidden: Path) -> Path:
    """The grading run's rootdir: two levels above the hidden tests, so the kit's own suites have
    the node ids "grader/hidden/test_<topic>.py::…" wherever gradelab is (a checkout, a wheel
    in site-packages, Gradescope's image): the ids, and so the examples drawn, of every
    grade ever made in a checkout."""
    hidden = hidden.resolve()
    return hidden.parent.parent if len(hidden.parents) >= 2 else hidden


@contextlib.contextmanager
def _bare_pytest_environment() -> Iterator[None]:
    """pytest as the kit alone configures it, whatever the grading machine's shell and
    site-packages hold: no ``PYTEST_ADDOPTS`` (an instructor's ``-x`` stopped a submission at its
    first failing test), no ``PYTEST_PLUGINS``, no plugin autoloaded from an entry point
    (hypothesis's own is named with ``-p``). Process-wide: the executors grade one submission at
    a time per process (``grader.cluster`` holds a lock)."""
    with mock.patch.dict(os.environ):  # the whole environment is put back on exit
        os.environ.pop("PYTEST_ADDOPTS", None)
        os.environ.pop("PYTEST_PLUGINS", None)
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        yield


@contextlib.contextmanager
def _default_warnings() -> Iterator[None]:
    """Python's filters as if none were set, whatever the caller set (a test run that makes
    RuntimeWarnings errors, ``python -W error``): a warning the grader's own code raises on a
    learner's odd output never turns a check into an error."""
    with warnings.catch_warnings():
        warnings.resetwarnings()
        yield


def _faiss_threads(n: int | None) -> int | None:
    """Set faiss's OpenMP thread count (its pool costs ~70x on the tiny searches the hidden tests
    make); returns the previous count, None where faiss is missing."""
    try:
        import faiss
    except ImportError:  # pragma: no cover - faiss is a dependency
        return None
    before = faiss.omp_get_max_threads()
    if n is not None:
        faiss.omp_set_num_threads(n)
    return before


class _Interrupt:
    """pytest catches a ``KeyboardInterrupt`` (Ctrl-C, or the CLI's SIGTERM,
    :class:`grader.executors.Terminated`) and returns the exit status "interrupted"; this plugin
    keeps the exception so :func:`run_hidden_tests` raises it again. An interrupt stops the class
    run, in this process as in a pool's; it never makes the learner "not graded" and lets the run
    go on with the next one."""

    def __init__(self) -> None:
        self.caught: KeyboardInterrupt | None = None

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        if isinstance(excinfo.value, KeyboardInterrupt):
            self.caught = excinfo.value


def versions() -> dict[str, str]:
    """The versions a result was graded with, as plain ``str``: ``torch.__version__`` is a
    ``TorchVersion``, whose pickle would make a pool's parent import torch (1.1 s of one core
    before its first result is in) just to read a result."""
    import hypothesis
    import numpy
    import torch

    from grader import __version__

    return {
        "gradelab": __version__,
        "python": platform.python_version(),
        "numpy": str(numpy.__version__),
        "torch": str(torch.__version__),
        "hypothesis": str(hypothesis.__version__),
    }


def run_hidden_tests(
    folder: Path,
    settings: GradeSettings,
    *,
    learner: str,
    content_hash: str,
    only_functions: set[str] | None = None,
    share: tuple[int, int] | None = None,
    replay: bool = True,
) -> SubmissionResult:
    """Run the hidden tests of ``settings.topics`` against the submission in ``folder``.

    ``only_functions`` (``{"<topic>.<function>"}``) restricts the run to those functions' tests;
    ``share`` (k, n) to the k-th of n shares that partition the graded tests (every n-th from
    the k-th, in collection order: :mod:`grader.warmup`).
    ``replay`` reuses the inputs of earlier passing runs, of this process or stored by another
    of the same kit (:mod:`grader.engine.recordings`): the same grade, faster. With it, a test
    whose every reply is byte for byte an earlier learner's of this process takes that learner's
    outcome without running (:mod:`grader.engine.memo`, unless ``GRADELAB_MEMO=off``).
    """
    if share is not None and not 0 <= share[0] < share[1]:
        raise ValueError(f"share (k, n) needs 0 ≤ k < n, got {share}")
    _freeze_warm_state()
    start = time.perf_counter()
    hidden = settings.hidden_dir
    files = [
        str(hidden / f"test_{t}.py") for t in settings.topics if (hidden / f"test_{t}.py").exists()
    ]
    profile = register_profile(settings.max_examples, settings.shrink)
    digests = suite_digests(files)
    _forget_stale_suites(digests, profile)
    with WorkerProcess(folder, settings.limits, settings.chosen_sandbox()) as worker:
        plugin = GradingPlugin(
            worker,
            settings,
            only_functions=frozenset(only_functions) if only_functions is not None else None,
            share=share,
            replay=replay,
            recordings=recordings.for_settings(settings) if replay else None,
            suite_digests=digests,
            memoise=memo.enabled(),
        )
        # a pool's processes share their trees where learner code cannot reach the files
        shared = plugin.memoise and plugin.recordings is not None
        journal = memo_share.JOURNAL if shared else None
        if journal is not None:
            journal.absorb(memo.MEMO)
        args = [
            # No configuration file, and node ids that do not depend on where the kit lies:
            # hypothesis seeds a parametrized test from its node id, which is relative to the
            # rootdir. A checkout found its pyproject.toml (ids "grader/hidden/test_x.py::…"), an
            # installed gradelab none (ids "test_x.py::…"), and the two drew different examples.
            # No conftest.py either, wherever the kit lies (one above a wheel's site-packages).
            *("-c", os.devnull, "--rootdir", str(_rootdir(hidden)), "--noconftest"),
            # a RuntimeWarning in the trusted process (NumPy on a learner's output) fails the
            # check: the rule the hidden suites were written and validated under
            *("-W", "error::RuntimeWarning"),
            "-q",
            # the one plugin a grading run loads besides its own (nothing is autoloaded)
            *("-p", "_hypothesis_pytestplugin"),
            # plugins a grading run has no use for, each costing per test or per run
            *("-p", "no:cacheprovider", "-p", "no:logging", "-p", "no:unraisableexception"),
            *("-p", "no:threadexception", "-p", "no:faulthandler", "-p", "no:stepwise"),
            "--no-header",
            "--tb=no",  # outcomes are explained by the plugin; tracebacks only cost time
            "-rN",  # no short summary either
            "--import-mode=importlib",  # hidden suites in different folders may share file names
            "-o",
            "addopts=",
            *files,
        ]
        log = io.StringIO()
        interrupt = _Interrupt()
        # the reference runs on tiny inputs: threads only cost here. faiss first: torch and faiss
        # may share one OpenMP runtime, where torch.set_num_threads also sets faiss's count
        faiss_threads = _faiss_threads(1)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with (
                contextlib.redirect_stdout(log),
                contextlib.redirect_stderr(log),
                _sparse_collections(),
                fixed_generation(),  # what hypothesis draws must not depend on earlier runs
                _default_warnings(),  # nor may a caller's warning filters
                _bare_pytest_environment(),  # nor the grading machine's pytest set-up
            ):
                code = pytest.main(args, plugins=[plugin, interrupt])
        finally:
            torch.set_num_threads(threads)  # as the caller had them (a demo may follow)
            _faiss_threads(faiss_threads)
            _remember_suites(digests, profile)
            if journal is not None:
                with contextlib.suppress(OSError):  # a full disk costs the sharing, not the grade
                    journal.publish(memo.MEMO)
        if interrupt.caught is not None:
            raise interrupt.caught  # the worker is stopped on the way out
        starts = worker.starts
        sandbox_layers = worker.layers
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or not plugin.outcomes:
        # a broken hidden suite must never turn into a grade of 0
        raise GradingError(
            f"the hidden tests did not run (pytest exit {int(code)}):\n{log.getvalue()[-3000:]}"
        )
    return SubmissionResult(
        learner=learner,
        content_hash=content_hash,
        outcomes=plugin.outcomes,
        sandbox=sandbox_layers,
        seconds=time.perf_counter() - start,
        worker_starts=starts,
        versions=versions(),
        settings=settings.to_record(),
    )


def grade_submission(submission: Submission, settings: GradeSettings) -> dict[str, Any]:
    """Grade one submission as every executor does; the result as a plain dict (it crosses
    processes: a pool's pipe, a Dask worker's reply). Raises :class:`GradingError` when the
    grader itself fails."""
    with tempfile.TemporaryDirectory(prefix="gradelab-sub-") as tmp:
        folder = submission.write_to(Path(tmp) / "submission")
        result = run_hidden_tests(
            folder, settings, learner=submission.learner, content_hash=submission.content_hash
        )
    result.missing_topics = [t for t in settings.topics if t not in submission.files]
    result.problems = list(submission.problems)
    return result.to_dict()
