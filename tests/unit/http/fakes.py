"""An in-memory LoyaltyOperations: dict-backed, scoped by business, raising domain errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from domain import errors
from domain.commands import CancelRedemption, CaptureRedemption, PreviewRedemption, Redeem
from domain.ledger import Attribution, EntryKind
from domain.redemption import Redemption, RedemptionQuote, RedemptionStatus, quote_redemption
from domain.views import RedemptionResult

from .fake_accounts import NOW, FakeAccounts, FakeClock, FakeHealth

__all__ = ["NOW", "FakeClock", "FakeHealth", "FakeOperations"]


class FakeOperations(FakeAccounts):
    def _quote(
        self, business_id: str, account_id: UUID, points: int, sale: Decimal | None
    ) -> RedemptionQuote:
        account = self._account(business_id, account_id)
        programme = self.programmes.get(business_id)
        held = self._held(account_id)
        return quote_redemption(account, programme, self.clock.now(), points, sale, held)

    async def preview(self, command: PreviewRedemption) -> RedemptionQuote:
        self._seen(command)
        return self._quote(
            command.business_id, command.account_id, command.points, command.sale_amount
        )

    async def redeem(self, command: Redeem) -> RedemptionResult:
        self._seen(command)
        key = (command.business_id, command.idempotency_key)
        if key in self.answered:
            fingerprint, first = self.answered[key]
            if fingerprint != command.request_fingerprint:
                raise errors.IdempotencyKeyReused(
                    "This Idempotency-Key was used for another request."
                )
            return replace(first, replayed=True)
        quote = self._quote(
            command.business_id, command.account_id, command.points, command.sale_amount
        )
        if quote.blocked is not None:
            raise errors.RedemptionBlocked(quote.blocked.value, quote.detail or "")
        now = self.clock.now()
        hold_minutes = self.programmes[command.business_id].hold_minutes
        redemption = Redemption(
            business_id=command.business_id,
            redemption_id=uuid4(),
            account_id=command.account_id,
            points=quote.points_to_take,
            discount=quote.discount,
            capped=quote.capped,
            status=RedemptionStatus.HELD,
            created_at=now,
            expires_at=now + timedelta(minutes=hold_minutes),
            sale_amount=command.sale_amount,
            attribution=command.attribution,
        )
        self.redemptions[redemption.redemption_id] = redemption
        if not command.hold:
            redemption = self._capture(redemption, command.attribution)
        result = RedemptionResult(redemption, quote)
        self.answered[key] = (command.request_fingerprint, result)
        return result

    async def redemption(self, business_id: str, redemption_id: UUID) -> Redemption:
        self._seen(redemption_id)
        found = self.redemptions.get(redemption_id)
        if found is None or found.business_id != business_id:
            raise errors.RedemptionNotFound("We could not find that redemption.")
        return found

    def _capture(self, redemption: Redemption, by: Attribution) -> Redemption:
        account = self.accounts[redemption.account_id]
        entry = self._post(account, EntryKind.REDEMPTION, -redemption.points, by)
        done = replace(
            redemption,
            status=RedemptionStatus.CAPTURED,
            captured_at=self.clock.now(),
            expires_at=None,
            entry_id=entry.entry_id,
        )
        self.redemptions[done.redemption_id] = done
        return done

    async def capture(self, command: CaptureRedemption) -> Redemption:
        found = await self.redemption(command.business_id, command.redemption_id)
        self._seen(command)
        status = found.status_at(self.clock.now())
        if status is RedemptionStatus.EXPIRED:
            raise errors.RedemptionExpired("This hold has expired; redeem the points again.")
        if status is not RedemptionStatus.HELD:
            raise errors.RedemptionNotHeld(f"This redemption is already {status.value}.")
        return self._capture(found, command.attribution)

    async def cancel(self, command: CancelRedemption) -> Redemption:
        found = await self.redemption(command.business_id, command.redemption_id)
        self._seen(command)
        status = found.status_at(self.clock.now())
        if status not in (RedemptionStatus.HELD, RedemptionStatus.CAPTURED):
            raise errors.RedemptionNotHeld(f"This redemption is already {status.value}.")
        if status is RedemptionStatus.CAPTURED:
            account = self.accounts[found.account_id]
            self._post(account, EntryKind.REDEMPTION_CANCELLED, found.points, command.attribution)
        done = replace(found, status=RedemptionStatus.CANCELLED, cancelled_at=self.clock.now())
        self.redemptions[done.redemption_id] = done
        return done
