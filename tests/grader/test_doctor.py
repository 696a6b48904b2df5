"""grader.doctor: the sandbox's gaps as one short line for grade, explained by gradelab doctor."""

from __future__ import annotations

from grader.doctor import POINTER, details, short_lines
from grader.engine.cgroups import CgroupSupport
from grader.engine.sandbox import Sandbox


def test_missing_layers_are_one_short_line_pointing_at_doctor():
    sandbox, budget = Sandbox(bwrap=None, syscall_filter=True), CgroupSupport(problem="none here")
    lines = short_lines(sandbox, budget)
    assert len(lines) == 1 and POINTER in lines[0] and len(lines[0]) < 220
    assert "no bubblewrap" in lines[0] and "no cgroup budget" in lines[0]
    explained = "\n".join(details(sandbox, budget))
    assert "apt-get install bubblewrap" in explained and "systemd-run" in explained


def test_a_complete_sandbox_prints_no_warning():
    budget = CgroupSupport(version=2, parents=(("memory", "/x"), ("pids", "/x"), ("cpu", "/x")))
    sandbox = Sandbox(bwrap="/usr/bin/bwrap", syscall_filter=True)
    assert short_lines(sandbox, budget) == []
    assert details(sandbox, budget)[-1] == "every sandbox layer is active"


def test_a_detail_that_starts_with_its_short_name_does_not_say_it_twice():
    budget = CgroupSupport(problem="none here")
    lines = details(Sandbox(bwrap="/usr/bin/bwrap", syscall_filter=True), budget)
    assert not any(line.count("no cgroup budget per submission") > 1 for line in lines)


def test_doctor_exits_1_when_a_layer_is_missing_and_0_when_none_is(monkeypatch):
    """A script (or CI) checking the grading host reads the answer from the exit status."""
    from typer.testing import CliRunner

    import grader.engine.cgroups
    import grader.settings
    from grader.cli import app

    complete = CgroupSupport(version=2, parents=(("memory", "/x"), ("pids", "/x"), ("cpu", "/x")))
    monkeypatch.setattr(grader.engine.cgroups, "detect", lambda: complete)
    monkeypatch.setattr(grader.settings, "configured", lambda: Sandbox(bwrap=None))
    missing = CliRunner().invoke(app, ["doctor"])
    assert missing.exit_code == 1 and "no bubblewrap" in missing.output
    full = Sandbox(bwrap="/usr/bin/bwrap", syscall_filter=True)
    monkeypatch.setattr(grader.settings, "configured", lambda: full)
    assert CliRunner().invoke(app, ["doctor"]).exit_code == 0
