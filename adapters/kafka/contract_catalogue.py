"""Per topic: the contract's own semantic version, what upstream keys a message by, and an
example message (each example is checked against the parser and the schema by the tests).

A contract's version moves with its schema: minor for a compatible change, major for one
the compatibility gate (``contract_check``) calls breaking. Released copies are immutable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

LEDGER_TOPIC = "loyalty.ledger"
ID_BASE = "urn:loyalty-points:contract"
_AT = "2026-06-01T12:00:00Z"


@dataclass(frozen=True)
class Contract:
    version: str
    direction: Literal["receive", "send"]
    key: str
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


def _keyed_by(thing: str, follower: str) -> str:
    return (
        f"The {thing}'s id (`{thing}_id`), as UTF-8. Not required (a null key is accepted) and"
        f" no order is needed: a {follower} that arrives before its {thing} is parked and"
        f" applied once the {thing} is. Keyed by {thing}, every message about one {thing} stays"
        " in order on its topic, so a repeated event id is decided in the order sent."
    )


_BY_SALE = _keyed_by("sale", "return or cancellation")
_BY_BILL = _keyed_by("bill", "refund")

CONTRACTS: dict[str, Contract] = {
    "sale.completed": Contract(
        "1.6.0",
        "receive",
        _BY_SALE,
        [
            {
                "event_id": "e-1",
                "occurred_at": _AT,
                "business_id": "shop-1",
                "sale_id": "s-1",
                "customer_id": "cust-42",
                "total_amount": "259.90",
                "currency": "EUR",
                "store_id": "store-7",
                "items": [
                    {"sku": "A-1", "quantity": "2", "unit_price": "100", "amount": "200"},
                    {
                        "sku": "B-2",
                        "quantity": 1,
                        "unit_price": 64.9,
                        "discount": 5,
                        "amount": 59.9,
                    },
                ],
            }
        ],
    ),
    "customer-return.created": Contract(
        "1.4.0",
        "receive",
        _BY_SALE,
        [
            {
                "event_id": "e-2",
                "occurred_at": "2026-06-02T09:30:00+02:00",
                "business_id": "shop-1",
                "return_id": "r-1",
                "sale_id": "s-1",
                "refund_amount": "100.00",
                "currency": "EUR",
                "items": [{"sku": "A-1", "quantity": "1"}],
            }
        ],
    ),
    "bill.paid": Contract(
        "1.6.0",
        "receive",
        _BY_BILL,
        [
            {
                "event_id": "e-3",
                "occurred_at": _AT,
                "business_id": "bistro-1",
                "bill_id": "b-1",
                "customer_id": "cust-42",
                "amount": 48.5,
                "currency": "EUR",
            }
        ],
    ),
    "bill.refunded": Contract(
        "1.4.0",
        "receive",
        _BY_BILL,
        [
            {
                "event_id": "e-4",
                "occurred_at": _AT,
                "business_id": "bistro-1",
                "refund_id": "rf-1",
                "bill_id": "b-1",
                "refund_amount": "8.50",
                "currency": "EUR",
            }
        ],
    ),
    "sale.cancelled": Contract(
        "1.4.0",
        "receive",
        _BY_SALE,
        [
            {
                "event_id": "e-5",
                "occurred_at": _AT,
                "business_id": "shop-1",
                "cancellation_id": "x-1",
                "sale_id": "s-1",
            }
        ],
    ),
    "customer.updated": Contract(
        "1.0.1",
        "receive",
        "The customer's id (`customer_id`), as UTF-8: every update of one customer stays in"
        " order on one partition. Not required, but without it two updates of a customer may"
        " be applied out of order; the newest `occurred_at` still wins.",
        [
            {
                "event_id": "e-6",
                "occurred_at": _AT,
                "business_id": "shop-1",
                "customer_id": "cust-42",
                "type": "updated",
                "name": "Ann Example",
                "phone": "+44 7911 123456",
                "email": None,
            }
        ],
    ),
    LEDGER_TOPIC: Contract(
        "1.6.0",
        "send",
        "The account id (a UUID, as text): every entry of one account is on one partition,"
        " in the order it was written.",
        [],  # made from a real entry in ``schema_export`` (every field, as published)
    ),
}


def schema_id(topic: str, version: str) -> str:
    return f"{ID_BASE}:{topic}:{version}"
