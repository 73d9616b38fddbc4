"""The bench's same-work ceiling replays the service's own statements: on a copy of the same
pre-state they must build the same ledger, or the ceiling would not be doing the same work."""

from __future__ import annotations

import itertools

import pytest

from bench.same_work import inbound, ledger, record, replay, same_work
from bench.workload import enrol, sales
from tests.support.settings import fresh_database

pytestmark = pytest.mark.integration

EVENTS = 300
CUSTOMERS = 40
BATCH = 100
_numbers = itertools.count()


async def copies_of_one_pre_state(postgres_url: str, migrated_template: str, n: int) -> list[str]:
    """``n`` databases holding the same programme and customers (their account ids too)."""
    pre = f"same_work_pre_{next(_numbers)}"
    await enrol(await fresh_database(postgres_url, pre, migrated_template), CUSTOMERS)
    return [await fresh_database(postgres_url, f"{pre}_{i}", pre) for i in range(n)]


async def test_replaying_the_service_statements_builds_the_same_ledger(
    postgres_url: str, migrated_template: str
) -> None:
    service_url, replay_url = await copies_of_one_pre_state(postgres_url, migrated_template, 2)

    result = await same_work(service_url, replay_url, sales(EVENTS, CUSTOMERS), BATCH)

    assert result.batches == EVENTS // BATCH
    assert result.replayed_ledger == result.service_ledger
    assert result.replayed_ledger["entries"] == result.replayed_ledger["inbox"] == EVENTS
    assert result.replayed_ledger["points"] == result.replayed_ledger["balances"] > 0
    assert result.events_per_s > 0


async def test_a_replay_that_leaves_a_batch_out_shows_in_the_ledger(
    postgres_url: str, migrated_template: str
) -> None:
    service_url, short_url = await copies_of_one_pre_state(postgres_url, migrated_template, 2)
    transactions = await record(service_url, inbound(sales(EVENTS, CUSTOMERS)), BATCH)

    await replay(short_url, transactions[:-1])

    short, full = await ledger(short_url), await ledger(service_url)
    assert short["entries"] == full["entries"] - BATCH
    assert short["points"] < full["points"]
