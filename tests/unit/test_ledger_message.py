"""The relay's fast serialisation writes exactly what the contract model writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.kafka.ledger_publisher import ledger_message, ledger_message_json
from domain.ledger import Attribution, EntryKind, LedgerEntry, RateSnapshot, Source

pytestmark = pytest.mark.unit

texts = st.text(min_size=1, max_size=12)
maybe_texts = st.none() | texts
decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None, min_value=-(10**9))
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]),
)
rates = st.builds(
    RateSnapshot,
    rule_version=st.integers(1, 1000),
    earn_rate=decimals,
    multiplier=decimals,
    redemption_rate=decimals,
)
entries = st.builds(
    LedgerEntry,
    entry_id=st.uuids(),
    business_id=texts,
    account_id=st.uuids(),
    customer_id=texts,
    seq=st.integers(1, 2**40),
    kind=st.sampled_from(EntryKind),
    points=st.integers(-(2**40), 2**40),
    balance_after=st.integers(-(2**40), 2**40),
    source=st.sampled_from(Source),
    source_ref=texts,
    event_id=maybe_texts,
    occurred_at=moments,
    recorded_at=moments,
    amount=st.none() | decimals,
    currency=st.none() | st.sampled_from(["EUR", "USD"]),
    rates=st.none() | rates,
    related_entry_id=st.none() | st.uuids(),
    attribution=st.builds(
        Attribution,
        store_id=maybe_texts,
        terminal_id=maybe_texts,
        staff_id=maybe_texts,
        actor=maybe_texts,
    ),
    reason=maybe_texts,
)


@given(entries)
def test_the_fast_message_is_the_contract_models_json_byte_for_byte(entry: LedgerEntry) -> None:
    assert ledger_message_json(entry) == ledger_message(entry).model_dump_json().encode()


def test_a_uuid_read_back_by_asyncpg_is_written_as_plain_text() -> None:
    from asyncpg.pgproto.pgproto import UUID as AsyncpgUUID

    entry_id = UUID("b9ca7a41-c5fc-5397-8a6f-c533def2dc47")
    entry = LedgerEntry(
        entry_id=AsyncpgUUID(str(entry_id)),
        business_id="shop",
        account_id=AsyncpgUUID("82b3fcef-f824-561f-bf8d-2d218a1a823a"),
        customer_id="c1",
        seq=1,
        kind=EntryKind.EARN,
        points=12,
        balance_after=12,
        source=Source.SALE,
        source_ref="s-1",
        event_id="e-1",
        occurred_at=datetime(2026, 6, 1, 12, tzinfo=UTC),
        recorded_at=datetime(2026, 6, 1, 12, 0, 1, 250, tzinfo=UTC),
        amount=Decimal("12.50"),
        currency="EUR",
    )

    message = ledger_message_json(entry)

    assert message == ledger_message(entry).model_dump_json().encode()
    assert b'"entry_id":"b9ca7a41-c5fc-5397-8a6f-c533def2dc47"' in message
    assert b'"recorded_at":"2026-06-01T12:00:01.000250Z"' in message
