"""Tamper evidence: each entry's hash covers its content and the previous entry's hash.

Changing, removing or reordering any entry of an account breaks every hash after it, which
``loyalty verify`` recomputes.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal

from domain.ledger import LedgerEntry

GENESIS_HASH = "0" * 64


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


def entry_hash(entry: LedgerEntry, prev_hash: str) -> str:
    return hash_fields(
        prev_hash,
        entry.entry_id,
        entry.business_id,
        entry.account_id,
        entry.customer_id,
        entry.seq,
        entry.kind.value,
        entry.points,
        entry.balance_after,
        entry.source.value,
        entry.source_ref,
        entry.event_id,
        entry.occurred_at,
        entry.amount,
        entry.currency,
        entry.related_entry_id,
        entry.reason,
    )


def hash_fields(*fields: object) -> str:
    """The hash over fields in ``entry_hash``'s order (the previous hash first)."""
    # Strings, most of the fields, skip the call: this runs for every entry written.
    text = "\x1f".join([f if type(f) is str else _text(f) for f in fields])
    return hashlib.sha256(text.encode()).hexdigest()
