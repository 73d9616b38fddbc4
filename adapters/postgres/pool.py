"""The asyncpg connection pool, as a resource with a start and an end."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Released connections skip asyncpg's reset query (a round trip per request): the
    service keeps no session state; its advisory locks are all transaction-scoped."""


async def postgres_pool(dsn: str, min_size: int, max_size: int) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        reset=_keep_session,
        server_settings={"lock_timeout": "10s", "application_name": "loyalty"},
    )
    try:
        yield pool
    finally:
        await pool.close()
