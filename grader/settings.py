"""What decides a grade besides the submission: one frozen value from the CLI to the plugin.

:class:`GradeSettings` is built once (``gradelab grade``, the Gradescope autograder, a test) and
is the only thing that crosses CLI → executor (a local pool, or a Dask worker through
:meth:`GradeSettings.to_wire`) → engine (:func:`grader.engine.run.run_hidden_tests`) → plugin.
How a run is carried out (where outputs go, how many processes, which cluster) is not a setting:
see :class:`grader.grading.GradeOptions`, which holds one.

Invariant: two runs with equal settings (and equal kits, :mod:`grader.fingerprint`) give every
submission the same grade; ``fingerprint()`` is the kit's part of the key a gradebook entry is
stored under (:mod:`grader.grade_key` adds the sandbox layers and the Python version).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from grader import fingerprint
from grader.engine.memo import ENV as MEMO_ENV
from grader.engine.memo import VALUES as MEMO_VALUES
from grader.engine.process import Limits
from grader.engine.sandbox import SANDBOX_ENV, Sandbox, configured
from grader.topics import check_topics
from reference import TOPICS

HIDDEN_DIR = Path(__file__).resolve().parent / "hidden"
#: the environment settings of the grading host, and the values each may take
ENVIRONMENT: dict[str, tuple[str, ...]] = {
    SANDBOX_ENV: ("auto", "bwrap", "none"),
    "GRADELAB_CGROUPS": ("auto", "none"),
    MEMO_ENV: MEMO_VALUES,
}
#: the budgets a grade needs to be more than 0 (past one, every remaining check fails)
POSITIVE_LIMITS = ("call_timeout", "start_timeout", "test_budget", "submission_budget", "cpus")


class SettingError(ValueError):
    """A setting of the grading host with a value gradelab does not know; the message names it."""


def check_environment(environ: Mapping[str, str] = os.environ) -> None:
    """Refuse a ``GRADELAB_SANDBOX``/``GRADELAB_CGROUPS``/``GRADELAB_MEMO`` typo (``bwarp`` once
    raised a traceback, ``GRADELAB_CGROUPS=bogus`` silently meant ``auto``)."""
    for name, values in ENVIRONMENT.items():
        value = environ.get(name)
        if value is not None and value not in values:
            raise SettingError(f"{name}={value!r}: not one of {', '.join(values)}")


def host_sandbox() -> Sandbox:
    """This host's configured sandbox (:func:`grader.engine.sandbox.configured`), its
    environment checked first; a required bubblewrap that does not work is a
    :class:`SettingError`."""
    check_environment()
    try:
        return configured()
    except RuntimeError as exc:  # GRADELAB_SANDBOX=bwrap where bubblewrap does not work
        raise SettingError(f"{SANDBOX_ENV}=bwrap: {exc}") from None


@dataclass(frozen=True)
class GradeSettings:
    """Everything besides the submission and the kit that decides a grade."""

    topics: tuple[str, ...] = TOPICS
    max_examples: int = 12  # hypothesis examples per property test
    shrink: bool = True  # minimal counterexamples in the feedback; False: same points, faster
    limits: Limits = field(default_factory=Limits)  # per call, test and submission budgets
    hidden_dir: Path = HIDDEN_DIR
    sandbox: Sandbox | None = None  # None: sandbox.configured() where the grading runs

    def __post_init__(self) -> None:
        object.__setattr__(self, "topics", tuple(check_topics(self.topics)))
        object.__setattr__(self, "hidden_dir", Path(self.hidden_dir).resolve())
        if self.max_examples < 1:
            raise ValueError(f"max_examples must be ≥ 1, got {self.max_examples}")
        for name in POSITIVE_LIMITS:
            if not getattr(self.limits, name) > 0:
                raise ValueError(f"limits.{name} must be > 0, got {getattr(self.limits, name)}")

    def chosen_sandbox(self) -> Sandbox:
        """The sandbox the grading uses: the one chosen, else this host's configured one."""
        return self.sandbox if self.sandbox is not None else configured()

    def to_wire(self) -> dict[str, Any]:
        """Plain JSON-able builtins (a Dask task's argument): ``from_wire(to_wire()) == self``.

        The default hidden suite travels as None, so a worker uses the suite of its own kit,
        wherever it is installed (its fingerprint says whether that kit is the same).
        """
        hidden = self.hidden_dir.resolve()
        return {
            "topics": list(self.topics),
            "max_examples": self.max_examples,
            "shrink": self.shrink,
            "limits": asdict(self.limits),
            "hidden_dir": None if hidden == HIDDEN_DIR.resolve() else str(hidden),
            "sandbox": None if self.sandbox is None else asdict(self.sandbox),
        }

    def to_record(self) -> dict[str, Any]:
        """What a stored result keeps of these settings, to say later why it was regraded
        (:mod:`grader.regrade`): the values that decide grades, without the grading machine's
        paths (a custom hidden suite is told apart by the fingerprint, which hashes its files)."""
        return {
            "topics": list(self.topics),
            "max_examples": self.max_examples,
            "shrink": self.shrink,
            "limits": asdict(self.limits),
        }

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> GradeSettings:
        """The settings :meth:`to_wire` sent (unknown keys are an error, not ignored)."""
        data = dict(wire)
        hidden, sandbox = data.pop("hidden_dir", None), data.pop("sandbox", None)
        return cls(
            topics=tuple(data.pop("topics")),
            max_examples=int(data.pop("max_examples")),
            shrink=bool(data.pop("shrink")),
            limits=Limits(**data.pop("limits")),
            hidden_dir=HIDDEN_DIR if hidden is None else Path(hidden),
            sandbox=None if sandbox is None else Sandbox(**sandbox),
            **data,
        )

    def fingerprint(self, root: Path = fingerprint.ROOT) -> str:
        """The key of a grade made with these settings by the kit at ``root`` (this one by
        default): see :mod:`grader.fingerprint`."""
        return fingerprint.fingerprint(self.to_wire(), root)
