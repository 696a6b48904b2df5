"""``gradelab release``: from the instructor's sources to what learners receive.

Three steps, each its own module:

- :mod:`grader.release.strip` turns ``solutions/<topic>.py`` into the stub ``exercises/<topic>.py``;
- :mod:`grader.release.freeze` computes the public tests' expected outputs (and the outputs of the
  catalogued mistakes) from the reference into ``exercises/tests/data/<topic>.npz``;
- :mod:`grader.release.bundle` copies the learner-facing files into a student release folder/zip.
"""
