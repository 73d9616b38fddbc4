"""Replaying a history into an empty store: every operation that changed the live store, at
the moment it ran, in the order it ran (programme versions, enrolments with their referrers'
codes, batches of events, redemptions and their captures and cancels, adjustments, status
changes, closures, expiry sweeps, level reviews).

The twin mints its own account and redemption ids, so commands and events are mapped onto
them (by customer, and by the order redemptions were made) before they run. What a twin
must rebuild is then the same ledger: per customer, the same entries in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.closure import CloseAccount
from domain.commands import AdjustPoints, ChangeAccountStatus, EnrolCustomer
from domain.events import InboundEvent, PurchaseCompleted
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.expiry import ExpirePoints
from service.use_cases.level_review import ReviewLevels
from service.use_cases.programmes import Programmes
from service.use_cases.redemptions import Redemptions
from service.use_cases.reward_redemptions import RewardRedemptions
from service.use_cases.rewards import RewardCatalogue
from tests.support.ledger_world import Snapshot, World


@dataclass(frozen=True)
class Enrolment:
    customer: str
    referrer: str | None = None
    """The customer whose referral code is named (None: none)."""


@dataclass
class Replay:
    world: World
    live_accounts: dict[UUID, str]
    """Live account id -> customer."""
    accounts: dict[str, UUID] = field(default_factory=dict)
    redemptions: dict[UUID, UUID] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)

    async def run(self, log: Sequence[tuple[datetime, str, Any]]) -> None:
        uows, clock = self.world.uows, self.world.clock
        for moment, kind, payload in log:
            clock.moment = moment
            if kind == "programme":
                await Programmes(uows, clock).set(payload)
            elif kind == "catalogue":
                await RewardCatalogue(uows, clock).set(payload)
            elif kind == "enrol":
                await self._enrol(payload)
            elif kind == "batch":
                await ApplyEventBatch(uows, clock)(self._events(payload))
            elif kind in ("redeem", "reward"):
                command, live_id = payload
                use_case: Any = Redemptions if kind == "redeem" else RewardRedemptions
                made = await use_case(uows, clock).redeem(self._command(command))
                self.redemptions[live_id] = made.redemption.redemption_id
            elif kind == "capture":
                await Redemptions(uows, clock).capture(self._command(payload))
            elif kind == "cancel":
                await Redemptions(uows, clock).cancel(self._command(payload))
            elif kind == "expiry":
                await ExpirePoints(uows, clock)()
            elif kind == "review":
                await ReviewLevels(uows, clock)()
            else:
                await self._account_command(payload)

    async def _enrol(self, enrolment: Enrolment) -> None:
        code = self.codes.get(enrolment.referrer) if enrolment.referrer else None
        command = EnrolCustomer("shop-h", enrolment.customer, referral_code=code)
        view = await Accounts(self.world.uows, self.world.clock).enrol(command)
        self.accounts[enrolment.customer] = view.account.account_id
        self.codes[enrolment.customer] = view.referral_code or ""

    async def _account_command(self, command: Any) -> None:
        accounts = Accounts(self.world.uows, self.world.clock)
        mapped = self._command(command)
        if isinstance(mapped, AdjustPoints):
            await accounts.adjust(mapped)
        elif isinstance(mapped, ChangeAccountStatus):
            await accounts.change_status(mapped)
        else:
            assert isinstance(mapped, CloseAccount)
            await accounts.close(mapped)

    def _command(self, command: Any) -> Any:
        if hasattr(command, "account_id"):
            command = replace(
                command, account_id=self.accounts[self.live_accounts[command.account_id]]
            )
        if getattr(command, "redemption_id", None) is not None:
            command = replace(command, redemption_id=self._redemption(command.redemption_id))
        return command

    def _redemption(self, live_id: UUID) -> UUID:
        return self.redemptions.get(live_id, live_id)  # one the twin never made stays unknown

    def _events(self, events: Sequence[InboundEvent]) -> list[InboundEvent]:
        return [
            replace(e, redemption_id=self._redemption(e.redemption_id))
            if isinstance(e, PurchaseCompleted) and e.redemption_id is not None
            else e
            for e in events
        ]


def ledger_by_customer(
    snapshot: Snapshot, accounts: dict[str, UUID]
) -> dict[str, list[tuple[Any, ...]]]:
    """Each customer's entries in order, as a replay must rebuild them: ids aside (some
    derive from the account's or the redemption's id, which the twin mints anew), and the
    expiry entries of one sweep summed (one a lot, in lot id order)."""
    ledgers: dict[str, list[tuple[Any, ...]]] = {}
    for customer, account_id in accounts.items():
        ledger: list[tuple[Any, ...]] = []
        for e in snapshot.entries_of(account_id):
            row = (e.kind, e.points, e.stamps, e.event_id, e.level_before, e.level_after)
            if ledger and e.kind == "expiry" and ledger[-1][0] == "expiry":
                row = ("expiry", ledger.pop()[1] + e.points, 0, None, None, None)
            ledger.append(row)
        ledgers[customer] = ledger
    return ledgers
