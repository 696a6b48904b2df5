"""Where one more submission's time goes: a profile summary for the class-throughput section.

In a fresh process pinned to one core, the first submission of the class is graded as a warm-up
(it records the replayed inputs and fills the answer cache), then the next ``k`` are graded under
cProfile. Rows, per submission: sandbox round trips, the tests answered from the conversation
trees of the submissions before (:mod:`grader.engine.memo`: every reply the same bytes as an
earlier learner's) and those that ran, reference answers computed and served from the cache
(:mod:`grader.engine.answers`), how the round trips fall on the replayed examples (one
call of the test body each, :mod:`grader.engine.replay`: batching the calls of one example into
one request can only save the trips of examples making two or more), and the cumulative time of
each component below (components nest: shrinking includes round trips and answers), so the next
step is obvious. :func:`round_trip_floor` times, without a profiler, the floor every one of
those trips pays, with the grading process's own CPU in it (the grading section gives the same
split for a whole full-marks submission).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.report import ROOT, Row, one_core, spread

#: the worker imports each topic's module (faiss for rag) when the setup of its first test asks
IMPORTS = "topic imports in the worker, its start included (WorkerProcess.inspect)"
#: component label → (file suffix, function name) whose cumulative time it is
COMPONENTS: dict[str, tuple[str, str]] = {
    "the whole grade (run_hidden_tests)": ("grader/engine/run.py", "run_hidden_tests"),
    "test bodies (plugin.pytest_pyfunc_call)": ("grader/engine/plugin.py", "pytest_pyfunc_call"),
    "hypothesis shrinking failures": ("conjecture/engine.py", "shrink_interesting_test_cases"),
    "sandbox round trips (WorkerProcess._request)": ("grader/engine/process.py", "_request"),
    "conversation trees walked (Memo.walk)": ("grader/engine/memo.py", "walk"),
    "worker start-ups (WorkerProcess.start)": ("grader/engine/process.py", "start"),
    IMPORTS: ("grader/engine/process.py", "inspect"),
    "reference answers computed (expect.reference)": ("grader/engine/expect.py", "compute"),
    "mistakes matched (expect.diagnose_all)": ("grader/engine/expect.py", "diagnose_all"),
    "mistakes confirmed on variants (expect.confirm)": ("grader/engine/expect.py", "confirm"),
}

SNIPPET = """
import cProfile, json, os, pstats, sys
from pathlib import Path
from grader.engine import answers, memo, replay
from grader.engine.process import WorkerProcess
from grader.engine.run import run_hidden_tests
from grader.settings import GradeSettings
klass, k, topics = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")
components = json.loads(sys.argv[4])
learners = sorted(p.name for p in klass.iterdir())
trips = [0]
request = WorkerProcess._request
examples = {}  # test node id -> round trips of each replayed example of it, in order
def counted(self, *a, **kw):
    trips[0] += 1
    test, _, phase = os.environ.get("PYTEST_CURRENT_TEST", "").rpartition(" ")
    if phase == "(call)" and examples.get(test):
        examples[test][-1] += 1  # the example the body runs now: the test's last one begun
    return request(self, *a, **kw)
WorkerProcess._request = counted
materialise = replay._materialise  # called once per replayed example, just before the body
def example_begins(example):
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rpartition(" ")[0]
    examples.setdefault(test, []).append(0)
    return materialise(example)
replay._materialise = example_begins
settings = GradeSettings(topics=tuple(topics))
tests = [0]
def grade(learner):
    result = run_hidden_tests(klass / learner, settings, learner=learner, content_hash="-")
    tests[0] += len(result.outcomes)
grade(learners[0])
before, trips[0], tests[0] = answers.stats(), 0, 0
walks = (memo.MEMO.hits, memo.MEMO.misses)
examples.clear()
profile = cProfile.Profile()
profile.enable()
for learner in learners[1 : 1 + k]:
    grade(learner)
profile.disable()
after = answers.stats()
hits, left = memo.MEMO.hits - walks[0], memo.MEMO.misses - walks[1]
per_example = [n for counts in examples.values() for n in counts]
cumulative = {label: 0.0 for label in components}
for (path, _, name), (_, _, _, ct, _) in pstats.Stats(profile).stats.items():
    for label, (suffix, function) in components.items():
        if name == function and path.endswith(suffix):
            cumulative[label] = max(cumulative[label], ct)
print(json.dumps({
    "n": len(learners[1 : 1 + k]),
    "trips": trips[0],
    "tests": tests[0],
    "memo_hits": hits,
    "memo_left": left,
    "computed": after["misses"] - before["misses"],
    "cached": after["hits"] - before["hits"],
    "examples": len(per_example),
    "example_trips": sum(per_example),
    "single": sum(n <= 1 for n in per_example),
    "spare": sum(n - 1 for n in per_example if n > 1),
    "seconds": cumulative,
}))
"""


def _on_one_core(snippet: str, *args: str) -> tuple[str, str | None]:
    """Run ``snippet`` with ``args`` in a fresh interpreter pinned to one core: (its stdout,
    None), or ("", the figure a row shows for a run that failed: the end of its stderr)."""
    cmd = one_core([sys.executable, "-c", snippet, *args])
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return "", "failed: " + proc.stderr[-300:]
    return proc.stdout, None


def profile_rows(section: str, klass: Path, topics: list[str], k: int = 5) -> list[Row]:
    """Per-submission round trips, reference answers and component times for ``k`` submissions
    of ``klass`` after a warm-up one (cProfile slows every call alike: read the shares)."""
    stdout, failed = _on_one_core(
        SNIPPET, str(klass), str(k), ",".join(topics), json.dumps(COMPONENTS)
    )
    if failed:
        return [Row(section, "profile of one more submission", failed)]
    result = json.loads(stdout.strip().splitlines()[-1])
    n = max(result["n"], 1)
    head = f"profile, per submission ({result['n']} after a warm-up one, under cProfile)"
    out = [
        Row(section, f"{head}: sandbox round trips", f"{result['trips'] / n:.0f}"),
        Row(
            section,
            f"{head}: tests answered from the conversation trees / run after leaving one / run "
            "without one (engine/memo.py)",
            f"{result['memo_hits'] / n:.0f} / {result['memo_left'] / n:.0f} / "
            f"{(result['tests'] - result['memo_hits'] - result['memo_left']) / n:.0f}",
        ),
        Row(
            section,
            f"{head}: reference answers computed / served from the cache",
            f"{result['computed'] / n:.0f} / {result['cached'] / n:.0f}",
        ),
    ]
    examples = max(result["examples"], 1)
    out.append(
        Row(
            section,
            f"{head}: replayed examples, round trips in them, share of examples making at most "
            "one (batching an example's calls saves at most the rest)",
            f"{result['examples'] / n:.0f}, {result['example_trips'] / n:.0f}, "
            f"{100 * result['single'] / examples:.0f} % (at most {result['spare'] / n:.0f} "
            "trips saved)",
        )
    )
    seconds = result["seconds"]
    whole = seconds["the whole grade (run_hidden_tests)"]
    bodies = seconds["test bodies (plugin.pytest_pyfunc_call)"]
    imports = seconds[IMPORTS]
    seconds["pytest session, collection and per-test hooks (whole − bodies − topic imports)"] = (
        whole - bodies - imports
    )
    total = whole or 1.0
    for label, spent in sorted(seconds.items(), key=lambda item: -item[1]):
        share = f"{spent / n:.3f} s ({100 * spent / total:.0f} %)"
        out.append(Row(section, f"{head}: {label}", share))
    return out


ROUND_TRIP = """
import resource, sys, time
import numpy as np
from pathlib import Path
from grader.engine.process import WorkerProcess
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
worker = WorkerProcess(Path(sys.argv[1]))
x = np.arange(6.0).reshape(2, 3)
worker.call("activations", "relu", [x], {})  # started, the topic imported
for _ in range(int(sys.argv[2])):
    wall, own = time.perf_counter(), cpu()
    for _ in range(1000):
        worker.call("activations", "relu", [x], {})
    print((time.perf_counter() - wall) / 1000, (cpu() - own) / 1000)
worker.close()
"""


def round_trip_floor(section: str, model_answers: Path, repeat: int) -> Row:
    """The floor every sandbox round trip pays, without a profiler, on one core, in the default
    sandbox: ``activations.relu`` of a 2×3 array from ``model_answers``, 1000 calls a run, with
    the grading process's own CPU time per call beside it (the rest is the worker's, and
    switching between the two processes)."""
    what = (
        "a bare sandbox round trip (`relu` of a 2×3 array, one core, no profiler); of which the "
        "grading process's own CPU"
    )
    stdout, failed = _on_one_core(ROUND_TRIP, str(model_answers), str(repeat))
    if failed:
        return Row(section, what, failed)
    runs = [tuple(map(float, line.split())) for line in stdout.splitlines() if line.strip()]
    walls, own = [w for w, _ in runs], [c for _, c in runs]
    return Row(section, what, f"{spread(walls, 'µs', 0, 1e6)}; {spread(own, 'µs', 0, 1e6)}")


INDEPENDENT = """
import json, sys, tempfile, textwrap
from pathlib import Path
from grader.engine import memo
from grader.engine.run import run_hidden_tests
from grader.examples import grade_variant, write_answers
from grader.settings import GradeSettings
from tests.grader.test_independent_correct import RIGHT
quick = sys.argv[1] == "1"
variants = RIGHT[:: len(RIGHT) // 6 or 1] if quick else RIGHT
tmp = Path(tempfile.mkdtemp())
model = write_answers(tmp / "model")
grown, hits, left, whole = set(), 0, 0, 0
for i, (name, topic, function, source) in enumerate(variants):
    if (topic, function) not in grown:  # the model answers first, as a class's first learner
        grown.add((topic, function))
        only = {f"{topic}.{function}"}
        settings = GradeSettings(topics=(topic,))
        run_hidden_tests(model, settings, learner="m", content_hash="-", only_functions=only)
    before = (memo.MEMO.hits, memo.MEMO.misses)
    grade_variant(tmp / f"v{i}", topic, function, textwrap.dedent(source))
    h, m = memo.MEMO.hits - before[0], memo.MEMO.misses - before[1]
    hits, left, whole = hits + h, left + m, whole + (m == 0)
print(json.dumps({"variants": len(variants), "hits": hits, "left": left, "whole": whole}))
"""


def independent_hits(section: str, quick: bool) -> Row:
    """How much of a real class the conversation trees answer: the correct versions written
    unlike the model answers (``tests/grader/test_independent_correct.py``), each graded on its
    function after the model answers: the share of its tests whose every reply was byte for
    byte the model answers' (answered from the trees), and how many versions were wholly."""
    what = (
        "correct versions written unlike the model answers (tests/grader/"
        "test_independent_correct.py), each after the model answers: their tests answered from "
        "the trees; versions answered wholly"
    )
    stdout, failed = _on_one_core(INDEPENDENT, "1" if quick else "0")
    if failed:
        return Row(section, what, failed)
    r = json.loads(stdout.strip().splitlines()[-1])
    tests = max(r["hits"] + r["left"], 1)
    return Row(
        section,
        what,
        f"{100 * r['hits'] / tests:.0f} % ({r['hits']} of {tests}); {r['whole']} of "
        f"{r['variants']}",
    )
