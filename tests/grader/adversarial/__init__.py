"""The adversarial corpus: real attacks (one submission folder each, under ``corpus/``) graded
under every sandbox this machine has, asserting they change nothing but their own score."""
