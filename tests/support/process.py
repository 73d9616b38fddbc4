"""The real service as a child process: started, SIGKILLed and stopped as in production."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from service.entrypoints.settings import Settings

LOYALTY = str(Path(sys.executable).parent / "loyalty")


def settings_env(settings: Settings) -> dict[str, str]:
    return settings.as_env()


class ServiceProcess:
    """``loyalty serve`` in a child process: started, SIGKILLed, stopped like in production."""

    def __init__(self, settings: Settings, log_path: Path, role: str = "consumer") -> None:
        self.settings = settings
        self.log_path = log_path
        self.role = role
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it
        self.process = subprocess.Popen(
            [LOYALTY, "serve", "--role", self.role],
            env=settings_env(self.settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.starts += 1

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 30) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@contextmanager
def serving(settings: Settings, log: Path, role: str = "all") -> Iterator[str]:
    """The service running as its own process on ``settings.http_port``, ready: its base
    URL. It stops at the end and must exit cleanly (its log's tail tells why if not)."""
    service = ServiceProcess(settings, log, role=role)
    service.start()
    base = f"http://127.0.0.1:{settings.http_port}"
    try:
        deadline = time.monotonic() + 60
        while not _ready(base):
            assert service.alive, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the service never became ready"
            time.sleep(0.2)
        yield base
    finally:
        assert service.stop() == 0, log.read_text()[-3000:]


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
