# clients/: CLI and examples.
