"""The running service sweeps expired points on its own and publishes the expiry entries."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.runtime import Service
from service.entrypoints.settings import Settings
from tests.contract.conftest import start_service
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import encode, sale
from tests.support.kafka import eventually, produce, read_topic

pytestmark = pytest.mark.contract


@pytest.fixture(scope="module")
async def sweeping_settings(contract_settings: Settings) -> Settings:
    return contract_settings.model_copy(update={"expiry_sweep_seconds": 0.5})


@pytest.fixture(scope="module")
async def sweeping_service(sweeping_settings: Settings) -> AsyncIterator[Service]:
    running = await start_service(sweeping_settings)
    try:
        yield running
    finally:
        await running.stop()


async def test_points_past_their_validity_are_expired_by_the_service_and_published(
    sweeping_settings: Settings, db: asyncpg.Pool, sweeping_service: Service
) -> None:
    s = sweeping_settings
    uows = PostgresUnitOfWorkFactory(db)
    await given_programme(uows, "sweep-shop", points_validity_days=30)
    for customer in ("old", "new"):
        await given_customer(uows, "sweep-shop", customer)
    long_ago = (datetime.now(UTC) - timedelta(days=45)).isoformat()
    lately = (datetime.now(UTC) - timedelta(days=5)).isoformat()
    payloads = [
        sale("sweep-shop", "old", "40.00", occurred_at=long_ago),
        sale("sweep-shop", "new", "25.00", occurred_at=lately),
    ]
    await produce(s.kafka_bootstrap_servers, s.topic_sale_completed, [encode(p) for p in payloads])

    expiry = "SELECT points FROM ledger_entries WHERE customer_id = 'old' AND kind = 'expiry'"
    assert await eventually(lambda: db.fetchval(expiry), lambda points: points == -40)
    balances = dict(
        await db.fetch("SELECT customer_id, balance FROM accounts WHERE business_id = 'sweep-shop'")
    )
    assert balances == {"old": 0, "new": 25}

    old_account = await db.fetchval(
        "SELECT account_id FROM accounts WHERE business_id = 'sweep-shop' AND customer_id = 'old'"
    )
    records = await eventually(
        lambda: read_topic(s.kafka_bootstrap_servers, s.topic_ledger, at_least=5, timeout=2),
        lambda found: sum(1 for r in found if r.key == str(old_account).encode()) >= 3,
    )
    published = [json.loads(r.value) for r in records if r.key == str(old_account).encode()]
    assert [(m["kind"], m["points"], m["reason"]) for m in published] == [
        ("card_created", 0, None),
        ("earn", 40, None),
        ("expiry", -40, "lot_expired"),
    ]
