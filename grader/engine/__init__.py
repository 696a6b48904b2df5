"""The trusted side of grading: worker processes, the learner proxy, scoring and outputs."""
