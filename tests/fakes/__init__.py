"""Test doubles of the ports, one per port, shared by every test tier (no IO)."""
