"""grader/lms/roster.py: a roster maps learner ids to LMS identities; every bad input (not
UTF-8, empty, no learner column, duplicate or empty ids, ragged rows, no identifier for the LMS)
is a RosterError naming the line, never a half-read class."""

from __future__ import annotations

import pytest

from grader.lms.roster import RosterError, parse_roster, read_roster

GOOD = (
    'learner,name,sis_id,login,email,section\nann,"Lee, Ann",S1,alee,ann@x.org,A\nbob,Bob,S2,,,B\n'
)


def test_a_roster_keeps_file_order_and_strips_blanks():
    members = parse_roster(b"\xef\xbb\xbf Learner , Email\n ann , ann@x.org \n\nbob,\n")
    assert [(m.learner, m.line, m.get("email")) for m in members] == [
        ("ann", 2, "ann@x.org"),
        ("bob", 4, ""),
    ]


def test_known_columns_are_read_and_others_ignored():
    members = parse_roster(GOOD.encode(), lms="canvas")
    assert members[0].identity == {
        "name": "Lee, Ann",
        "sis_id": "S1",
        "login": "alee",
        "email": "ann@x.org",
        "section": "A",
    }
    assert parse_roster(b"learner,shoe size\nann,42\n")[0].identity == {}


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b" \n\n", "empty"),
        (b"learner,email\n", "no learners"),
        (b"name,email\nann,a@x\n", "no 'learner' column"),
        (b"learner,email,email\nann,a,b\n", "named twice"),
        (b"learner;email\nann;a@x\n", "separated by ';'"),
        (b"learner,email\nann,a@x\nbob,b@x\nann,c@x\n", "line 4: learner 'ann' already on line 2"),
        (b"learner,email\n,a@x\n", "line 2: empty learner id"),
        (b"learner,email\nann,a@x,extra\n", "line 2: 3 cells, the header has 2"),
        (b"learner,email\nann,a@x\nb\xe9b,b@x\n", "not UTF-8 text (line 3"),
        ("learner,email\nbéb,b@x\n".encode("utf-16"), "not UTF-8"),
    ],
)
def test_bad_rosters_are_refused_with_the_reason(data, says):
    with pytest.raises(RosterError) as caught:
        parse_roster(data, "roster.csv")
    assert says in str(caught.value)
    assert str(caught.value).startswith("roster.csv: ")


def test_an_lms_needs_an_identifier_column_and_one_per_row():
    with pytest.raises(RosterError, match="canvas export needs one of the columns canvas_id"):
        parse_roster(b"learner,email\nann,a@x\n", lms="canvas")
    with pytest.raises(RosterError, match="line 3: learner 'bob' has none of email, login"):
        parse_roster(b"learner,email,login\nann,a@x,\nbob,,\n", lms="moodle")
    assert len(parse_roster(b"learner,email,login\nann,a@x,\nbob,,bob\n", lms="moodle")) == 2


def test_every_bad_row_is_reported_at_once():
    with pytest.raises(RosterError) as caught:
        parse_roster(b"learner,email\nann,\nann,\n\n,x\nann,\n")
    assert "3 bad row(s): line 3: " in str(caught.value)
    assert "line 5: empty learner id; line 6: " in str(caught.value)


def test_a_missing_roster_file_is_a_roster_error(tmp_path):
    with pytest.raises(RosterError, match="cannot read the roster"):
        read_roster(tmp_path / "nope.csv")


def test_two_learners_with_one_lms_identity_are_refused_naming_both_lines():
    """Canvas and Moodle find a student by the identifier: two roster rows with one login (a
    copy-paste slip) put one learner's grades on the other's record. Logins and e-mail addresses
    compare ignoring case, as the LMS does."""
    data = b"learner,login,email\nann,alee,ann@x.org\nbob,broy,Ann@X.org\ncid,alee,cid@x.org\n"
    with pytest.raises(RosterError) as caught:
        parse_roster(data, "roster.csv", lms="moodle")
    says = str(caught.value)
    assert "line 3: learner 'bob' has the email of line 2 ('Ann@X.org')" in says
    assert "line 4: learner 'cid' has the login of line 2 ('alee')" in says
    assert len(parse_roster(data.replace(b"Ann@X", b"bob@x").replace(b"cid,alee", b"cid,c"))) == 3
    assert len(parse_roster(data)) == 3  # without an LMS nothing is matched by identity
