"""Use cases: preview, redeem (at once or held), capture and cancel redemptions."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID, uuid4

from domain.accounts import Account
from domain.commands import CancelRedemption, CaptureRedemption, PreviewRedemption, Redeem
from domain.errors import (
    AccountNotFound,
    IdempotencyKeyReused,
    RedemptionExpired,
    RedemptionNotFound,
    RedemptionNotHeld,
)
from domain.lots import LotTotals
from domain.redemption import Redemption, RedemptionQuote, quote_redemption
from domain.till import cancel, capture, redeem
from domain.views import RedemptionResult
from ports.clock import Clock
from ports.metrics import ServiceMetrics
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from service.use_cases.redeem_limits import period_use


class Redemptions:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, metrics: ServiceMetrics | None = None
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._metrics = metrics

    async def preview(self, command: PreviewRedemption) -> RedemptionQuote:
        """No side effects: nothing is locked, written or expired."""
        async with self._uow_factory() as uow:
            account = await uow.accounts.by_id(command.business_id, command.account_id)
            if account is None:
                raise AccountNotFound("No such loyalty account.")
            now = self._clock.now()
            state = await uow.redemption_start.spending_state(
                account.business_id, account.account_id, now
            )
            limit = await period_use(
                uow, state.programme, account.business_id, account.account_id, now
            )
        return quote_redemption(
            account,
            state.programme,
            now,
            command.points,
            command.sale_amount,
            state.held_points,
            LotTotals.of(state.open_lots, now).available,
            limit,
        )

    async def redeem(self, command: Redeem) -> RedemptionResult:
        # Every round trip counts: a till waits on this. Overdue holds are marked expired by
        # the same read that counts their points free again, so none is captured afterwards.
        redemption_id = uuid4()
        async with self._uow_factory() as uow:
            claim = await uow.redemption_start.claim_and_lock(
                command.business_id,
                command.idempotency_key,
                command.request_fingerprint,
                redemption_id,
                command.account_id,
            )
            if claim.earlier is not None:
                return await answered_before(
                    uow, command.business_id, command.request_fingerprint, *claim.earlier
                )
            account = claim.account
            if account is None:
                raise AccountNotFound("No such loyalty account.")
            now = self._clock.now()
            state = await uow.redemption_start.spending_state(
                account.business_id, account.account_id, now, releasing=True
            )
            # Read after the lock: a concurrent redemption on this account has committed
            # (and is counted) or waits for ours.
            limit = await period_use(
                uow, state.programme, account.business_id, account.account_id, now
            )
            redemption, quote, posting = redeem(
                account,
                state.programme,
                command,
                redemption_id,
                state.held_points,
                state.open_lots,
                now,
                limit,
            )
            await uow.ledger.post(posting)
            await uow.redemptions.save(redemption)
            await uow.commit()
        return RedemptionResult(redemption, quote)

    async def get(self, business_id: str, redemption_id: UUID) -> Redemption:
        async with self._uow_factory() as uow:
            redemption = await uow.redemptions.get(business_id, redemption_id)
        if redemption is None:
            raise RedemptionNotFound("No such redemption.")
        return replace(redemption, status=redemption.status_at(self._clock.now()))

    async def capture(self, command: CaptureRedemption) -> Redemption:
        """Take exactly the held points, once (``domain.till.capture``); a hold of another
        business is not found. A refusal is answered 409 and counted."""
        async with self._uow_factory() as uow:
            redemption, account = await self._lock_redemption(uow, command)
            key = (account.business_id, account.account_id)
            programme = await uow.programmes.get(account.business_id)
            open_lots = await uow.lots.open_lots([key])
            now = self._clock.now()
            try:
                captured, posting = capture(
                    account, redemption, programme, open_lots[key], now, command.attribution
                )
            except (RedemptionExpired, RedemptionNotHeld):
                self._refused(redemption.status_at(now).value)
                raise
            if posting is not None:
                await uow.ledger.post(posting)
                await uow.redemptions.save(captured)
                await uow.commit()
        return captured

    async def cancel(self, command: CancelRedemption) -> Redemption:
        """A held redemption is released; a captured one gives its points back, once."""
        async with self._uow_factory() as uow:
            redemption, account = await self._lock_redemption(uow, command)
            programme = await uow.programmes.get(account.business_id)
            returned, given_back = [], 0
            if redemption.entry_id is not None:  # captured: the lots its capture took
                returned = await uow.lots.taken_by(redemption.business_id, redemption.entry_id)
                given_back = await uow.redemptions.given_back_by_returns(
                    redemption.business_id, redemption.redemption_id
                )
            cancelled, posting = cancel(
                account, redemption, command, programme, returned, self._clock.now(), given_back
            )
            if posting is not None:
                await uow.ledger.post(posting)
                await uow.redemptions.save(cancelled)
                await uow.commit()
        return cancelled

    def _refused(self, status: str) -> None:
        if self._metrics is not None:
            self._metrics.capture_refused(status, "http")

    async def _lock_account(
        self, uow: UnitOfWork, business_id: str, account_id: UUID
    ) -> tuple[Account, int]:
        account = await uow.accounts.lock(business_id, account_id)
        if account is None:
            raise AccountNotFound("No such loyalty account.")
        now = self._clock.now()
        await uow.redemptions.expire_overdue(business_id, account_id, now)
        return account, await uow.redemptions.held_points(business_id, account_id, now)

    async def _lock_redemption(
        self, uow: UnitOfWork, command: CaptureRedemption | CancelRedemption
    ) -> tuple[Redemption, Account]:
        found = await uow.redemptions.get(command.business_id, command.redemption_id)
        if found is None:
            raise RedemptionNotFound("No such redemption.")
        account, _ = await self._lock_account(uow, command.business_id, found.account_id)
        redemption = await uow.redemptions.get(command.business_id, command.redemption_id)
        assert redemption is not None
        return redemption, account


async def answered_before(
    uow: UnitOfWork,
    business_id: str,
    request_fingerprint: str,
    fingerprint: str,
    redemption_id: UUID | None,
) -> RedemptionResult:
    """The answer to a retry under an Idempotency-Key already used: the first request's
    redemption, or a refusal if the key came with another request."""
    if fingerprint != request_fingerprint or redemption_id is None:
        raise IdempotencyKeyReused("This Idempotency-Key was already used for a different request.")
    redemption = await uow.redemptions.get(business_id, redemption_id)
    assert redemption is not None
    return RedemptionResult(redemption, None, replayed=True)
