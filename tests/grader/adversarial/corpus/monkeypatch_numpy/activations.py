"""Attack: monkeypatch NumPy's comparisons inside the worker so that any answer "matches".

A grader that compares in the learner's process (np.allclose, np.testing.assert_allclose, ...)
would accept the wrong sigmoid below. gradelab compares in the trusted process, so the patches
only change the worker's own copy of NumPy.
"""

import numpy as np
import numpy.testing


def _always(*args, **kwargs):
    return True


def _never_fails(*args, **kwargs):
    return None


np.allclose = _always
np.array_equal = _always
np.array_equiv = _always
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
numpy.testing.assert_allclose = _never_fails
numpy.testing.assert_array_equal = _never_fails
numpy.testing.assert_array_almost_equal = _never_fails
numpy.testing.assert_equal = _never_fails


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    return np.zeros_like(x)  # wrong: only the patched comparisons would call it right


def tanh(x):
    return np.tanh(x)


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x)
