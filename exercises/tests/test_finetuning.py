"""Public tests for the finetuning exercises (lesson: lessons/finetuning.md).

Each case calls your function on a fixed input and compares with the expected output frozen from
the reference; a wrong answer is matched against common mistakes to name yours.
"""

import pytest

from ._harness import run_case, topic_params


@pytest.mark.parametrize("case", topic_params("finetuning"))
def test_finetuning(case):
    run_case(case)
