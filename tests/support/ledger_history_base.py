"""What every part of the model test shares: the world, the clock, the reference model, what
has been sent and made so far, and the plumbing to run the use cases from hypothesis' steps."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine

from domain.commands import (
    Redeem,
    SetProgramme,
)
from domain.events import InboundEvent, PurchaseCompleted, ReturnedItem
from domain.ledger import Attribution
from domain.redeem_limits import RedeemLimit
from domain.reward_commands import RedeemReward
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.programmes import Programmes
from tests.fakes import FakeClock
from tests.support.ledger_model import LedgerModel
from tests.support.ledger_world import Snapshot, World

if TYPE_CHECKING:
    from tests.support.ledger_replay import Enrolment

T = TypeVar("T")

BUSINESS = "shop-h"
CUSTOMERS = ("c0", "c1", "c2")
STRANGER = "nobody"  # no account: its sales are skipped
START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TILL = Attribution(store_id="s1", terminal_id="till-1", staff_id="st-1")
AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400"), places=2)
LAGS = st.sampled_from([0, 0, 1, 30, 24 * 20])


class InjectedFailure(Exception):
    """A batch that fails after its writes, before its commit."""


class HistoryBase(RuleBasedStateMachine):
    """The state of one history; a test's subclass sets ``new_world`` and one event ``loop``."""

    loop: ClassVar[asyncio.AbstractEventLoop]
    # a staticmethod, so that mypy does not take the callable for a method bound to the machine
    new_world: ClassVar[staticmethod[[FakeClock], Awaitable[World]]]

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock(START)
        self.world = self._run(type(self).new_world(self.clock))
        self.model = LedgerModel()
        self.accounts: dict[str, UUID] = {}
        self.waiting: list[InboundEvent] = []
        self.delivered: dict[str, InboundEvent] = {}
        self.log: list[tuple[datetime, str, Any]] = []
        """Every operation that changed the store, for the replay (``ledger_replay``)."""
        self.numbers = iter(range(1, 10**9))
        self.redeem_commands: list[Redeem] = []
        self.reward_commands: list[RedeemReward] = []
        self.redemptions: dict[UUID, str] = {}  # every redemption made: its customer
        self.settings: dict[str, Any] = {}
        self.codes: dict[str, str] = {}
        """Each enrolled customer's referral code."""
        self.redeem_limit: RedeemLimit | None = None
        self.verified: Snapshot | None = None
        """The store as ``loyalty verify`` last passed it."""

    # -- plumbing -------------------------------------------------------------------------

    def _run(self, awaitable: Awaitable[T]) -> T:
        return type(self).loop.run_until_complete(awaitable)

    def _snapshot(self) -> Snapshot:
        return self._run(self.world.snapshot())

    def _n(self) -> int:
        return next(self.numbers)

    def _apply(self, events: Sequence[InboundEvent]) -> None:
        self._run(ApplyEventBatch(self.world.uows, self.clock)(events))

    def _set_programme(self, command: SetProgramme) -> None:
        self._run(Programmes(self.world.uows, self.clock).set(command))
        self._record("programme", command)

    def _record(self, kind: str, payload: Any) -> None:
        self.log.append((self.clock.now(), kind, payload))

    if TYPE_CHECKING:  # helpers one step mixin defines and another calls

        def _purchase(
            self,
            customer: str,
            amount: Decimal,
            lag_hours: int,
            bill: bool,
            redemption_id: UUID | None,
        ) -> PurchaseCompleted: ...

        def _purchases(self) -> list[PurchaseCompleted]: ...

        def _refunded(self, reference: str) -> Decimal: ...

        def _open_the_catalogue(self) -> None: ...

        def _enrol(self, enrolment: Enrolment) -> None: ...

        def _status_of(self, redemption_id: UUID) -> str: ...

        def _return(
            self, purchase: PurchaseCompleted, amount: Decimal, items: tuple[ReturnedItem, ...]
        ) -> None: ...

        def _account_for_sale_captures(
            self, before: Snapshot, after: Snapshot, batch: Sequence[InboundEvent]
        ) -> None: ...

    # -- setup --------------------------------------------------------------------------------


def new_entries(before: Snapshot, after: Snapshot) -> list[Any]:
    known = {e.entry_id for e in before.entries}
    return sorted((e for e in after.entries if e.entry_id not in known), key=lambda e: e.seq)


EVENT_KINDS = ("earn", "reversal", "stamp_earn", "stamp_void", "spend_return", "level_change")


def points_of(snapshot: Snapshot, event_id: str) -> set[tuple[UUID, str, int, int]]:
    """The entries an event made whose ids derive from it: earn and reversal, of points and
    stamps, spent points given back and level changes."""
    return {
        (e.entry_id, e.kind, e.points, e.stamps)
        for e in snapshot.entries
        if e.event_id == event_id and e.kind in EVENT_KINDS
    }
