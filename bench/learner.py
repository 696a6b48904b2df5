"""The learner loop: ``gradelab check <topic>`` as a learner runs it, a fresh process per check
(interpreter start, imports, the topic's public cases). Targets: ≤ 1 s per topic, and ≤ 3 s for
a topic whose function prints 200,000 lines in each of its 4 cases (the output is cut short and
counted, so it never slows the check)."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.report import ROOT, Row, spread, timed
from reference import TOPICS

SECTION = "learner loop"


def rows(args: argparse.Namespace) -> list[Row]:
    env = {**os.environ, "GRADELAB_TARGET": "exercises"}
    out = []
    for topic in TOPICS[:2] if args.quick else TOPICS:
        cmd = [sys.executable, "-m", "exercises.tests._cli", "check", topic]
        # the stubs fail their checks (exit 1), as a learner's work in progress does
        values = [timed(cmd, env=env, cwd=ROOT, ok=(0, 1)) for _ in range(args.repeat)]
        median = statistics.median(values)
        out.append(Row(SECTION, f"`gradelab check {topic}`", spread(values), "≤ 1 s", median <= 1))
    if not args.quick:  # --quick: the first two topics only
        out.append(_print_flood(args))
    return out


def _print_flood(args: argparse.Namespace) -> Row:
    """``gradelab check losses`` where ``mse`` prints 200,000 lines and returns a wrong answer."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for topic in TOPICS:
            shutil.copyfile(ROOT / "solutions" / f"{topic}.py", folder / f"{topic}.py")
        source = (folder / "losses.py").read_text()
        start = source.index("def mse(")
        doc = source.index('"""', source.index('"""', start) + 3) + 3
        flood = "\n    for k in range(200_000):\n        print('line', k)\n    return 0.0\n"
        (folder / "losses.py").write_text(source[:doc] + flood + source[doc:])
        cmd = [sys.executable, "-m", "exercises.tests._cli", "check", "losses", "--path", tmp]
        values = [timed(cmd, cwd=ROOT, ok=(1,)) for _ in range(args.repeat)]
    median = statistics.median(values)
    name = "`gradelab check losses`, mse prints 200,000 lines per case (4 cases)"
    return Row(SECTION, name, spread(values), "≤ 3 s", median <= 3)
