"""Use case: the level review sweep, moving members down at period ends
(``domain.level_review``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog

from domain.accounts import Account
from domain.ledger import LedgerEntry
from domain.level_review import review_account
from domain.levels import LevelHistory, TierPolicy, lookback_start, review_moment
from domain.lots import AccountKey
from domain.postings import Posting
from domain.programme import Programme
from ports.clock import Clock
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger("loyalty.levels")


@dataclass(frozen=True)
class LevelReviewReport:
    accounts: int = 0
    """Accounts above the base level looked at."""
    downgraded: int = 0
    failed: int = 0
    """Chunks that could not be reviewed (each logged); tried again at the next review."""


class ReviewLevels:
    """Reviews every account above the base level at the latest review moment at or before
    ``at`` (its programme's: 00:00 UTC of the day for rolling windows, Jan 1 for calendar
    years), posting a downgrade where its qualifying total no longer holds its level.

    Idempotent like expiry: accounts are locked in the order event batches lock them, the
    decision reads the level in force at the moment (which a posted downgrade changes), and
    the downgrade's id derives from the account and the moment, so running it twice or from
    two processes posts once. Never raises: a chunk that fails is logged and counted, and the
    sweep moves on to the next chunk.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, chunk: int = 500) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._chunk = chunk

    async def __call__(
        self, at: datetime | None = None, business_id: str | None = None
    ) -> LevelReviewReport:
        as_of = at or self._clock.now()
        report = LevelReviewReport()
        after: AccountKey | None = None
        while True:
            keys: list[AccountKey] = []
            try:
                async with self._uow_factory() as uow:
                    accounts = await uow.levels.lock_levelled(business_id, after, self._chunk)
                    keys = [(a.business_id, a.account_id) for a in accounts]
                    downgraded = await self._review(uow, accounts, as_of)
                    await uow.commit()
                report = LevelReviewReport(
                    report.accounts + len(keys), report.downgraded + downgraded, report.failed
                )
            except Exception as error:
                log.error(
                    "level review chunk failed; left for the next review",
                    error=f"{type(error).__name__}: {error}",
                    exc_info=True,
                )
                report = LevelReviewReport(report.accounts, report.downgraded, report.failed + 1)
                if not keys:
                    return report  # nothing locked: the next chunk would fail the same way
            if len(keys) < self._chunk:
                return report
            after = keys[-1]

    async def _review(self, uow: UnitOfWork, locked: Sequence[Account], as_of: datetime) -> int:
        """Review the ``locked`` accounts; the reads come after the locks."""
        programmes: dict[str, Programme | None] = {}
        due: list[tuple[Account, TierPolicy, datetime]] = []
        by_since: dict[datetime, list[AccountKey]] = {}
        for account in locked:
            business = account.business_id
            if business not in programmes:
                programmes[business] = await uow.programmes.get(business)
            programme = programmes[business]
            rule = programme.rule_at(as_of) if programme else None
            if rule is None or rule.tiers is None:
                continue  # a programme without levels now reviews nothing
            moment = review_moment(rule.tiers, as_of)
            since = lookback_start([rule.tiers], moment)
            due.append((account, rule.tiers, moment))
            by_since.setdefault(since, []).append((business, account.account_id))
        histories: dict[AccountKey, LevelHistory] = {}
        for since, keys in by_since.items():
            histories.update(await uow.levels.histories(keys, since))
        recorded_at = self._clock.now()
        accounts: list[Account] = []
        entries: list[LedgerEntry] = []
        for account, policy, moment in due:
            history = histories[(account.business_id, account.account_id)]
            done = review_account(account, policy, history, moment, recorded_at)
            if done is not None:
                accounts.append(done[0])
                entries.append(done[1])
        await uow.ledger.post(Posting(tuple(accounts), tuple(entries)))
        return len(entries)

    async def run(self, stopping: asyncio.Event, every_seconds: float) -> None:
        """Review now and then every ``every_seconds`` until ``stopping`` is set."""
        while not stopping.is_set():
            report = await self()
            if report.downgraded or report.failed:
                log.info("levels reviewed", **report.__dict__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=every_seconds)
