"""gradelab's instructor side: the CLI, the release tooling and the sandboxed grader.

Grading a class (``gradelab grade``, see CONTRIBUTING.md, "Life of a submission"): ``cli`` →
``submissions`` (discover) → ``settings`` / ``fingerprint`` → ``grading`` (gradebook lookup,
``regrade``) → ``executors`` or ``cluster`` → ``engine`` (worker in ``sandbox``, pytest plugin,
hidden tests in ``hidden``) → ``results`` → ``outputs`` and ``report``.
"""

__version__ = "0.1.0"
