"""The checking process of a supervised ``gradelab check`` (:mod:`exercises.tests._supervisor`).

``python -m exercises.tests._child CONFIG`` runs one pytest session and reports each step on
the pipe whose descriptor CONFIG names (:mod:`exercises.tests._progress`); it prints nothing.
CONFIG is JSON: ``topics``, ``where``, ``timeout``, ``skip`` (node ids already decided) and
``fd``. Output is captured at the ``sys`` level, so what the learner's code writes to fd 1 goes
to the parent's /dev/null instead of piling up in memory, and no crash dump is printed.
"""

from __future__ import annotations

import json
import os
import sys

from ._progress import Reporter


def main(argv: list[str]) -> None:
    config = json.loads(argv[1])
    reporter = Reporter(config["fd"])
    from . import _loading
    from ._runner import run_session

    _loading.IMPORT_LISTENERS.append(lambda e, topic: reporter.send({"e": e, "topic": topic}))
    code = run_session(
        config["topics"],
        config["where"],
        config["timeout"],
        reporter.send,
        skip=frozenset(config["skip"]),
        learner_interrupts=True,
        pytest_args=("--capture=sys", "-p", "no:faulthandler"),
    )
    reporter.send({"e": "done", "code": code})
    sys.stdout.flush()
    os._exit(0)  # not waiting for threads the learner's code left running: the parent ends them


if __name__ == "__main__":
    main(sys.argv)
