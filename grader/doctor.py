"""What this machine's sandbox lacks: one short line each for ``grade``, the detail for
``gradelab doctor``.

``grade`` prints :func:`short_lines` once per run (a line per missing layer and a pointer
here); ``gradelab doctor`` prints :func:`details`, the full explanation and the fix.
"""

from __future__ import annotations

from grader.engine.cgroups import CgroupSupport
from grader.engine.sandbox import Sandbox

POINTER = "run `gradelab doctor` for what this means and how to fix it"


def gaps(sandbox: Sandbox, budget: CgroupSupport) -> list[tuple[str, str]]:
    """(short name, full explanation) of every missing sandbox layer, in DESIGN.md §2 order."""
    found = []
    if not sandbox.syscall_filter or not sandbox.bwrap:
        detail = sandbox.warning or ""
        if not sandbox.bwrap:
            found.append(("no bubblewrap: learner code can read this user's files", detail))
        else:
            found.append(("no seccomp syscall filter", detail))
    if budget.warning:
        found.append((budget.warning.split(" (", 1)[0], budget.warning))
    return found


def short_lines(sandbox: Sandbox, budget: CgroupSupport) -> list[str]:
    """The warnings ``grade`` prints once: one short line per gap, then :data:`POINTER`."""
    names = [short for short, _ in gaps(sandbox, budget)]
    return [f"WARNING: {'; '.join(names)} ({POINTER})"] if names else []


def details(sandbox: Sandbox, budget: CgroupSupport) -> list[str]:
    """Everything ``gradelab doctor`` says: active layers, then each gap explained."""
    lines = [f"sandbox layers: {', '.join([*sandbox.layers, budget.layer or 'no-cgroups'])}"]
    lines += [  # a detail that starts with its short name is not prefixed with it again
        f"- {detail}" if detail.startswith(short) else f"- {short}: {detail}"
        for short, detail in gaps(sandbox, budget)
    ]
    if len(lines) == 1:
        lines.append("every sandbox layer is active")
    return lines
