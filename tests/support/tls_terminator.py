"""A TLS terminator for tests, in the role stunnel plays in front of a plaintext broker: it
accepts TLS (requiring a client certificate from the test CA) and relays the bytes to a
plaintext listener. Python's asyncio and ssl only, so it needs nothing installed.

It runs its own event loop in a thread: a test that blocks (waiting for a child process to
stop, which flushes its producer through here) must not stall the relay.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from pathlib import Path


class TlsTerminator:
    def __init__(
        self, port: int, upstream_port: int, cert: Path, key: Path, client_ca: Path
    ) -> None:
        self.port = port
        self._upstream_port = upstream_port
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(client_ca))
        self._context.load_cert_chain(str(cert), str(key))
        self._context.verify_mode = ssl.CERT_REQUIRED  # mutual TLS: the client's certificate too
        self.client_names: list[str] = []
        """The common name of every client that completed a handshake."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._relays: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _serve(self) -> asyncio.Server:
        return await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, ssl=self._context, ssl_handshake_timeout=5
        )

    async def _close(self) -> None:
        assert self._server is not None
        self._server.close()
        for relay in list(self._relays):
            relay.cancel()
        await asyncio.gather(*self._relays, return_exceptions=True)

    async def _accept(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._relays.add(task)
        try:
            peer = client_out.get_extra_info("peercert") or {}
            self.client_names.extend(
                value
                for rdn in peer.get("subject", ())
                for key, value in rdn
                if key == "commonName"
            )
            broker_in, broker_out = await asyncio.open_connection("127.0.0.1", self._upstream_port)
            await asyncio.gather(
                _pipe(client_in, broker_out), _pipe(broker_in, client_out), return_exceptions=True
            )
        finally:
            self._relays.discard(task)
            client_out.close()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    finally:
        with contextlib.suppress(Exception):
            sink.close()
