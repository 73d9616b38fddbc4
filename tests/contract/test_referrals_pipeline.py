"""Referrals through the real broker: a referred customer's first sale, consumed by the running
service, gives two referral_bonus messages on loyalty.ledger (bucket referral), the referrer's
naming the referred account; a second sale gives none."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from domain.commands import EnrolCustomer
from domain.referrals import ReferralPolicy
from service.entrypoints.runtime import Service
from service.entrypoints.settings import Settings
from service.use_cases.accounts import Accounts
from tests.integration.conftest import given_programme
from tests.support.events import encode, sale
from tests.support.kafka import eventually, produce, read_topic

pytestmark = pytest.mark.contract

SHOP = "referral-shop"


async def test_a_referred_customers_first_sale_publishes_both_bonuses(
    contract_settings: Settings, db: asyncpg.Pool, service: Service
) -> None:
    s = contract_settings
    uows = PostgresUnitOfWorkFactory(db)
    await given_programme(uows, SHOP, referral=ReferralPolicy(50, 20, 30))
    accounts = Accounts(uows, SystemClock())
    anna = await accounts.enrol(EnrolCustomer(SHOP, "anna"))
    bob = await accounts.enrol(EnrolCustomer(SHOP, "bob", referral_code=anna.referral_code))
    now = datetime.now(UTC)
    payloads = [
        sale(SHOP, "bob", "12.00", occurred_at=(now - timedelta(hours=2)).isoformat()),
        sale(SHOP, "bob", "30.00", occurred_at=(now - timedelta(hours=1)).isoformat()),
    ]
    earned = "SELECT count(*) FROM ledger_entries WHERE source_ref = $1 AND kind = 'earn'"
    for payload in payloads:  # one at a time: the first sale is the test's point
        await produce(s.kafka_bootstrap_servers, s.topic_sale_completed, [encode(payload)])
        sale_id = payload["sale_id"]

        async def earns(sale_id: str = sale_id) -> int:
            found: int = await db.fetchval(earned, sale_id)
            return found

        assert await eventually(earns, bool)

    keys = {str(anna.account.account_id).encode(), str(bob.account.account_id).encode()}
    records = await eventually(
        lambda: read_topic(s.kafka_bootstrap_servers, s.topic_ledger, at_least=6, timeout=2),
        lambda found: sum(1 for r in found if r.key in keys) >= 6,
    )
    bonuses = [
        (r.key.decode(), m["points"], m["referred_account_id"], m["bucket"], m["source_ref"])
        for r in records
        if r.key in keys and (m := json.loads(r.value))["kind"] == "referral_bonus"
    ]
    assert sorted(bonuses, key=lambda b: b[1]) == [
        (str(bob.account.account_id), 20, None, "referral", payloads[0]["sale_id"]),
        (
            str(anna.account.account_id),
            50,
            str(bob.account.account_id),
            "referral",
            payloads[0]["sale_id"],
        ),
    ]
