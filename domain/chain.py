"""Tamper evidence: each entry's hash covers its content and the previous entry's hash.

Changing, removing or reordering any entry of an account breaks every hash after it, which
``loyalty verify`` recomputes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.ledger import LedgerEntry, entry_getter

GENESIS_HASH = "0" * 64

# The fields each stored hash covers, after the previous hash, in this order: every stored
# hash was computed over exactly these, so a field added to entries is not added here.
HASHED_FIELDS = (
    "entry_id",
    "business_id",
    "account_id",
    "customer_id",
    "seq",
    "kind",
    "points",
    "balance_after",
    "source",
    "source_ref",
    "event_id",
    "occurred_at",
    "amount",
    "currency",
    "related_entry_id",
    "reason",
)
_HASHED = entry_getter(*HASHED_FIELDS)

# Fields entries gained later, with the value every earlier entry holds. Each is hashed, as
# ``name=value`` after ``HASHED_FIELDS``, only when it differs from that value: so the
# hashes stored before keep verifying, and a stamp or a reward is as tamper-evident as points.
ADDED_FIELDS: tuple[tuple[str, object], ...] = (
    ("stamps", 0),
    ("stamps_balance_after", 0),
    ("reward_id", None),
    ("reward_description", None),
    ("category_ids", ()),
    ("description", None),
    ("level_before", None),
    ("level_after", None),
    ("referred_account_id", None),
)
_ADDED = entry_getter(*(name for name, _ in ADDED_FIELDS))
_ADDED_UNSET = tuple(unset for _, unset in ADDED_FIELDS)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


# The exact types entries hold, looked up rather than tested in turn (the same text as
# ``_text``): this runs for every entry written and verified.
_TEXT_OF_TYPE: dict[type, Callable[[Any], str]] = {
    type(None): _text,
    int: str,
    UUID: str,
    Decimal: _text,
    datetime: _text,
}


def hashed_values(entry: LedgerEntry, prev_hash: str) -> tuple[Any, ...]:
    """What ``entry_hash`` covers, in order: ``prev_hash``, then ``HASHED_FIELDS``, then each
    of ``ADDED_FIELDS`` that is set, as ``name=value``."""
    added = _ADDED(entry)
    if added == _ADDED_UNSET:
        return (prev_hash, *_HASHED(entry))
    extra = [
        f"{name}={_added_text(value)}"
        for (name, unset), value in zip(ADDED_FIELDS, added, strict=True)
        if value != unset
    ]
    return (prev_hash, *_HASHED(entry), *extra)


def _added_text(value: object) -> str:
    if isinstance(value, tuple):  # category ids: each as it is, in order
        return "\x1e".join(str(part) for part in value)
    return _text(value)


def entry_hash(entry: LedgerEntry, prev_hash: str) -> str:
    return _hash_fields(*hashed_values(entry, prev_hash))


def seal(entry: LedgerEntry) -> LedgerEntry:
    """The entry with its ``entry_hash`` set from its fields and its ``prev_hash``."""
    sealed = object.__new__(LedgerEntry)
    # A copy of the frozen entry's attributes, one replaced: dataclasses.replace would cost
    # as much again as the hash, and this runs for every entry posted.
    sealed.__dict__.update(entry.__dict__, entry_hash=entry_hash(entry, entry.prev_hash))
    return sealed


def hashed_texts(entry: LedgerEntry, prev_hash: str) -> list[str]:
    """The texts ``entry_hash`` joins with US (\\x1f) and hashes: ``hashed_values`` as text."""
    return [_as_text(value) for value in hashed_values(entry, prev_hash)]


def _as_text(value: object) -> str:
    return value if type(value) is str else _TEXT_OF_TYPE.get(type(value), _text)(value)


def _hash_fields(*fields: object) -> str:
    """The hash over fields in ``hashed_values``' order (the previous hash first)."""
    # Strings, most of the fields, skip the call: this runs for every entry written.
    text = "\x1f".join(
        [f if type(f) is str else _TEXT_OF_TYPE.get(type(f), _text)(f) for f in fields]
    )
    return hashlib.sha256(text.encode()).hexdigest()
