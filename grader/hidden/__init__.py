"""Hidden tests: plain pytest + hypothesis, one file per topic, run by the grading plugin.

Never shipped to learners and never visible inside the sandbox.
"""
