"""The progress channel: events of the child's pid only, one per line, whole or not at all;
a child's pipe moves to a high descriptor the learner's ``dup2`` over 0-63 leaves alone."""

from __future__ import annotations

import json
import os

from exercises.tests._progress import HIGH_FD, Events, Reporter


def test_events_of_other_processes_and_partial_lines_are_not_taken():
    events = Events(pid=10)
    mine = json.dumps({"e": "start", "pid": 10}).encode()
    forked = json.dumps({"e": "result", "pid": 11}).encode()
    got = list(events.feed(forked + b"\n" + mine[:5]))
    assert got == []
    got = list(events.feed(mine[5:] + b"\nnot json\n"))
    assert got == [{"e": "start", "pid": 10}]


def test_the_reporter_writes_on_a_high_descriptor_that_the_reader_parses():
    read, write = os.pipe()
    reporter = Reporter(write)
    try:
        assert reporter.fd >= HIGH_FD
        reporter.send({"e": "done", "code": 0})
        got = list(Events(os.getpid()).feed(os.read(read, 4096)))
        assert got == [{"e": "done", "code": 0, "pid": os.getpid()}]
    finally:
        os.close(reporter.fd)
        os.close(read)
