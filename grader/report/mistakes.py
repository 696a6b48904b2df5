"""The class's common mistakes: catalogued ones by name, the others by what failed.

A failed check whose output matched a catalogued misconception carries its key
(``TestOutcome.diagnosis``); a learner counts once per mistake however many checks it failed.

A failure no catalogue entry explains is grouped by its *signature*: the function, and for each
check of that function the learner failed, the check and the kind of wrong value (wrong shape,
wrong values, raised ``ValueError``, timed out…, read from the failure message). Learners with
the same signature most likely made the same mistake. A function a learner got a named
diagnosis on is not also counted as unnamed (its other failing checks are the same mistake), and
"not implemented" or a topic file not handed in is no wrong answer, so neither appears. A topic
file that does not import fails every test of the topic for one reason: it is one entry per
topic and error type (function ``*``), not one per function.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from grader.results import SubmissionResult, TestOutcome

WRONG = ("failed", "fault")  # statuses that are wrong answers (not: not_implemented, error)

#: (pattern on the failure message, kind of wrong value); the first that matches wins
KINDS: tuple[tuple[str, str], ...] = (
    (r" raised (\w+)", r"raises \1"),
    (r"has shape .*, expected", "wrong shape"),
    (r"should be a numeric array, got dtype", "wrong dtype"),
    (r"should be an? (array|\w+ of|dict)|should have \d+ items", "wrong type"),
    (r"= (nan|inf|-inf), expected", "NaN or inf values"),
    (r"= .*, expected .*entries differ", "wrong values"),
    (r"differs from the expected text", "wrong text"),
    (r"should be .*, got", "wrong value"),
    (r"^not found|no (function|file|module)|missing", "missing"),
)


def kind_of(outcome: TestOutcome) -> str:
    """What kind of wrong answer a failed outcome is, from its status and message."""
    if outcome.status == "fault":
        reason = outcome.message.split(": ", 2)
        return f"stopped: {reason[1]}" if len(reason) > 1 else "stopped"
    for pattern, kind in KINDS:
        found = re.search(pattern, outcome.message)
        if found:
            return found.expand(kind)
    return "property violated"


def topic_failure(outcome: TestOutcome) -> str | None:
    """ "missing" when the topic file was not handed in, "<topic>.py cannot be imported: <error
    type>" when it does not import (every test of the topic then fails alike), else None."""
    if outcome.message.startswith(f"no {outcome.topic}.py in the submission"):
        return "missing"
    found = re.match(
        rf"{re.escape(outcome.topic)}\.py cannot be imported.*?: (\w+): ", outcome.message
    )
    return f"{outcome.topic}.py cannot be imported: {found.group(1)}" if found else None


@dataclass
class Mistake:
    """A mistake and the learners who made it."""

    key: str  # the catalogue key, or the unnamed signature
    name: str  # what the instructor reads
    topic: str
    function: str
    named: bool
    learners: list[str] = field(default_factory=list)
    example_call: str = ""  # one minimal failing call
    example_message: str = ""

    @property
    def count(self) -> int:
        return len(self.learners)


def _add(mistake: Mistake, learner: str) -> bool:
    """List ``learner`` under ``mistake`` unless already there; True when added.

    Learners are visited one whole result at a time, so a learner already listed is the last
    one: one comparison, where a search of the list made the report quadratic in the class
    (50 s for 10,000 learners)."""
    if mistake.learners and mistake.learners[-1] == learner:
        return False
    mistake.learners.append(learner)
    return True


def _first_example(mistake: Mistake, outcome: TestOutcome) -> None:
    if not mistake.example_call and outcome.input:
        mistake.example_call, mistake.example_message = outcome.input, outcome.message
    elif not mistake.example_message:
        mistake.example_message = outcome.message


def find_mistakes(results: list[SubmissionResult]) -> tuple[list[Mistake], list[Mistake]]:
    """(named mistakes, unnamed signatures), each most common first (ties by key)."""
    named: dict[str, Mistake] = {}
    unnamed: dict[str, Mistake] = {}
    for r in sorted(results, key=lambda r: r.learner):
        wrong: dict[tuple[str, str], list[TestOutcome]] = defaultdict(list)
        for o in r.outcomes:
            whole_topic = topic_failure(o)
            if whole_topic == "missing" or o.status not in WRONG:
                continue
            if whole_topic:  # one entry for the topic, not one per function
                key = f"{o.topic}: {whole_topic}"
                m = unnamed.setdefault(key, Mistake(key, whole_topic, o.topic, "*", False))
                if _add(m, r.learner):
                    _first_example(m, o)
                continue
            wrong[(o.topic, o.function)].append(o)
        for (topic, function), outcomes in wrong.items():
            diagnosed = [o for o in outcomes if o.diagnosis]
            if diagnosed:
                for o in diagnosed:
                    m = named.setdefault(
                        o.diagnosis,
                        Mistake(
                            o.diagnosis, o.diagnosis_name or o.diagnosis, topic, function, True
                        ),
                    )
                    if _add(m, r.learner):
                        _first_example(m, o)
                continue
            parts = sorted({f"{o.check} ({kind_of(o)})" for o in outcomes})
            key = f"{topic}.{function}: " + "; ".join(parts)
            m = unnamed.setdefault(key, Mistake(key, "; ".join(parts), topic, function, False))
            _add(m, r.learner)
            for o in outcomes:
                _first_example(m, o)
    order = lambda m: (-m.count, m.key)  # noqa: E731
    return sorted(named.values(), key=order), sorted(unnamed.values(), key=order)


def most_common(named: list[Mistake], unnamed: list[Mistake], n: int = 5) -> list[Mistake]:
    """The ``n`` mistakes most learners made, named or not."""
    return sorted([*named, *unnamed], key=lambda m: (-m.count, not m.named, m.key))[:n]
