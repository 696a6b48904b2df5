"""Hypothesis strategies shared by every property test: the project's tests and the hidden tests.

They live in the grader package (as minitorch's ``tests/strategies.py`` does for its tests)
because the hidden tests run from an installed gradelab, where ``tests/`` is not importable.
Arrays are drawn as NumPy first and converted where a test needs torch (:func:`tensors`), so the
same strategy feeds the reference tests (torch), the solution tests (NumPy) and the hidden tests.

One module per topic, in the course order (``reference.TOPICS``), on top of :mod:`.common`:

- :mod:`.common`      dtypes, shapes, bounded finite floats and arrays, kinks (also with large
                      magnitudes), ±1000 (also with clusters of close values), seeds, words,
                      and `reusable` (one strategy object per distinct factory call)
- :mod:`.forward`     MLPs, exact perceptron data, separable sets, seeded layers/MLPs/perceptrons
- activations         draws only from :mod:`.common` (kinks, large values, the ±1000 range)
- :mod:`.losses`      probabilities, simplex and one-hot rows, (y_true, y_pred) pairs
- :mod:`.backprop`    sigmoid chains (MLPs from :mod:`.forward`)
- :mod:`.optimizers`  convex quadratics
- :mod:`.training`    regression data
- :mod:`.conv`        convolution and pooling problems
- :mod:`.rnn`         RNN/LSTM inputs, gradient lists
- :mod:`.rag`         chunking texts, exact-cosine vectors, passages, ranked ids
- finetuning          draws only from :mod:`.common` (arrays, batch sizes, words)

Every public name is re-exported here: ``from grader.strategies import conv_cases`` is the way to
import one. Invariant: a strategy's draws for a given seed never change (hidden inputs are drawn
derandomized and replayed, so a draw is part of every grade); a new strategy is a new function.
"""

from __future__ import annotations

from grader.strategies.backprop import chain_cases, seeded_chain_cases
from grader.strategies.common import (
    FLOAT_DTYPES,
    NP_DTYPES,
    batch_dims,
    extreme_arrays,
    float_arrays,
    float_dtypes,
    float_elements,
    reusable,
    seeds,
    shapes,
    stability_arrays,
    tensors,
    wide_kinks,
    with_kinks,
    words,
)
from grader.strategies.conv import conv_cases, pool_cases
from grader.strategies.forward import (
    MLP_ACTIVATIONS,
    dyadic_arrays,
    mlp_cases,
    perceptron_cases,
    seeded_layer_cases,
    seeded_mlp_cases,
    seeded_perceptron_cases,
    separable_data,
)
from grader.strategies.losses import (
    binary_pairs,
    categorical_pairs,
    one_hot_rows,
    probabilities,
    regression_pairs,
    simplex_rows,
)
from grader.strategies.optimizers import quadratic_problems
from grader.strategies.rag import (
    EXACT_DIRECTIONS,
    RAG_VOCABULARY,
    exact_direction_arrays,
    messy_texts,
    passages,
    ranked_ids,
    sentence_texts,
    texts,
)
from grader.strategies.rnn import gradient_lists, rnn_cases
from grader.strategies.training import regression_data

__all__ = [
    "EXACT_DIRECTIONS",
    "FLOAT_DTYPES",
    "MLP_ACTIVATIONS",
    "NP_DTYPES",
    "RAG_VOCABULARY",
    "batch_dims",
    "binary_pairs",
    "categorical_pairs",
    "chain_cases",
    "conv_cases",
    "dyadic_arrays",
    "exact_direction_arrays",
    "extreme_arrays",
    "float_arrays",
    "float_dtypes",
    "float_elements",
    "gradient_lists",
    "messy_texts",
    "mlp_cases",
    "one_hot_rows",
    "passages",
    "perceptron_cases",
    "pool_cases",
    "probabilities",
    "quadratic_problems",
    "ranked_ids",
    "regression_data",
    "regression_pairs",
    "reusable",
    "rnn_cases",
    "seeded_chain_cases",
    "seeded_layer_cases",
    "seeded_mlp_cases",
    "seeded_perceptron_cases",
    "seeds",
    "sentence_texts",
    "separable_data",
    "shapes",
    "simplex_rows",
    "stability_arrays",
    "tensors",
    "texts",
    "wide_kinks",
    "with_kinks",
    "words",
]
