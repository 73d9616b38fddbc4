"""The stateful model test on real PostgreSQL: fewer histories than on the fakes, the same
rules and invariants, through the PostgreSQL adapters (locks, set-based SQL, lots, verify)."""

from __future__ import annotations

import asyncio
import os

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.fakes import FakeClock
from tests.support.ledger_history import LedgerHistory
from tests.support.ledger_world import PostgresWorld, World

pytestmark = pytest.mark.integration

HISTORIES = int(os.environ.get("LOYALTY_POSTGRES_HISTORIES", "40"))


@pytest.mark.timeout(900)
def test_random_histories_keep_every_ledger_promise_on_postgresql(
    postgres_url: str, migrated_template: str
) -> None:
    async def postgres_world(clock: FakeClock) -> World:
        return await PostgresWorld(postgres_url, migrated_template, clock).open()

    class OnPostgres(LedgerHistory):
        loop = asyncio.new_event_loop()
        new_world = staticmethod(postgres_world)

    try:
        run_state_machine_as_test(
            OnPostgres,
            settings=settings(
                max_examples=HISTORIES,
                stateful_step_count=25,
                phases=[p for p in Phase if p is not Phase.explain],
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        OnPostgres.loop.close()
