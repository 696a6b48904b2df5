"""grader/autograder/package.py and config.py, and `gradelab gradescope`: the zip holds
setup.sh and run_autograder (executable), the settings and an installable source tree with the
hidden tests but no solutions; it is deterministic; bad visibility options are refused."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import pytest
from typer.testing import CliRunner

from grader.autograder.config import (
    CONFIG_NAME,
    AutograderConfig,
    ConfigError,
    visibility_map,
)
from grader.autograder.package import autograder_zip
from grader.cli import app

CONFIG = AutograderConfig(("activations", "losses"), {"*": "hidden", "losses": "visible"}, 5, False)


@pytest.fixture(scope="module")
def archive() -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(autograder_zip(CONFIG)))


def test_the_zip_has_the_scripts_the_settings_and_the_project(archive):
    names = archive.namelist()
    assert names[:3] == ["setup.sh", "run_autograder", CONFIG_NAME]
    for script in ("setup.sh", "run_autograder"):
        assert archive.getinfo(script).external_attr >> 16 == 0o100755
        assert archive.read(script).startswith(b"#!/usr/bin/env bash\n")
    assert AutograderConfig.from_json(archive.read(CONFIG_NAME).decode()) == CONFIG
    for needed in ("pyproject.toml", "requirements.lock", "grader/hidden/test_losses.py"):
        assert f"gradelab/{needed}" in names
    assert "gradelab/reference/__init__.py" in names


def test_the_zip_never_ships_solutions_or_caches(archive):
    names = archive.namelist()
    assert not [n for n in names if "solutions/" in n or "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith("gradelab/tests/")]


def test_the_zip_is_deterministic():
    assert autograder_zip(CONFIG) == autograder_zip(CONFIG)


def test_the_shipped_tree_builds_a_wheel_with_the_hidden_tests(archive, tmp_path):
    archive.extractall(tmp_path / "source")
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    done = subprocess.run(
        [*build, str(tmp_path / "source" / "gradelab"), "-w", str(tmp_path / "wheel")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = (tmp_path / "wheel").glob("gradelab-*.whl")
    assert "grader/hidden/test_losses.py" in zipfile.ZipFile(wheel).namelist()


def test_visibility_options_become_a_map():
    topics = ("activations", "losses")
    assert visibility_map("visible", [" losses = hidden "], topics) == {
        "*": "visible",
        "losses": "hidden",
    }


@pytest.mark.parametrize(
    ("default", "per_topic", "says"),
    [
        ("later", [], "visibility 'later' for *"),
        ("visible", ["losses"], "write TOPIC=VALUE"),
        ("visible", ["losses=soon"], "visibility 'soon' for losses"),
        ("visible", ["conv=visible"], "'conv', which is not a graded topic"),
    ],
)
def test_bad_visibility_options_are_refused(default, per_topic, says):
    with pytest.raises(ConfigError) as caught:
        visibility_map(default, per_topic, ("activations", "losses"))
    assert says in str(caught.value)


def test_the_command_writes_the_zip_or_says_what_is_wrong(tmp_path):
    out = tmp_path / "autograder.zip"
    args = ["gradescope", "--out", str(out), "--topic", "losses", "--visibility", "visible"]
    done = CliRunner().invoke(app, [*args, "--topic-visibility", "losses=after_due_date"])
    assert done.exit_code == 0, done.output
    settings = json.loads(zipfile.ZipFile(out).read(CONFIG_NAME))
    assert settings["topics"] == ["losses"]
    assert settings["visibility"] == {"*": "visible", "losses": "after_due_date"}
    done = CliRunner().invoke(app, [*args, "--topic-visibility", "losses=sometime"])
    assert done.exit_code == 2
    assert "visibility 'sometime' for losses" in done.output
