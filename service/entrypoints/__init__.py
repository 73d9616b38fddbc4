"""Entry points and wiring: the container, settings, logging, runtime and roles, the CLI."""
