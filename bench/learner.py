"""The learner loop: ``gradelab check <topic>`` as a learner runs it, a fresh process per check
(interpreter start, imports, the topic's public cases). Target: ≤ 1 s per topic."""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from bench.report import ROOT, Row, spread, timed
from reference import TOPICS

SECTION = "learner loop"


def rows(args: argparse.Namespace) -> list[Row]:
    env = {**os.environ, "GRADELAB_TARGET": "exercises"}
    out = []
    for topic in TOPICS[:2] if args.quick else TOPICS:
        cmd = [sys.executable, "-m", "exercises.tests._runner", "check", topic]
        # the stubs fail their checks (exit 1), as a learner's work in progress does
        values = [timed(cmd, env=env, cwd=ROOT, ok=(0, 1)) for _ in range(args.repeat)]
        median = statistics.median(values)
        out.append(Row(SECTION, f"`gradelab check {topic}`", spread(values), "≤ 1 s", median <= 1))
    return out
