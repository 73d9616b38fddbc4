"""Mapping refunds (returns and bill refunds, parked or resolved) to and from rows."""

from __future__ import annotations

from adapters.postgres.item_rows import returned_items_from, returned_items_json
from adapters.postgres.rows import Row
from domain.events import EventKind, RefundIssued
from domain.ledger import Attribution, Source
from domain.outcomes import Outcome, OutcomeStatus, SkipReason
from domain.purchases import RefundRecord


def refund_from(row: Row) -> RefundRecord:
    event = RefundIssued(
        kind=EventKind(row["kind"]),
        event_id=row["event_id"],
        payload_hash=row["payload_hash"],
        business_id=row["business_id"],
        occurred_at=row["occurred_at"],
        source=Source(row["source"]),
        reference=row["reference"],
        purchase_source=Source(row["purchase_source"]),
        purchase_reference=row["purchase_reference"],
        amount=row["amount"],
        currency=row["currency"],
        customer_id=row["customer_id"],
        attribution=Attribution(
            store_id=row["store_id"], terminal_id=row["terminal_id"], staff_id=row["staff_id"]
        ),
        items=returned_items_from(row["items"]),
    )
    reason = SkipReason(row["reason"]) if row["reason"] else None
    outcome = Outcome(OutcomeStatus(row["status"]), reason)
    return RefundRecord(event, outcome, points_reversed=row["points_reversed"])


def refund_columns(record: RefundRecord) -> tuple[object, ...]:
    e = record.event
    return (
        e.business_id,
        e.source.value,
        e.reference,
        e.event_id,
        e.kind.value,
        e.payload_hash,
        e.occurred_at,
        e.purchase_source.value,
        e.purchase_reference,
        e.amount,
        e.currency,
        e.customer_id,
        e.attribution.store_id,
        e.attribution.terminal_id,
        e.attribution.staff_id,
        record.outcome.status.value,
        record.outcome.reason.value if record.outcome.reason else None,
        record.points_reversed,
        returned_items_json(e.items),
    )
