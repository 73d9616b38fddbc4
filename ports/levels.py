"""The storage the level review needs: accounts above the base level, and level histories."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from domain.accounts import Account
from domain.levels import LevelHistory
from domain.lots import AccountKey


class LevelRepository(Protocol):
    """Accounts with a level, locked for its review; what their levels are computed from."""

    async def lock_levelled(
        self, business_id: str | None, after: AccountKey | None, limit: int
    ) -> list[Account]:
        """Up to ``limit`` open accounts above the base level (of ``business_id``, or of every
        business), the first ones after ``after`` in key order, locked in that order: the
        order event batches lock accounts in, so the two never deadlock."""
        ...

    async def histories(
        self, accounts: Collection[AccountKey], since: datetime
    ) -> dict[AccountKey, LevelHistory]:
        """Each account's level history (``domain.level_batch.history_from``): its earns and
        reversals after ``since``, its level changes after it and the latest one before;
        every account of ``accounts`` has one, empty when it has nothing."""
        ...
