"""The image's HEALTHCHECK (no curl in the image): healthy when /healthz answers 200 on the API
port (roles api, all) or on the consumer's management port (role consumer)."""

import os
import sys
import urllib.request


def answers(port: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


ports = (
    os.environ.get("LOYALTY_HTTP_PORT", "8080"),
    os.environ.get("LOYALTY_MANAGEMENT_PORT", "8081"),
)
sys.exit(0 if any(answers(port) for port in ports) else 1)
