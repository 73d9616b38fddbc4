"""Keeping point lots in step with the entries a unit of work appends."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from uuid import UUID

from domain.accounts import Account
from domain.ledger import EntryKind, LedgerEntry
from domain.lots import (
    AccountKey,
    Lot,
    LotChanges,
    LotPolicy,
    LotTotals,
    accounts_taking,
    allocate_lots,
)
from domain.programme import Programme
from ports.unit_of_work import UnitOfWork


async def keep_lots(
    uow: UnitOfWork,
    entries: Sequence[LedgerEntry],
    policies: Mapping[str, LotPolicy],
    loaded: Mapping[AccountKey, Sequence[Lot]] | None = None,
) -> LotChanges:
    """Open and take lots for ``entries`` (whose accounts the caller has locked) and save them;
    ``loaded`` holds open lots the caller already read under the same lock."""
    changes = await lot_changes(uow, entries, policies, loaded)
    await uow.lots.save(changes)
    return changes


async def lot_changes(
    uow: UnitOfWork,
    entries: Sequence[LedgerEntry],
    policies: Mapping[str, LotPolicy],
    loaded: Mapping[AccountKey, Sequence[Lot]] | None = None,
) -> LotChanges:
    """What ``entries`` do to their accounts' lots, read (what is not ``loaded``) and worked
    out, not yet saved."""
    if not entries:
        return LotChanges()
    open_lots: dict[AccountKey, Sequence[Lot]] = dict(loaded or {})
    missing = accounts_taking(entries) - open_lots.keys()
    if missing:
        open_lots.update(await uow.lots.open_lots(missing))
    returned: dict[UUID, list[tuple[Lot, int]]] = {}
    for entry in entries:
        if entry.kind is EntryKind.REDEMPTION_CANCELLED and entry.related_entry_id is not None:
            returned[entry.related_entry_id] = await uow.lots.taken_by(
                entry.business_id, entry.related_entry_id
            )
    return allocate_lots(open_lots, entries, policies, returned)


async def post_entries(
    uow: UnitOfWork,
    accounts: Sequence[Account],
    entries: Sequence[LedgerEntry],
    policies: Mapping[str, LotPolicy],
    loaded: Mapping[AccountKey, Sequence[Lot]] | None = None,
) -> None:
    """Append entries (with their outbox rows), save the accounts' balances, keep the lots:
    the reads first, then every write in one round trip."""
    changes = await lot_changes(uow, entries, policies, loaded)
    await uow.ledger.post(accounts, entries, changes)


def policies_of(programme: Programme | None) -> dict[str, LotPolicy]:
    return {programme.business_id: programme.lot_policy} if programme else {}


async def lot_totals(uow: UnitOfWork, account: Account, now: datetime) -> LotTotals:
    key = (account.business_id, account.account_id)
    lots = await uow.lots.open_lots([key])
    return LotTotals.of(lots[key], now)
