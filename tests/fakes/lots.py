"""In-memory point lots: open lots, what an entry took, and the accounts due to expire."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from domain.accounts import Account
from domain.lots import AccountKey, Lot

if TYPE_CHECKING:
    from tests.fakes.unit_of_work import FakeUnitOfWork


class FakePointLots:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def open_lots(self, accounts: Collection[AccountKey]) -> dict[AccountKey, list[Lot]]:
        found: dict[AccountKey, list[Lot]] = {key: [] for key in accounts}
        for lot in self._uow.view.lots.values():
            if lot.account_key in found and lot.remaining > 0:
                found[lot.account_key].append(lot)
        return found

    async def taken_by(self, business_id: str, entry_id: UUID) -> list[tuple[Lot, int]]:
        view = self._uow.view
        return [
            (view.lots[(t.business_id, t.lot_id)], t.points)
            for t in view.lot_takes
            if (t.business_id, t.entry_id) == (business_id, entry_id)
        ]

    async def lock_due(self, now: datetime, after: AccountKey | None, limit: int) -> list[Account]:
        view = self._uow.view
        due = {
            lot.account_key
            for lot in view.lots.values()
            if lot.remaining > 0 and lot.expires_at is not None and lot.expires_at <= now
        }
        for key, account in view.accounts.items():
            programme = view.programmes.get(account.business_id)
            days = programme.inactivity_days if programme else None
            last = account.last_activity_at
            if days and last and account.balance > 0 and last <= now - timedelta(days=days):
                due.add(key)
        later = [key for key in due if after is None or database_order(key) > database_order(after)]
        return [view.accounts[key] for key in sorted(later, key=database_order)[:limit]]


def database_order(key: AccountKey) -> tuple[str, str, str]:
    """The order PostgreSQL sorts ``(business_id, account_id)`` in under a linguistic
    collation such as en_US: letters before case and punctuation, unlike Python's code-point
    order ('a-shop' before 'B-shop'). The fake sorts this way, so a use case that re-sorts
    keys in Python, instead of taking the database's order, shows up in unit tests."""
    business_id, account_id = key
    letters = "".join(c for c in business_id.casefold() if c.isalnum())
    return (letters, business_id.swapcase(), str(account_id))
