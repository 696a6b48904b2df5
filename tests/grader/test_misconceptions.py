"""grader/misconceptions/: the catalogue of known-wrong variants, checked once for every topic.

Every variant must be a drop-in for the learner function it imitates (same parameters and
defaults), have a name and a hint, run on the public inputs of its function, and really be wrong:
it differs from the model answer on at least one public case. (That the hidden tests catch and
name every variant is pinned by tests/grader/test_hidden_suite.py; that the public tests name the
ones they can, by tests/grader/test_public_tests.py.)
"""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pytest

from exercises.tests._harness import compare, load_cases
from grader.misconceptions import Mistake, catalogue
from reference import TOPICS

MISTAKES: list[Mistake] = [m for t in TOPICS for ms in catalogue(t).values() for m in ms]

#: The mistakes the grader issue names, by catalogue key.
REQUIRED = {
    "Adam without bias correction": "optimizers.adam_step/adam_no_bias_correction",
    "σ′ written as σ(1+σ)": "activations.sigmoid_grad/sigmoid_grad_one_plus",
    "σ′ written as σ": "activations.sigmoid_grad/sigmoid_grad_as_sigmoid",
    "missing 1/N": "losses.mse_grad/mse_grad_without_mean",
    "sum for mean": "losses.mse/mse_sum_for_mean",
    "MAE gradient without sign": "losses.mae_grad/mae_grad_without_sign",
    "Huber branches swapped": "losses.huber/huber_branches_swapped",
    "padding formula without +1": "conv.conv_output_size/conv_output_size_without_plus_one",
    "conv as true convolution": "conv.conv2d/conv2d_flipped_kernel",
    "max-pool with stride 1": "conv.max_pool2d/max_pool2d_stride_one",
    "softmax without max-subtraction": "activations.softmax/softmax_without_max_subtraction",
    "LSTM gate blocks in the wrong order": "rnn.lstm_gates/lstm_gates_order_ifog",
    "tanh for the output gate": "rnn.lstm_cell/lstm_cell_output_tanh",
    "EWA starting from 0": "optimizers.ewa/ewa_starting_from_zero",
    "inverted dropout without rescaling": "training.dropout/dropout_without_rescaling",
    "chunk overlap off by one": "rag.chunk_text/chunk_text_overlap_off_by_one",
    "cosine without normalisation": "rag.cosine_similarity/cosine_similarity_dot_product",
}


def answer(mistake: Mistake) -> object:
    return getattr(importlib.import_module(f"solutions.{mistake.topic}"), mistake.function)


def test_the_catalogue_is_large_and_covers_every_topic_and_the_issue_list():
    assert len(MISTAKES) >= 40
    assert {m.topic for m in MISTAKES} == set(TOPICS)
    keys = {m.key for m in MISTAKES}
    missing = {name: key for name, key in REQUIRED.items() if key not in keys}
    assert not missing


def test_names_are_unique_per_function_and_hints_are_sentences():
    for target, entries in catalogue().items():
        names = [m.name for m in entries]
        assert len(names) == len(set(names)), target
        for m in entries:
            assert len(m.hint) >= 30 and m.hint.rstrip().endswith((".", ")", "!")), m.key


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.key)
def test_a_variant_is_a_drop_in_for_the_learner_function(mistake: Mistake):
    target = answer(mistake)
    if not callable(target):  # a module-level value: the variant is a function of no arguments
        assert not inspect.signature(mistake.impl).parameters
        return
    ours, theirs = inspect.signature(mistake.impl), inspect.signature(target)
    assert [(p.name, p.default) for p in ours.parameters.values()] == [
        (p.name, p.default) for p in theirs.parameters.values()
    ]


def _call(fn: object, case) -> object:
    args, kwargs = case.inputs()
    with np.errstate(all="ignore"):
        return fn(*args, **kwargs) if callable(fn) else fn


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.key)
def test_a_variant_runs_on_the_public_inputs_and_is_really_wrong(mistake: Mistake):
    cases = [c for c in load_cases(mistake.topic) if c.function == mistake.function]
    assert cases, f"no public case for {mistake.target}"
    differs = False
    ran = 0
    for case in cases:
        try:
            wrong = _call(mistake.impl, case)
        except Exception:
            continue
        ran += 1
        right = _call(answer(mistake), case)  # same seeds: random variants draw as the answer does
        differs |= compare(wrong, right, 1e-9, 1e-12) is not None
    assert ran, f"{mistake.key} crashes on every public input of {mistake.target}"
    assert differs, f"{mistake.key} equals the model answer on every public case"
