"""The bench's basket measure on real PostgreSQL: the programme set through the use case puts
its item rules and stamp card in force for the workload, and the same-work ceiling replays
basket earning (points, stamps and categories) into the same ledger."""

from __future__ import annotations

import itertools

import pytest

from bench.baskets import basket_effects, baskets, enrol_for_baskets
from bench.same_work import same_work
from tests.support.settings import fresh_database

pytestmark = pytest.mark.integration

EVENTS = 300
CUSTOMERS = 40
BATCH = 100
_numbers = itertools.count()


async def test_replaying_basket_earning_builds_the_same_ledger_with_stamps_and_categories(
    postgres_url: str, migrated_template: str
) -> None:
    pre = f"bench_baskets_pre_{next(_numbers)}"
    await enrol_for_baskets(await fresh_database(postgres_url, pre, migrated_template), CUSTOMERS)
    service_url, replay_url = [
        await fresh_database(postgres_url, f"{pre}_{i}", pre) for i in range(2)
    ]

    result = await same_work(service_url, replay_url, baskets(EVENTS, CUSTOMERS), BATCH)

    assert result.replayed_ledger == result.service_ledger
    assert result.replayed_ledger["inbox"] == EVENTS
    assert result.replayed_ledger["stamps"] == result.replayed_ledger["stamp_balances"] > 0
    assert result.replayed_ledger["points"] == result.replayed_ledger["balances"] > 0
    effects = await basket_effects(replay_url)  # raises when the rules left no trace
    assert effects["earn_entries"] + effects["below_min_spend"] <= EVENTS
