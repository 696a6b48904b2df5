"""Public tests: what learners run locally (``pytest exercises/`` or ``gradelab check``)."""
