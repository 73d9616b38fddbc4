"""The API workers' shared port: what asyncio makes of the connections it accepts.

Loopback sockets in this process only; no server outside it."""

from __future__ import annotations

import asyncio
import socket

import pytest

from adapters.embedded.postgres import free_port
from service.entrypoints.http_workers import shared_socket

pytestmark = pytest.mark.unit


async def test_connections_accepted_on_the_shared_port_send_without_nagle_delays() -> None:
    # With Nagle's algorithm on, each answer waited ~44 ms for the client's delayed ACK.
    accepted: asyncio.Queue[socket.socket] = asyncio.Queue()

    class Keep(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted.put_nowait(transport.get_extra_info("socket"))

    listening = shared_socket("127.0.0.1", free_port())
    server = await asyncio.get_running_loop().create_server(Keep, sock=listening)
    try:
        host, port = listening.getsockname()
        _, writer = await asyncio.open_connection(host, port)
        served = await asyncio.wait_for(accepted.get(), timeout=5)
        assert served.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()


def test_a_second_socket_can_bind_the_shared_port() -> None:
    port = free_port()
    first = shared_socket("127.0.0.1", port)
    try:
        second = shared_socket("127.0.0.1", port)
        second.close()
    finally:
        first.close()
