"""The HTTP API (FastAPI): thin routes driving the LoyaltyOperations port."""
