"""grader/engine/plugin.py: a topic whose import faults once is inspected again in a fresh worker
before every test of it fails; an import that faults every time is reported as it is."""

from __future__ import annotations

from pathlib import Path

from grader.engine.run import run_hidden_tests
from grader.engine.sandbox import Sandbox
from grader.examples import write_answers
from grader.settings import GradeSettings

#: appended to the model answers' activations.py: logs each import, and the first `KILLS` imports
#: kill their own worker (SIGKILL: what a classmate's kill or a host OOM kill looks like)
KILLED_AT_IMPORT = """
import os as _os, signal as _signal
with open({log!r}, "a") as _fh:
    _fh.write("import\\n")
if sum(1 for _ in open({log!r})) <= {kills}:
    _os.kill(_os.getpid(), _signal.SIGKILL)
"""


def _grade(tmp_path: Path, kills: int) -> tuple[object, int]:
    folder = write_answers(tmp_path / "learner")
    log = tmp_path / "imports.log"
    with (folder / "activations.py").open("a", encoding="utf-8") as fh:
        fh.write(KILLED_AT_IMPORT.format(log=str(log), kills=kills))
    settings = GradeSettings(topics=("activations",), shrink=False, sandbox=Sandbox())
    result = run_hidden_tests(
        folder, settings, learner="x", content_hash="-", only_functions={"activations.sigmoid"}
    )
    return result, len(log.read_text().splitlines())


def test_an_import_killed_once_is_tried_again_and_the_topic_keeps_its_points(tmp_path):
    result, imports = _grade(tmp_path, kills=1)
    assert result.score == result.max_score > 0, [o.message for o in result.outcomes]
    assert imports >= 2


def test_an_import_that_faults_every_time_fails_the_topic_after_one_retry(tmp_path):
    result, imports = _grade(tmp_path, kills=100)
    assert result.score == 0
    assert imports == 2
    assert all("cannot be imported" in o.message for o in result.outcomes)
