"""From raw Kafka bytes to domain events, or to a rejection saying exactly why."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ValidationError

from adapters.kafka.contracts import (
    BillPaid,
    BillRefunded,
    CustomerReturnCreated,
    SaleCancelled,
    SaleCompleted,
)
from adapters.kafka.customer_events import CustomerUpdated, customer_update
from adapters.kafka.line_items import items_text, line_items, lines_rejection, returned_items
from adapters.phone_numbers import DEFAULT_REGION, phone_identifier
from domain.customer_updates import CustomerUpdate, IntakeEvent
from domain.events import EventKind, InboundEvent, PurchaseCompleted, RefundIssued
from domain.identifiers import Identifier, InvalidIdentifier, card, email
from domain.ledger import Attribution, Source
from ports.intake import ReadBatch

CONTRACTS: dict[EventKind, type[BaseModel]] = {
    EventKind.SALE_COMPLETED: SaleCompleted,
    EventKind.CUSTOMER_RETURN_CREATED: CustomerReturnCreated,
    EventKind.BILL_PAID: BillPaid,
    EventKind.BILL_REFUNDED: BillRefunded,
    EventKind.SALE_CANCELLED: SaleCancelled,
}
INTAKE_CONTRACTS: dict[EventKind, type[BaseModel]] = {
    **CONTRACTS,  # the ledger's events, hashed by ``canonical_text``
    EventKind.CUSTOMER_UPDATED: CustomerUpdated,  # hashed in ``customer_events``
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
        return Rejection("invalid_utf8", _printable(str(error)))
    try:
        # Integers as Decimal too: exact like the rest, and -0 keeps its sign to be refused.
        document = json.loads(
            text, parse_float=Decimal, parse_int=Decimal, parse_constant=_refuse_constant
        )
    except (ValueError, RecursionError) as error:
        return Rejection("invalid_json", _printable(str(error)))
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


def _json_value(value: object) -> str:
    """A field's value as ``json.dumps`` writes it after ``_canonical`` (ASCII-escaped)."""
    if value is None:
        return "null"
    if type(value) is str:
        return encode_basestring_ascii(value)
    if isinstance(value, Decimal):
        return encode_basestring_ascii(format(value.normalize(), "f"))
    if isinstance(value, datetime):
        return encode_basestring_ascii(value.astimezone(UTC).isoformat())
    if isinstance(value, UUID):
        return encode_basestring_ascii(str(value))
    return json.dumps(value)  # nothing else is in a contract today; kept exact if one comes


_SORTED_FIELDS = {
    model: tuple(sorted(name for name, f in model.model_fields.items() if not f.exclude))
    for model in CONTRACTS.values()
}


def canonical_text(model: BaseModel) -> str:
    """``json.dumps(model.model_dump(), sort_keys=True)`` with exact decimals, UTC instants
    and plain UUIDs, written field by field: the contracts are flat, and this is the same
    text at a third of the cost (a property test holds the two equal). The inbox keeps hashes
    of this text, so it must never change: a replay would read changed hashes as conflicts.
    Fields added since are out of the dump; line items are written in their sorted place only
    when a message has some, so a message without them hashes as it always did.
    """
    values = model.__dict__
    fields = [(name, _json_value(values[name])) for name in _SORTED_FIELDS[type(model)]]
    items = getattr(model, "items", None)
    if items:
        fields.append(("items", items_text(items, _json_value)))
        fields.sort()
    return "{" + ", ".join(f'"{name}": {text}' for name, text in fields) + "}"


def payload_hash(model: BaseModel) -> str:
    """Hash of the validated content, so formatting changes alone are not a new payload."""
    return hashlib.sha256(canonical_text(model).encode()).hexdigest()


def parse_event(
    kind: EventKind, raw: bytes | None, phone_region: str = DEFAULT_REGION
) -> InboundEvent | Rejection:
    """A ledger event, or why not (``parse_intake`` for every inbound topic)."""
    event = parse_intake(kind, raw, phone_region)
    if isinstance(event, CustomerUpdate):
        return Rejection("unparseable", "customer.updated carries no ledger event")
    return event


def parse_intake(
    kind: EventKind, raw: bytes | None, phone_region: str = DEFAULT_REGION
) -> IntakeEvent | Rejection:
    """An event, or why not: never an exception, whatever the bytes, so one record can
    never stop its partition (the consumer would redeliver it for ever). Phone numbers
    without a country code are read in ``phone_region`` (``Settings.phone_region``)."""
    try:
        return _parse(kind, raw, phone_region)
    except Exception as error:  # a gap in the contracts: refuse the record, keep consuming
        return Rejection("unparseable", _printable(f"{type(error).__name__}: {error}"))


def _parse(kind: EventKind, raw: bytes | None, phone_region: str) -> IntakeEvent | Rejection:
    document = _decode(raw)
    if isinstance(document, Rejection):
        return document
    try:
        contract = CustomerUpdated if kind is EventKind.CUSTOMER_UPDATED else CONTRACTS[kind]
        model = contract.model_validate(document)
    except ValidationError as error:
        return Rejection("schema_violation", _printable(_schema_errors(error)))
    if isinstance(model, CustomerUpdated):
        update = customer_update(model, phone_region)
        return update if isinstance(update, CustomerUpdate) else Rejection(*update)
    refused = lines_rejection(model)
    if refused is not None:
        return Rejection(*refused)
    return to_domain(kind, model, payload_hash(model), phone_region)


def _printable(detail: str) -> str:
    """Short, and encodable as UTF-8: the detail becomes a Kafka header of the dead letter,
    and a lone surrogate from the message itself must not make publishing it fail."""
    return detail[:500].encode("utf-8", "backslashreplace").decode("utf-8")


def to_domain(
    kind: EventKind, model: BaseModel, digest: str, phone_region: str = DEFAULT_REGION
) -> InboundEvent:
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
                staff_id=model.staff_id,
            ),
            redemption_id=model.loyalty_redemption_id if isinstance(model, SaleCompleted) else None,
            items=line_items(model.items),
            identifiers=customer_identifiers(model, phone_region),
        )
    if isinstance(model, SaleCancelled):
        return _cancellation(kind, model, digest)
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
            store_id=model.store_id, terminal_id=model.terminal_id, staff_id=model.staff_id
        ),
        items=returned_items(model.items),
    )


def _cancellation(kind: EventKind, model: SaleCancelled, digest: str) -> RefundIssued:
    """A refund of the rest of the sale's money: the amount and currency are the sale's,
    resolved when it is applied (``domain.cancellations``)."""
    return RefundIssued(
        kind=kind,
        event_id=model.event_id,
        payload_hash=digest,
        business_id=model.business_id,
        occurred_at=model.occurred_at,
        source=Source.CANCELLATION,
        reference=model.cancellation_id,
        purchase_source=Source.SALE,
        purchase_reference=model.sale_id,
        amount=Decimal(0),
        currency="XXX",  # ISO 4217's "no currency": the sale's, once applied
        customer_id=model.customer_id,
        attribution=Attribution(
            store_id=model.store_id, terminal_id=model.terminal_id, staff_id=model.staff_id
        ),
    )


def read_batch(kind: EventKind, raws: Sequence[bytes | None]) -> ReadBatch:
    """Records read back from a topic, parsed: the events, and how many were refused.
    Customer updates are read but not replayed: they change no balance."""
    parsed = [parse_intake(kind, raw) for raw in raws]
    events = [e for e in parsed if isinstance(e, PurchaseCompleted | RefundIssued)]
    refused = sum(isinstance(e, Rejection) for e in parsed)
    return ReadBatch(events, refused, len(raws))


def customer_identifiers(
    model: SaleCompleted | BillPaid, phone_region: str = DEFAULT_REGION
) -> tuple[Identifier, ...]:
    """The valid ones of the identifiers a sale or bill names; an invalid one is ignored (the
    sale goes on as it would without it: a typo at the till must not hold a sale back)."""
    found: list[Identifier] = []
    for normalise, given in (
        (partial(phone_identifier, region=phone_region), model.customer_phone),
        (card, model.card_number),
        (email, model.customer_email),
    ):
        if isinstance(given, str):
            with contextlib.suppress(InvalidIdentifier):
                found.append(normalise(given))
    return tuple(found)
