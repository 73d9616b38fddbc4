"""Line items at the edge: what a message with items must be, what the payload hash covers,
and the attribution read from returns and bills."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from adapters.kafka.contracts import MAX_ITEMS
from adapters.kafka.parsing import Rejection, parse_event
from domain.events import (
    EventKind,
    InboundEvent,
    LineItem,
    PurchaseCompleted,
    RefundIssued,
    ReturnedItem,
)
from domain.ledger import Attribution
from tests.support.events import (
    bill,
    bill_refund,
    customer_return,
    encode,
    item,
    returned,
    sale,
)

pytestmark = pytest.mark.unit

SALE = EventKind.SALE_COMPLETED
RETURN = EventKind.CUSTOMER_RETURN_CREATED


def accepted(kind: EventKind, payload: dict[str, Any]) -> InboundEvent:
    event = parse_event(kind, encode(payload))
    assert not isinstance(event, Rejection), event
    return event


def rejected(kind: EventKind, payload: dict[str, Any]) -> Rejection:
    outcome = parse_event(kind, encode(payload))
    assert isinstance(outcome, Rejection), outcome
    return outcome


def test_a_sale_with_items_becomes_a_purchase_with_its_lines() -> None:
    payload = sale(
        "b1",
        "c1",
        "7.45",
        items=[
            item("bread", "2.45", category="bakery"),
            item("apples", "5.00", quantity="2.5", unit_price="2.20", discount="0.50"),
        ],
    )

    event = accepted(SALE, payload)

    assert isinstance(event, PurchaseCompleted)
    assert event.items == (
        LineItem("bread", "bakery", Decimal(1), Decimal("2.45"), Decimal(0), Decimal("2.45")),
        LineItem("apples", None, Decimal("2.5"), Decimal("2.20"), Decimal("0.50"), Decimal(5)),
    )


def test_a_return_names_items_by_quantity_or_by_amount() -> None:
    payload = customer_return(
        "b1", "s1", "3", items=[returned("bread", quantity="1"), returned("milk", amount="0.55")]
    )

    event = accepted(RETURN, payload)

    assert isinstance(event, RefundIssued)
    assert event.items == (
        ReturnedItem("bread", Decimal(1), None),
        ReturnedItem("milk", None, Decimal("0.55")),
    )


@pytest.mark.parametrize("line", [{"sku": "bread"}, returned("bread", quantity="1", amount="2")])
def test_a_returned_line_with_both_or_neither_measure_is_a_schema_violation(
    line: dict[str, Any],
) -> None:
    outcome = rejected(RETURN, customer_return("b1", "s1", "3", items=[line]))

    assert outcome.code == "schema_violation"


@pytest.mark.parametrize("kind", [SALE, EventKind.BILL_PAID])
def test_items_whose_amounts_do_not_add_up_to_the_total_go_to_the_dead_letters(
    kind: EventKind,
) -> None:
    make = sale if kind is SALE else bill
    payload = make("b1", "c1", "10.00", items=[item("a", "4.00"), item("b", "5.99")])

    outcome = rejected(kind, payload)

    assert outcome.code == "items_do_not_add_up"
    assert "9.99" in outcome.detail and "10.00" in outcome.detail


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", "0"),
        ("quantity", 0),
        ("quantity", "-1"),
        ("quantity", "0.00001"),
        ("amount", "-1"),
        ("amount", "NaN"),
        ("discount", "-0.01"),
        ("unit_price", None),
        ("sku", ""),
        ("sku", "a\x00"),
        ("sku", None),
        ("category", ""),
    ],
)
def test_a_line_outside_the_contract_is_a_schema_violation(field: str, value: object) -> None:
    line = {**item("a", "1.00"), field: value}

    outcome = rejected(SALE, sale("b1", "c1", "1.00", items=[line]))

    assert outcome.code == "schema_violation"
    assert "items" in outcome.detail


def test_more_lines_than_the_contract_allows_is_a_schema_violation() -> None:
    lines = [item(f"sku-{n}", "0") for n in range(MAX_ITEMS + 1)]

    assert rejected(SALE, sale("b1", "c1", "0", items=lines)).code == "schema_violation"


@pytest.mark.parametrize("empty", [None, []])
def test_null_or_empty_items_are_a_message_without_items_and_hash_as_one(empty: object) -> None:
    payload = sale("b1", "c1", "12.50")

    plain = accepted(SALE, payload)
    with_empty = accepted(SALE, {**payload, "items": empty})

    assert with_empty == plain


def test_the_items_are_part_of_the_payload_hash() -> None:
    payload = sale("b1", "c1", "3.00", items=[item("a", "1.00"), item("b", "2.00")])
    other = {**payload, "items": [item("a", "2.00"), item("b", "1.00")]}

    assert accepted(SALE, payload).payload_hash != accepted(SALE, other).payload_hash
    assert (
        accepted(SALE, payload).payload_hash
        != accepted(SALE, {**payload, "items": []}).payload_hash
    )


def test_the_same_items_written_differently_hash_the_same() -> None:
    payload = sale("b1", "c1", "3.00", items=[item("a", "1.00"), item("b", "2.00")])
    as_numbers = json.loads(encode(payload))
    as_numbers["items"][0]["amount"] = 1
    as_numbers["items"][0]["unit_price"] = 1.0
    as_numbers["items"][0]["note"] = "ignored"

    assert accepted(SALE, as_numbers).payload_hash == accepted(SALE, payload).payload_hash


NEWLY_READ = {  # attribution each kind gained in this version, hashed by none
    RETURN: ("terminal_id", "staff_id"),
    EventKind.BILL_PAID: ("staff_id",),
    EventKind.BILL_REFUNDED: ("store_id", "terminal_id", "staff_id"),
}


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        (RETURN, customer_return("b1", "s1", "3")),
        (EventKind.BILL_PAID, bill("b1", "c1", "30")),
        (EventKind.BILL_REFUNDED, bill_refund("b1", "bill-1", "5")),
    ],
)
def test_attribution_is_read_from_returns_and_bills_and_what_is_new_leaves_the_hash_as_it_was(
    kind: EventKind, payload: dict[str, Any]
) -> None:
    who = {"store_id": "store-2", "terminal_id": "till-4", "staff_id": "staff-8"}
    with_who = accepted(kind, {**payload, **who})
    without_new = accepted(
        kind, {k: v for k, v in {**payload, **who}.items() if k not in NEWLY_READ[kind]}
    )

    assert with_who.attribution == Attribution("store-2", "till-4", "staff-8")
    # A message that already carried them (ignored then) hashes as the inbox holds it.
    assert with_who.payload_hash == without_new.payload_hash
