"""gradelab's ground truth: every curriculum function in PyTorch, device- and dtype-generic.

One module per topic (see ``CURRICULUM.md``); each learner function has a twin here of the same
name and meaning that takes and returns ``torch.Tensor``. The reference is written from the
formulas, independently of ``solutions/``, and ``tests/reference/`` checks it against torch's
built-ins, autograd and finite differences. ``python -m reference`` runs the demos.
"""

TOPICS: tuple[str, ...] = (
    "forward",
    "activations",
    "losses",
    "backprop",
    "optimizers",
    "training",
    "conv",
    "rnn",
    "rag",
    "finetuning",
)
