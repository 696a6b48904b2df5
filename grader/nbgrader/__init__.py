"""nbgrader and notebooks: an nbgrader course that autogrades with gradelab's hidden tests,
learner notebooks, and code extraction from ``.ipynb`` submissions."""
