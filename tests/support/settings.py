"""A fresh database and settings of its own (topics, consumer group) for a run that must not
meet another. Shared by the test fixtures and ``python -m bench``, so nothing here imports
pytest."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from adapters.postgres.migrations import apply_migrations
from service.entrypoints.settings import Settings


def with_database(url: str, database: str) -> str:
    """The same server, another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


async def fresh_database(admin_url: str, name: str, template: str | None = None) -> str:
    """Database ``name``, dropped first if it exists: a copy of ``template`` (already migrated,
    and quicker than migrating again), or else a new one brought up to the latest migration.
    Answers its URL."""
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        copy = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await admin.close()
    url = with_database(admin_url, name)
    if template is None:
        apply_migrations(url)
    return url


def isolated_settings(
    prefix: str, database_url: str, bootstrap_servers: str, **overrides: Any
) -> Settings:
    """Settings with their own topics and consumer group, so runs never meet."""
    names: dict[str, Any] = {
        "consumer_group": f"{prefix}loyalty",
        "topic_sale_completed": f"{prefix}sale.completed",
        "topic_customer_return_created": f"{prefix}customer-return.created",
        "topic_bill_paid": f"{prefix}bill.paid",
        "topic_bill_refunded": f"{prefix}bill.refunded",
        "topic_sale_cancelled": f"{prefix}sale.cancelled",
        "topic_customer_updated": f"{prefix}customer.updated",
        "topic_ledger": f"{prefix}loyalty.ledger",
        # A consumer's management server on any free port: several run side by side here.
        "management_port": 0,
    }
    return Settings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap_servers,
        **{**names, **overrides},
    )
