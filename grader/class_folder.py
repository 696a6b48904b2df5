"""The class folder: what ``gradelab grade`` (and similarity, intake) is given, as submissions.

A class folder holds one submission per learner, a folder or a ``.zip`` named after the learner
(:mod:`grader.submissions` reads each). :func:`discover` turns the paths an instructor gives (class
folders, single submission folders or zips) into submissions, in order, and makes every other
entry of a class folder a named problem rather than a silent skip: a lone file (``dave.py``, a
file of Canvas's flat download), a symbolic link (never followed), topic files loose beside the
learners' folders (refused: they would make the class one learner). Tools' folders (``.git``,
``__MACOSX``, caches) are nobody's.
"""

from __future__ import annotations

import re
from pathlib import Path

from grader.layout import SOURCE_SUFFIXES, TOOL_FOLDERS, nothing_gradable
from grader.submissions import (
    Submission,
    SubmissionError,
    common_prefix,
    decoded_name,
    learner_id,
    listed,
    member_rel,
    read_folder,
    read_zip,
    too_many_entries,
    topic_of,
)
from reference import TOPICS


def _has_topics(folder: Path, where: tuple[str, ...] = ("", "exercises")) -> bool:
    """True when ``folder`` (or its ``exercises/``) holds a topic file; a folder named
    ``activations.py`` (a learner's, in a class folder) is none."""
    return any(
        (folder / sub / f"{t}{suffix}").exists() and not (folder / sub / f"{t}{suffix}").is_dir()
        for t in TOPICS
        for sub in where
        for suffix in SOURCE_SUFFIXES
    )


def _zip_has_topics(path: Path) -> bool:
    """True when the zip ``path`` lists a topic file (at its root, under ``exercises/``, or in
    one top folder): a learner's zip, never a data set beside a submission's code."""
    names = listed(path)
    strip = common_prefix(names)
    return any(topic_of(member_rel(n, strip)) for n in names)


def _learners_with_topics(learners: list[Path], but: str = "") -> list[str]:
    """The names of the learner folders and zips (but ``but``) that hold topic files."""
    return [
        p.name
        for p in learners
        if p.name != but and (_has_topics(p) if p.is_dir() else _zip_has_topics(p))
    ]


def discover(paths: list[Path]) -> list[Submission]:
    """Every submission under ``paths``, in the order given (class folders sorted by learner).

    An unreadable submission (a corrupt or oversized zip, a stray file) is still returned, with
    no files and the reason in ``problems``: it scores 0 and its feedback says why. In a class
    folder, a zip is any file whose name ends in ``.zip`` in any case, trailing spaces
    ignored (``bob.ZIP``, ``carol.zip ``: LMS downloads); any other file but a hidden one
    (``.DS_Store``; a hidden folder is a learner's, but for a tool's: ``.git``,
    ``.ipynb_checkpoints``, ``__MACOSX``, ``__pycache__``, :data:`grader.layout.TOOL_FOLDERS`) is
    a submission that could not be read (``dave.py`` handed in alone). A
    folder holding topic files beside several learner folders is refused: the stray files would
    otherwise make the class one learner whose "helpers" are everyone's work (a learner folder
    named ``exercises`` or ``activations.py`` is a learner, not such files). An entry that is a
    symbolic link is never followed: a submission with that problem.
    """
    found: list[Submission] = []
    for path in paths:
        if not path.exists():
            raise SubmissionError(f"{path}: no such file or folder")
        if path.is_file() and not _zip_name(path):  # a typo, never a learner named "notes"
            raise SubmissionError(f"{path}: a file that is not a .zip: give a folder or a .zip")
        if path.is_file():
            found.append(_read_one(path))
            continue
        children = sorted(
            p
            for p in path.iterdir()
            if (p.is_dir() or not p.name.startswith(".")) and p.name not in TOOL_FOLDERS
        )
        learners = [p for p in children if p.is_dir() or _zip_name(p)]
        # topic files only under exercises/, beside two or more learners (folders or zips)
        # holding theirs: a learner named "exercises", not one submission swallowing the class
        named_exercises = not _has_topics(path, ("",)) and (
            len(_learners_with_topics(learners, but="exercises")) >= 2
        )
        if _has_topics(path) and not named_exercises:
            inside = _learners_with_topics(learners)
            if len(inside) >= 2:
                raise SubmissionError(
                    f"{path}: holds topic files of its own beside learner folders "
                    f"({', '.join(inside[:3])}{', ...' if len(inside) > 3 else ''}): move the "
                    "stray files into the folder of the learner they belong to"
                )
            found.append(_read_one(path))
            continue
        if not children:
            raise SubmissionError(f"{path}: no <topic>.py files and no submissions inside")
        for child in children:
            if child.is_symlink():  # may point anywhere: /etc, another learner, another class
                found.append(_linked(child))
            else:
                found.append(_read_one(child) if child in learners else _stray(child))
    return found


def _zip_name(path: Path) -> bool:
    """A file named like a zip: ``.zip`` in any case, trailing spaces ignored."""
    return path.is_file() and path.name.rstrip().lower().endswith(".zip")


#: how Canvas's "Download Submissions" names each learner's file in its flat folder:
#: ``<sortable name>_[LATE_]<user id>_<submission id>_<the file's own name>``
CANVAS_NAME = re.compile(r"(?P<who>[^_]+)_(?:late_)?\d+_\d+_(?P<file>.+)", re.IGNORECASE)


def _stray(path: Path) -> Submission:
    """A file in a class folder that is neither a learner folder nor a zip: a submission that
    could not be read, named after the file, so it is seen (graded 0, with the reason; for a
    file of Canvas's flat download, the folder it belongs in)."""
    name = decoded_name(path.name)
    reason = (
        f"{name} is a single file, not a folder or a .zip: put the learner's files in a folder "
        "named after them"
    )
    canvas = CANVAS_NAME.fullmatch(name)
    if canvas:
        reason += (
            f" (it looks like Canvas's download of {canvas['who']}'s {canvas['file']}: "
            f"{canvas['who']}/{canvas['file']})"
        )
    return Submission(learner_id(path), path, {}, (reason,))


def _linked(path: Path) -> Submission:
    """A learner folder or zip that is a symbolic link: never followed, named."""
    reason = (
        f"{decoded_name(path.name)} is a symbolic link: not followed (nothing outside the class "
        "folder is read); put the learner's files in the class folder itself"
    )
    return Submission(learner_id(path), path, {}, (reason,))


def check_output_outside(out: Path, paths: list[Path], option: str = "--out") -> None:
    """Refuse an output folder inside (or equal to) a folder being read: the next run would read
    the outputs as a learner named after the folder (and with ``--out`` the class folder, results
    land among the learners' folders)."""
    where = out.resolve()
    for path in paths:
        source = path.resolve()
        if source.is_dir() and (where == source or source in where.parents):
            raise SubmissionError(
                f"{option} {out} is inside the submissions folder {path}: it would be graded as "
                f"a learner next time; choose an {option} outside it"
            )


def _read_one(path: Path) -> Submission:
    """One submission; with no topic file, its problems end with what was found instead."""
    sub = _read_one_raw(path)
    if any(topic in sub.files for topic in TOPICS) or too_many_entries(path):
        return sub  # (a zip of too many entries is not listed: its problem says it all)
    note = nothing_gradable(listed(path))
    return Submission(sub.learner, sub.origin, sub.files, (*sub.problems, note))


def _read_one_raw(path: Path) -> Submission:
    try:
        if path.is_file():
            if not _zip_name(path):
                raise SubmissionError(f"{decoded_name(path.name)}: expected a folder or a .zip")
            return read_zip(path)
        return read_folder(path)
    except SubmissionError as exc:
        return Submission(learner_id(path), path, {}, (str(exc),))
    except Exception as exc:  # whatever the learner's files hold: theirs alone
        why = f"{decoded_name(path.name)}: could not be read ({type(exc).__name__}: {exc})"
        return Submission(learner_id(path), path, {}, (why,))


def stray(submission: Submission) -> bool:
    """True for a lone file of a class folder read as a learner (:func:`_stray`): neither a
    folder nor a zip, it has no listing of its own."""
    origin = submission.origin
    return (
        not submission.files
        and not origin.is_symlink()
        and origin.is_file()
        and not _zip_name(origin)
    )
