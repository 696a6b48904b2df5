"""What the CLI commands print: one module per command whose console is more than a line."""
