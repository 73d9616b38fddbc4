"""What must hold after any fault: exact balances, a verified ledger, no dead letters,
every entry on the ledger topic."""

from __future__ import annotations

import json

import asyncpg
from aiokafka.structs import ConsumerRecord

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.settings import Settings
from service.use_cases.verification import verify_ledger
from tests.faults.harness import Workload
from tests.faults.setup_data import balances
from tests.faults.streaming import wait_for
from tests.support.kafka import last_offsets, read_topic


async def assert_exactly_once(db: asyncpg.Pool, settings: Settings, load: Workload) -> None:
    total = len(load.sales) + len(load.returns)
    assert await db.fetchval("SELECT count(*) FROM inbox") == total
    outcomes = {
        (r["status"], r["reason"])
        for r in await db.fetch("SELECT DISTINCT status, reason FROM inbox")
    }
    # a small partial return may round to no points yet; nothing may stay parked
    assert outcomes <= {("applied", None), ("skipped", "nothing_to_reverse_yet")}, outcomes
    expected = load.expected_balances()
    actual = await balances(db, load.business)
    wrong = {c: (actual.get(c), want) for c, want in expected.items() if actual.get(c) != want}
    assert not wrong, f"{len(wrong)} balances differ (actual, expected): {list(wrong.items())[:5]}"

    report = await verify_ledger(PostgresUnitOfWorkFactory(db), None, 3600)
    assert report.breaches == []

    dead = await last_offsets(
        settings.kafka_bootstrap_servers,
        [t + settings.dead_letter_suffix for t in settings.inbound_topics()],
    )
    assert dead == {}, f"dead letters: {dead}"


async def assert_ledger_topic_has_every_entry(db: asyncpg.Pool, settings: Settings) -> int:
    await wait_for(
        lambda: db.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"),
        lambda pending: pending == 0,
        120,
    )
    entries = {str(r["entry_id"]) for r in await db.fetch("SELECT entry_id FROM ledger_entries")}
    seen: set[str] = set()
    scanned = 0

    def every_entry_read(records: list[ConsumerRecord[bytes, bytes]]) -> bool:
        nonlocal scanned
        seen.update(json.loads(r.value)["entry_id"] for r in records[scanned:])
        scanned = len(records)
        return entries <= seen

    records = await read_topic(
        settings.kafka_bootstrap_servers,
        settings.topic_ledger,
        at_least=len(entries),
        timeout=120,
        done=every_entry_read,
    )
    published = [json.loads(r.value)["entry_id"] for r in records]
    missing = entries - set(published)
    assert missing == set(), (
        f"{len(missing)} of {len(entries)} entries missing from the ledger topic"
        f" ({len(records)} records read), e.g. {sorted(missing)[:3]}"
    )
    return len(published) - len(set(published))
