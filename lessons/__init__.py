"""The course's lessons, one Markdown file per topic, in the course's own words.

They are shipped to learners with the exercises and are the corpus of the RAG demo.
"""

from __future__ import annotations

from pathlib import Path

LESSONS_DIR = Path(__file__).resolve().parent


def lesson_path(topic: str) -> Path:
    """Path of the lesson for ``topic``; raises ``FileNotFoundError`` naming the known topics."""
    path = LESSONS_DIR / f"{topic}.md"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in LESSONS_DIR.glob("*.md")))
        raise FileNotFoundError(f"no lesson for topic {topic!r}; known: {known}")
    return path


def all_lessons() -> dict[str, str]:
    """Every lesson's text keyed by topic, in file-name order."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(LESSONS_DIR.glob("*.md"))}
