"""PostgresLedgerAudit: the invariant checks behind ``loyalty verify``, as SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg

from adapters.postgres import audit_cross_checks as sql
from adapters.postgres import audit_holds, audit_stamps
from adapters.postgres.audit_sql import (
    APPLIED_WITHOUT_ENTRIES,
    BALANCES,
    ENTRIES_IN_CHAIN_ORDER,
    LAST_HASHES,
    LOTS_NOT_HOLDING_THE_BALANCE,
    OVER_REVERSED,
    STALE_OUTBOX,
)
from adapters.postgres.rows import entry_from
from adapters.postgres.spend_rows import OVER_GIVEN_BACK, over_given_back
from domain.ledger import LedgerEntry


class PostgresLedgerAudit:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def read_one_snapshot(self) -> None:
        # The unit of work has begun its transaction and nothing was read yet, so it can
        # still become one snapshot (repeatable read) that refuses to write.
        await self._connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    async def balance_breaches(self, business_id: str | None) -> list[str]:
        stamps = await audit_stamps.stamp_balance_breaches(self._connection, business_id)
        return stamps + [
            f"account {r['business_id']}/{r['account_id']}: balance {r['balance']} but entries "
            f"sum to {r['total']}; last_seq {r['last_seq']}, {r['entries']} entries, "
            f"highest seq {r['max_seq']}"
            for r in await self._connection.fetch(BALANCES, business_id)
        ]

    async def reversal_breaches(self, business_id: str | None) -> list[str]:
        return [
            f"earn {r['business_id']}/{r['entry_id']} ({r['source_ref']}): earned {r['points']}, "
            f"reversed {r['reversed']}"
            for r in await self._connection.fetch(OVER_REVERSED, business_id)
        ] + over_given_back(await self._connection.fetch(OVER_GIVEN_BACK, business_id))

    async def inbox_breaches(self, business_id: str | None) -> list[str]:
        return [
            f"event {r['business_id']}/{r['event_id']} ({r['kind']}) is applied but has no entry"
            for r in await self._connection.fetch(APPLIED_WITHOUT_ENTRIES, business_id)
        ]

    async def outbox_breaches(self, business_id: str | None, max_age_seconds: float) -> list[str]:
        return [
            f"outbox {r['business_id']}/{r['outbox_id']} (entry {r['entry_id']}) unpublished "
            f"since {r['created_at'].isoformat()}"
            for r in await self._connection.fetch(STALE_OUTBOX, business_id, max_age_seconds)
        ]

    async def lot_breaches(self, business_id: str | None) -> list[str]:
        return [
            f"account {r['business_id']}/{r['account_id']}: balance {r['balance']} but its lots"
            f" hold {r['in_lots']}"
            for r in await self._connection.fetch(LOTS_NOT_HOLDING_THE_BALANCE, business_id)
        ]

    async def last_hashes(self, business_id: str | None) -> dict[tuple[str, str], str]:
        rows = await self._connection.fetch(LAST_HASHES, business_id)
        return {(r["business_id"], str(r["account_id"])): r["last_hash"] for r in rows}

    async def entries_in_chain_order(self, business_id: str | None) -> AsyncIterator[LedgerEntry]:
        async for row in self._connection.cursor(ENTRIES_IN_CHAIN_ORDER, business_id):
            yield entry_from(row)

    async def purchase_breaches(self, business_id: str | None) -> list[str]:
        fetch = self._connection.fetch
        return (
            [
                f"purchase {r['business_id']}/{r['source']}:{r['reference']}: earned"
                f" {r['points_earned']} but its earn entry {r['earn_entry_id']} has"
                f" {r['entry_points']} points (or is not its earn)"
                for r in await fetch(sql.PURCHASES_NOT_MATCHING_THEIR_EARN, business_id)
            ]
            + [
                f"earn {r['business_id']}/{r['entry_id']} ({r['source']}:{r['source_ref']},"
                f" {r['points']} points) belongs to no purchase"
                for r in await fetch(sql.EARNS_WITHOUT_A_PURCHASE, business_id)
            ]
            + [
                f"purchase {r['business_id']}/{r['source']}:{r['reference']}: earned"
                f" {r['points_earned']}, reversed {r['points_reversed']} but its reversal"
                f" entries take {r['in_entries']}"
                for r in await fetch(sql.PURCHASES_NOT_MATCHING_THEIR_REVERSALS, business_id)
            ]
            + await audit_stamps.purchase_stamp_breaches(self._connection, business_id)
        )

    async def refund_breaches(self, business_id: str | None) -> list[str]:
        fetch = self._connection.fetch
        return [
            f"refund {r['business_id']}/{r['source']}:{r['reference']} ({r['status']})"
            f" reversed {r['points_reversed']} but has {r['entries']} reversal entries taking"
            f" {r['in_entries']} (or reversing another purchase)"
            for r in await fetch(sql.REFUNDS_NOT_MATCHING_THEIR_REVERSAL, business_id)
        ] + [
            f"reversal {r['business_id']}/{r['entry_id']} ({r['source']}:{r['source_ref']},"
            f" {r['points']} points) belongs to no refund"
            for r in await fetch(sql.REVERSALS_WITHOUT_A_REFUND, business_id)
        ]

    async def redemption_breaches(self, business_id: str | None) -> list[str]:
        fetch = self._connection.fetch
        return [
            f"redemption {r['business_id']}/{r['redemption_id']} ({r['status']},"
            f" {r['points']} points) {r['problem']}"
            for r in await fetch(sql.REDEMPTIONS_NOT_MATCHING_THEIR_ENTRIES, business_id)
        ] + [
            f"{r['kind']} {r['business_id']}/{r['entry_id']} names no redemption"
            f" ({r['source_ref']})"
            for r in await fetch(sql.REDEMPTION_ENTRIES_WITHOUT_A_REDEMPTION, business_id)
        ]

    async def lot_take_breaches(self, business_id: str | None) -> list[str]:
        fetch = self._connection.fetch
        since = await self._lots_since()
        return (
            [
                f"{r['kind']} {r['business_id']}/{r['entry_id']} ({r['points']} points, account"
                f" {r['account_id']}) took {r['taken']} from lots, not {r['expected']}"
                for r in await fetch(sql.ENTRIES_NOT_MATCHING_THEIR_TAKES, business_id, since)
            ]
            + [
                f"lot take {r['business_id']}/{r['entry_id']}/{r['lot_id']} ({r['points']}"
                " points) is not by a negative entry from a lot of its account"
                for r in await fetch(sql.TAKES_NOT_MATCHING_AN_ENTRY_OR_LOT, business_id)
            ]
            + [
                f"lot {r['business_id']}/{r['lot_id']} (account {r['account_id']}) of"
                f" {r['points']} points has {r['remaining']} left after takes of {r['taken']}"
                for r in await fetch(sql.OVER_TAKEN_LOTS, business_id)
            ]
        )

    async def _lots_since(self) -> datetime:
        """When point lots began (their migration), for entries recorded before it."""
        known = await self._connection.fetchval("SELECT to_regclass('_yoyo_migrations')")
        since = await self._connection.fetchval(sql.LOTS_SINCE) if known else None
        return since if since is not None else datetime.min.replace(tzinfo=UTC)

    async def over_refund_notices(self, business_id: str | None) -> list[str]:
        return [
            f"purchase {r['business_id']}/{r['source']}:{r['reference']} was refunded"
            f" {r['refunded_amount']} {r['currency']} of a {r['total']} total"
            for r in await self._connection.fetch(sql.OVER_REFUNDED, business_id)
        ]

    async def hold_breaches(self, business_id: str | None) -> list[str]:
        return await audit_holds.hold_breaches(self._connection, business_id)

    async def refused_capture_notices(self, business_id: str | None) -> list[str]:
        return await audit_holds.refused_capture_notices(self._connection, business_id)

    async def parked_refund_notices(
        self, business_id: str | None, max_age_seconds: float
    ) -> list[str]:
        rows = await self._connection.fetch(sql.PARKED_TOO_LONG, business_id, max_age_seconds)
        return [
            f"refund {r['business_id']}/{r['source']}:{r['reference']} parked since"
            f" {r['parked_since'].isoformat()}, waiting for"
            f" {r['purchase_source']}:{r['purchase_reference']}"
            for r in rows
        ]
