"""The stateful model test on the in-memory fakes: a thousand histories in the unit tier.

Derandomized in `make test` (the same histories every run); LOYALTY_HYPOTHESIS_PROFILE=explore
searches new ones, and LOYALTY_HISTORIES sets how many.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.fakes import FakeClock
from tests.support.ledger_history import LedgerHistory
from tests.support.ledger_world import FakeWorld, World

pytestmark = pytest.mark.unit

HISTORIES = int(os.environ.get("LOYALTY_HISTORIES", "1000"))


async def _fake_world(clock: FakeClock) -> World:
    return FakeWorld(clock)


@pytest.mark.timeout(900)
def test_random_histories_keep_every_ledger_promise_on_the_fakes() -> None:
    class OnFakes(LedgerHistory):
        loop = asyncio.new_event_loop()
        new_world = staticmethod(_fake_world)

    try:
        run_state_machine_as_test(
            OnFakes,
            settings=settings(
                max_examples=HISTORIES,
                stateful_step_count=30,
                # Explaining a failure traces every line (slow before Python 3.12); the
                # shrunk history it prints is the readable, replayable script.
                phases=[p for p in Phase if p is not Phase.explain],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        OnFakes.loop.close()
