"""PostgresEventBatches: load, under lock, what a batch of events touches; write its own rows
(its posting goes through ``PostgresLedger.post``)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import replace
from uuid import UUID

import asyncpg

from adapters.postgres import batch_sql as sql
from adapters.postgres.item_rows import lines_from, lines_json, returned_from, returned_json
from adapters.postgres.json_rows import rows_json
from adapters.postgres.level_rows import load_batch_histories
from adapters.postgres.programmes import load_programmes
from adapters.postgres.redemptions import (
    INSERT_REFUSALS,
    redemption_columns,
    redemption_from,
    refusals_json,
)
from adapters.postgres.redemptions import UPSERT as UPSERT_REDEMPTION
from adapters.postgres.referrals import referrals_locked, referrers_of, save_for_batch
from adapters.postgres.refund_rows import refund_columns, refund_from
from adapters.postgres.rows import account_from, rates_columns, rates_from
from adapters.postgres.spend_rows import UPDATE_PURCHASE_SPEND, spend_columns, spend_from
from adapters.postgres.stamp_rows import UPDATE_PURCHASE_STAMPS, stamps_columns, stamps_from
from domain.batch import BatchChanges, BatchKeys, BatchState, EventKey
from domain.events import PurchaseKey
from domain.ledger import Source
from domain.purchases import Purchase
from domain.redemption import Redemption


def advisory_key(key: PurchaseKey) -> int:
    """A stable signed 64-bit lock id for a purchase, shared by its sale and its refunds."""
    business_id, source, reference = key
    digest = hashlib.blake2b(f"{business_id}\x1f{source}\x1f{reference}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


class PostgresEventBatches:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def seen(self, events: Collection[EventKey]) -> dict[EventKey, str]:
        if not events:
            return {}
        rows = await self._connection.fetch(sql.SEEN_EVENTS, rows_json(events))
        return {(row["business_id"], row["event_id"]): row["payload_hash"] for row in rows}

    async def load(self, keys: BatchKeys) -> BatchState:
        conn = self._connection
        # Serialise work on the same purchase (a sale and its refunds may sit on different
        # partitions and consumers), so a refund is never parked after its sale committed.
        await conn.execute(sql.ADVISORY_LOCKS, sorted({advisory_key(k) for k in keys.purchases}))
        purchases = {
            (row["business_id"], row["source"], row["reference"]): _purchase_from(row)
            for row in await conn.fetch(sql.PURCHASES, rows_json(keys.purchases))
        }
        refunds = {}
        for row in await conn.fetch(
            sql.REFUNDS, rows_json(keys.refunds), rows_json(keys.purchases)
        ):
            record = refund_from(row)
            refunds[record.key] = record
        account_ids = {(p.business_id, p.account_id) for p in purchases.values() if p.account_id}
        # The holds that paid for these purchases, and their accounts: returns give back.
        spent = {(p.business_id, p.spend.redemption_id) for p in purchases.values() if p.spend}
        account_ids |= {(p.business_id, p.spend.account_id) for p in purchases.values() if p.spend}
        keys = replace(keys, redemptions=keys.redemptions | spent)
        held = await self._redemptions(keys)
        account_ids |= {(r.business_id, r.account_id) for r in held.values()}
        referrers = await referrers_of(conn, keys.customers, account_ids)
        accounts = {
            (row["business_id"], row["account_id"]): account_from(row)
            for row in await conn.fetch(
                sql.LOCK_ACCOUNTS, rows_json(keys.customers), rows_json(account_ids | referrers)
            )
        }
        referrals = await referrals_locked(conn, keys.customers, account_ids, accounts)
        state = BatchState(
            seen_events=await self.seen(keys.events),
            programmes=await load_programmes(conn, keys.businesses),
            accounts=accounts,
            purchases=purchases,
            refunds=refunds,
            redemptions=await self._redemptions(keys),  # again, now their accounts are locked
            referrals=referrals,
        )
        await load_batch_histories(conn, state, keys.earliest)
        return state

    async def _redemptions(self, keys: BatchKeys) -> dict[tuple[str, UUID], Redemption]:
        if not keys.redemptions:
            return {}
        rows = await self._connection.fetch(sql.REDEMPTIONS, rows_json(keys.redemptions))
        return {(row["business_id"], row["redemption_id"]): redemption_from(row) for row in rows}

    async def save(self, changes: BatchChanges) -> None:
        conn = self._connection
        if changes.inbox:
            records = changes.inbox
            await conn.execute(
                sql.INSERT_INBOX,
                rows_json(
                    (
                        r.business_id,
                        r.event_id,
                        r.kind.value,
                        r.payload_hash,
                        r.outcome.status.value,
                        r.outcome.reason.value if r.outcome.reason else None,
                        r.occurred_at,
                    )
                    for r in records
                ),
            )
        if changes.resolved_inbox:
            items = sorted(changes.resolved_inbox.items())
            await conn.execute(
                sql.RESOLVE_INBOX,
                [key[0] for key, _ in items],
                [key[1] for key, _ in items],
                [o.status.value for _, o in items],
                [o.reason.value if o.reason else None for _, o in items],
            )
        if changes.purchases:
            rows = rows_json(_purchase_columns(p) for p in changes.purchases.values())
            await conn.execute(sql.UPSERT_PURCHASES, rows)
            stamped = [p for p in changes.purchases.values() if p.stamps.earned]
            if stamped:
                await conn.execute(UPDATE_PURCHASE_STAMPS, rows_json(map(stamps_columns, stamped)))
            paid = [p for p in changes.purchases.values() if p.spend]
            if paid:
                await conn.execute(UPDATE_PURCHASE_SPEND, rows_json(map(spend_columns, paid)))
        if changes.refunds:
            rows = rows_json(refund_columns(r) for r in changes.refunds.values())
            await conn.execute(sql.UPSERT_REFUNDS, rows)
        for redemption in changes.redemptions.values():
            await conn.execute(UPSERT_REDEMPTION, *redemption_columns(redemption))
        if changes.refused_captures:
            await conn.execute(INSERT_REFUSALS, refusals_json(changes.refused_captures))
        await save_for_batch(conn, changes.referrals.values())


def _purchase_from(row: asyncpg.Record) -> Purchase:
    return Purchase(
        business_id=row["business_id"],
        source=Source(row["source"]),
        reference=row["reference"],
        event_id=row["event_id"],
        occurred_at=row["occurred_at"],
        total=row["total"],
        currency=row["currency"],
        account_id=row["account_id"],
        customer_id=row["customer_id"],
        points_earned=row["points_earned"],
        earn_entry_id=row["earn_entry_id"],
        rates=rates_from(row),
        refunded_amount=row["refunded_amount"],
        points_reversed=row["points_reversed"],
        lines=lines_from(row["items"]),
        returned=returned_from(row["returned_items"]),
        stamps=stamps_from(row),
        spend=spend_from(row),
    )


def _purchase_columns(p: Purchase) -> tuple[object, ...]:
    return (
        p.business_id,
        p.source.value,
        p.reference,
        p.event_id,
        p.occurred_at,
        p.total,
        p.currency,
        p.account_id,
        p.customer_id,
        p.points_earned,
        p.earn_entry_id,
        *rates_columns(p.rates),
        p.refunded_amount,
        p.points_reversed,
        lines_json(p.lines),
        returned_json(p.returned),
    )
