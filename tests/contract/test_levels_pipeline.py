"""Levels through the real broker: sales crossing a threshold, consumed by the running service,
give a level_change message on loyalty.ledger with the levels either side, after the earn
that crossed it, and the next sale earns at the new level."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.levels import Level, LevelBasis, TierPolicy
from service.entrypoints.runtime import Service
from service.entrypoints.settings import Settings
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import encode, sale
from tests.support.kafka import eventually, produce, read_topic

pytestmark = pytest.mark.contract

TIERS = TierPolicy(
    (Level("Silver", Decimal(100), Decimal(2), "Priority till"),), LevelBasis.SPEND, 30
)


async def test_sales_crossing_a_threshold_publish_a_level_change_on_the_ledger_topic(
    contract_settings: Settings, db: asyncpg.Pool, service: Service
) -> None:
    s = contract_settings
    await given_programme(PostgresUnitOfWorkFactory(db), "tier-shop", tiers=TIERS)
    await given_customer(PostgresUnitOfWorkFactory(db), "tier-shop", "tess")
    now = datetime.now(UTC)
    payloads = [
        sale("tier-shop", "tess", "60.00", occurred_at=(now - timedelta(hours=3)).isoformat()),
        sale("tier-shop", "tess", "45.00", occurred_at=(now - timedelta(hours=2)).isoformat()),
        sale("tier-shop", "tess", "10.00", occurred_at=(now - timedelta(hours=1)).isoformat()),
    ]
    earned = "SELECT count(*) FROM ledger_entries WHERE source_ref = $1 AND kind = 'earn'"
    for payload in payloads:  # one at a time: the order of the sales is the test's point
        await produce(s.kafka_bootstrap_servers, s.topic_sale_completed, [encode(payload)])
        sale_id = payload["sale_id"]

        async def count_earns(sale_id: str = sale_id) -> int:
            return int(await db.fetchval(earned, sale_id))

        assert await eventually(count_earns, bool)

    account = await db.fetchval(
        "SELECT account_id FROM accounts WHERE business_id = 'tier-shop' AND customer_id = 'tess'"
    )
    records = await eventually(
        lambda: read_topic(s.kafka_bootstrap_servers, s.topic_ledger, at_least=5, timeout=2),
        lambda found: sum(1 for r in found if r.key == str(account).encode()) >= 5,
    )
    published = [json.loads(r.value) for r in records if r.key == str(account).encode()]
    assert [
        (m["kind"], m["points"], m["level_before"], m["level_after"], m["bucket"])
        for m in published
    ] == [
        ("card_created", 0, None, None, "account"),
        ("earn", 60, None, None, "purchase"),
        ("earn", 45, None, None, "purchase"),
        ("level_change", 0, None, "Silver", "level"),
        ("earn", 20, None, None, "purchase"),
    ]
    assert published[3]["source_ref"] == payloads[1]["sale_id"]
    assert published[4]["description"].endswith(" at Silver")
