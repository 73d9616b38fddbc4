"""An ASGI app served by uvicorn inside the service's own event loop (the API, or the consumer
role's management server): started, asked which port it bound, and stopped."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI


class _InLoopServer(uvicorn.Server):
    """uvicorn inside our event loop: the service, not uvicorn, owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class EmbeddedHttp:
    def __init__(self, server: _InLoopServer, task: asyncio.Task[None]) -> None:
        self._server = server
        self._task = task

    @classmethod
    async def start(
        cls,
        app: FastAPI,
        host: str,
        port: int,
        *,
        name: str,
        sockets: list[socket.socket] | None = None,
    ) -> EmbeddedHttp:
        """Serving once this returns (port 0: any free port, see ``port``)."""
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            http="httptools",  # h11, uvicorn's pure-Python parser, was slower
            log_config=None,
            access_log=False,
            lifespan="off",
        )
        server = _InLoopServer(config)
        task = asyncio.create_task(server.serve(sockets=sockets), name=name)
        while not server.started:
            if task.done():
                await task
                raise RuntimeError(f"the {name} server stopped while starting")
            await asyncio.sleep(0.02)
        return cls(server, task)

    @property
    def port(self) -> int:
        """The port it listens on."""
        [listening, *_] = self._server.servers
        port: int = listening.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        self._server.should_exit = True  # finishes requests in flight
        await self._task
