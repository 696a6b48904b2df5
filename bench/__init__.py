"""``make bench``: speed figures measured side by side and written to ``bench/RESULTS.md``."""
