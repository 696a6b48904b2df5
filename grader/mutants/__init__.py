"""Mutation testing of the hidden suites: does every small change to a model answer lose points?

``python -m grader.mutants`` (``make mutants``) takes each curriculum function of
``solutions/<topic>.py``, makes every single-point mutant of it the operators in
:mod:`.operators` know (an operator swapped, a constant moved, an axis changed, a comparison
loosened, a transpose dropped, ...), grades each one exactly as a learner handing it in would be
graded (the model answers with that one function replaced, only that function's tests), and
writes a report: how many each function's tests caught, and every mutant that kept full marks.

A surviving mutant is either a hole in the hidden suite (a wrong function that earns its points:
add the input that tells it apart, as ``DEFAULT_CALLS`` on 3-D inputs did for softmax's default
``axis=1``) or equivalent to the model answer on everything its docstring allows (``x >= 0`` for
``x > 0`` where both branches agree at 0). :data:`.equivalent.EQUIVALENT` lists the equivalent
ones with the reason; the report marks them, so a new survivor stands out. The sweep grades
~900 mutants in ~10 minutes on one core: it is a tool, not a unit test
(``tests/grader/test_mutants.py`` checks the operators and a few mutants).
"""
