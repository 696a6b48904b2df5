"""grader/lms/export.py and `gradelab export`: the gradebook as Canvas's and Moodle's
grade-import CSV, byte for byte; roster-only learners get empty grades (not 0), graded learners
missing from the roster are listed (console and companion file), never dropped in silence."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli import app
from grader.lms.export import build_export, companion_path, export_gradebook, number
from grader.lms.roster import RosterError, parse_roster
from grader.outputs.gradebook import Gradebook
from grader.report.load import load_class

ROSTER = (
    "learner,name,canvas_id,sis_id,login,email,section\n"
    'ann,"Lee, Ann",101,S1,alee,ann@x.org,A\n'
    "cid,=HYPERLINK(1),103,S3,cid,cid@x.org,B\n"
    "bob,Bob Roy,102,S2,broy,bob@x.org,A\n"
)


def outcome(topic: str, function: str, points: float, top: float) -> dict:
    return {
        "topic": topic,
        "function": function,
        "check": "c",
        "points": points,
        "max_points": top,
        "status": "passed" if points == top else "failed",
        "message": "",
        "diagnosis": None,
        "diagnosis_name": None,
        "input": "",
        "visibility": "after_due_date",
    }


def result(learner: str, content_hash: str, outcomes: list[dict]) -> dict:
    return {
        "learner": learner,
        "content_hash": content_hash,
        "outcomes": outcomes,
        "score": sum(o["points"] for o in outcomes),
        "max_score": sum(o["max_points"] for o in outcomes),
        "seconds": 0.1,
    }


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A gradebook: ann and bob graded (bob twice: the latest counts), dan not in the roster."""
    book = Gradebook(tmp_path / "gradebook.sqlite")
    full = [outcome("activations", "relu", 2, 2), outcome("losses", "mse", 1.5, 3)]
    book.record(result("ann", "h1", full), "fp")
    book.record(result("bob", "h2", [outcome("activations", "relu", 0, 2)]), "fp")
    bob = [outcome("activations", "relu", 2, 2), outcome("losses", "mse", 1 / 3, 3)]
    book.record(result("bob", "h3", bob), "fp")
    book.record(result("dan", "h4", [outcome("losses", "mse", 3, 3)]), "fp")
    book.close()
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return tmp_path


CANVAS = (
    "Student,ID,SIS User ID,SIS Login ID,Section,gradelab activations,gradelab losses,"
    "gradelab total\n"
    "Points Possible,,,,,2,3,5\n"
    '"Lee, Ann",101,S1,alee,A,2,1.5,3.5\n'
    "'=HYPERLINK(1),103,S3,cid,B,,,\n"
    "Bob Roy,102,S2,broy,A,2,0.3333,2.3333\n"
)
MOODLE = (
    "Full name,Email address,Username,ID number,gradelab activations,gradelab losses,"
    "gradelab total\n"
    '"Lee, Ann",ann@x.org,alee,S1,2,1.5,3.5\n'
    "'=HYPERLINK(1),cid@x.org,cid,S3,,,\n"
    "Bob Roy,bob@x.org,broy,S2,2,0.3333,2.3333\n"
)
UNMATCHED = (
    "learner,problem\n"
    'dan,"graded, not in the roster: left out of the export"\n'
    'cid,"in the roster, not graded: exported with empty grades"\n'
)


@pytest.mark.parametrize(("lms", "expected"), [("canvas", CANVAS), ("moodle", MOODLE)])
def test_the_export_has_the_lms_layout_byte_for_byte(out, lms, expected):
    result, target = export_gradebook(out, out / "roster.csv", lms)
    assert target == out / "export" / f"{lms}.csv"
    assert target.read_bytes() == expected.encode()
    assert companion_path(target).read_bytes() == UNMATCHED.encode()
    assert (result.exported, result.graded) == (2, 3)


def test_a_topic_a_learner_was_not_graded_in_is_empty_not_zero(out):
    roster = parse_roster(b"learner,login\ndan,d\n")
    text = build_export(load_class(out), roster, "moodle").text
    assert text.splitlines()[1] == ",,d,,,3,3"


def test_learner_text_in_the_lms_csv_is_escaped():
    from grader.results import SubmissionResult

    roster = parse_roster("learner,name,login\n\u202eevil,+1\x1b,@x\n".encode())
    export = build_export([SubmissionResult("\u202eevil", "h", [])], roster, "canvas")
    assert export.text.splitlines()[2] == "'+1\\x1b,,,'@x,,0"


def test_numbers_are_plain_decimals():
    assert [number(x) for x in (3.0, 2.5, 1 / 3, 0.0, 1e-9, 1234567.0)] == [
        "3",
        "2.5",
        "0.3333",
        "0",
        "0",
        "1234567",
    ]


def test_an_unknown_format_or_a_bad_roster_is_refused(out):
    with pytest.raises(ValueError, match="unknown format 'blackboard'"):
        export_gradebook(out, out / "roster.csv", "blackboard")
    (out / "bad.csv").write_text("learner,name\nann,Ann\n")
    with pytest.raises(RosterError, match="canvas export needs one of the columns"):
        export_gradebook(out, out / "bad.csv", "canvas")
    roster = out / "roster.csv"
    with pytest.raises(ValueError, match="would overwrite the roster or the gradebook"):
        export_gradebook(out, roster, "canvas", roster)
    assert roster.read_text() == ROSTER


def test_the_command_writes_the_file_and_names_every_unmatched_learner(out):
    to = out / "lms" / "grades.csv"
    args = ["export", str(out), "--format", "canvas", "--roster", str(out / "roster.csv")]
    done = CliRunner().invoke(app, [*args, "--to", str(to)])
    assert done.exit_code == 0, done.output
    assert to.read_bytes() == CANVAS.encode()
    assert (out / "lms" / "grades.unmatched.csv").read_bytes() == UNMATCHED.encode()
    assert "2 of 3 graded learners exported" in done.output
    assert "dan: graded, not in the roster" in done.output
    assert "cid: in the roster, not graded" in done.output


def test_the_command_reports_bad_input_without_a_traceback(tmp_path):
    (tmp_path / "roster.csv").write_bytes(b"")
    args = ["export", str(tmp_path), "--format", "moodle", "--roster", str(tmp_path / "roster.csv")]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 2
    assert "the file is empty" in done.output
    (tmp_path / "roster.csv").write_text("learner,email\nann,a@x\n")
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 2
    assert "no gradebook" in done.output


def test_the_export_carries_the_warning_when_its_learners_do_not_compare(out):
    """dan was graded on losses alone: the export's totals mix topic sets, and says so, as
    grades.csv and the class report do (the one reader, report.load.read_class)."""
    result, _ = export_gradebook(out, out / "roster.csv", "canvas")
    assert result.warning is not None and "losses (dan)" in result.warning
    done = CliRunner().invoke(
        app, ["export", str(out), "--format", "canvas", "--roster", str(out / "roster.csv")]
    )
    assert done.exit_code == 0 and "WARNING: this gradebook's learners" in done.output


def test_an_id_differing_from_the_rosters_only_in_case_blanks_or_unicode_form_is_named():
    """A learner's folder ``Ann`` or `` bob`` (a blank a roster cell cannot keep), or ``José``
    written by macOS in decomposed form (NFD) while the roster has it composed (NFC): the ids
    differ, so the export still matches nobody by guess, but it says which roster id it is."""
    import unicodedata

    from grader.results import SubmissionResult

    nfd = unicodedata.normalize("NFD", "josé")
    roster = parse_roster("learner,login\nann,a\nbob,b\njosé,j\ncid,c\n".encode())
    graded = [SubmissionResult(i, "h", []) for i in ("Ann", " bob", nfd, "dan")]
    why = dict(build_export(graded, roster, "canvas").unmatched)
    assert why["Ann"].endswith("; the roster's 'ann' differs only in case")
    assert why[" bob"].endswith("; the roster's 'bob' differs only in surrounding blanks")
    assert why[nfd].endswith("; the roster's 'josé' differs only in Unicode form (NFC/NFD)")
    assert why["ann"].endswith("; graded as 'Ann', which differs only in case")
    assert why["dan"] == "graded, not in the roster: left out of the export"
    assert why["cid"] == "in the roster, not graded: exported with empty grades"


def test_a_file_at_to_that_is_no_export_is_never_overwritten(out):
    """`--to grades.xlsx.csv` (the instructor's own spreadsheet) or `--to OUT/grades.csv` was
    replaced by the export without a word; an export written before is replaced as asked."""
    roster = out / "roster.csv"
    mine = out / "my-grades.csv"
    mine.write_text("Name,Midterm\nAnn,17\n")
    with pytest.raises(ValueError, match=r"my-grades\.csv.*not a gradelab export"):
        export_gradebook(out, roster, "canvas", mine)
    assert mine.read_text() == "Name,Midterm\nAnn,17\n"
    beside = out / "lms.unmatched.csv"  # the companion list's place, held by another file
    beside.write_text("keep me\n")
    with pytest.raises(ValueError, match=r"lms\.unmatched\.csv.*not a gradelab export"):
        export_gradebook(out, roster, "moodle", out / "lms.csv")
    assert beside.read_text() == "keep me\n" and not (out / "lms.csv").exists()
    beside.unlink()
    for lms in ("canvas", "moodle", "canvas"):  # an earlier export, of either format, is replaced
        export_gradebook(out, roster, lms, out / "lms.csv")
