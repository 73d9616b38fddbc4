"""``customer.updated`` on a real broker: upstream creates a customer, then gives it a new
phone, and a sale naming only that phone earns on the account; an update with a phone that
is none goes to the dead-letter topic with its code."""

from __future__ import annotations

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.runtime import Service
from service.entrypoints.settings import Settings
from tests.integration.conftest import given_programme
from tests.integration.ledger_queries import balance
from tests.support.events import at, encode, sale
from tests.support.kafka import eventually, produce, read_topic

pytestmark = pytest.mark.contract

SHOP = "crm-shop"
INBOX = "SELECT status, reason FROM inbox WHERE business_id = $1 AND event_id = $2"


async def outcome(db: asyncpg.Pool, event_id: str) -> tuple[str, str | None] | None:
    """The event's inbox outcome, None while it is not applied."""
    row = await db.fetchrow(INBOX, SHOP, event_id)
    return None if row is None else (row["status"], row["reason"])


async def test_a_phone_given_upstream_lets_a_sale_naming_it_earn_on_the_account(
    contract_settings: Settings, db: asyncpg.Pool, service: Service
) -> None:
    s, bs = contract_settings, contract_settings.kafka_bootstrap_servers
    await given_programme(PostgresUnitOfWorkFactory(db), SHOP, earn_rate="1")
    customer = {"business_id": SHOP, "customer_id": "ann"}
    created = {**customer, "event_id": "crm-1", "occurred_at": at(0), "type": "created"}
    moved = {**customer, "event_id": "crm-2", "occurred_at": at(1), "type": "updated"}
    bad = {**customer, "event_id": "crm-3", "occurred_at": at(2), "type": "updated"}
    messages = [
        {**created, "name": "Ann", "phone": "07911 123456"},
        {**moved, "phone": "+44 7911 234567"},  # her new number, the old one dropped
        {**bad, "phone": "not a phone"},
    ]
    await produce(bs, s.topic_customer_updated, [encode(m) for m in messages], key=b"ann")
    await eventually(lambda: outcome(db, "crm-2"), lambda o: o == ("applied", None))

    paid = sale(SHOP, None, "42.00", customer_phone="07911 234567")
    stale = sale(SHOP, None, "10.00", customer_phone="07911 123456")  # nobody's any more
    await produce(bs, s.topic_sale_completed, [encode(paid), encode(stale)])

    await eventually(lambda: balance(db, SHOP, "ann"), lambda b: b == 42)
    no_one = ("skipped", "no_customer")
    await eventually(lambda: outcome(db, stale["event_id"]), lambda o: o == no_one)
    [letter] = await read_topic(bs, s.topic_customer_updated + s.dead_letter_suffix, at_least=1)
    assert dict(letter.headers)["x-dlq-code"] == b"invalid_identifier"
