"""The coordinator's side: :class:`ClusterExecutor` sends one task per submission to the
workers of a Dask scheduler and yields the results as they come (see :mod:`grader.cluster`).
"""

from __future__ import annotations

import hashlib
import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from typing import Any

from distributed import Client, KilledWorker, as_completed

from grader import warmup
from grader.cluster.errors import ClusterError, KitMismatch
from grader.cluster.tasks import grade_task, warm_task, worker_info
from grader.doctor import POINTER
from grader.executors import Done
from grader.outputs.escape import folder_name
from grader.settings import GradeSettings
from grader.submissions import Submission

MAX_TASK_BYTES = 8 * 1024 * 1024  # a submission's files (and notes) sent in one task
CONNECT_TIMEOUT = 5.0  # seconds to reach the scheduler (the run's GradeOptions.cluster_timeout)
NO_WORKERS_TIMEOUT = 120.0  # seconds a run waits while the cluster has no worker at all
MIN_WINDOW = 64  # tasks out at a time, at least (see ClusterExecutor.run)
WINDOW_PER_THREAD = 4  # ... and this many per worker thread
WATCH_SECONDS = 0.5  # how often the coordinator looks at the workers while tasks run


def task_bytes(sub: Submission) -> int:
    """How much of a task is the submission: file names and bytes, notes, learner id."""
    return (
        sum(len(topic.encode()) + len(data) for topic, data in sub.files.items())
        + sum(len(p.encode()) for p in sub.problems)
        + len(sub.learner.encode())
    )


def task_key(learner: str, content_hash: str, fingerprint: str) -> str:
    """The Dask key of a submission's task: unique per learner, content and grader."""
    tag = hashlib.sha256(learner.encode()).hexdigest()[:8]  # two ids with one safe_name differ
    return f"gradelab-{folder_name(learner)}-{tag}-{content_hash[:16]}-{fingerprint}"


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Client:
    """A client of the scheduler at ``address``, or a one-line :class:`ClusterError`.

    A TCP or TLS address is read first: a malformed one (no port) is refused before a client is
    made, whose half-built ``__del__`` otherwise printed a traceback after the error."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except ValueError as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # refused, timed out, not a Dask scheduler, bad address...
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        reason = f"no answer within {timeout:g} s" if "Timed out" in text else text
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {reason}") from None


class ClusterExecutor:
    """Grades on a Dask cluster; an executor (:mod:`grader.executors`) for :func:`grader.grading.grade`.

    Creating it connects and checks the workers, so a scheduler that is unreachable, has no
    workers, or has a worker with another kit stops the run before anything is written.
    """

    def __init__(
        self,
        settings: GradeSettings,
        address: str,
        fingerprint: str,
        notify: Callable[[str], None] = lambda message: None,
        timeout: float = CONNECT_TIMEOUT,
    ) -> None:
        self.address = address
        self.fingerprint = fingerprint
        self.notify = notify
        self.timeout = timeout
        self.settings = settings.to_wire()
        #: this run, as its workers know it (the folder where a machine's workers share their
        #: conversation trees: grader.engine.memo_share.run_folder)
        self.run_id = uuid.uuid4().hex[:12]
        self.client = connect(self.address, self.timeout)
        try:
            self._check_workers()
        except BaseException:
            self.client.close()
            raise

    def __enter__(self) -> ClusterExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def _check_workers(self) -> None:
        try:
            self.client.wait_for_workers(1, timeout=self.timeout)
        except TimeoutError:
            raise ClusterError(
                f"the Dask scheduler at {self.address} has no workers (start some: "
                f"dask worker {self.address} --nworkers N --nthreads 1)"
            ) from None
        infos = self.client.run(worker_info, self.settings, on_error="return")
        broken = [
            f"{address}: {type(info).__name__}: {info}"
            for address, info in sorted(infos.items())
            if isinstance(info, BaseException)
        ]
        if broken:
            raise ClusterError("workers that cannot grade: " + "; ".join(broken))
        wrong = []
        for address, info in sorted(infos.items()):
            if info["fingerprint"] != self.fingerprint:
                wrong.append(
                    f"{address} on {info['host']} runs gradelab {info['version']} with fingerprint "
                    f"{info['fingerprint']}, not {self.fingerprint}"
                )
        if wrong:
            raise KitMismatch(
                "workers with another gradelab kit or hidden suite (install the coordinator's "
                "version on them and restart them): " + "; ".join(wrong)
            )
        threads = self.client.nthreads()
        boxes = sorted({info["sandbox"] for info in infos.values()})
        self.notify(
            f"cluster {self.address}: {len(infos)} workers, sandbox on the workers: "
            + ", ".join(
                f"{box} ({sum(i['sandbox'] == box for i in infos.values())})" for box in boxes
            )
        )
        unboxed = sorted(a for a, i in infos.items() if i["warning"])
        if unboxed:
            warning = next(infos[a]["warning"] for a in unboxed)
            self.notify(f"WARNING on {', '.join(unboxed)}: {warning} (on those workers, {POINTER})")
        if any(n > 1 for n in threads.values()):
            self.notify(
                "workers with several threads grade one submission at a time per process: "
                "start them with --nthreads 1 --nworkers N to use N cores"
            )

    def run(self, todo: list[Submission]) -> Iterator[Done]:
        """Send one task per submission and yield each result as it arrives.

        At most :data:`WINDOW_PER_THREAD` tasks per worker thread (at least :data:`MIN_WINDOW`)
        are out at a time, so a class of thousands does not sit in the scheduler's memory.
        """
        sendable = []
        for sub in todo:
            size = task_bytes(sub)
            if size > MAX_TASK_BYTES:
                yield Done(
                    sub.learner,
                    error=f"the submission is {size} bytes, over the {MAX_TASK_BYTES}-byte "
                    "limit of a cluster task: not sent (grade it without --cluster)",
                )
            else:
                sendable.append(sub)
        self._warm_up(len(sendable))
        window = max(MIN_WINDOW, WINDOW_PER_THREAD * sum(self.client.nthreads().values()))
        queue = iter(sendable)
        futures: dict[str, Any] = {}
        learners: dict[str, str] = {}
        batches = as_completed(loop=self.client.loop)

        def send(count: int) -> None:
            for sub in itertools.islice(queue, count):
                key = task_key(sub.learner, sub.content_hash, self.fingerprint)
                learners[key] = sub.learner
                futures[key] = self.client.submit(
                    grade_task,
                    sub.learner,
                    sub.files,
                    list(sub.problems),
                    self.settings,
                    self.fingerprint,
                    self.run_id,
                    key=key,
                    pure=False,
                )
                batches.add(futures[key])

        send(window)
        watcher = _Watcher(self.client, self.address, learners, self.notify)
        try:
            while futures:
                batch = batches.next_batch(block=False)
                if not batch:
                    watcher.look(set(futures))
                    time.sleep(0.02)
                    continue
                for future in batch:
                    del futures[future.key]
                    send(1)
                    yield self._collect(future, learners[future.key])
                watcher.look(set(futures))
            watcher.look(set(), force=True)
        finally:
            if futures:  # interrupted or stopped: nothing more may be computed for this run
                self.client.cancel(list(futures.values()))

    def _warm_up(self, learners: int) -> None:
        """The workers of each machine draw the hidden tests' inputs between them into its
        store before the first learner (:func:`grader.warmup.cluster_shares`); all shares are
        done before any learner is sent. A share that fails is only said (a worker with another
        kit stops the run, as a learner's task would); an interrupt cancels them."""
        workers = self.client.scheduler_info(n_workers=-1)["workers"]  # all of them
        plan = warmup.cluster_shares({a: w["host"] for a, w in workers.items()}, learners)
        if not plan:
            return
        futures = [
            self.client.submit(
                warm_task,
                k,
                n,
                self.settings,
                self.fingerprint,
                self.run_id,
                key=f"warm-{self.run_id}-{i}",
                workers=[address],
                allow_other_workers=True,  # a worker lost meanwhile: another one draws it
                pure=False,
            )
            for i, (address, k, n) in enumerate(plan)
        ]
        try:
            outcomes = warmup.outcomes_of(futures, fatal=(KitMismatch,))
        finally:
            self.client.cancel(futures)  # nothing left running (done ones are only released)
        warmup.report(outcomes, len(plan), self.notify)

    def _collect(self, future: Any, learner: str) -> Done:
        try:
            result = future.result()
        except KitMismatch:
            raise  # the run stops: no result may be recorded by a worker with another kit
        except KilledWorker as exc:
            last = getattr(exc.last_worker, "address", exc.last_worker)
            return Done(
                learner,
                error=f"{exc.allowed_failures + 1} worker(s) died while it was assigned to them "
                f"(the last: {last}; the scheduler's allowed-failures is {exc.allowed_failures}): "
                "not recorded",
            )
        except CancelledError:
            raise ClusterError(
                f"the task of {learner} was cancelled: the scheduler at {self.address} went away "
                "or restarted; the results so far are recorded, run again to grade the rest"
            ) from None
        except Exception as exc:
            return Done(learner, error=f"{type(exc).__name__}: {exc}")
        finally:
            future.release()
        return Done(learner, result)


class _Watcher:
    """Tells the console when workers leave or join, and which learners a lost worker had."""

    def __init__(
        self, client: Client, address: str, learners: dict[str, str], notify: Callable[[str], None]
    ) -> None:
        self.client, self.address, self.learners, self.notify = client, address, learners, notify
        self.last_look = 0.0
        self.empty_since: float | None = None
        self.processing = self._processing()

    def _processing(self) -> dict[str, set[str]]:
        try:
            return {w: set(keys) for w, keys in self.client.processing().items()}
        except Exception as exc:
            raise ClusterError(
                f"lost the Dask scheduler at {self.address} ({type(exc).__name__}: {exc}); the "
                "results so far are recorded, run again to grade the rest"
            ) from None

    def look(self, pending: set[str], force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_look < WATCH_SECONDS:
            return
        self.last_look = now
        current = self._processing()
        for worker in sorted(set(self.processing) - set(current)):
            lost = sorted(self.learners[k] for k in self.processing[worker] if k in self.learners)
            detail = (
                f" with {len(lost)} submission(s) assigned ({', '.join(lost)}): Dask reschedules "
                "them on the other workers; each learner is still recorded once"
                if lost
                else ""
            )
            self.notify(f"worker {worker} lost{detail}")
        for worker in sorted(set(current) - set(self.processing)):
            self.notify(f"worker {worker} joined ({len(current)} workers)")
        self.processing = current
        if current or not pending:
            self.empty_since = None
        elif self.empty_since is None:
            self.empty_since = now
            self.notify(f"no workers left; waiting up to {NO_WORKERS_TIMEOUT:g} s for one")
        elif now - self.empty_since > NO_WORKERS_TIMEOUT:
            raise ClusterError(
                f"no workers for {NO_WORKERS_TIMEOUT:g} s: {len(pending)} submissions not graded; "
                "the results so far are recorded, run again to grade the rest"
            )
