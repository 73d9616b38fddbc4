"""A counter-example the stateful model test found for stamp voids, kept as an example: on a
card with an item basis, a return naming goods that earned no stamps and a return by amount
of the rest gave back all the money (every point was reversed) but voided one stamp of two."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

import pytest

from domain.events import InboundEvent, LineItem, ReturnedItem
from domain.ledger import EntryKind
from domain.stamps import StampBasis, StampCard
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.verification import verify_ledger
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWorkFactory
from tests.unit.builders import BUSINESS, RECORDED_AT, account, customer_return, sale
from tests.unit.builders import programme as programme_of
from tests.unit.builders import rule as rule_of

pytestmark = pytest.mark.unit

PER_CUP = StampCard(target=10, basis=StampBasis.ITEM, categories=frozenset({"coffee"}))


def test_a_full_return_voids_every_stamp_however_its_items_were_named() -> None:
    rule = replace(rule_of(), stamp_card=PER_CUP)
    store = FakeStore(programmes={BUSINESS: programme_of(rule)})
    holder = account("c1")
    store.accounts = {(holder.business_id, holder.account_id): holder}
    uows, clock = FakeUnitOfWorkFactory(store), FakeClock(RECORDED_AT)
    lines = (
        LineItem("latte", "coffee", Decimal(2), Decimal(5), Decimal(0), Decimal(10)),
        LineItem("cigs", "tobacco", Decimal(1), Decimal(10), Decimal(0), Decimal(10)),
    )
    named = (ReturnedItem("cigs", amount=Decimal(10)),)
    events: list[InboundEvent] = [
        replace(sale("s1", "20"), items=lines),
        replace(customer_return("r1", "s1", "10"), items=named),
        customer_return("r2", "s1", "10"),
    ]

    async def history() -> None:
        for event in events:
            clock.advance(minutes=1)
            await ApplyEventBatch(uows, clock)([event])

    asyncio.run(history())

    stamps = {e.kind: 0 for e in store.entries}
    for entry in store.entries:
        stamps[entry.kind] += entry.stamps
    assert stamps[EntryKind.STAMP_EARN] == 2
    assert stamps[EntryKind.STAMP_VOID] == -2
    assert sum(e.points for e in store.entries) == 0
    assert asyncio.run(verify_ledger(uows, None, 10**9)).ok
