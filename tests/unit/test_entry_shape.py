"""One entry shape: the hash, the table row, the outbound message and the API view of a ledger
entry are all cut from ``domain.ledger.ENTRY_FIELDS``, and the hash stays what it always was."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.http.presenters import entry_out
from adapters.http.schemas import EntryOut
from adapters.kafka.contracts import LedgerEntryPublished
from adapters.kafka.ledger_publisher import ledger_message
from adapters.postgres.outbox import MESSAGE_FIELDS, UNPUBLISHED
from adapters.postgres.rows import ENTRY_ROW, LEDGER_COLUMNS, entry_columns, entry_from
from domain.accounts import Account
from domain.chain import GENESIS_HASH, HASHED_FIELDS, entry_hash, hashed_values, seal
from domain.ledger import (
    BUCKET_OF_KIND,
    ENTRY_FIELDS,
    Attribution,
    EntryKind,
    LedgerEntry,
    RateSnapshot,
    Source,
    entry_from_record,
    entry_values,
)
from domain.postings import post_entry

pytestmark = pytest.mark.unit

ZONES = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)  # no lone surrogates
maybe_texts = st.none() | texts
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.sampled_from(ZONES)
)
decimals = st.decimals(allow_nan=False, allow_infinity=False, places=6, max_value=10**12)
hashes = st.text("0123456789abcdef", min_size=64, max_size=64)
rates = st.builds(RateSnapshot, st.integers(1, 10**6), decimals, decimals, decimals)
attributions = st.builds(Attribution, *[maybe_texts] * 6)
entries = st.builds(
    LedgerEntry,
    entry_id=st.uuids(),
    business_id=texts,
    account_id=st.uuids(),
    customer_id=texts,
    seq=st.integers(1, 2**62),
    kind=st.sampled_from(EntryKind),
    points=st.integers(-(2**62), 2**62),
    balance_after=st.integers(-(2**62), 2**62),
    source=st.sampled_from(Source),
    source_ref=texts,
    event_id=maybe_texts,
    occurred_at=moments,
    recorded_at=moments,
    amount=st.none() | decimals,
    currency=st.none() | st.sampled_from(["EUR", "GBP"]),
    rates=st.none() | rates,
    related_entry_id=st.none() | st.uuids(),
    attribution=attributions,
    reason=maybe_texts,
    prev_hash=hashes,
    entry_hash=st.just(""),
)


def _stored_order(entry: LedgerEntry, prev_hash: str) -> tuple[Any, ...]:
    """The order every stored hash was computed in, as ``entry_hash`` typed it by hand."""
    e = entry
    return (
        *(prev_hash, e.entry_id, e.business_id, e.account_id, e.customer_id, e.seq),
        *(e.kind.value, e.points, e.balance_after, e.source.value, e.source_ref, e.event_id),
        *(e.occurred_at, e.amount, e.currency, e.related_entry_id, e.reason),
    )


def _stored_hash(*fields: object) -> str:
    """The hash as it was computed before the fields were read from one shape."""

    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat()
        return str(value)

    return hashlib.sha256("\x1f".join(text(f) for f in fields).encode()).hexdigest()


FULL = LedgerEntry(
    entry_id=UUID("11111111-2222-3333-4444-555555555555"),
    business_id="shop-1",
    account_id=UUID("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"),
    customer_id="cust-7",
    seq=42,
    kind=EntryKind.REVERSAL,
    points=-37,
    balance_after=1205,
    source=Source.RETURN,
    source_ref="ret-9",
    event_id="evt-3",
    occurred_at=datetime(2026, 3, 1, 14, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2))),
    recorded_at=datetime(2026, 3, 1, 12, 31, tzinfo=UTC),
    amount=Decimal("12.5000"),
    currency="EUR",
    rates=RateSnapshot(3, Decimal("1.5"), Decimal("2"), Decimal("100")),
    related_entry_id=UUID("99999999-8888-7777-6666-555555555555"),
    attribution=Attribution("st", "t1", "staff", "actor", "1.2.3.4", "ua"),
    reason="partial return",
    prev_hash="ab" * 32,
)
BARE = LedgerEntry(
    entry_id=UUID("11111111-2222-3333-4444-555555555556"),
    business_id="shop-1",
    account_id=UUID("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"),
    customer_id="cust-7",
    seq=1,
    kind=EntryKind.WELCOME_BONUS,
    points=50,
    balance_after=50,
    source=Source.SYSTEM,
    source_ref="welcome",
    event_id=None,
    occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
    recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
    prev_hash=GENESIS_HASH,
)


def test_the_hash_of_a_fixed_entry_is_the_one_computed_before_the_reshape() -> None:
    # Computed by the code before the hashed fields came from one definition.
    assert seal(FULL).entry_hash == (
        "1143974266b1b78afb78d796a2398d7abf068c9f848007f11688fa2d36a04b39"
    )
    assert seal(BARE).entry_hash == (
        "89e8adfb6eb830c7724449b7b0b450f40b3351134a8a79ff5949050d4b48a03f"
    )


@given(entries, hashes)
def test_the_hashed_fields_are_the_stored_ones_in_the_stored_order(
    entry: LedgerEntry, prev_hash: str
) -> None:
    assert hashed_values(entry, prev_hash) == _stored_order(entry, prev_hash)
    assert entry_hash(entry, prev_hash) == _stored_hash(*_stored_order(entry, prev_hash))


@given(entries)
def test_a_sealed_entry_verifies_and_differs_from_the_given_one_only_in_its_hash(
    entry: LedgerEntry,
) -> None:
    sealed = seal(entry)
    assert sealed.entry_hash == entry_hash(sealed, sealed.prev_hash)  # what verify recomputes
    assert replace(sealed, entry_hash="") == entry
    assert entry_hash(sealed, GENESIS_HASH if entry.prev_hash != GENESIS_HASH else "f" * 64) != (
        sealed.entry_hash
    )


@given(entries, st.sampled_from(HASHED_FIELDS))
def test_changing_any_hashed_field_breaks_the_seal(entry: LedgerEntry, name: str) -> None:
    sealed = seal(entry)
    record = dict(zip(ENTRY_FIELDS, entry_values(sealed), strict=True))
    value = record[name]
    record[name] = {
        "kind": "expiry" if value != "expiry" else "earn",
        "source": "admin" if value != "admin" else "pos",
    }.get(name, _other(value))
    tampered = entry_from_record(record)
    assert entry_hash(tampered, tampered.prev_hash) != sealed.entry_hash


def _other(value: object) -> object:
    if isinstance(value, UUID):
        return UUID(int=value.int ^ 1)
    if isinstance(value, int):
        return value + 1
    if isinstance(value, datetime):
        return value + timedelta(microseconds=1)
    if isinstance(value, Decimal):
        return value + 1
    return "x" if value in (None, "") else None  # None and "" hash alike: "" becomes "x"


@given(entries)
def test_posting_seals_entries_as_verification_reads_them(entry: LedgerEntry) -> None:
    account = Account(
        entry.business_id, entry.account_id, entry.customer_id, last_hash=entry.prev_hash
    )
    after, posted = post_entry(
        account,
        kind=entry.kind,
        points=entry.points,
        source=entry.source,
        source_ref=entry.source_ref,
        origin=entry.source_ref,
        at=entry.recorded_at,
        attribution=entry.attribution,
        reason=entry.reason,
        related_entry_id=entry.related_entry_id,
        event_id=entry.event_id,
        occurred_at=entry.occurred_at,
        amount=entry.amount,
        currency=entry.currency,
        rates=entry.rates,
    )
    assert seal(posted) == posted
    assert after.last_hash == posted.entry_hash


@given(entries)
def test_an_entry_read_back_from_its_flat_record_is_the_same_entry(entry: LedgerEntry) -> None:
    columns = [column.strip() for column in LEDGER_COLUMNS.split(",")]
    row = dict(zip(columns, entry_columns(entry), strict=True))
    assert entry_from(row) == entry
    assert len(entry_values(entry)) == len(ENTRY_FIELDS)


def test_the_row_the_columns_and_the_hashed_fields_follow_the_one_shape() -> None:
    assert [column.split()[0] for column in ENTRY_ROW.split(",")] == list(ENTRY_FIELDS)
    assert [column.strip() for column in LEDGER_COLUMNS.split(",")] == list(ENTRY_FIELDS)
    assert [name for name in ENTRY_FIELDS if name in HASHED_FIELDS] == list(HASHED_FIELDS)


def test_the_message_is_every_published_field_in_the_contracts_order() -> None:
    assert set(ENTRY_FIELDS) >= UNPUBLISHED
    assert list(MESSAGE_FIELDS) == list(LedgerEntryPublished.model_fields)
    published = [name for name in ENTRY_FIELDS if name not in UNPUBLISHED]
    assert list(MESSAGE_FIELDS) == [*published, "bucket"]  # the bucket follows from the kind


@given(entries)
def test_the_message_and_the_api_view_carry_the_entrys_values(entry: LedgerEntry) -> None:
    a, rule_version = entry.attribution, entry.rates.rule_version if entry.rates else None
    shown = entry_out(entry)
    assert set(EntryOut.model_fields) <= {*ENTRY_FIELDS, "bucket"}
    assert shown.bucket == entry.bucket == BUCKET_OF_KIND[entry.kind]
    assert (shown.entry_id, shown.kind, shown.source, shown.amount) == (
        *(entry.entry_id, entry.kind, entry.source, entry.amount),
    )
    assert (shown.rule_version, shown.store_id, shown.terminal_id, shown.actor) == (
        *(rule_version, a.store_id, a.terminal_id, a.actor),
    )
    message = ledger_message(entry)
    assert message.bucket == entry.bucket
    assert (message.seq, message.kind, message.occurred_at, message.staff_id) == (
        *(entry.seq, entry.kind, entry.occurred_at, a.staff_id),
    )
    assert message.earn_rate == (entry.rates.earn_rate if entry.rates else None)
