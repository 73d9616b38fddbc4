"""``python -m bench``: throughput and latency of the service against same-run baselines."""
