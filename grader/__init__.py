"""gradelab's instructor side: the CLI, release tooling and (later) the sandboxed grader."""

__version__ = "0.1.0"
