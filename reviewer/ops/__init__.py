"""Use cases: what the CLI and the GUI can do to a store. Each returns what changed."""
