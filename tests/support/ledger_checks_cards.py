"""What must hold after every step for stamps, rewards and closed cards, on one snapshot."""

from __future__ import annotations

from collections import Counter
from uuid import UUID

from tests.support.ledger_history_base import HistoryBase
from tests.support.ledger_steps_cards import CATALOGUE
from tests.support.ledger_world import EntryRow, Snapshot

LIVE = ("held", "captured")


class CardChecks(HistoryBase):
    def _card_promises_hold(self, snapshot: Snapshot) -> None:
        self._stamps_are_the_sum_of_their_entries_and_match_the_model(snapshot)
        self._voids_never_exceed_their_earn_and_a_full_return_takes_all(snapshot)
        self._stock_is_what_no_live_redemption_holds(snapshot)
        self._a_closed_card_stays_empty(snapshot)

    def _stamps_are_the_sum_of_their_entries_and_match_the_model(self, snapshot: Snapshot) -> None:
        for customer, account_id in self.accounts.items():
            entries = snapshot.entries_of(account_id)
            running, redeemed = 0, False
            for entry in entries:
                running += entry.stamps
                assert entry.stamps_balance_after == running, entry
                # spent: redeemed, or taken by hand (a void may then owe what was taken)
                redeemed = redeemed or entry.kind in ("stamp_redemption", "stamp_adjustment")
                if entry.stamps < 0 and running < 0:
                    assert redeemed and self._owed_by_a_return(entry, entries), (
                        f"{entry.kind} took {customer}'s stamps below zero"
                    )
            assert snapshot.stamps[account_id] == running == self.model.stamps[customer], (
                customer,
                running,
                self.model.stamps,
            )

    def _owed_by_a_return(self, entry: EntryRow, entries: list[EntryRow]) -> bool:
        """Stamps go below zero only by a void after stamps were spent or taken, or by
        capturing a hold whose stamps a void took since it was made."""
        if entry.kind == "stamp_void":
            return True
        hold = (
            self.model.holds.get(UUID(entry.source_ref))
            if entry.kind == "stamp_redemption"
            else None
        )
        return hold is not None and any(
            e.kind == "stamp_void" and hold.seq_at_hold < e.seq < entry.seq for e in entries
        )

    def _voids_never_exceed_their_earn_and_a_full_return_takes_all(
        self, snapshot: Snapshot
    ) -> None:
        earned = {e.entry_id: e for e in snapshot.entries if e.kind in ("earn", "stamp_earn")}
        taken = Counter[UUID]()
        for entry in snapshot.entries:
            if entry.kind in ("reversal", "stamp_void"):
                assert entry.related_entry_id in earned, entry
                taken[entry.related_entry_id] -= entry.points + entry.stamps
        for entry_id, amount in taken.items():
            assert amount <= earned[entry_id].points + earned[entry_id].stamps, "took back more"
        for sale in self.model.sales.values():
            customer = sale.event.customer_id or ""
            full = sale.items.refunded >= sale.event.amount
            if not full or not sale.applied or self.model.status.get(customer) == "closed":
                continue
            for entry in earned.values():
                if entry.event_id == sale.event.event_id:
                    size = entry.points + entry.stamps
                    assert taken[entry.entry_id] == size, f"a full return left {entry.kind}"

    def _stock_is_what_no_live_redemption_holds(self, snapshot: Snapshot) -> None:
        live = Counter(
            r.reward_id for r in snapshot.redemptions.values() if r.stock_taken and r.status in LIVE
        )
        for reward_id, terms in CATALOGUE.items():
            assert terms.stock is not None
            left = snapshot.stock[reward_id]
            assert left is not None and left >= 0, (reward_id, left)
            assert left == terms.stock - live[reward_id], (reward_id, left, live)
        for redemption_id in snapshot.redemptions:
            kinds = [
                e.kind
                for e in snapshot.entries
                if e.source_ref == str(redemption_id) and e.kind.endswith("redemption")
            ]
            assert len(kinds) <= 1, f"{redemption_id} spent twice"

    def _a_closed_card_stays_empty(self, snapshot: Snapshot) -> None:
        for customer, account_id in self.accounts.items():
            if self.model.status[customer] != "closed":
                continue
            entries = snapshot.entries_of(account_id)
            kinds = [e.kind for e in entries]
            assert kinds.count("closure") == 1 and kinds[-1] == "closure", kinds[-3:]
            assert snapshot.balances[account_id] == snapshot.stamps[account_id] == 0
            assert snapshot.statuses[account_id] == "closed"
            held = [r for r in snapshot.redemptions.values() if r.account_id == account_id]
            assert all(r.status != "held" for r in held), "a closed card kept a hold"
        for event_id in self.model.closed_skips:
            assert snapshot.inbox[event_id] == ("skipped", "account_closed"), event_id
