"""Test-suite configuration: hypothesis profiles and the shared device fixture.

Hypothesis runs derandomized with no example database, so a run is reproducible and the suite
never depends on what an earlier run found. ``HYPOTHESIS_PROFILE=thorough`` draws more examples.
For the same reason grading keeps no recordings on disk here (``GRADELAB_REPLAY_CACHE=off``, for
the subprocesses too): each test grades as a fresh process with an empty store would, and
``tests/grader/engine/test_recordings.py`` gives its tests a store of their own.
"""

from __future__ import annotations

import os

import pytest
import torch
from hypothesis import HealthCheck, settings

os.environ["GRADELAB_REPLAY_CACHE"] = "off"

settings.register_profile(
    "default",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=40,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=400)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def _devices() -> list[str]:
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(params=_devices())
def device(request: pytest.FixtureRequest) -> str:
    """Every device this machine has: cpu, and cuda when a GPU is present."""
    return request.param
