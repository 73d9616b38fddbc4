"""A sale the batch resolved to its customer (by phone, by a merge's forward) is a copy of
the parsed event: its dead letter must still find the record it came from, or the batch
fails for ever and its partition stops."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiokafka.structs import ConsumerRecord

from adapters.kafka.routing import Record, route_batch, settle_batch
from domain.events import EventKind
from domain.identifiers import Identifier, IdentifierKind
from service.use_cases.event_intake import ApplyEventBatch
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWorkFactory

from .builders import BUSINESS, RECORDED_AT, account, account_id_of
from .builders import programme as make_programme

pytestmark = pytest.mark.unit

TOPICS = {"sale.completed": EventKind.SALE_COMPLETED}
PHONE = Identifier(IdentifierKind.PHONE, "+447911123456")


def record(document: dict[str, Any], offset: int) -> Record:
    raw = json.dumps(document).encode()
    return ConsumerRecord("sale.completed", 0, offset, 0, 0, None, raw, None, 0, len(raw), [])


async def test_a_reused_id_of_a_sale_found_by_phone_is_dead_lettered_with_its_record() -> None:
    store = FakeStore(programmes={BUSINESS: make_programme()}, accounts={})
    store.accounts[(BUSINESS, account_id_of("c1"))] = account("c1")
    store.identifiers[(BUSINESS, PHONE)] = account_id_of("c1")
    apply = ApplyEventBatch(FakeUnitOfWorkFactory(store), FakeClock(RECORDED_AT))
    first = {
        "event_id": "e-1",
        "occurred_at": "2025-03-01T12:00:00Z",
        "business_id": BUSINESS,
        "sale_id": "s-1",
        "customer_id": None,
        "total_amount": "10",
        "currency": "EUR",
        "customer_phone": "07911 123456",
    }
    reused = record({**first, "total_amount": "20"}, 1)
    await apply(route_batch([record(first, 0)], TOPICS).events)

    routed = route_batch([reused], TOPICS)
    settled = settle_batch(routed, await apply(routed.events))

    assert [(letter.record, letter.code) for letter in settled.letters] == [
        (reused, "event_id_reused")
    ]
