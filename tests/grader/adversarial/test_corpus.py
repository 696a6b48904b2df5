"""The adversarial corpus, graded end to end under each sandbox: every attack changes nothing but
its own score.

For each attack (``corpus/<attack>/``) and each sandbox (rlimits-only, and bubblewrap where this
machine has it) a class folder holds the attack and an honest learner ``ann`` who was graded
before (her result sits in the gradebook and her files in the output folder). Grading the class
must not crash; the attacked functions score 0 with a named reason in the outcome message and in
the feedback, the honest functions keep their points; no process is left behind; ann's outputs,
her gradebook rows, her submission and the hidden suite are byte-for-byte unchanged; and
results.json says which sandbox was active.

What layer 1 alone (rlimits-only) cannot stop is spelled out per attack in ``GAPS`` and asserted
as such (the attack does get through there, results.json says "rlimits-only"), while the same
attack is asserted to be blocked under bubblewrap. Attacks that would hurt the machine itself
without bubblewrap (signals to the grader, and a fork bomb running as root unless the submission's
pids cgroup bounds it) are only run under it.

A last test grades a mixed class (honest learners and many attacks, two jobs) and checks the
honest learners get exactly the results they get alone.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.engine import cgroups
from grader.engine.sandbox import Sandbox
from grader.grading import GradeOptions, grade
from grader.outputs import gradescope
from grader.settings import GradeSettings

from ._support import (
    GOOD,
    HALF,
    HIDDEN,
    LIMITS,
    POINTS,
    REPO,
    Listener,
    ProcessWatch,
    remove,
    sandboxes,
    stable_kit,
    stage,
)

MISMATCH = r"^output\[0\] = 0\.0, expected "
TIMEOUT = r"^activations\.sigmoid: timeout: no answer within 1\.5 s$"
NOT_DATA = r"^output should be a numeric array, got dtype object"
NO_FILE = r"^no activations\.py in the submission: the activations topic scores 0$"


def everything(pattern: str) -> dict[str, str]:
    return dict.fromkeys(POINTS, pattern)


@dataclass(frozen=True)
class Attack:
    name: str
    fails: dict[str, str]  # function → pattern its outcome message must match; the rest pass
    problem: str = ""  # pattern one of the submission's problems must match
    needs_bwrap: str = ""  # why it is not even run without bubblewrap
    needs_uid: bool = False  # also needs the uid drop (RLIMIT_NPROC only binds a separate uid)
    pids_cgroup_bounds: bool = False  # the submission's pids cgroup makes both needs moot
    xfail: str = ""  # a known grader bug this attack exposes (strict: fails once fixed)
    xfail_raises: type[BaseException] | None = None

    def skip_reason(self, sandbox: Sandbox) -> str:
        if self.pids_cgroup_bounds and "pids" in cgroups.detect().controllers:
            return ""
        if self.needs_bwrap and not sandbox.bwrap:
            return self.needs_bwrap
        if self.needs_uid and sandbox.drop_uid is None:
            return "without a uid drop RLIMIT_NPROC is not set and nothing bounds a fork bomb"
        return ""

    rlimits_fails: dict[str, str] | None = None  # the outcome without bubblewrap (see GAPS)


ATTACKS = [
    Attack("monkeypatch_numpy", {"sigmoid": MISMATCH}),
    Attack("monkeypatch_worker", everything(NOT_DATA)),
    Attack("monkeypatch_pytest", {"sigmoid": MISMATCH}),
    Attack(
        "read_secrets",
        {"sigmoid": MISMATCH, "tanh": r"^output\[0\] = 0\.0, "},
        # without bubblewrap everything is readable: tanh's mask says so, and the copied
        # solution's sigmoid is simply right
        rlimits_fails={"tanh": r"^output\[0\] = 31\.0, "},
    ),
    Attack("write_results", {"sigmoid": MISMATCH}),
    Attack("write_outside", {"sigmoid": MISMATCH}),
    Attack(
        "fake_protocol",
        {"sigmoid": NOT_DATA, "tanh": r"^activations\.tanh: crash: .*exit status 0$"},
    ),
    Attack(
        "lying_objects",
        {
            "relu": r"^activations\.relu raised TypeError: the result is a Liar;",
            "sigmoid": MISMATCH,
            "tanh": r"^activations\.tanh raised TypeError: the result is an object array",
        },
    ),
    Attack(
        "pickle_payload",
        {
            "relu": r"^activations\.relu raised TypeError: the result is a bytes;",
            "sigmoid": r"^activations\.sigmoid raised TypeError: the result is a Payload;",
            "tanh": r"^output should be a numeric array, got dtype <U",
        },
    ),
    Attack(
        "reply_bomb",
        {
            "relu": r"^activations\.relu: protocol: reply of \d+ bytes is too large$",
            "sigmoid": r"^activations\.sigmoid: memory: the call ran out of memory",
            "tanh": r"^activations\.tanh raised TypeError: the result is nested too deeply",
            "leaky_relu": r"^activations\.leaky_relu: protocol: undecodable reply: array data truncated",
        },
    ),
    Attack("infinite_loop", {"sigmoid": TIMEOUT}),
    Attack("sleep", {"sigmoid": TIMEOUT}),
    Attack(
        "fork_bomb",
        {"sigmoid": TIMEOUT},
        needs_bwrap="as root without bubblewrap nothing bounds a fork bomb (root ignores "
        "RLIMIT_NPROC and there is no pid namespace): it would take this machine down",
        needs_uid=True,
        pids_cgroup_bounds=True,
    ),
    Attack("setsid_escape", {"sigmoid": MISMATCH}),
    Attack("alloc_10gb", {"sigmoid": r"^activations\.sigmoid: memory: the call ran out of memory"}),
    Attack(
        "stdout_1gb", {"sigmoid": r"^activations\.sigmoid: output: printed more than 65536 bytes$"}
    ),
    Attack(
        "files_1gb",
        {
            "sigmoid": r"^activations\.sigmoid raised OSError: \[Errno 27\] File too large",
            "tanh": r"^activations\.tanh raised OSError: \[Errno 28\] No space left on device",
        },
        rlimits_fails={
            "sigmoid": r"^activations\.sigmoid raised OSError: \[Errno 27\] File too large",
            "tanh": r"^output\[0\] = 0\.0, |^activations\.tanh: timeout",
        },
    ),
    Attack(
        "fill_dev_shm",
        # a busy machine may hit the call timeout before the write fails: either named failure
        {"sigmoid": rf"^activations\.sigmoid raised OSError: \[Errno (28|30)\] |{TIMEOUT}"},
        rlimits_fails={"sigmoid": f"{MISMATCH}|{TIMEOUT}"},
    ),
    Attack("connect_localhost", {"sigmoid": MISMATCH}),
    Attack(
        "signal_parent",
        {"sigmoid": MISMATCH},
        needs_bwrap="without bubblewrap the worker runs as the grader's own uid (root here) and "
        "sees every process, so nothing stops it from stopping or killing the grader",
    ),
    Attack(
        "crash_at_import",
        everything(
            r"^activations\.py cannot be imported at activations\.py:\d+: RuntimeError: this submission refuses"
        ),
    ),
    Attack(
        "exit_at_import",
        everything(r"^activations\.py cannot be imported: fault: crash: .*exit status 7$"),
    ),
    Attack(
        "recursion",
        {
            "sigmoid": r"^activations\.sigmoid raised RecursionError: maximum recursion depth",
            "tanh": r"^activations\.tanh: crash: .*killed by SIGSEGV$",
        },
    ),
    Attack("segfault_ctypes", {"sigmoid": r"^activations\.sigmoid: crash: .*killed by SIGSEGV$"}),
    Attack(
        "system_exit",
        {
            "sigmoid": r"^activations\.sigmoid: crash: the code called exit\(3\)$",
            "tanh": r"^activations\.tanh raised KeyboardInterrupt",
        },
    ),
    Attack(
        "bad_returns",
        {
            "relu": r"^output has shape \(4, 1\), expected \(4,\)$",
            "sigmoid": r"^output\[0\] = 1e\+308, expected ",
            "tanh": r"^output\[0\] = nan, expected ",
            "leaky_relu": r"^output has shape \(1000000,\), expected \(4,\)$",
        },
    ),
    Attack(
        "non_utf8",
        everything(r"^activations\.py cannot be imported at activations\.py:\d+: SyntaxError: "),
    ),
    Attack("zip_dotdot", {}, problem=r"unsafe path, ignored"),
    Attack("zip_bomb", everything(NO_FILE), problem=r"unpacks to more than \d+ bytes"),
    Attack(
        "zip_bomb_lying",
        everything(NO_FILE),
        problem=r"activations\.py cannot be read from the zip \(BadZipFile",
    ),
    Attack(
        "zip_encrypted",
        everything(NO_FILE),
        problem=r"activations\.py cannot be read from the zip \(RuntimeError",
    ),
    Attack("symlink_outside", everything(NO_FILE), problem=r"symbolic link: ignored"),
]
BY_NAME = {a.name: a for a in ATTACKS}
assert sorted(BY_NAME) == sorted(p.name for p in (Path(__file__).parent / "corpus").iterdir())

#: What layer 1 alone does not stop, by attack; asserted as such without bubblewrap, and asserted
#: blocked with it. In every case the grader still computes every score itself.
GAPS = {
    "read_secrets": "files readable by the worker's uid (the grader's own, without a uid drop) "
    "can be read: hidden tests, gradebook, classmates' work, reference, solutions",
    "write_results": "files writable by the grader's uid can be rewritten: the gradebook and "
    "other learners' result files",
    "write_outside": "files writable by the grader's uid can be changed for the next run: the "
    "hidden suite, classmates' submissions, /tmp",
    "files_1gb": "there is no quota on the scratch folder: only RLIMIT_FSIZE per file and the "
    "call timeout bound what a submission writes (the folder is removed afterwards)",
    "fill_dev_shm": "/dev/shm is the host's: files written there outlive the worker",
    "connect_localhost": "there is no network namespace: 127.0.0.1 services are reachable",
}


def test_every_documented_gap_is_asserted_both_ways():
    """Each gap has a check that asserts it blocked under bubblewrap and open without it."""
    for name in GAPS:
        assert name in CHECKS or BY_NAME[name].rlimits_fails is not None, name


@pytest.fixture(scope="module", autouse=True)
def _stable_fingerprint():
    """Fingerprint the small hidden suite only: the real suites and the engine are being edited
    while these tests run, and a changed fingerprint would regrade ann instead of reusing her."""
    with pytest.MonkeyPatch.context() as patch:
        stable_kit(patch)
        yield


@pytest.fixture(scope="module")
def baselines(tmp_path_factory) -> dict[str, dict]:
    """Per sandbox: ann (correct) and bob (sigmoid missing) graded alone, outputs kept."""
    found = {}
    for param in sandboxes():
        sandbox = param.values[0]
        if sandbox.label == "bubblewrap" and sandbox.bwrap is None:
            continue
        root = tmp_path_factory.mktemp(f"baseline-{sandbox.label}")
        hidden = root / "hidden"
        hidden.mkdir()
        (hidden / "test_activations.py").write_text(HIDDEN)
        klass = root / "class"
        for learner, source in (("ann", GOOD), ("bob", HALF)):
            (klass / learner).mkdir(parents=True)
            (klass / learner / "activations.py").write_text(source)
        out = root / "out"
        report = grade([klass], _options(out, hidden, sandbox, jobs=1))
        scores = {r["learner"]: r["score"] for r in report.results}
        assert scores == {"ann": 7.0, "bob": 4.0}, scores
        found[sandbox.label] = {
            "out": out,
            "results": {r["learner"]: r for r in report.results},
            "files": {
                learner: (out / learner / "results.json").read_bytes() for learner in ("ann", "bob")
            },
        }
    return found


def _options(out: Path, hidden: Path, sandbox: Sandbox, jobs: int) -> GradeOptions:
    return GradeOptions(
        GradeSettings(topics=("activations",), hidden_dir=hidden, limits=LIMITS, sandbox=sandbox),
        out=out,
        jobs=jobs,
    )


@dataclass
class Scene:
    """One attack's class folder, hidden suite and output folder, and what they held before."""

    root: Path
    sandbox: Sandbox
    token: str = field(default_factory=lambda: f"gradelab-adv-{uuid.uuid4().hex[:12]}")

    def __post_init__(self) -> None:
        self.hidden = self.root / "hidden"
        self.klass = self.root / "class"
        self.out = self.root / "out"
        self.scratch = self.root / "tmp"  # the graders' temporary folders (worker scratch too)
        for folder in (self.hidden, self.klass / "ann", self.scratch):
            folder.mkdir(parents=True)
        (self.hidden / "test_activations.py").write_text(HIDDEN)
        (self.klass / "ann" / "activations.py").write_text(GOOD)

    def targets(self, **more) -> dict:
        return {
            "hidden": str(self.hidden),
            "out": str(self.out),
            "class": str(self.klass),
            "repo": str(REPO),
            "token": self.token,
            "canary": str(self.root / "pickle-canary"),
            **more,
        }

    def snapshot(self) -> dict:
        """Everything an attack must not change: ann's outputs and rows, inputs, hidden suite."""
        files = {}
        for folder in (self.out / "ann", self.hidden, self.klass / "ann"):
            for path in sorted(folder.rglob("*")):
                files[str(path)] = path.read_bytes() if path.is_file() else "dir"
        with sqlite3.connect(self.out / "gradebook.sqlite") as db:
            rows = db.execute(
                "SELECT s.learner, s.content_hash, s.fingerprint, s.score, s.max_score,"
                " s.result_json, t.name, t.points, t.status, t.message FROM submissions s"
                " JOIN tests t ON t.submission_id = s.id WHERE s.learner = 'ann' ORDER BY t.name"
            ).fetchall()
        return {"files": files, "ann_rows": rows}

    def sweep(self) -> list[str]:
        """Remove (and name) what attacks left outside the test's folder, marked by the token."""
        found = []
        for folder in (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")):
            for path in folder.glob(f"{self.token}-*"):
                found.append(str(path))
                remove(path)
        return sorted(found)


def _check_outcomes(result: dict, fails: dict[str, str]) -> None:
    """Attacked functions: 0 points and a message matching their pattern; the rest: full marks."""
    outcomes = {o["function"]: o for o in result["outcomes"]}
    assert sorted(outcomes) == sorted(POINTS), outcomes
    for function, points in POINTS.items():
        o = outcomes[function]
        if function in fails:
            assert o["points"] == 0 and o["status"] != "passed", o
            assert re.search(fails[function], o["message"]), (function, o["message"])
        else:
            assert (o["points"], o["status"]) == (points, "passed"), o
    assert result["score"] == sum(p for f, p in POINTS.items() if f not in fails)


def _expected_fails(attack: Attack, sandbox: Sandbox) -> dict[str, str]:
    if sandbox.bwrap or attack.rlimits_fails is None:
        return attack.fails
    return attack.rlimits_fails


def _params() -> list:
    out = []
    for attack in ATTACKS:
        marks = []
        if attack.xfail:
            marks.append(
                pytest.mark.xfail(strict=True, reason=attack.xfail, raises=attack.xfail_raises)
            )
        out.append(pytest.param(attack, id=attack.name, marks=marks))
    return out


@pytest.mark.parametrize("sandbox", sandboxes())
@pytest.mark.parametrize("attack", _params())
def test_attack_changes_nothing_but_its_own_score(
    attack, sandbox, baselines, tmp_path, monkeypatch
):
    if attack.skip_reason(sandbox):
        pytest.skip(attack.skip_reason(sandbox))
    scene = Scene(tmp_path, sandbox)
    monkeypatch.setattr(tempfile, "tempdir", str(scene.scratch))
    monkeypatch.setenv("TMPDIR", str(scene.scratch))
    shutil.copytree(baselines[sandbox.label]["out"], scene.out)
    listener = Listener() if attack.name == "connect_localhost" else None
    extra = {"port": listener.port} if listener else {}
    stage(attack.name, scene.klass, scene.targets(**extra))
    before = scene.snapshot()
    watch = ProcessWatch(marker=str(scene.scratch))
    try:
        report = grade([scene.klass], _options(scene.out, scene.hidden, sandbox, jobs=1))
        left = watch.left_behind()
    finally:
        if listener:
            listener.close()
        watch.kill_left_behind()
        outside = scene.sweep()
    assert left == [], f"processes left behind: {left}"
    assert (report.graded, report.reused) == (1, 1)  # ann came from the gradebook, untouched
    result = next(r for r in report.results if r["learner"] == attack.name)
    _check_outcomes(result, _expected_fails(attack, sandbox))

    # the named reasons reach the learner's feedback, and results.json says which sandbox ran
    out = scene.out / attack.name
    feedback = (out / "feedback.md").read_text()
    nothing = all(o["topic"] in result["missing_topics"] for o in result["outcomes"])
    for o in result["outcomes"]:
        if o["status"] != "passed" and not nothing:
            assert o["message"] in feedback
    if nothing:  # one paragraph saying what was found, not a line per check
        assert "Nothing could be graded" in feedback
    if attack.problem:
        assert any(re.search(attack.problem, p) for p in result["problems"]), result["problems"]
        assert any(p in feedback for p in result["problems"])
    doc = json.loads((out / "results.json").read_text())
    assert gradescope.validate(doc) == []
    assert doc["score"] == result["score"]
    assert doc["extra_data"]["gradelab"]["sandbox"] == sandbox.label
    if not sandbox.bwrap:  # the warning: the layers that were active, without bubblewrap
        assert "bubblewrap" not in feedback.split("_Sandbox:")[-1]

    # nothing else changed, or, for what layer 1 cannot stop, exactly the documented gap
    after = scene.snapshot()
    if sandbox.bwrap or attack.name not in ("write_results", "write_outside"):
        assert after == before
    with sqlite3.connect(scene.out / "gradebook.sqlite") as db:
        (stored,) = db.execute(
            "SELECT score FROM submissions WHERE learner = ?", (attack.name,)
        ).fetchone()
    assert stored == result["score"]
    assert list(scene.scratch.iterdir()) == []  # scratch and submission copies are gone
    assert not (scene.root / "pickle-canary").exists()
    if attack.name in CHECKS:
        CHECKS[attack.name](scene, sandbox, before, after, listener, outside)
    else:
        assert outside == []


# -- per-attack checks: blocked under bubblewrap; the documented gap without it -------------------


def _check_write_results(scene, sandbox, before, after, listener, outside) -> None:
    own = json.loads((scene.out / "write_results" / "results.json").read_text())
    assert own["score"] == 4  # the grader's result, written after the worker was gone
    if sandbox.bwrap:
        assert after == before
        return
    # gap: as the grader's uid the worker rewrote ann's result file and the gradebook rows
    assert json.loads((scene.out / "ann" / "results.json").read_text())["score"] == 100
    assert after["ann_rows"] != before["ann_rows"]


def _check_write_outside(scene, sandbox, before, after, listener, outside) -> None:
    if sandbox.bwrap:
        assert after == before
        assert not (scene.hidden / "conftest.py").exists()
        assert outside == []
    else:  # gap: the files changed (for the next run; this run's scores are unaffected)
        assert (scene.hidden / "conftest.py").exists()
        assert (scene.klass / "ann" / "activations.py").read_text() != GOOD
        assert outside == [f"/tmp/{scene.token}-outside", f"/var/tmp/{scene.token}-outside"]


def _check_dev_shm(scene, sandbox, before, after, listener, outside) -> None:
    if sandbox.bwrap:
        assert outside == []  # a private 16 MiB tmpfs, gone with the sandbox
    else:  # gap: the host's /dev/shm keeps them (the test removed them)
        # all 64 files, or fewer when the call timeout stopped the writer on a busy machine
        assert 0 < len(outside) <= 64 and all(p.startswith("/dev/shm/") for p in outside)


def _check_network(scene, sandbox, before, after, listener, outside) -> None:
    if sandbox.bwrap:
        assert listener.received == []  # no network namespace to reach 127.0.0.1 from
    else:
        assert len(listener.received) == 1 and listener.received[0].startswith(b"stolen from")


def _check_zip_dotdot(scene, sandbox, before, after, listener, outside) -> None:
    assert outside == []
    for parent in (scene.klass, scene.klass.parent, scene.klass.parent.parent):
        assert not list(parent.glob(f"{scene.token}-*")), parent


def _check_zip_bomb(scene, sandbox, before, after, listener, outside) -> None:
    with zipfile.ZipFile(scene.klass / "zip_bomb.zip") as zf:
        assert zf.infolist()[0].file_size > 100 << 20  # really a bomb: refused, not unpacked


CHECKS = {
    "write_results": _check_write_results,
    "write_outside": _check_write_outside,
    "fill_dev_shm": _check_dev_shm,
    "connect_localhost": _check_network,
    "zip_dotdot": _check_zip_dotdot,
    "zip_bomb": _check_zip_bomb,
}


# -- a mixed class ---------------------------------------------------------------------------------

MIXED = [
    "monkeypatch_worker",
    "fake_protocol",
    "lying_objects",
    "reply_bomb",
    "infinite_loop",
    "setsid_escape",
    "alloc_10gb",
    "stdout_1gb",
    "crash_at_import",
    "segfault_ctypes",
    "system_exit",
]
# only where their skip_reason allows; the last three would change files without bubblewrap
MIXED_BWRAP = ["fork_bomb", "signal_parent", "write_results", "write_outside", "read_secrets"]


@pytest.mark.parametrize("sandbox", sandboxes())
def test_a_mixed_class_gives_honest_learners_exactly_their_solo_results(
    sandbox, baselines, tmp_path, monkeypatch
):
    scene = Scene(tmp_path, sandbox)
    monkeypatch.setattr(tempfile, "tempdir", str(scene.scratch))
    monkeypatch.setenv("TMPDIR", str(scene.scratch))
    (scene.klass / "bob").mkdir()
    (scene.klass / "bob" / "activations.py").write_text(HALF)
    attacks = MIXED + [
        a for a in MIXED_BWRAP if sandbox.bwrap and not BY_NAME[a].skip_reason(sandbox)
    ]
    for name in attacks:
        stage(name, scene.klass, scene.targets())
    watch = ProcessWatch(marker=str(scene.scratch))
    try:
        report = grade([scene.klass], _options(scene.out, scene.hidden, sandbox, jobs=2))
        left = watch.left_behind()
    finally:
        watch.kill_left_behind()
        outside = scene.sweep()
    assert left == [], f"processes left behind: {left}"
    assert outside == []
    for name in ("ann", "bob"):
        alone = baselines[sandbox.label]
        assert (scene.out / name / "results.json").read_bytes() == alone["files"][name]
    by_learner = {r["learner"]: r for r in report.results}
    assert sorted(by_learner) == sorted(["ann", "bob", *attacks])
    for name in attacks:
        _check_outcomes(by_learner[name], _expected_fails(BY_NAME[name], sandbox))
    assert (scene.klass / "ann" / "activations.py").read_text() == GOOD
    assert sorted(p.name for p in scene.hidden.iterdir()) == ["test_activations.py"]
    assert list(scene.scratch.iterdir()) == []
