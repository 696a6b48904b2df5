"""Submission intake: what each learner handed in, checked against the roster before grading.

For every submission the instructor learns, before any points are given:

- ``no-code``: nothing gradable (an empty folder, or only files such as ``notes.txt``);
- ``misplaced``: a file that would have been graded under another path, with that path
  (``sub/activations.py`` → ``activations.py``, ``Activations.py`` → ``activations.py``,
  ``activation.ipynb`` → ``activations.ipynb``: a name within :data:`NEAR` of a topic name);
- ``unknown``: a file that is neither a topic, a helper module, nor near a topic name;
- ``not-in-roster`` / ``no-submission``: the class folder and the roster disagree.

Every learner-controlled name here is data: it is shown through the escaping helpers only.
"""

from __future__ import annotations

import csv
import difflib
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.submissions import SOURCE_SUFFIXES, Submission, _helper_of
from reference import TOPICS

NEAR = 0.8  # difflib ratio from which a file name is taken for a misspelt topic name
MAX_LISTED = 200  # names looked at per submission (a zip of 10,000 files is listed in part)
COLUMNS = ("learner", "status", "file", "would_work_as")


@dataclass(frozen=True)
class Finding:
    """One line of ``submissions.csv``: a learner, what is wrong, and the fix when there is one."""

    learner: str
    status: str  # no-code | misplaced | unknown | not-in-roster | no-submission
    file: str = ""
    would_work_as: str = ""


def listed_names(origin: Path) -> list[str]:
    """The relative POSIX names of the files in a submission folder or zip (at most MAX_LISTED)."""
    names: list[str] = []
    try:
        if origin.is_file() and zipfile.is_zipfile(origin):
            with zipfile.ZipFile(origin) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/")]
        elif origin.is_dir():
            for path in sorted(origin.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    names.append(path.relative_to(origin).as_posix())
                if len(names) >= MAX_LISTED:
                    break
    except (OSError, zipfile.BadZipFile):
        return names
    return [n for n in names[:MAX_LISTED] if "__MACOSX" not in n and "__pycache__" not in n]


def in_place(name: str) -> bool:
    """True for a topic file where grading looks: the root or ``exercises/``."""
    path = PurePosixPath(name)
    return (
        path.suffix in SOURCE_SUFFIXES
        and path.stem in TOPICS
        and path.parts[:-1] in ((), ("exercises",))
    )


def would_work_as(name: str) -> str | None:
    """The path under which ``name`` would have been graded, or None when none is near.

    Same suffix (``.py``/``.ipynb``), file name = a topic name ignoring case, or a name whose
    difflib ratio to a topic is at least :data:`NEAR`; the suggested path is at the root.
    """
    path = PurePosixPath(name)
    suffix = path.suffix.lower()
    if suffix not in SOURCE_SUFFIXES:
        return None
    stem = path.stem.lower()
    topics = {t.lower(): t for t in TOPICS}
    match = topics.get(stem) or next(
        (topics[m] for m in difflib.get_close_matches(stem, list(topics), n=1, cutoff=NEAR)), None
    )
    return f"{match}{suffix}" if match else None


def survey(submission: Submission) -> list[Finding]:
    """What is wrong with one submission's files (empty when everything is in place)."""
    names = listed_names(submission.origin)
    if submission.origin.is_file() and names:
        prefix = PurePosixPath(names[0]).parts[0]
        if all(PurePosixPath(n).parts[0] == prefix and "/" in n for n in names):
            names = [n.split("/", 1)[1] for n in names]  # a zip of one folder
    findings: list[Finding] = []
    for name in names:
        if in_place(name):
            continue
        target = would_work_as(name)
        if target is None and _helper_of(name) is not None:
            continue  # the learner's own module, carried beside the topic files
        status = "misplaced" if target else "unknown"
        findings.append(Finding(submission.learner, status, name, target or ""))
    if not any(topic in submission.files for topic in TOPICS):
        findings.insert(0, Finding(submission.learner, "no-code", ", ".join(names[:10])))
    return findings


def nothing_gradable(names: list[str]) -> str:
    """The one feedback paragraph for a submission with no topic file in it."""
    if not names:
        found = "The submission is empty: no files were found."
    else:
        shown = ", ".join(f"`{n}`" for n in names[:10])
        more = f" and {len(names) - 10} more" if len(names) > 10 else ""
        found = f"The submission holds {shown}{more}, but no topic file."
    hints = sorted({f"`{n}` → `{t}`" for n in names if (t := would_work_as(n))})
    fix = f" Renamed or moved, these would be graded: {', '.join(hints)}." if hints else ""
    return (
        f"{found}{fix} Nothing could be graded. Hand in `<topic>.py` files (for example "
        f"`{TOPICS[0]}.py`) at the top of the folder or zip, or under `exercises/`."
    )


def check_class(submissions: Iterable[Submission], roster: Iterable[str] | None) -> list[Finding]:
    """Every finding for the class, then the roster comparison (when a roster is given)."""
    subs = list(submissions)
    findings = [f for s in subs for f in survey(s)]
    if roster is not None:
        expected, present = list(roster), {s.learner for s in subs}
        findings += [Finding(s.learner, "not-in-roster") for s in subs if s.learner not in expected]
        findings += [Finding(m, "no-submission") for m in expected if m not in present]
    return findings


def to_csv(findings: list[Finding]) -> str:
    """``submissions.csv``: one row per finding (ids and names escaped against formulas)."""
    from grader.outputs.escape import csv_cell

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in findings:
        writer.writerow([csv_cell(v) for v in (f.learner, f.status, f.file, f.would_work_as)])
    return buf.getvalue()


def console_lines(findings: list[Finding], csv_path: Path) -> list[str]:
    """What ``grade`` prints before grading: one line per learner with findings, then where
    the full list is (each learner's files beyond the first three are counted, not listed)."""
    lines = []
    by_learner: dict[str, list[Finding]] = {}
    for f in findings:
        by_learner.setdefault(f.learner, []).append(f)
    for learner, own in by_learner.items():
        parts = []
        for f in own[:3]:
            if f.status == "no-code":
                parts.append(f"no gradable code (found: {f.file or 'nothing'})")
            elif f.status == "misplaced":
                parts.append(f"{f.file} would be graded as {f.would_work_as}")
            elif f.status == "unknown":
                parts.append(f"unknown file {f.file}")
            else:
                parts.append(
                    {"not-in-roster": "not in the roster", "no-submission": "no submission"}[
                        f.status
                    ]
                )
        more = f" (+{len(own) - 3} more)" if len(own) > 3 else ""
        lines.append(f"{learner}: {'; '.join(parts)}{more}")
    if lines:
        lines.append(f"{len(by_learner)} learner(s) with submission problems: see {csv_path}")
    return lines
