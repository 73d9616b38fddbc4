"""More HTTP API processes on the same port, for more than one core's worth of requests.

Each extra worker is ``loyalty serve --role api`` in a child process, bound to the same
address with SO_REUSEPORT, so the kernel spreads connections over every worker.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import structlog

from service.entrypoints.settings import Settings

log = structlog.get_logger("loyalty.http")

LOYALTY = str(Path(sys.executable).parent / "loyalty")


def shared_socket(host: str, port: int) -> socket.socket:
    """A listening address that other processes may bind too (SO_REUSEPORT).

    The protocol is named, not left 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only
    on accepted sockets whose protocol says TCP, and with it on every answer waited
    for the client's delayed acknowledgement (docs/performance.md)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(False)
    return sock


class HttpWorkers:
    """The extra API processes: started after this one serves, stopped before it stops."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._children: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        # One worker each, on the parent's port: without SO_REUSEPORT their bind fails.
        env = self._settings.as_env() | {
            "LOYALTY_HTTP_WORKERS": "1",
            "LOYALTY_HTTP_REUSE_PORT": "true",
        }
        for _ in range(self._settings.http_workers - 1):
            self._children.append(subprocess.Popen([LOYALTY, "serve", "--role", "api"], env=env))
        log.info("http workers started", extra_workers=len(self._children))

    def stop(self, timeout: float = 30) -> None:
        for child in self._children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self._children:
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                child.kill()
        self._children = []
