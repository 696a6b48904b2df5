"""The trusted side of grading one submission: the sandboxed worker process and its budgets
(``process``, ``sandbox``, ``cgroups``), the learner proxy, the pytest plugin that scores the
hidden tests (``plugin``, ``replay``, ``memo``, ``isolation``, ``cases``), the comparison that names
mistakes (``expect``), and ``run``, which grades a submission with one ``GradeSettings``.
It writes no files: results go back as ``grader.results`` values; ``grader.outputs`` renders them.
"""
