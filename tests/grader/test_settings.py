"""GradeSettings: one frozen value, checked when made, that survives its wire form."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from grader.engine.process import Limits
from grader.engine.sandbox import Sandbox
from grader.settings import HIDDEN_DIR, GradeSettings
from reference import TOPICS


def test_the_wire_form_is_plain_json_and_gives_back_the_same_settings(tmp_path: Path):
    for settings in (
        GradeSettings(),
        GradeSettings(
            ("losses", "rnn"),
            5,
            False,
            Limits(call_timeout=2.0),
            hidden_dir=tmp_path,
            sandbox=Sandbox(None, None, False),
        ),
    ):
        wire = json.loads(json.dumps(settings.to_wire()))
        assert GradeSettings.from_wire(wire) == settings


def test_the_default_hidden_suite_travels_as_none_so_a_worker_uses_its_own():
    assert GradeSettings().to_wire()["hidden_dir"] is None
    assert GradeSettings.from_wire(GradeSettings().to_wire()).hidden_dir == HIDDEN_DIR


def test_unknown_topics_and_unknown_wire_keys_are_refused():
    with pytest.raises(ValueError, match="unknown topic\\(s\\): nope; known: forward"):
        GradeSettings(("nope",))
    with pytest.raises(TypeError):
        GradeSettings.from_wire({**GradeSettings().to_wire(), "colour": "red"})


def test_settings_are_frozen_and_default_to_every_topic():
    settings = GradeSettings()
    assert settings.topics == TOPICS
    with pytest.raises(FrozenInstanceError):
        settings.max_examples = 3  # type: ignore[misc]


@pytest.mark.parametrize("name", ["test_budget", "submission_budget", "call_timeout"])
@pytest.mark.parametrize("value", [0.0, -1.0])
def test_a_budget_of_zero_or_less_is_refused(name, value):
    """Past a budget every remaining check fails: a class graded with one recorded 0 for all."""
    with pytest.raises(ValueError, match=rf"limits\.{name} must be > 0"):
        GradeSettings(limits=Limits(**{name: value}))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GRADELAB_SANDBOX", "bwarp"),
        ("GRADELAB_SANDBOX", ""),
        ("GRADELAB_CGROUPS", "bogus"),
        ("GRADELAB_MEMO", "ON"),
    ],
)
def test_a_typo_in_an_environment_setting_is_refused_by_name(name, value):
    from grader.settings import SettingError, check_environment

    with pytest.raises(SettingError, match=f"{name}='{value}': not one of (auto|on)"):
        check_environment({name: value})
    known = {"GRADELAB_SANDBOX": "none", "GRADELAB_CGROUPS": "auto", "GRADELAB_MEMO": "off"}
    check_environment(known)
