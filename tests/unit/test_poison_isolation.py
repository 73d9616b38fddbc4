from __future__ import annotations

from collections.abc import Sequence

import pytest

from domain.batch import BatchChanges
from domain.events import EventKind, InboundEvent
from service.retrying import RetryingEventHandler, RetryPolicy
from tests.support.events import parsed, sale

pytestmark = pytest.mark.unit


class BrokenOnCustomer:
    """Applies events, but fails with a bug (not a transient error) on one customer."""

    def __init__(self, poison_customer: str) -> None:
        self.poison_customer = poison_customer
        self.applied: list[str] = []

    async def __call__(self, events: Sequence[InboundEvent]) -> BatchChanges:
        if any(getattr(e, "customer_id", None) == self.poison_customer for e in events):
            raise KeyError("a bug")
        self.applied.extend(e.event_id for e in events)
        return BatchChanges()


async def test_one_poisonous_event_is_isolated_and_the_rest_of_its_batch_applied() -> None:
    inner = BrokenOnCustomer("poison")
    handler = RetryingEventHandler(inner, lambda e: isinstance(e, ConnectionError), RetryPolicy())
    events = [parsed(EventKind.SALE_COMPLETED, sale("b", c, "1")) for c in ("a", "poison", "c")]

    changes = await handler(events)

    assert inner.applied == [events[0].event_id, events[2].event_id]
    assert [(e.event_id, reason) for e, reason in changes.failed] == [
        (events[1].event_id, "KeyError: 'a bug'")
    ]


async def test_a_transient_failure_is_not_mistaken_for_poison() -> None:
    async def unreachable(events: Sequence[InboundEvent]) -> BatchChanges:
        raise ConnectionError("database down")

    handler = RetryingEventHandler(
        unreachable,
        lambda e: isinstance(e, ConnectionError),
        RetryPolicy(initial_seconds=0.01, max_seconds=0.02, budget_seconds=0.1),
    )
    with pytest.raises(ConnectionError):
        await handler([parsed(EventKind.SALE_COMPLETED, sale("b", "a", "1"))])
