"""The gradebook: one SQLite file, one row per graded submission and one per test.

A submission is keyed by (learner, content hash, grader fingerprint): an unchanged submission is
never graded twice, and a submission's rows are written in one transaction, so a run killed midway
leaves each submission either fully recorded or absent — never half, never twice.

Each learner has one *current* entry: the one the last run that graded or reused them recorded
(table ``current``; a gradebook older than that table falls back to the learner's newest row).
``grades.csv``, the class report and the LMS exports all read the current entries
(:meth:`Gradebook.current_entries`), so they agree on who is in the class and with which result.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    learner TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    seconds REAL NOT NULL,
    graded_at TEXT NOT NULL,
    result_json TEXT NOT NULL,
    UNIQUE (learner, content_hash, fingerprint)
);
CREATE TABLE IF NOT EXISTS tests (
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    topic TEXT NOT NULL,
    function TEXT NOT NULL,
    points REAL NOT NULL,
    max_points REAL NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    diagnosis TEXT
);
CREATE INDEX IF NOT EXISTS tests_by_submission ON tests (submission_id);
CREATE TABLE IF NOT EXISTS current (
    learner TEXT PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE
);
"""
#: each learner's current row: the one ``current`` names, else (an older gradebook) the newest
CURRENT_ROW = """
SELECT s.learner, s.content_hash, s.fingerprint, s.result_json FROM submissions s
WHERE s.id = COALESCE(
    (SELECT c.submission_id FROM current c WHERE c.learner = s.learner),
    (SELECT MAX(t.id) FROM submissions t WHERE t.learner = s.learner))
"""
#: mark a stored entry current (nothing is written when it is already: a rerun of a class)
MAKE_CURRENT = """
INSERT OR REPLACE INTO current (learner, submission_id) SELECT learner, id FROM submissions s
WHERE learner = ? AND content_hash = ? AND fingerprint = ?
AND NOT EXISTS (SELECT 1 FROM current c WHERE c.learner = s.learner AND c.submission_id = s.id)
"""


class GradebookError(Exception):
    """A gradebook file SQLite cannot read as one; the message names the file."""


@dataclass(frozen=True)
class Entry:
    """A learner's gradebook entry: what it graded, under which fingerprint, the result."""

    content_hash: str
    fingerprint: str
    result: dict[str, Any]


class Gradebook:
    """Rows are only ever added: a regrade adds a row under its new fingerprint and the earlier
    ones stay (:meth:`latest_entry` picks the newest)."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        """Open (or create) the gradebook; :class:`GradebookError` when the file is not one.

        ``read_only`` (``gradelab grade --dry-run``) writes nothing next to ``path``: it reads a
        private copy of the file and of its write-ahead log, so it sees every result a run
        recorded, even one killed before its log was folded into the file (the state the next
        real run would open), and a log holding the whole gradebook of a killed first run."""
        self.path = path
        self._copy: tempfile.TemporaryDirectory[str] | None = None
        opened = path
        if read_only:
            self._copy = tempfile.TemporaryDirectory(prefix="gradelab-gradebook-")
            opened = Path(self._copy.name) / "gradebook.sqlite"
            shutil.copyfile(path, opened)
            log = path.with_name(f"{path.name}-wal")
            if log.is_file():
                shutil.copyfile(log, opened.with_name(f"{opened.name}-wal"))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(opened, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            self.close()
            if getattr(exc, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
                raise GradebookError(f"{path}: not a readable gradebook ({exc})") from None
            raise GradebookError(  # a full disk, a read-only folder, a lock: not the file's fault
                f"{path}: cannot open the gradebook ({exc}): make room or fix the folder, then "
                "run the same command again"
            ) from None

    def close(self) -> None:
        if getattr(self, "db", None) is not None:
            self.db.close()
        if self._copy is not None:
            self._copy.cleanup()
            self._copy = None

    def lookup(self, learner: str, content_hash: str, fingerprint: str) -> dict[str, Any] | None:
        """The stored result of this exact submission under this grader, if any."""
        row = self.db.execute(
            "SELECT result_json FROM submissions WHERE learner=? AND content_hash=? AND fingerprint=?",
            (learner, content_hash, fingerprint),
        ).fetchone()
        return json.loads(row[0]) if row else None

    def latest_entry(self, learner: str) -> Entry | None:
        """The learner's current entry (see the module's docstring), if any."""
        row = self.db.execute(f"{CURRENT_ROW} AND s.learner = ?", (learner,)).fetchone()
        return None if row is None else Entry(row[1], row[2], json.loads(row[3]))

    def current_entries(self) -> dict[str, Entry]:
        """Every learner's current entry, by learner id in sorted order."""
        rows = self.db.execute(CURRENT_ROW).fetchall()
        return {
            learner: Entry(content_hash, fingerprint, json.loads(data))
            for learner, content_hash, fingerprint, data in sorted(rows)
        }

    @contextmanager
    def _writing(self, learner: str) -> Iterator[None]:
        """One transaction, recorded whole or not at all; a write SQLite refuses (a full disk,
        a folder made read-only, a lock held past the timeout) is a :class:`GradebookError`
        naming the file, and what to do: the results recorded before are kept."""
        try:
            with self.db:
                yield
        except sqlite3.OperationalError as exc:
            raise GradebookError(
                f"{self.path}: could not record {learner!r} ({exc}): make room or fix the "
                "folder, then run the same command again (the results recorded so far are kept "
                "and reused)"
            ) from None

    def make_current(self, learner: str, content_hash: str, fingerprint: str) -> None:
        """Make the stored entry of this exact submission the learner's current one (a run
        reused it: it is what this run's outputs show)."""
        with self._writing(learner):
            self.db.execute(
                MAKE_CURRENT,
                (learner, content_hash, fingerprint),
            )

    def record(self, result: dict[str, Any], fingerprint: str) -> bool:
        """Store a result and its tests atomically, as the learner's current entry; False when
        it was already there (it is made current all the same)."""
        with self._writing(result["learner"]):
            cur = self.db.execute(
                "INSERT OR IGNORE INTO submissions (learner, content_hash, fingerprint, score, max_score,"
                " seconds, graded_at, result_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    result["learner"],
                    result["content_hash"],
                    fingerprint,
                    result["score"],
                    result["max_score"],
                    result["seconds"],
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    json.dumps(result, sort_keys=True),
                ),
            )
            if cur.rowcount == 0:
                self.db.execute(
                    MAKE_CURRENT, (result["learner"], result["content_hash"], fingerprint)
                )
                return False
            self.db.execute(
                "INSERT OR REPLACE INTO current (learner, submission_id) VALUES (?, ?)",
                (result["learner"], cur.lastrowid),
            )
            self.db.executemany(
                "INSERT INTO tests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        cur.lastrowid,
                        f"{o['topic']}.{o['function']}: {o['check']}"
                        + (f" ({o['case']})" if o.get("case") else ""),
                        o["topic"],
                        o["function"],
                        o["points"],
                        o["max_points"],
                        o["status"],
                        o["message"],
                        o["diagnosis"],
                    )
                    for o in result["outcomes"]
                ],
            )
        return True

    def counts(self) -> tuple[int, int]:
        """(submission rows, test rows)."""
        subs = self.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
        tests = self.db.execute("SELECT COUNT(*) FROM tests").fetchone()[0]
        return subs, tests

    def latest(self, select: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Each learner's current result (:meth:`current_entries`), in learner order.

        ``select`` (learner → content hash) keeps only those learners, each at that submission
        (its newest row).
        """
        if select is None:
            return [entry.result for entry in self.current_entries().values()]
        latest: dict[str, dict[str, Any]] = {}
        for learner, content_hash, data in self.db.execute(
            "SELECT learner, content_hash, result_json FROM submissions ORDER BY id"
        ):
            if select.get(learner) == content_hash:
                latest[learner] = json.loads(data)
        return [latest[k] for k in sorted(latest)]
