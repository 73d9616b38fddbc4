"""The outbox's messages, rendered by PostgreSQL, say what the contract model says."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import asyncpg
import pytest

from adapters.kafka.contracts import LedgerEntryPublished
from adapters.kafka.ledger_publisher import ledger_message
from adapters.postgres.outbox import MESSAGE_FIELDS
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.ledger import Attribution, EntryKind, LedgerEntry, RateSnapshot, Source
from domain.postings import Posting

pytestmark = pytest.mark.integration

ZONES = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
AWKWARD_TEXT = ['quote " and \\ backslash', "new\nline\ttab", "\x01\x1f control", "é ü 漢字 🎉"]
DECIMALS = ["12.50", "0.000001", "1E+3", "-7.25", "123456789012.123456789", "0"]


def _text(rng: random.Random) -> str:
    return rng.choice([*AWKWARD_TEXT, f"plain-{rng.randrange(1000)}"])


def _maybe(rng: random.Random, value: object) -> object:
    return None if rng.random() < 0.3 else value


def _moment(rng: random.Random) -> datetime:
    base = datetime(2001, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(3 * 10**9))
    micro = rng.choice([0, 250, 123456, 999999])
    return (base + timedelta(microseconds=micro)).astimezone(rng.choice(ZONES))


def _entry(rng: random.Random, business: str, account_id: uuid.UUID, seq: int) -> LedgerEntry:
    rates = RateSnapshot(
        rule_version=rng.randrange(1, 99),
        earn_rate=Decimal(rng.choice(DECIMALS)),
        multiplier=Decimal(rng.choice(DECIMALS)),
        redemption_rate=Decimal(rng.choice(DECIMALS)),
    )
    kind = rng.choice(list(EntryKind))
    # Referral entries name a referred account each (one bonus per referred account and per
    # referred side: the 0020 unique indexes), so many can sit on one account here.
    referral = kind in (EntryKind.REFERRAL_BONUS, EntryKind.REFERRAL_REVERSAL)
    return LedgerEntry(
        entry_id=uuid.uuid4(),
        business_id=business,
        account_id=account_id,
        customer_id=_text(rng),
        seq=seq,
        kind=kind,
        points=rng.randrange(-(2**40), 2**40),
        balance_after=rng.randrange(-(2**40), 2**40),
        source=rng.choice(list(Source)),
        source_ref=f"{_text(rng)} {seq}",  # an earn per purchase reference
        event_id=_maybe(rng, _text(rng)),  # type: ignore[arg-type]
        occurred_at=_moment(rng),
        recorded_at=_moment(rng),
        amount=_maybe(rng, Decimal(rng.choice(DECIMALS))),  # type: ignore[arg-type]
        currency=_maybe(rng, "EUR"),  # type: ignore[arg-type]
        rates=_maybe(rng, rates),  # type: ignore[arg-type]
        related_entry_id=_maybe(rng, uuid.uuid4()),  # type: ignore[arg-type]
        attribution=Attribution(
            store_id=_maybe(rng, _text(rng)),  # type: ignore[arg-type]
            terminal_id=_maybe(rng, _text(rng)),  # type: ignore[arg-type]
            staff_id=_maybe(rng, _text(rng)),  # type: ignore[arg-type]
            actor=_maybe(rng, _text(rng)),  # type: ignore[arg-type]
            device_id=_maybe(rng, _text(rng)),  # type: ignore[arg-type]
        ),
        reason=_maybe(rng, _text(rng)),  # type: ignore[arg-type]
        stamps=rng.choice([0, 0, 1, 3, -10]),
        stamps_balance_after=rng.randrange(0, 50),
        reward_id=_maybe(rng, _text(rng)),  # type: ignore[arg-type]
        reward_description=_maybe(rng, _text(rng)),  # type: ignore[arg-type]
        category_ids=tuple(rng.sample(AWKWARD_TEXT, rng.randrange(0, 3))),
        description=_maybe(rng, _text(rng)),  # type: ignore[arg-type]
        level_before=_maybe(rng, _text(rng)),  # type: ignore[arg-type]
        level_after=_maybe(rng, _text(rng)),  # type: ignore[arg-type]
        referred_account_id=uuid.uuid4() if referral else None,
    )


async def test_each_claimed_message_is_the_contract_model_of_its_entry(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    rng = random.Random(7)
    business, account_id = "outbox-render-shop", uuid.uuid4()
    await pool.execute(
        "INSERT INTO accounts (business_id, account_id, customer_id) VALUES ($1, $2, 'c')",
        business,
        account_id,
    )
    entries = [_entry(rng, business, account_id, seq) for seq in range(1, 301)]
    async with uow_factory() as uow:
        await uow.ledger.post(Posting(entries=tuple(entries)))
        await uow.commit()
    async with uow_factory() as uow:
        (shard,) = await uow.outbox.pending_shards()  # one account: one shard
        claimed = await uow.outbox.claim_pending(shard, 1_000)

    assert [message.entry_id for _, message in claimed] == [e.entry_id for e in entries]
    for (_, message), entry in zip(claimed, entries, strict=True):
        published = LedgerEntryPublished.model_validate_json(message.body)
        assert published == ledger_message(entry)
        rendered, modelled = json.loads(message.body), json.loads(published.model_dump_json())
        assert list(rendered) == list(modelled)
        # Same JSON types too: decimals as exact text, not numbers a consumer reads as floats.
        assert {k: type(v) for k, v in rendered.items()} == {
            k: type(v) for k, v in modelled.items()
        }
        assert (message.account_id, message.kind) == (str(account_id), entry.kind.value)
        assert message.recorded_at == entry.recorded_at


def test_the_rendered_fields_are_the_contract_models_fields_in_its_order() -> None:
    assert list(MESSAGE_FIELDS) == list(LedgerEntryPublished.model_fields)
