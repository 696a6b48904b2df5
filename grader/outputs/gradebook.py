"""The gradebook: one SQLite file, one row per graded submission and one per test.

A submission is keyed by (learner, content hash, grader fingerprint): an unchanged submission is
never graded twice, and a submission's rows are written in one transaction, so a run killed midway
leaves each submission either fully recorded or absent — never half, never twice.
"""

from __future__ import annotations

import json
import sqlite3
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
"""


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
        """Open (or create) the gradebook; ``read_only`` opens an existing one and writes nothing
        (no file, no journal mode change: ``gradelab grade --dry-run``)."""
        self.path = path
        if read_only:
            self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def lookup(self, learner: str, content_hash: str, fingerprint: str) -> dict[str, Any] | None:
        """The stored result of this exact submission under this grader, if any."""
        row = self.db.execute(
            "SELECT result_json FROM submissions WHERE learner=? AND content_hash=? AND fingerprint=?",
            (learner, content_hash, fingerprint),
        ).fetchone()
        return json.loads(row[0]) if row else None

    def latest_entry(self, learner: str) -> Entry | None:
        """The learner's most recently recorded entry, under any submission and fingerprint."""
        row = self.db.execute(
            "SELECT content_hash, fingerprint, result_json FROM submissions WHERE learner=?"
            " ORDER BY id DESC LIMIT 1",
            (learner,),
        ).fetchone()
        return None if row is None else Entry(row[0], row[1], json.loads(row[2]))

    def record(self, result: dict[str, Any], fingerprint: str) -> bool:
        """Store a result and its tests atomically; False when it was already there."""
        with self.db:
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
                return False
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
        """Each learner's most recently recorded result, in learner order.

        ``select`` (learner → content hash) keeps only those learners, each at that submission:
        the class a run has just graded, however many older grades the gradebook also holds.
        """
        latest: dict[str, dict[str, Any]] = {}
        for learner, content_hash, data in self.db.execute(
            "SELECT learner, content_hash, result_json FROM submissions ORDER BY id"
        ):
            if select is None or select.get(learner) == content_hash:
                latest[learner] = json.loads(data)
        return [latest[k] for k in sorted(latest)]
