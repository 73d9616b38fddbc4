"""Inbound event payloads as upstream systems send them (plain dicts, JSON-ready)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.kafka.parsing import Rejection, parse_event
from domain.events import EventKind, InboundEvent

_ids = itertools.count(1)
BASE_TIME = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _next(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def at(minutes: int = 0) -> str:
    return (BASE_TIME + timedelta(minutes=minutes)).isoformat()


def sale(business: str, customer: str | None, total: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": _next("evt"),
        "occurred_at": at(),
        "business_id": business,
        "sale_id": _next("sale"),
        "customer_id": customer,
        "total_amount": total,
        "currency": "EUR",
        "store_id": "store-1",
        "terminal_id": "till-3",
        "staff_id": "staff-9",
        **extra,
    }


def customer_return(business: str, sale_id: str, amount: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": _next("evt"),
        "occurred_at": at(30),
        "business_id": business,
        "return_id": _next("ret"),
        "sale_id": sale_id,
        "refund_amount": amount,
        "currency": "EUR",
        **extra,
    }


def bill(business: str, customer: str | None, amount: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": _next("evt"),
        "occurred_at": at(),
        "business_id": business,
        "bill_id": _next("bill"),
        "customer_id": customer,
        "amount": amount,
        "currency": "EUR",
        **extra,
    }


def bill_refund(business: str, bill_id: str, amount: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": _next("evt"),
        "occurred_at": at(45),
        "business_id": business,
        "refund_id": _next("refund"),
        "bill_id": bill_id,
        "refund_amount": amount,
        "currency": "EUR",
        **extra,
    }


def sale_cancelled(business: str, sale_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": _next("evt"),
        "occurred_at": at(60),
        "business_id": business,
        "cancellation_id": _next("cancel"),
        "sale_id": sale_id,
        **extra,
    }


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


def parsed(kind: EventKind, payload: dict[str, Any]) -> InboundEvent:
    event = parse_event(kind, encode(payload))
    assert not isinstance(event, Rejection), event
    return event


def item(
    sku: str,
    amount: str,
    *,
    category: str | None = None,
    quantity: str = "1",
    unit_price: str | None = None,
    discount: str = "0",
) -> dict[str, Any]:
    """One line of a sale or bill, as the sales system sends it (``amount`` after discount)."""
    return {
        "sku": sku,
        "category": category,
        "quantity": quantity,
        "unit_price": unit_price or amount,
        "discount": discount,
        "amount": amount,
    }


def returned(sku: str, *, quantity: str | None = None, amount: str | None = None) -> dict[str, Any]:
    """One line a return or bill refund gives back: a quantity of it or an amount."""
    line: dict[str, Any] = {"sku": sku}
    if quantity is not None:
        line["quantity"] = quantity
    if amount is not None:
        line["amount"] = amount
    return line
