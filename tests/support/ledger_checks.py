"""What must hold after every step of the model test, checked on one snapshot of the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from uuid import UUID

from domain.events import InboundEvent, PurchaseCompleted
from service.use_cases.verification import verify_ledger
from tests.support.ledger_history_base import (
    HistoryBase,
)
from tests.support.ledger_world import EntryRow, Snapshot

CAPTURES = ("redemption", "stamp_redemption")


class LedgerChecks(HistoryBase):
    def _ledger_promises_hold(self, snapshot: Snapshot) -> None:
        self._balances_are_the_sum_of_their_entries_and_match_the_model(snapshot)
        self._reversals_never_exceed_their_earn(snapshot)
        self._a_held_point_is_captured_or_released_never_both(snapshot)
        self._every_delivered_event_has_exactly_its_outcome(snapshot)
        # verify reads only the store: a step that changed nothing there (a sale rung up
        # but not delivered yet, a refusal) needs no second look
        if snapshot != self.verified:
            report = self._run(verify_ledger(self.world.uows, None, 10**9))
            assert report.ok, report.breaches
            self.verified = snapshot

    def _balances_are_the_sum_of_their_entries_and_match_the_model(
        self, snapshot: Snapshot
    ) -> None:
        for customer, account_id in self.accounts.items():
            entries = snapshot.entries_of(account_id)
            assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
            running = 0
            for entry in entries:
                running += entry.points
                assert entry.balance_after == running, entry
                if (
                    entry.points < 0
                    and entry.balance_after < 0
                    and not self._reversal_took_held(entry, entries)
                ):
                    assert entry.kind in ("reversal", "referral_reversal"), (
                        f"{entry.kind} made {customer} negative"
                    )
            assert snapshot.balances[account_id] == running
            assert running == self.model.balances[customer], (customer, running, self.model)

    def _reversal_took_held(self, entry: EntryRow, entries: list[EntryRow]) -> bool:
        """A capture may go below zero only when a reversal since the hold took its points."""
        hold = self.model.holds.get(UUID(entry.source_ref)) if entry.kind == "redemption" else None
        return hold is not None and any(
            e.kind == "reversal" and hold.seq_at_hold < e.seq < entry.seq for e in entries
        )

    def _reversals_never_exceed_their_earn(self, snapshot: Snapshot) -> None:
        earned = {e.entry_id: e.points for e in snapshot.entries if e.kind == "earn"}
        reversed_ = Counter[UUID]()
        for entry in snapshot.entries:
            if entry.kind == "reversal":
                assert entry.related_entry_id in earned
                reversed_[entry.related_entry_id] -= entry.points
        for entry_id, points in reversed_.items():
            assert points <= earned[entry_id]

    def _a_held_point_is_captured_or_released_never_both(self, snapshot: Snapshot) -> None:
        for redemption_id, row in snapshot.redemptions.items():
            ref = str(redemption_id)
            captures = [e for e in snapshot.entries if e.kind in CAPTURES and e.source_ref == ref]
            cancels = [
                e
                for e in snapshot.entries
                if e.kind == "redemption_cancelled" and e.source_ref == ref
            ]
            assert len(captures) <= 1 and len(cancels) <= len(captures)
            if captures:
                assert (captures[0].points, captures[0].stamps) == (-row.points, -row.stamps)
                assert row.status in ("captured", "cancelled"), row
                assert cancels or row.status == "captured"
                hold = self.model.holds.get(redemption_id)
                assert hold is None or not hold.released or hold.captured_before_release
            else:
                assert row.status != "captured"

    def _every_delivered_event_has_exactly_its_outcome(self, snapshot: Snapshot) -> None:
        for event_id in self.delivered:
            status, _ = snapshot.inbox[event_id]
            assert status == self.model.outcomes[event_id], (event_id, status)
        assert set(snapshot.inbox) == set(self.delivered)

    def _account_for_sale_captures(
        self, before: Snapshot, after: Snapshot, batch: Sequence[InboundEvent]
    ) -> None:
        """A hold a sale captured: of its own customer, live, once, as the model captured it.
        A sale that names a hold and captures nothing is recorded as a refusal, never silent."""
        for event in batch:
            if not isinstance(event, PurchaseCompleted) or event.redemption_id is None:
                continue
            ref = str(event.redemption_id)
            captures = [e for e in after.entries if e.kind in CAPTURES and e.source_ref == ref]
            refused = event.event_id in after.refused_captures
            captured_by_it = any(e.event_id == event.event_id for e in captures)
            assert not (refused and captured_by_it)
            assert refused or captures, f"{event.event_id} settled nothing and said nothing"
        batch_ids = {e.event_id for e in batch}
        for redemption_id, row in after.redemptions.items():
            was = (
                before.redemptions[redemption_id].status
                if redemption_id in before.redemptions
                else None
            )
            hold = self.model.holds[redemption_id]
            captured_now = row.status == "captured" and was != "captured"
            assert captured_now == (hold.captured_by in batch_ids), (redemption_id, hold)
            if captured_now:
                customer = self.redemptions[redemption_id]
                settling = [
                    e
                    for e in batch
                    if isinstance(e, PurchaseCompleted) and e.redemption_id == redemption_id
                ]
                assert any(e.customer_id == customer for e in settling), "another's sale took it"
                assert not hold.released, "a sale captured a hold that had been released"

    # -- replay -----------------------------------------------------------------------------
