"""Use case: the expiry sweep, writing ``expiry`` entries for what is due, account by account."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog

from domain.accounts import Account
from domain.expiry import expire_points
from domain.ledger import LedgerEntry
from domain.lots import AccountKey
from domain.postings import Posting
from domain.programme import Programme
from ports.clock import Clock
from ports.metrics import SweepMetrics
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger("loyalty.expiry")


@dataclass(frozen=True)
class SweepReport:
    accounts: int = 0
    entries: int = 0
    points: int = 0
    failed: int = 0
    """Accounts that could not be expired (each logged); tried again at the next sweep."""

    def plus(self, entries: list[LedgerEntry], failed: int = 0) -> SweepReport:
        return SweepReport(
            self.accounts + len({(e.business_id, e.account_id) for e in entries}),
            self.entries + len(entries),
            self.points - sum(e.points for e in entries),
            self.failed + failed,
        )


def _never(error: BaseException) -> bool:
    return False


class ExpirePoints:
    """Expires expired lots and, where the programme says so, the points of quiet accounts,
    leaving points on live holds and pending points alone (see ``domain.expiry``).

    Safe to run at any time, twice, or from two instances at once: accounts are locked (in
    the order event batches lock them, so the two never deadlock), and each expiry entry's
    id derives from what it expires and where in the account's chain it is written.

    The sweep walks the due accounts in key order, a chunk per transaction, always moving
    on: a chunk that fails is retried account by account, and an account that still fails
    is logged, counted and left for the next sweep, so one bad account never stops expiry
    for the others. Only a failure that every account would meet ends the sweep early: a
    transient one (the database cannot be reached) that is not a conflict over one
    account's rows (``is_conflict``: a lock, a deadlock, a key taken).
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        chunk: int = 500,
        metrics: SweepMetrics | None = None,
        is_transient: Callable[[BaseException], bool] = _never,
        is_conflict: Callable[[BaseException], bool] = _never,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._chunk = chunk
        self._metrics = metrics
        self._is_transient = is_transient
        self._is_conflict = is_conflict

    async def __call__(self, now: datetime | None = None) -> SweepReport:
        report = SweepReport()
        try:
            report = await self._sweep(now or self._clock.now(), report)
        except Exception:  # a cancelled sweep (shutdown) is no failure
            if self._metrics is not None:
                self._metrics.sweep("failed", 0)
            raise
        if self._metrics is not None:
            self._metrics.sweep("completed", report.accounts)
        return report

    async def _sweep(self, as_of: datetime, report: SweepReport) -> SweepReport:
        after: AccountKey | None = None
        while True:
            keys: list[AccountKey] = []
            try:
                async with self._uow_factory() as uow:
                    accounts = await uow.lots.lock_due(as_of, after, self._chunk)
                    keys = [(a.business_id, a.account_id) for a in accounts]
                    entries = await self._expire(uow, accounts, as_of)
                    await uow.commit()
                report = report.plus(entries)
            except Exception as error:
                if not keys or self._is_unavailable(error):
                    raise
                log.warning(
                    "expiry sweep chunk failed; expiring its accounts one by one",
                    accounts=len(keys),
                    error=f"{type(error).__name__}: {error}",
                )
                report = await self._one_by_one(keys, as_of, report)
            if len(keys) < self._chunk:
                return report
            after = keys[-1]

    def _is_unavailable(self, error: BaseException) -> bool:
        return self._is_transient(error) and not self._is_conflict(error)

    async def _one_by_one(
        self, keys: Sequence[AccountKey], as_of: datetime, report: SweepReport
    ) -> SweepReport:
        for business_id, account_id in keys:
            try:
                async with self._uow_factory() as uow:
                    account = await uow.accounts.lock(business_id, account_id)
                    entries = await self._expire(uow, [account] if account else [], as_of)
                    await uow.commit()
                report = report.plus(entries)
            except Exception as error:
                if self._is_unavailable(error):
                    raise
                log.error(
                    "expiry sweep could not expire an account; left for the next sweep",
                    business_id=business_id,
                    account_id=str(account_id),
                    error=f"{type(error).__name__}: {error}",
                    exc_info=True,
                )
                if self._metrics is not None:
                    self._metrics.expiry_failures(1)
                report = report.plus([], failed=1)
        return report

    async def _expire(
        self, uow: UnitOfWork, locked: Sequence[Account], as_of: datetime
    ) -> list[LedgerEntry]:
        """Expire what is due on the ``locked`` accounts; the reads come after the locks."""
        if not locked:
            return []
        programmes: dict[str, Programme | None] = {}
        keys = [(a.business_id, a.account_id) for a in locked]
        open_lots = await uow.lots.open_lots(keys)
        # Holds are live by the service clock, as a capture judges them, whatever the sweep's
        # ``as_of``: a hold the till can still capture keeps its points.
        holds_at = self._clock.now()
        recorded_at = self._clock.now()
        postings: list[Posting] = []
        for key, account in zip(keys, locked, strict=True):
            if key[0] not in programmes:
                programmes[key[0]] = await uow.programmes.get(key[0])
            programme = programmes[key[0]]
            if programme is None:
                continue
            # An overdue hold whose points this sweep may expire is marked expired here, as
            # redeem marks those it spends: no capture can take them after (one clock decides).
            await uow.redemptions.expire_overdue(*key, holds_at)
            held = await uow.redemptions.held_points(*key, holds_at)
            postings.append(
                expire_points(
                    account, open_lots[key], programme.lot_policy, as_of, held, recorded_at
                )
            )
        posting = Posting.combined(postings)
        await uow.ledger.post(posting)
        return list(posting.entries)

    async def run(self, stopping: asyncio.Event, every_seconds: float) -> None:
        """Sweep now and then every ``every_seconds`` until ``stopping`` is set."""
        while not stopping.is_set():
            try:
                report = await self()
                if report.entries or report.failed:
                    log.info("points expired", **report.__dict__)
            except Exception:
                log.exception("expiry sweep failed; trying again next time")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=every_seconds)
