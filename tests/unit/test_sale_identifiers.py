"""Sales and bills may name the customer by phone, card or e-mail (contract 1.5.0): valid
ones are read normalised, anything else ignored, and none of it changes the payload hash. Since
1.6.0 such a sale may leave ``customer_id`` out rather than send it null."""

from __future__ import annotations

import pytest

from adapters.kafka.contract_check import breaking_changes
from domain.events import EventKind, PurchaseCompleted
from domain.identifiers import card, email, phone
from tests.support.events import parsed, sale

pytestmark = pytest.mark.unit


def test_a_sale_names_its_customer_by_phone_card_and_email_normalised() -> None:
    payload = sale("shop", None, "10", customer_phone="07911 123456", card_number="1234 5678")
    event = parsed(EventKind.SALE_COMPLETED, {**payload, "customer_email": " A@B.io"})

    assert isinstance(event, PurchaseCompleted)
    assert event.identifiers == (phone("+447911123456"), card("12345678"), email("a@b.io"))


@pytest.mark.parametrize("value", [12345, "call me", {"phone": "x"}, None, ""])
def test_an_identifier_that_is_not_one_is_ignored_and_the_sale_still_reads(value: object) -> None:
    event = parsed(EventKind.BILL_PAID, _bill(customer_phone=value, card_number=value))

    assert isinstance(event, PurchaseCompleted)
    assert event.identifiers == ()


def test_identifiers_do_not_change_the_payload_hash_of_an_event_sent_before_them() -> None:
    plain = sale("shop", "c-1", "10")
    named = {**plain, "customer_phone": "+447911123456"}

    assert (
        parsed(EventKind.SALE_COMPLETED, plain).payload_hash
        == parsed(EventKind.SALE_COMPLETED, named).payload_hash
    )


@pytest.mark.parametrize("kind", [EventKind.SALE_COMPLETED, EventKind.BILL_PAID])
def test_without_a_customer_id_key_an_event_reads_as_with_a_null_one(kind: EventKind) -> None:
    null = sale("shop", None, "10") if kind is EventKind.SALE_COMPLETED else _bill()
    null["customer_phone"] = "07911 123456"
    left_out = {k: v for k, v in null.items() if k != "customer_id"}

    with_null, without = parsed(kind, null), parsed(kind, left_out)

    assert isinstance(without, PurchaseCompleted)
    assert without.customer_id is None
    assert without.identifiers == (phone("+447911123456"),)
    assert without.payload_hash == with_null.payload_hash  # one sale, however it is sent


def test_a_new_field_that_accepts_anything_is_not_a_breaking_change() -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}}
    new = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"default": None}}}
    narrower = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}

    assert breaking_changes(old, new, "receive") == []
    assert breaking_changes(old, narrower, "receive") != []


def _bill(**extra: object) -> dict[str, object]:
    return {
        "event_id": "e-1",
        "occurred_at": "2026-06-01T12:00:00Z",
        "business_id": "shop",
        "bill_id": "b-1",
        "customer_id": None,
        "amount": "10",
        "currency": "EUR",
        **extra,
    }
