"""Replays and redrives, on a real broker and real PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Sequence

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from dependency_injector import providers

from adapters.kafka.redrive import Letter, RedrivePolicy, redrive
from adapters.kafka.topic_reader import KafkaTopicReader, TopicRange
from adapters.kafka.topics import ensure_topics
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from domain.batch import BatchChanges
from domain.events import InboundEvent, PurchaseCompleted
from service.entrypoints.cli_dead_letters import redrive_pending
from service.entrypoints.containers import container_for
from service.entrypoints.runtime import Role, Service
from service.entrypoints.serving import start_service
from service.entrypoints.settings import Settings
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.replay import ReplaySummary, replay_topic
from tests.conftest import with_database
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import bill, bill_refund, customer_return, encode, sale
from tests.support.kafka import eventually, produce, read_topic
from tests.support.settings import isolated_settings

pytestmark = pytest.mark.contract

SHOP = "ops-shop"
CUSTOMERS = ("ana", "bob", "cy")
Headers = list[tuple[str, str]]
# The same entries per account; their order (seq) follows arrival, which a replay topic by
# topic does not reproduce, so entries are compared as a set, and balances as they end.
# What the events made, per customer. A card_created entry is the till's enrolment, not an
# event's: a rebuilt database enrols its own accounts, so it names other account ids.
PER_CUSTOMER = """
SELECT customer_id, kind, points, source, source_ref, event_id, entry_id FROM ledger_entries
WHERE kind <> 'card_created'
UNION ALL
SELECT customer_id, 'balance', balance, '', '', '', NULL FROM accounts
ORDER BY 1, 2, 3, 4, 5
"""


async def seeded(url: str) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
    uow_factory = PostgresUnitOfWorkFactory(pool)
    await given_programme(uow_factory, SHOP, earn_rate="1.25")
    for customer in CUSTOMERS:
        await given_customer(uow_factory, SHOP, customer)
    return pool


async def fresh_database(postgres_url: str, template: str, name: str) -> str:
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    return with_database(postgres_url, name)


async def replay_all(s: Settings, pool: asyncpg.Pool, dry_run: bool) -> ReplaySummary:
    total = ReplaySummary()
    uow_factory = PostgresUnitOfWorkFactory(pool)
    apply = ApplyEventBatch(uow_factory, SystemClock())
    for topic, kind in s.inbound_topics().items():
        reader = KafkaTopicReader(s.kafka_bootstrap_servers)
        part = await replay_topic(
            reader.events(TopicRange(topic), kind), uow_factory, apply, dry_run
        )
        for name in ("events", "applied", "already_applied", "parked", "dead_lettered"):
            setattr(total, name, getattr(total, name) + getattr(part, name))
        total.parked_now_applied += part.parked_now_applied
        total.skipped.update(part.skipped)
    return total


async def test_replays_rebuild_the_live_ledger_change_nothing_live_and_dry_runs_write_nothing(
    contract_settings: Settings,
    postgres_url: str,
    migrated_template: str,
    service: Service,
    db: asyncpg.Pool,
) -> None:
    s = contract_settings
    live = await seeded(s.database_url)
    try:
        sales = [sale(SHOP, c, f"{20 + i}.40") for i, c in enumerate(CUSTOMERS * 3)]
        bills = [bill(SHOP, c, "33.10") for c in CUSTOMERS]
        returns = [customer_return(SHOP, x["sale_id"], "7.77") for x in sales[:5]]
        refunds = [bill_refund(SHOP, x["bill_id"], "3.05") for x in bills]
        bs = s.kafka_bootstrap_servers
        await produce(bs, s.topic_customer_return_created, [encode(r) for r in returns[:2]])
        await produce(bs, s.topic_sale_completed, [encode(x) for x in sales] + [b"junk"])
        await produce(bs, s.topic_bill_paid, [encode(x) for x in bills])
        await produce(bs, s.topic_customer_return_created, [encode(r) for r in returns[2:]])
        await produce(bs, s.topic_bill_refunded, [encode(r) for r in refunds])
        await eventually(
            lambda: live.fetchval("SELECT count(*) FROM inbox WHERE status <> 'parked'"),
            lambda n: n == 20,
        )
        live_ledger = [tuple(r) for r in await live.fetch(PER_CUSTOMER)]

        onto_live = await replay_all(s, live, dry_run=False)
        assert (onto_live.already_applied, onto_live.applied, onto_live.dead_lettered) == (20, 0, 1)
        assert [tuple(r) for r in await live.fetch(PER_CUSTOMER)] == live_ledger

        empty_url = await fresh_database(postgres_url, migrated_template, "ops_rebuild")
        empty = await seeded(empty_url)
        try:
            enrolled = await empty.fetchval("SELECT count(*) FROM ledger_entries")
            assert enrolled == len(CUSTOMERS), "each enrolment writes its card_created entry"
            dry = await replay_all(s, empty, dry_run=True)  # each topic's run rolled back
            assert (dry.events, dry.dead_lettered) == (21, 1) and dry.applied > 0
            assert await empty.fetchval("SELECT count(*) FROM inbox") == 0
            assert await empty.fetchval("SELECT count(*) FROM ledger_entries") == enrolled

            rebuilt = await replay_all(s, empty, dry_run=False)
            assert rebuilt.events == 21 and rebuilt.dead_lettered == 1
            assert [tuple(r) for r in await empty.fetch(PER_CUSTOMER)] == live_ledger
        finally:
            await empty.close()
    finally:
        await live.close()


class BuggyOnCustomer:
    """A consumer bug: events of one customer make the rules blow up."""

    def __init__(self, inner: ApplyEventBatch, customer: str) -> None:
        self.inner = inner
        self.customer = customer

    async def __call__(self, events: Sequence[InboundEvent]) -> BatchChanges:
        if any(isinstance(e, PurchaseCompleted) and e.customer_id == self.customer for e in events):
            raise ZeroDivisionError("a bug in the rules")
        return await self.inner(events)


async def test_redriving_letters_after_a_bug_is_fixed_applies_them_once(
    postgres_url: str, migrated_template: str, kafka_bootstrap: str
) -> None:
    url = await fresh_database(postgres_url, migrated_template, "ops_redrive")
    pool = await seeded(url)
    s = isolated_settings("redrive-", url, kafka_bootstrap, log_format="console")
    await ensure_topics(kafka_bootstrap, s.all_topics(), 3)
    try:
        buggy = container_for(s, Role.CONSUMER)
        buggy.apply_events.override(
            providers.Factory(
                BuggyOnCustomer,
                inner=ApplyEventBatch(PostgresUnitOfWorkFactory(pool), SystemClock()),
                customer="bob",
            )
        )
        service = await start_service(buggy)
        try:
            await produce(
                kafka_bootstrap,
                s.topic_sale_completed,
                [encode(sale(SHOP, c, "10.00")) for c in CUSTOMERS],
            )
            dlq = s.topic_sale_completed + s.dead_letter_suffix
            letters = await read_topic(kafka_bootstrap, dlq, at_least=1)
        finally:
            await service.stop()
        assert [dict(r.headers)["x-dlq-code"] for r in letters] == [b"processing_failed"]

        service = await start_service(container_for(s, Role.CONSUMER))
        try:
            policy = RedrivePolicy(s.inbound_topics(), s.dead_letter_suffix, 3)
            for _ in range(2):  # a second redrive of the same letter changes nothing
                sent, kept = await redrive(kafka_bootstrap, [Letter(r) for r in letters], policy)
                assert (len(sent), kept) == (1, [])
            await eventually(lambda: pool.fetchval("SELECT count(*) FROM inbox"), lambda n: n == 3)
            balances = await pool.fetch("SELECT customer_id, balance FROM accounts")
            assert {r["customer_id"]: r["balance"] for r in balances} == {
                "ana": 12,
                "bob": 12,
                "cy": 12,
            }
        finally:
            await service.stop()
        spent = RedrivePolicy(s.inbound_topics(), s.dead_letter_suffix, 0)
        _, kept = await redrive(kafka_bootstrap, [Letter(r) for r in letters], spent)
        assert len(kept) == 1, "a letter redriven the maximum number of times stays put"
    finally:
        await pool.close()


async def put_letters(bootstrap: str, topic: str, letters: Sequence[tuple[str, Headers]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for event_id, headers in letters:
            value = json.dumps({"event_id": event_id}).encode()
            await producer.send(topic, value, headers=[(k, v.encode()) for k, v in headers])
        await producer.flush()
    finally:
        await producer.stop()


async def records_on(bootstrap: str, topic: str) -> int:
    """How many records ``topic`` holds, counted by reading all of it (until the broker has
    nothing more for 3 s). Not the sum of end offsets: Tansu answers a partition's end offset
    as the last batch's base offset + 1, short of the truth after a multi-record batch."""
    reader = KafkaTopicReader(bootstrap)
    return sum([len(batch) async for batch in reader.batches(TopicRange(topic))])


def event_ids(records: Sequence[ConsumerRecord[bytes, bytes]]) -> list[str]:
    return sorted(json.loads(r.value or b"{}")["event_id"] for r in records)


async def test_redrive_all_sends_each_letter_once_and_only_to_its_own_inbound_topic(
    kafka_bootstrap: str,
) -> None:
    s = isolated_settings("redrive-all-", "postgresql://unused", kafka_bootstrap)
    await ensure_topics(kafka_bootstrap, s.all_topics(), 2)
    inbound = s.topic_sale_completed
    dlq = inbound + s.dead_letter_suffix
    policy = RedrivePolicy(s.inbound_topics(), s.dead_letter_suffix, s.max_redrives)
    await put_letters(
        kafka_bootstrap,
        dlq,
        [
            ("e-good", [("x-origin-topic", inbound), ("x-redrive-count", "1")]),
            ("e-to-ledger", [("x-origin-topic", s.topic_ledger)]),
            ("e-bad-count", [("x-origin-topic", inbound), ("x-redrive-count", "many")]),
            ("e-no-origin", []),
        ],
    )

    sent, kept = await redrive_pending(s, dlq, policy, None)
    assert sorted(x.event_id or "" for x in sent) == ["e-good", "e-no-origin"]
    assert sorted((x.letter.event_id or "", x.reason) for x in kept) == [
        ("e-bad-count", "its x-redrive-count header ('many') is not a count"),
        ("e-to-ledger", f"its origin header names {s.topic_ledger}, not {inbound}"),
    ]

    again, kept_again = await redrive_pending(s, dlq, policy, None)
    assert (again, kept_again) == ([], []), "a second run sends no old copy"
    by_event, _ = await redrive_pending(s, dlq, policy, "e-good")
    assert by_event == [], "nor does asking for a letter already redriven"

    await put_letters(kafka_bootstrap, dlq, [("e-later", [("x-origin-topic", inbound)])])
    later, _ = await redrive_pending(s, dlq, policy, None)
    assert [x.event_id for x in later] == ["e-later"]

    arrived = await read_topic(kafka_bootstrap, inbound, at_least=3)
    assert event_ids(arrived) == ["e-good", "e-later", "e-no-origin"]
    assert await records_on(kafka_bootstrap, inbound) == 3
    assert await records_on(kafka_bootstrap, s.topic_ledger) == 0
    counts = {json.loads(r.value or b"")["event_id"]: dict(r.headers) for r in arrived}
    assert counts["e-good"]["x-redrive-count"] == b"2"
