"""``gradelab grade --cluster tcp://HOST:8786``: grade on the workers of a Dask cluster.

The coordinating process (the one running ``gradelab grade``) connects to a Dask scheduler,
checks every worker, and sends one task per submission: the submission's files travel as bytes
inside the task (at most :data:`~grader.cluster.executor.MAX_TASK_BYTES`), so workers need no
shared filesystem. A worker runs :func:`~grader.cluster.tasks.grade_task`, which is
:func:`grader.engine.run.grade_submission` — the same sandboxed grading, limits and hidden suite
as a local run — and returns the result; the coordinator alone records it (gradebook first,
then the files), through the same path as a local run.

Guarantees:

- **Same kit everywhere.** The coordinator sends its grading fingerprint with every task; a
  worker whose own fingerprint (``grader/fingerprint.py``: every file grading imports or reads,
  the settings and the value libraries' versions) differs refuses
  the task with :class:`KitMismatch`, so nothing is ever recorded under the wrong key. Workers
  are also checked before any work is sent, and the run stops there if one differs.
- **One grading at a time per worker process.** The hidden tests run pytest in-process (global
  ``sys.modules``, redirected stdout, hypothesis settings): a module-level lock serialises them,
  so a worker started with several threads still grades correctly, one submission at a time. Use
  ``dask worker ADDRESS --nworkers N --nthreads 1`` to use N cores.
- **Workers may die.** Dask reschedules a lost worker's tasks on the others (up to the
  scheduler's ``allowed-failures``); each learner is still recorded exactly once, and the console
  says which worker was lost and which learners it was grading. A task that killed too many
  workers (:class:`distributed.KilledWorker`) is reported as not graded, like a grading error;
  the other results are recorded either way.
- **Inputs drawn once per machine.** Before the first learner, the workers of each machine
  split the drawing of the hidden tests' inputs between them into its store
  (:func:`ClusterExecutor._warm_up`, :mod:`grader.warmup`); a failing share is only said.

Layout: ``errors.py`` (what stops a run), ``tasks.py`` (what runs on the workers),
``executor.py`` (the coordinator's side: connecting, checking the workers, sending the tasks and
watching the workers come and go).
"""

from __future__ import annotations

from grader.cluster.errors import ClusterError, KitMismatch
from grader.cluster.executor import ClusterExecutor, connect, task_key
from grader.cluster.tasks import grade_task, warm_task, worker_fingerprint, worker_info

__all__ = [
    "ClusterError",
    "ClusterExecutor",
    "KitMismatch",
    "connect",
    "grade_task",
    "task_key",
    "warm_task",
    "worker_fingerprint",
    "worker_info",
]
