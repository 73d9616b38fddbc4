"""Use cases, wiring, settings and the command line."""
