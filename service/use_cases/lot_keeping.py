"""Reading what a posting's lots are worked out from, when the entries are known first."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from domain.ledger import EntryKind, LedgerEntry
from domain.lots import AccountKey, Lot, accounts_taking
from ports.unit_of_work import UnitOfWork


async def lots_to_settle(
    uow: UnitOfWork, entries: Sequence[LedgerEntry]
) -> tuple[dict[AccountKey, list[Lot]], dict[UUID, list[tuple[Lot, int]]]]:
    """For ``domain.postings.settle``: the open lots of the accounts ``entries`` take from
    (locked by the caller), and the lots each cancelled redemption's capture took (or the
    capture whose spent points a return gives back: ``domain.spend_lots`` cuts its share)."""
    open_lots = await uow.lots.open_lots(accounts_taking(entries))
    returned: dict[UUID, list[tuple[Lot, int]]] = {}
    for entry in entries:
        if (
            entry.kind in (EntryKind.REDEMPTION_CANCELLED, EntryKind.SPEND_RETURN)
            and entry.related_entry_id is not None
            and entry.related_entry_id not in returned
        ):
            returned[entry.related_entry_id] = await uow.lots.taken_by(
                entry.business_id, entry.related_entry_id
            )
    return open_lots, returned
