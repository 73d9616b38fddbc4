"""A replay goes on past an event whose own data the rules refuse, as the live consumer does:
the event is counted as failed and every other event is applied."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest

from adapters.kafka.parsing import read_batch
from domain.batch import BatchChanges
from domain.customer_updates import IntakeEvent
from domain.events import EventKind
from ports.intake import ReadBatch
from service.use_cases.replay import replay_topic
from service.use_cases.retrying import RetryingEventHandler, RetryPolicy
from tests.support.events import encode, sale

pytestmark = pytest.mark.unit


async def test_a_replay_counts_an_event_that_fails_on_its_own_data_and_applies_the_rest() -> None:
    records = [sale("shop-1", "ann", "1.00") for _ in range(5)]
    poisonous = records[2]["event_id"]
    applied: list[str] = []

    async def apply(events: Sequence[IntakeEvent]) -> BatchChanges:
        if any(e.event_id == poisonous for e in events):
            raise ArithmeticError("this sale's numbers break a rule")
        applied.extend(e.event_id for e in events)
        return BatchChanges()

    async def batches() -> AsyncIterator[ReadBatch]:
        yield read_batch(EventKind.SALE_COMPLETED, [encode(r) for r in records])

    handler = RetryingEventHandler(apply, lambda e: False, RetryPolicy(budget_seconds=0))
    summary = await replay_topic(
        batches(),
        None,  # type: ignore[arg-type]  # a live replay opens no unit of work
        apply,  # type: ignore[arg-type]  # a stand-in failing one event, called by the handler
        False,
        handler=handler,
    )

    assert summary.failed == 1
    assert applied == [r["event_id"] for r in records if r["event_id"] != poisonous]
    assert summary.as_dict()["failed"] == 1
