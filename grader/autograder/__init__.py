"""A Gradescope autograder for gradelab: what goes into the zip (:mod:`.package`), the scripts
Gradescope runs (:mod:`.scripts`) and the grading run inside it (:mod:`.run`)."""
