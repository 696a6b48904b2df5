"""grader/outputs/gradebook.py: Gradebook.latest reads each learner's latest grade, or exactly
the submissions a run selects, from rows written by Gradebook.record."""

from __future__ import annotations

from grader.outputs.gradebook import Gradebook


def result(learner: str, content_hash: str, points: float) -> dict:
    outcome = {
        "topic": "losses",
        "function": "mse",
        "check": "c0",
        "points": points,
        "max_points": 1.0,
        "status": "passed" if points else "failed",
        "message": "",
        "diagnosis": None,
        "diagnosis_name": None,
        "input": "",
        "visibility": "after_due_date",
    }
    return {
        "learner": learner,
        "content_hash": content_hash,
        "outcomes": [outcome],
        "score": points,
        "max_score": 1.0,
        "seconds": 0.1,
    }


def test_latest_gives_each_learners_newest_grade_in_learner_order(tmp_path):
    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record(result("bob", "h1", 0.0), "fp")
    book.record(result("ann", "h2", 1.0), "fp")
    book.record(result("bob", "h3", 1.0), "fp")  # bob handed in again
    book.record(result("bob", "h1", 0.0), "fp2")  # ... and the kit changed: h1 regraded
    latest = book.latest()
    book.close()
    assert [(r["learner"], r["content_hash"]) for r in latest] == [("ann", "h2"), ("bob", "h1")]


def test_latest_with_a_selection_keeps_those_submissions_only(tmp_path):
    book = Gradebook(tmp_path / "gradebook.sqlite")
    for learner, content_hash in [("bob", "h1"), ("bob", "h3"), ("ann", "h2"), ("cid", "h4")]:
        book.record(result(learner, content_hash, 1.0), "fp")
    picked = book.latest({"bob": "h1", "ann": "h2"})
    book.close()
    assert [(r["learner"], r["content_hash"]) for r in picked] == [("ann", "h2"), ("bob", "h1")]
