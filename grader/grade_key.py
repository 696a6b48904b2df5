"""The key a grade is stored and reused under: what graded it, not only what it graded.

A gradebook entry is reused when a learner's files and this key are unchanged. The kit's
fingerprint (:mod:`grader.fingerprint`: settings, libraries, every file grading reads) says which
grader ran; the environment says where: the sandbox layers that held the learner's code
(bubblewrap, the syscall filter, the unprivileged uid, the cgroup budget) and the Python version
that ran it. Without it, a grade made with fewer layers (a laptop without bubblewrap, a probe that
failed; a submission reading the host's files scored full marks there) was reused once bubblewrap
was back, and a file using new syntax kept the 0 it got under an older Python.

Each result is stored under the key of the environment *it* was graded in (the layers its worker
reports in ``result["sandbox"]``, its Python in ``result["versions"]``): a pool process whose own
bubblewrap probe failed cannot file its grade under the better-sandboxed key the run looks up.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Sequence
from typing import Any

from grader.engine import cgroups
from grader.settings import GradeSettings


def expected_layers(settings: GradeSettings) -> list[str]:
    """The layers a worker of this process grades under: the sandbox's, then the cgroup budget."""
    budget = cgroups.detect().layer
    return [*settings.chosen_sandbox().layers, *([budget] if budget else [])]


def grade_key(fingerprint: str, layers: Sequence[str], python: str) -> str:
    """16 hex digits over the kit's fingerprint, the sandbox layers and the Python version."""
    text = "\0".join([fingerprint, ",".join(sorted(layers)), python])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def expected_key(settings: GradeSettings, fingerprint: str) -> str:
    """The key this run looks grades up under (the environment this process sees)."""
    return grade_key(fingerprint, expected_layers(settings), platform.python_version())


def key_of(result: dict[str, Any], fingerprint: str) -> str:
    """The key ``result`` is stored under: the environment its worker reported."""
    python = str((result.get("versions") or {}).get("python", platform.python_version()))
    return grade_key(fingerprint, [str(x) for x in result.get("sandbox") or []], python)
