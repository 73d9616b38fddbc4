"""Use case: the expiry sweep, writing ``expiry`` entries for what is due, account by account."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime

import structlog

from domain.accounts import Account
from domain.expiry import expiry_entries
from domain.ledger import LedgerEntry
from domain.lots import AccountKey
from domain.programme import Programme
from ports.clock import Clock
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from service.lot_keeping import post_entries

log = structlog.get_logger("loyalty.expiry")


@dataclass(frozen=True)
class SweepReport:
    accounts: int = 0
    entries: int = 0
    points: int = 0

    def plus(self, entries: list[LedgerEntry]) -> SweepReport:
        return SweepReport(
            self.accounts + len({(e.business_id, e.account_id) for e in entries}),
            self.entries + len(entries),
            self.points - sum(e.points for e in entries),
        )


class ExpirePoints:
    """Expires expired lots and, where the programme says so, the points of quiet accounts.

    Safe to run at any time, twice, or from two instances at once: accounts are locked,
    and each expiry entry's id derives from what it expires.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, chunk: int = 500) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._chunk = chunk

    async def __call__(self, now: datetime | None = None) -> SweepReport:
        as_of = now or self._clock.now()
        report = SweepReport()
        while True:
            async with self._uow_factory() as uow:
                keys = await uow.lots.due_for_expiry(as_of, self._chunk)
                keys += await uow.lots.inactive_accounts(as_of, self._chunk)
                if not keys:
                    return report
                entries = await self._expire(uow, sorted(set(keys), key=_order), as_of)
                await uow.commit()
            if not entries:  # due by the query, not by the rules: do not spin on them
                log.warning("expiry sweep found accounts with nothing to expire", count=len(keys))
                return report
            report = report.plus(entries)

    async def _expire(
        self, uow: UnitOfWork, keys: list[AccountKey], as_of: datetime
    ) -> list[LedgerEntry]:
        programmes: dict[str, Programme | None] = {}
        accounts: list[Account] = []
        entries: list[LedgerEntry] = []
        locked = [await uow.accounts.lock(business, account_id) for business, account_id in keys]
        open_lots = await uow.lots.open_lots(keys)
        for key, account in zip(keys, locked, strict=True):
            if account is None:
                continue
            if key[0] not in programmes:
                programmes[key[0]] = await uow.programmes.get(key[0])
            programme = programmes[key[0]]
            if programme is None:
                continue
            account, expiring = expiry_entries(
                account, open_lots[key], programme.lot_policy, as_of, self._clock.now()
            )
            if expiring:
                accounts.append(account)
                entries.extend(expiring)
        policies = {b: p.lot_policy for b, p in programmes.items() if p is not None}
        await post_entries(uow, accounts, entries, policies)
        return entries

    async def run(self, stopping: asyncio.Event, every_seconds: float) -> None:
        """Sweep now and then every ``every_seconds`` until ``stopping`` is set."""
        while not stopping.is_set():
            try:
                report = await self()
                if report.entries:
                    log.info("points expired", **report.__dict__)
            except Exception:
                log.exception("expiry sweep failed; trying again next time")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=every_seconds)


def _order(key: AccountKey) -> tuple[str, str]:
    return (key[0], str(key[1]))
