"""Use cases: preview, redeem (at once or held), capture and cancel redemptions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

from domain.accounts import Account
from domain.cancel_rights import CASHIER_CANCEL_WINDOW, may_cancel
from domain.commands import CancelRedemption, CaptureRedemption, PreviewRedemption, Redeem
from domain.errors import (
    AccountNotFound,
    CancelNotAllowed,
    IdempotencyKeyReused,
    RedemptionBlocked,
    RedemptionExpired,
    RedemptionNotFound,
    RedemptionNotHeld,
)
from domain.holds import capture_points
from domain.ledger import Attribution, EntryKind, Source
from domain.lots import AccountKey, Lot, LotTotals
from domain.postings import post_entry
from domain.programme import Programme
from domain.redemption import (
    Redemption,
    RedemptionQuote,
    RedemptionStatus,
    quote_redemption,
)
from domain.views import RedemptionResult
from ports.clock import Clock
from ports.metrics import ServiceMetrics
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from service.use_cases.lot_keeping import policies_of, post_entries


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
        return quote_redemption(
            account,
            state.programme,
            now,
            command.points,
            command.sale_amount,
            state.held_points,
            LotTotals.of(state.open_lots, now).available,
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
                return await self._replay(uow, command, *claim.earlier)
            account = claim.account
            if account is None:
                raise AccountNotFound("No such loyalty account.")
            now = self._clock.now()
            state = await uow.redemption_start.spending_state(
                account.business_id, account.account_id, now, releasing=True
            )
            held, programme = state.held_points, state.programme
            key = (account.business_id, account.account_id)
            open_lots = {key: state.open_lots}
            spendable = LotTotals.of(state.open_lots, now).available
            quote = quote_redemption(
                account, programme, now, command.points, command.sale_amount, held, spendable
            )
            if quote.blocked is not None:
                raise RedemptionBlocked(quote.blocked.value, quote.detail or quote.blocked.value)
            redemption = Redemption(
                business_id=command.business_id,
                redemption_id=redemption_id,
                account_id=account.account_id,
                points=quote.points_to_take,
                discount=quote.discount,
                capped=quote.capped,
                status=RedemptionStatus.HELD,
                created_at=now,
                sale_amount=command.sale_amount,
                attribution=command.attribution,
            )
            if command.hold:
                minutes = programme.hold_minutes if programme else 30
                redemption = replace(redemption, expires_at=now + timedelta(minutes=minutes))
            else:
                redemption = await self._take_points(
                    uow, account, redemption, command.attribution, programme, open_lots
                )
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
        """Take exactly the held points, once, while the hold is live by this clock (the one
        that releases held points); a hold of another business is not found. The points are
        taken even if a reversal since left fewer (the balance may go negative, as if the
        reversal came after the capture)."""
        async with self._uow_factory() as uow:
            redemption, account = await self._lock_redemption(uow, command)
            status = redemption.status_at(self._clock.now())
            if status is RedemptionStatus.CAPTURED:
                return redemption  # capturing twice takes the points once
            if status is RedemptionStatus.EXPIRED:
                # Answered 409 and counted; the hold is marked expired where its points are
                # released for spending (a redemption), so a refusal here writes nothing.
                self._refused(status)
                raise RedemptionExpired("The hold on these points has expired.")
            if status is not RedemptionStatus.HELD:
                self._refused(status)
                raise RedemptionNotHeld(f"The redemption is {status.value}, not held.")
            programme = await uow.programmes.get(account.business_id)
            redemption = await self._take_points(
                uow, account, redemption, command.attribution, programme
            )
            await uow.redemptions.save(redemption)
            await uow.commit()
        return redemption

    async def cancel(self, command: CancelRedemption) -> Redemption:
        """A held redemption is released; a captured one gives its points back, once."""
        async with self._uow_factory() as uow:
            redemption, account = await self._lock_redemption(uow, command)
            now = self._clock.now()
            status = redemption.status_at(now)
            if status in (RedemptionStatus.CANCELLED, RedemptionStatus.EXPIRED):
                return replace(redemption, status=status)
            if not may_cancel(redemption, command.attribution, command.supervisor, now):
                minutes = int(CASHIER_CANCEL_WINDOW.total_seconds() // 60)
                raise CancelNotAllowed(
                    "Giving back a captured redemption takes a manager, or the till it was "
                    f"made at within {minutes} minutes."
                )
            cancel_entry_id = None
            if status is RedemptionStatus.CAPTURED:
                account, entry = post_entry(
                    account,
                    kind=EntryKind.REDEMPTION_CANCELLED,
                    points=redemption.points,
                    source=Source.POS,
                    source_ref=str(redemption.redemption_id),
                    origin=f"redemption-cancel:{redemption.redemption_id}",
                    at=now,
                    attribution=command.attribution,
                    related_entry_id=redemption.entry_id,
                )
                programme = await uow.programmes.get(account.business_id)
                await post_entries(uow, [account], [entry], policies_of(programme))
                cancel_entry_id = entry.entry_id
            redemption = replace(
                redemption,
                status=RedemptionStatus.CANCELLED,
                cancelled_at=now,
                cancel_entry_id=cancel_entry_id,
            )
            await uow.redemptions.save(redemption)
            await uow.commit()
        return redemption

    def _refused(self, status: RedemptionStatus) -> None:
        if self._metrics is not None:
            self._metrics.capture_refused(status.value, "http")

    async def _take_points(
        self,
        uow: UnitOfWork,
        account: Account,
        redemption: Redemption,
        by: Attribution,
        programme: Programme | None,
        open_lots: Mapping[AccountKey, Sequence[Lot]] | None = None,
    ) -> Redemption:
        account, entry, captured = capture_points(
            account, redemption, programme, at=self._clock.now(), attribution=by
        )
        await post_entries(uow, [account], [entry], policies_of(programme), open_lots)
        return captured

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

    async def _replay(
        self, uow: UnitOfWork, command: Redeem, fingerprint: str, redemption_id: UUID | None
    ) -> RedemptionResult:
        if fingerprint != command.request_fingerprint or redemption_id is None:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was already used for a different request."
            )
        redemption = await uow.redemptions.get(command.business_id, redemption_id)
        assert redemption is not None
        return RedemptionResult(redemption, None, replayed=True)
