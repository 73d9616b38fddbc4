"""From raw Kafka bytes to domain events, or to a rejection saying exactly why."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ValidationError

from adapters.kafka.contracts import BillPaid, BillRefunded, CustomerReturnCreated, SaleCompleted
from domain.events import EventKind, InboundEvent, PurchaseCompleted, RefundIssued
from domain.ledger import Attribution, Source

CONTRACTS: dict[EventKind, type[BaseModel]] = {
    EventKind.SALE_COMPLETED: SaleCompleted,
    EventKind.CUSTOMER_RETURN_CREATED: CustomerReturnCreated,
    EventKind.BILL_PAID: BillPaid,
    EventKind.BILL_REFUNDED: BillRefunded,
}


@dataclass(frozen=True)
class Rejection:
    """Why a message cannot be applied: it goes to the dead-letter topic with this reason."""

    code: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _decode(raw: bytes | None) -> dict[str, Any] | Rejection:
    if raw is None:
        return Rejection("empty_message", "the message has no value")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return Rejection("invalid_utf8", str(error))
    try:
        document = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        return Rejection("invalid_json", str(error)[:500])
    if not isinstance(document, dict):
        return Rejection(
            "schema_violation", f"expected a JSON object, got {type(document).__name__}"
        )
    return document


def _schema_errors(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False, include_input=False)[:10]:
        where = ".".join(str(p) for p in item["loc"]) or "message"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(type(value).__name__)


def payload_hash(model: BaseModel) -> str:
    """Hash of the validated content, so formatting changes alone are not a new payload."""
    text = json.dumps(model.model_dump(), default=_canonical, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def parse_event(kind: EventKind, raw: bytes | None) -> InboundEvent | Rejection:
    document = _decode(raw)
    if isinstance(document, Rejection):
        return document
    try:
        model = CONTRACTS[kind].model_validate(document)
    except ValidationError as error:
        return Rejection("schema_violation", _schema_errors(error))
    return to_domain(kind, model, payload_hash(model))


def to_domain(kind: EventKind, model: BaseModel, digest: str) -> InboundEvent:
    if isinstance(model, SaleCompleted | BillPaid):
        is_sale = isinstance(model, SaleCompleted)
        return PurchaseCompleted(
            kind=kind,
            event_id=model.event_id,
            payload_hash=digest,
            business_id=model.business_id,
            occurred_at=model.occurred_at,
            source=Source.SALE if is_sale else Source.BILL,
            reference=model.sale_id if isinstance(model, SaleCompleted) else model.bill_id,
            customer_id=model.customer_id,
            amount=model.total_amount if isinstance(model, SaleCompleted) else model.amount,
            currency=model.currency,
            attribution=Attribution(
                store_id=model.store_id,
                terminal_id=model.terminal_id,
                staff_id=model.staff_id if isinstance(model, SaleCompleted) else None,
            ),
            redemption_id=model.loyalty_redemption_id if isinstance(model, SaleCompleted) else None,
        )
    assert isinstance(model, CustomerReturnCreated | BillRefunded)
    is_return = isinstance(model, CustomerReturnCreated)
    return RefundIssued(
        kind=kind,
        event_id=model.event_id,
        payload_hash=digest,
        business_id=model.business_id,
        occurred_at=model.occurred_at,
        source=Source.RETURN if is_return else Source.BILL_REFUND,
        reference=model.return_id if isinstance(model, CustomerReturnCreated) else model.refund_id,
        purchase_source=Source.SALE if is_return else Source.BILL,
        purchase_reference=model.sale_id
        if isinstance(model, CustomerReturnCreated)
        else model.bill_id,
        amount=model.refund_amount,
        currency=model.currency,
        customer_id=model.customer_id,
        attribution=Attribution(
            store_id=model.store_id if isinstance(model, CustomerReturnCreated) else None
        ),
    )
