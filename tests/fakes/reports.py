"""In-memory reports over a ``FakeStore``: what ``PostgresReports`` answers, by plain Python."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from uuid import UUID

from domain.accounts import AccountStatus
from domain.ledger import Bucket, EntryKind, LedgerEntry, kinds_in
from domain.lots import Lot
from domain.reports import (
    DayRange,
    ExpiringLot,
    ExpiringQuery,
    ExpiringTotal,
    LevelCount,
    LevelQuery,
    Movement,
    MovementQuery,
    ReferralEarning,
    ReferralQuery,
    ReferralTotal,
    bucket_points,
)
from tests.fakes.store import FakeStore


class FakeReports:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    async def has_account(self, business_id: str, account_id: UUID) -> bool:
        return (business_id, account_id) in self._store.accounts

    def _due(self, query: ExpiringQuery, until: datetime) -> list[Lot]:
        return sorted(
            (
                lot
                for lot in self._store.lots.values()
                if lot.business_id == query.business_id
                and lot.remaining > 0
                and lot.expires_at is not None
                and lot.expires_at < until
                and query.account_id in (None, lot.account_id)
            ),
            key=lambda lot: (lot.expires_at, lot.lot_id),
        )

    async def expiring(self, query: ExpiringQuery, until: datetime) -> list[ExpiringLot]:
        accounts = self._store.accounts
        return [
            ExpiringLot(
                account_id=lot.account_id,
                customer_id=accounts[lot.account_key].customer_id,
                lot_id=lot.lot_id,
                points=lot.remaining,
                expires_at=lot.expires_at,
            )
            for lot in self._due(query, until)
            if lot.expires_at is not None
            and (query.after is None or (lot.expires_at, lot.lot_id) > query.after)
        ][: query.limit]

    async def expiring_total(self, query: ExpiringQuery, until: datetime) -> ExpiringTotal:
        lots = self._due(query, until)
        return ExpiringTotal(
            points=sum(lot.remaining for lot in lots),
            lots=len(lots),
            accounts=len({lot.account_id for lot in lots}),
        )

    def _referral_entries(self, query: ReferralQuery) -> list[LedgerEntry]:
        kinds = kinds_in(Bucket.REFERRAL)
        return [
            e
            for e in self._store.entries
            if e.business_id == query.business_id
            and e.kind in kinds
            and _in_days(e.occurred_at, query.days)
            and query.account_id in (None, e.account_id)
        ]

    async def referrals(self, query: ReferralQuery) -> list[ReferralEarning]:
        by_account: dict[UUID, list[LedgerEntry]] = defaultdict(list)
        for entry in self._referral_entries(query):
            by_account[entry.account_id].append(entry)
        # PostgreSQL orders uuids by their bytes, as Python does by ``UUID.bytes``.
        keys = sorted(by_account, key=lambda account_id: account_id.bytes)
        if query.after is not None:
            keys = [k for k in keys if k.bytes > query.after.bytes]
        return [_earning(by_account[k]) for k in keys[: query.limit]]

    async def referral_total(self, query: ReferralQuery) -> ReferralTotal:
        entries = self._referral_entries(query)
        return ReferralTotal(
            points=sum(e.points for e in entries),
            bonuses=sum(e.kind is EntryKind.REFERRAL_BONUS for e in entries),
            reversals=sum(e.kind is EntryKind.REFERRAL_REVERSAL for e in entries),
            accounts=len({e.account_id for e in entries}),
        )

    async def movements(self, query: MovementQuery) -> list[Movement]:
        groups: dict[tuple[date, str], list[LedgerEntry]] = defaultdict(list)
        for e in self._store.entries:
            if e.business_id == query.business_id and _in_days(e.occurred_at, query.days):
                day = e.occurred_at.astimezone(UTC).date()
                groups[(day, e.attribution.store_id or "")].append(e)
        keys = sorted(groups, key=lambda key: (key[0], key[1].encode()))
        if query.after is not None:
            after = (query.after[0], query.after[1].encode())
            keys = [k for k in keys if (k[0], k[1].encode()) > after]
        return [_movement(k, groups[k]) for k in keys[: query.limit]]

    async def levels(self, query: LevelQuery) -> list[LevelCount]:
        counts: dict[str, int] = defaultdict(int)
        for account in self._store.accounts.values():
            if account.business_id == query.business_id and account.status is not (
                AccountStatus.CLOSED
            ):
                counts[account.level or ""] += 1
        keys = sorted(counts, key=str.encode)
        if query.after is not None:
            keys = [k for k in keys if k.encode() > query.after.encode()]
        return [LevelCount(k or None, counts[k]) for k in keys[: query.limit]]


def _in_days(moment: datetime, days: DayRange) -> bool:
    return days.first <= moment.astimezone(UTC).date() <= days.last


def _earning(entries: list[LedgerEntry]) -> ReferralEarning:
    return ReferralEarning(
        account_id=entries[0].account_id,
        customer_id=entries[0].customer_id,
        points=sum(e.points for e in entries),
        bonuses=sum(e.kind is EntryKind.REFERRAL_BONUS for e in entries),
        reversals=sum(e.kind is EntryKind.REFERRAL_REVERSAL for e in entries),
        referred_account_ids=tuple(
            sorted({e.referred_account_id for e in entries if e.referred_account_id})
        ),
    )


def _movement(key: tuple[date, str], entries: list[LedgerEntry]) -> Movement:
    by_kind: dict[EntryKind, int] = defaultdict(int)
    for e in entries:
        by_kind[e.kind] += e.points
    day, store = key
    return Movement(
        day=day,
        store_id=store or None,
        points=bucket_points(by_kind),
        entries=len(entries),
    )
