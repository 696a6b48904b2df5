"""Finding 1 of the trust-boundary review: learner files are parsed by the grader itself, outside
the sandbox, so no shape of notebook, zip or file name may stop the class.

Known attacks first (a code cell whose source is ``[1, 2, 3]``, 200,000 nested brackets, cells or
metadata of the wrong type, invalid UTF-8, unpaired surrogates, undecodable zip member names),
then hypothesis: any JSON (any shape, any depth) and any zip members read into a named problem,
never an exception; and end to end, a class holding a fuzzed hostile learner always completes,
and the honest learner's outputs are byte-identical to a run without the hostile one.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.class_folder import discover
from grader.engine.sandbox import Sandbox
from grader.grading import GradeOptions, grade
from grader.nbgrader.ipynb import MAX_DEPTH, NotebookError, check_depth, extract
from grader.settings import GradeSettings
from grader.submissions import SubmissionError, read_zip

from ._support import GOOD, HIDDEN, LIMITS, sandboxes, stable_kit

READ_FAILURE = "activations.ipynb: this notebook could not be read: "
DEEP = b"[" * 200_000 + b"]" * 200_000


def _cell(**fields) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": "x = 1\n", **fields}


def _nb(*cells, **top) -> bytes:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, **top}).encode()


HOSTILE_NOTEBOOKS = {
    "source is a list of numbers": (_nb(_cell(source=[1, 2, 3])), r"cell 1: source is a list"),
    "200,000 nested brackets": (DEEP, rf"nested more than {MAX_DEPTH} levels deep"),
    "deep inside a valid notebook": (
        _nb(_cell(metadata={"x": json.loads("[" * 70 + "]" * 70)})),
        "nested more than",
    ),
    "cells is an object": (b'{"cells": {"0": 1}}', r"cells is an object, not a list"),
    "cells missing": (b'{"nbformat": 4}', r"cells is null, not a list"),
    "top level is a list": (b"[1, 2]", r"the top level is a list"),
    "a cell is a number": (_nb(7), r"cell 1 is a number, not an object"),
    "metadata is a list": (_nb(_cell(metadata=[1])), r"cell 1: metadata is a list"),
    "notebook metadata is text": (_nb(metadata="x"), r"metadata is text, not an object"),
    "tags is a number": (_nb(_cell(metadata={"tags": 5})), r"cell 1: tags is a number"),
    "nbgrader is a list": (_nb(_cell(metadata={"nbgrader": [1]})), r"nbgrader is a list"),
    "cell_type is a list": (_nb(_cell(cell_type=["code"])), r"cell_type is a list"),
    "invalid UTF-8": (b'{"cells": [], "x": "\xff\xfe"}', r"not valid JSON \(UnicodeDecodeError"),
    "unpaired surrogate": (_nb(_cell(source="\\ud800")).replace(b"\\\\", b"\\"), "surrogate"),
    "a 5,000-digit number": (b'{"cells": [], "n": ' + b"9" * 5000 + b"}", r"not valid JSON"),
    "not JSON": (b"def relu(x): return x", r"not valid JSON \(JSONDecodeError"),
    "empty": (b"", r"not valid JSON"),
}


@pytest.mark.parametrize("name", HOSTILE_NOTEBOOKS)
def test_a_hostile_notebook_is_a_named_problem_for_its_learner_only(name, tmp_path: Path):
    data, reason = HOSTILE_NOTEBOOKS[name]
    (tmp_path / "evil").mkdir()
    (tmp_path / "evil" / "activations.ipynb").write_bytes(data)
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "activations.py").write_text(GOOD)
    found = {s.learner: s for s in discover([tmp_path])}
    assert found["ann"].files == {"activations": GOOD.encode()} and found["ann"].problems == ()
    (problem,) = found["evil"].problems
    assert problem.startswith(READ_FAILURE) and problem.endswith("; graded as an empty file")
    assert __import__("re").search(reason, problem), problem
    assert found["evil"].files == {"activations": b""}


def test_depth_is_refused_before_json_parsing_ever_recurses(monkeypatch):
    """The guard is a scan, not a caught RecursionError: json.loads never sees a deep document."""

    def refuse(*args, **kwargs):
        raise AssertionError("json.loads reached with a document nested too deeply")

    monkeypatch.setattr(json, "loads", refuse)
    with pytest.raises(NotebookError, match="nested more than"):
        extract(DEEP)
    with pytest.raises(NotebookError, match="nested more than"):
        extract(b'{"a": "[[[[ text is not structure", "b": ' + b"{" * 100)


def test_brackets_inside_strings_do_not_count_as_depth():
    check_depth(json.dumps({"s": "[" * 10_000 + '\\"{' * 1000}).encode())
    got = extract(_nb(_cell(source="x = '" + "[" * 5000 + "'\n")))
    assert got.source.startswith("x = '[[[")


# -- hypothesis: any JSON, any notebook-like shape ----------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)
KEYS = st.sampled_from(["cells", "metadata", "cell_type", "source", "tags", "nbgrader", "grade"])
SHAPED = st.recursive(
    JSON,
    lambda inner: (
        st.dictionaries(KEYS | st.text(max_size=4), inner, max_size=5)
        | st.lists(inner, max_size=4)
        | st.builds(
            lambda cells, meta: {"cells": cells, "metadata": meta},
            st.lists(inner, max_size=4),
            inner,
        )
    ),
    max_leaves=40,
)


def _extract_or_named_problem(data: bytes) -> None:
    try:
        got = extract(data)
    except NotebookError as exc:
        assert str(exc)
        return
    assert isinstance(got.source, str)
    got.source.encode("utf-8")  # always writable as the topic file


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=SHAPED, depth=st.integers(0, 3 * MAX_DEPTH))
def test_any_json_of_any_depth_reads_into_code_or_a_named_problem(doc, depth):
    text = json.dumps(doc)
    _extract_or_named_problem(text.encode())
    _extract_or_named_problem(("[" * depth + text + "]" * depth).encode())
    _extract_or_named_problem(('{"cells": [' + "[" * depth + text + "]" * depth + "]}").encode())


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=200))
def test_any_bytes_read_into_code_or_a_named_problem(data):
    _extract_or_named_problem(data)
    _extract_or_named_problem(b'{"cells": [{"cell_type": "code", "source": ' + data + b"}]}")


# -- zips: any member names, sizes and contents --------------------------------------------------

MEMBER = st.tuples(
    st.one_of(
        st.text(min_size=1, max_size=40),
        st.sampled_from(["activations.py", "activations.ipynb", "exercises/activations.ipynb"]),
        st.builds(lambda p: p + "/activations.ipynb", st.text(min_size=1, max_size=10)),
    ),
    st.one_of(st.binary(max_size=64), st.sampled_from([DEEP[:2000], _nb(_cell(source=[1]))])),
    st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
    st.integers(0, 0xFFFF),  # external attributes' high half: file type and mode bits
)


def _zip_bytes(members: list, flags: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, method, mode in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            info.external_attr = mode << 16
            zf.writestr(info, data)
    raw = bytearray(buf.getvalue())
    if flags:  # general-purpose flags in every header: UTF-8 names, encryption, ...
        for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            start = raw.find(sig)
            while start >= 0:
                struct.pack_into("<H", raw, start + at, flags)
                start = raw.find(sig, start + 4)
    return bytes(raw)


@pytest.mark.filterwarnings("ignore:Duplicate name")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    members=st.lists(MEMBER, max_size=4),
    flags=st.sampled_from([0, 0x800, 0x1, 0x8]),
    cut=st.integers(0, 64),
)
def test_any_zip_reads_into_a_submission_or_a_named_problem(members, flags, cut, tmp_path_factory):
    folder = tmp_path_factory.mktemp("zips")
    raw = _zip_bytes(members, flags)
    path = folder / "evil.zip"
    path.write_bytes(raw[: len(raw) - cut] if cut % 4 == 1 else raw)  # sometimes truncated
    try:
        sub = read_zip(path)
    except SubmissionError as exc:
        assert str(exc)
    else:
        assert set(sub.files) <= {"activations"}
        for data in sub.files.values():
            assert isinstance(data, bytes)
    (found,) = discover([path])
    assert found.learner == "evil"


def test_a_zip_whose_member_names_are_not_utf8_is_a_named_problem(tmp_path: Path):
    path = tmp_path / "evil.zip"
    raw = _zip_bytes([("activations.py", b"x = 1\n", zipfile.ZIP_STORED, 0)], 0x800)
    path.write_bytes(raw.replace(b"activations.py", b"activ\xff\xfe\xfdons.py"))
    (found,) = discover([path])
    assert found.files == {} and "not a readable zip (UnicodeDecodeError" in found.problems[0]


def test_a_learner_folder_whose_name_is_not_utf8_gets_a_printable_id(tmp_path: Path):
    folder = Path(bytes(tmp_path).decode() + "/ev\udcffil")
    folder.mkdir()
    (folder / "activations.py").write_text(GOOD)
    (found,) = discover([tmp_path])
    assert found.learner == "ev\\xffil"
    found.learner.encode("utf-8")


# -- end to end: the class run completes, the honest learner is untouched ----------------------


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> dict:
    """The hidden suite; ann's outputs when graded alone are added per sandbox (:func:`_alone`)."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "hidden").mkdir()
    (root / "hidden" / "test_activations.py").write_text(HIDDEN)
    return {"root": root}


def _alone(scene: dict, sandbox: Sandbox) -> dict[str, bytes]:
    """ann (correct) graded alone under ``sandbox``: her output files, byte for byte."""
    if sandbox.label not in scene:
        root = scene["root"] / f"alone-{sandbox.label}"
        (root / "class" / "ann").mkdir(parents=True)
        (root / "class" / "ann" / "activations.py").write_text(GOOD)
        report = grade([root / "class"], _options(root / "out", scene["root"] / "hidden", sandbox))
        assert [r["score"] for r in report.results] == [7.0]
        scene[sandbox.label] = _ann_outputs(root / "out")
    return scene[sandbox.label]


def _options(out: Path, hidden: Path, sandbox: Sandbox) -> GradeOptions:
    return GradeOptions(
        GradeSettings(topics=("activations",), hidden_dir=hidden, limits=LIMITS, sandbox=sandbox),
        out=out,
        jobs=1,
    )


def _ann_outputs(out: Path) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in sorted((out / "ann").iterdir())}
    rows = (out / "grades.csv").read_text().splitlines()
    files["grades.csv row"] = next(r for r in rows if r.startswith("ann,")).encode()
    return files


@pytest.fixture(scope="module", autouse=True)
def _stable_fingerprint():
    """Fingerprint the small hidden suite only (other code may change while tests run)."""
    with pytest.MonkeyPatch.context() as patch:
        stable_kit(patch)
        yield


def _grade_with(scene: dict, run: str, name: str, data: bytes, sandbox: Sandbox | None = None):
    sandbox = sandbox or Sandbox()
    root = scene["root"] / run
    klass = root / "class"
    (klass / "ann").mkdir(parents=True)
    (klass / "ann" / "activations.py").write_text(GOOD)
    if name.endswith(".zip"):
        (klass / "evil.zip").write_bytes(data)
    else:
        (klass / "evil").mkdir()
        (klass / "evil" / name).write_bytes(data)
    report = grade([klass], _options(root / "out", scene["root"] / "hidden", sandbox))
    assert sorted(r["learner"] for r in report.results) == ["ann", "evil"]
    assert report.failed == {}
    assert _ann_outputs(root / "out") == _alone(scene, sandbox)
    return next(r for r in report.results if r["learner"] == "evil"), root / "out"


@pytest.mark.parametrize("sandbox", sandboxes())
@pytest.mark.parametrize("name", ["source is a list of numbers", "200,000 nested brackets"])
def test_the_two_notebooks_of_the_report_are_graded_as_unreadable_and_the_class_completes(
    name, sandbox, scene
):
    run = f"{name.replace(' ', '-')}-{sandbox.label}"
    evil, out = _grade_with(scene, run, "activations.ipynb", HOSTILE_NOTEBOOKS[name][0], sandbox)
    assert evil["score"] == 0
    (problem,) = evil["problems"]
    assert problem.startswith(READ_FAILURE)
    assert "this notebook could not be read" in (out / "evil" / "feedback.md").read_text()


HOSTILE_FILE = st.one_of(
    st.builds(lambda doc: ("activations.ipynb", json.dumps(doc).encode()), SHAPED),
    st.sampled_from([("activations.ipynb", data) for data, _ in HOSTILE_NOTEBOOKS.values()]),
    st.builds(
        lambda members, flags: ("submission.zip", _zip_bytes(members, flags)),
        st.lists(MEMBER, min_size=1, max_size=3),
        st.sampled_from([0, 0x800]),
    ),
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile=HOSTILE_FILE, suffix=st.integers(0, 10**9))
def test_a_hostile_learner_never_stops_the_class_nor_changes_another_learners_outputs(
    hostile, suffix, scene
):
    run = f"run-{suffix}-{len(hostile[1])}"
    if not (scene["root"] / run).exists():
        _grade_with(scene, run, *hostile)
