"""Code that runs inside the sandbox next to learner code.

Everything in this folder is self-contained (standard library + NumPy, no other gradelab import),
because this folder alone is what the sandbox can see of gradelab: the hidden tests, reference and
solutions stay outside.
"""
